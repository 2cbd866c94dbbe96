"""Fixtures for the classifier tests: the bounce corpus, when it is present.

The classifier is pure Python, so these tests need no Django settings and no database;
run them with ``.venv/bin/python -m pytest tests/classifier -p no:django -q``.
"""

import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "bounce-corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS / "labels.json").is_file():
        pytest.skip(f"bounce corpus not found at {CORPUS.resolve()} (expected ../shared/bounce-corpus)")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_messages(corpus_dir) -> dict[str, bytes]:
    labels = json.loads((corpus_dir / "labels.json").read_text())
    return {name: (corpus_dir / name).read_bytes() for name in sorted(labels)}

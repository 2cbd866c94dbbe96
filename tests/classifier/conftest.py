"""Fixtures for the classifier tests: the bounce corpus, when it is present.

The classifier is pure Python, so these tests need no Django settings and no database;
run them with ``.venv/bin/python -m pytest tests/classifier -p no:django -q``.
"""

import hashlib
import json
import os
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


@pytest.fixture(scope="session")
def corpus_half(corpus_messages) -> dict[str, bytes]:
    """Half the corpus messages, chosen by a hash of the name, for the exhaustive pattern-against-
    regex checks (every pattern on every text in four casings: two minutes on all of it, which the
    CI budget cannot spare). ``BP_WHOLE_CORPUS=1`` runs them on every message."""
    if os.environ.get("BP_WHOLE_CORPUS") == "1":
        return corpus_messages
    return {name: raw for name, raw in corpus_messages.items() if hashlib.sha256(name.encode()).digest()[0] % 2 == 0}

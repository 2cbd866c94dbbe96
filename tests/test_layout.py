"""The repository's top level is fixed (DEVELOPERS.md, "Fixed choices"): new apps and packages go inside
bounceportal/, contacts/, campaigns/ or reports/, never beside them."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "manage.py", "pyproject.toml", "README.md", "bounceportal", "contacts", "campaigns", "reports",
    "templates", "static", "tests", ".ci", "Makefile", "scripts", "bench", "docs",
    # the lock file, the changelog and the tool configuration that live beside them
    "uv.lock", "CHANGELOG.md", ".gitignore", ".pre-commit-config.yaml",
}  # fmt: skip


def tracked_top_level() -> set[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {line.split("/", 1)[0] for line in listed.splitlines() if line}


def test_every_tracked_file_lives_under_an_allowed_top_level_entry():
    assert tracked_top_level() - ALLOWED == set()


def test_the_rest_api_and_the_operations_endpoints_are_apps_inside_reports():
    from django.apps import apps

    assert apps.get_app_config("api").name == "reports.api"
    assert apps.get_app_config("ops").name == "reports.ops"

# Two commands matter: `make demo` and `make test` (see README.md).
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
SYNCED := $(VENV)/.synced

.PHONY: venv demo test services lint

# The virtualenv is rebuilt only when pyproject.toml or uv.lock change, so a
# second run is a no-op.
venv: $(SYNCED)

$(SYNCED): pyproject.toml uv.lock
	@test -x $(PY) || python3.11 -m venv $(VENV)
	@test -x $(VENV)/bin/uv || $(VENV)/bin/pip install --quiet uv==$(UV_VERSION)
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --frozen --quiet
	@touch $@

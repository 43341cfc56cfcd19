"""The fast commands import only what they use (start-up time is measured in docs/performance.md;
a test checks *which* modules load, never how long it takes)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the command in a fresh interpreter; at exit, every top-level package and graph_agents module loaded
PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["graph-agents", *sys.argv[1:]]
from graph_agents.cli import entry
entry()
"""
HEAVY = {"langgraph", "langchain_core", "igraph", "polars", "scipy", "networkx", "openai", "jinja2", "graph_agents.runner",
         "graph_agents.engines.local", "graph_agents.reports.build", "graph_agents.llm"}


def _modules(*args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(ROOT / ".no-home")}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def _loaded(modules: set[str], names: set[str]) -> set[str]:
    return {n for n in names if n in modules}


def test_help_loads_no_model_numpy_event_loop_or_catalog():
    modules = _modules("--help")
    assert "graph_agents.cli" in modules  # the probe ran the command
    assert not _loaded(modules, HEAVY | {"numpy", "pydantic", "asyncio", "graph_agents.algorithms", "graph_agents.settings",
                                         "graph_agents.catalog"})


def test_verticals_loads_the_models_but_not_the_reports_numpy_or_an_event_loop():
    modules = _modules("verticals")
    assert "graph_agents.verticals" in modules
    assert not _loaded(modules, HEAVY | {"numpy", "asyncio", "graph_agents.catalog", "graph_agents.settings",
                                         "graph_agents.stores"})


def test_inspect_reads_the_graph_without_the_workflow_engines_or_polars(tmp_path):
    modules = _modules("inspect", "--demo", "--workspace", str(tmp_path))
    assert "graph_agents.stores.local" in modules
    assert not _loaded(modules, HEAVY | {"graph_agents.catalog"})

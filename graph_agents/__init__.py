"""graph_agents: an agentic graph-analytics workflow on LangGraph."""

from typing import Any

__all__ = ["AgenticWorkflowRunner", "WorkflowResult", "export_reports", "run_agentic_workflow_async"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # the runner brings langgraph, langchain and igraph: imported on first use, so that the
    # command line starts fast (`graph-agents --help`, `verticals`, `inspect`)
    if name in __all__:
        from . import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'graph_agents' has no attribute {name!r}")

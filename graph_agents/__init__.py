"""graph_agents: an agentic graph-analytics workflow on LangGraph."""

from .runner import AgenticWorkflowRunner, WorkflowResult, export_reports, run_agentic_workflow_async

__all__ = ["AgenticWorkflowRunner", "WorkflowResult", "export_reports", "run_agentic_workflow_async"]
__version__ = "0.1.0"

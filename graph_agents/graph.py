"""The workflow: a StateGraph whose nodes are agents.

resolve_vertical ─► analyze_schema ───────┐
        └─────────► extract_requirements ─┴─► generate_use_cases ─► review_use_cases ─► generate_templates ─► Send × N ─► analyze ─► finalize

review_use_cases pauses for a person (interrupt) only when the input asks for it (review_use_cases=True).
"""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.pregel import Pregel
from langgraph.types import Send

from .context import Context
from .nodes.analyze import analyze
from .nodes.analyze_schema import analyze_schema
from .nodes.extract_requirements import extract_requirements
from .nodes.finalize import finalize
from .nodes.generate_templates import generate_templates
from .nodes.generate_use_cases import generate_use_cases
from .nodes.resolve_vertical import resolve_vertical
from .nodes.review_use_cases import review_use_cases
from .state import InputState, OutputState, State


def route_templates(state: State) -> list[Send] | str:
    """One `analyze` task per template; straight to `finalize` when there is nothing to run."""
    # only what is this task's own: each payload is saved with the checkpoint, so the run's shared
    # data (the vertical, the use cases) is read from the state by the task (state.read_shared)
    sends = [Send("analyze", {"run_id": state["run_id"], "template": t}) for t in state.get("templates") or []]
    return sends or "finalize"


builder = StateGraph(State, context_schema=Context, input_schema=InputState, output_schema=OutputState)
builder.add_node("resolve_vertical", resolve_vertical)
builder.add_node("analyze_schema", analyze_schema)
builder.add_node("extract_requirements", extract_requirements)
builder.add_node("generate_use_cases", generate_use_cases)
builder.add_node("review_use_cases", review_use_cases)
builder.add_node("generate_templates", generate_templates)
builder.add_node("analyze", analyze)
builder.add_node("finalize", finalize)

builder.add_edge(START, "resolve_vertical")
builder.add_edge("resolve_vertical", "analyze_schema")
builder.add_edge("resolve_vertical", "extract_requirements")
builder.add_edge(["analyze_schema", "extract_requirements"], "generate_use_cases")
builder.add_edge("generate_use_cases", "review_use_cases")
builder.add_edge("review_use_cases", "generate_templates")
builder.add_conditional_edges("generate_templates", route_templates, ["analyze", "finalize"])
builder.add_edge("analyze", "finalize")
builder.add_edge("finalize", END)

graph = builder.compile(name="graph_agents")


def server_graph(config: RunnableConfig) -> Pregel:
    """The graph as the LangGraph server runs it (langgraph.json): the server calls this per run, so
    each execution gets its own trace recorder, and the finalize node writes the trace beside the
    run's record (a runner-driven run attaches and writes its own). A resumed run's trace covers
    the part after the resume."""
    if not (config.get("configurable") or {}).get("__is_for_execution__"):  # drawing, reading state
        return graph
    from .tracing import TraceRecorder

    return graph.with_config(callbacks=[TraceRecorder(in_graph=True)])

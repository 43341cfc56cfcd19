"""The workflow state: what a person types in, what the agents write, and the per-template payload.

Everything here is plain data (dicts of JSON values) so a checkpoint round-trips through msgpack.
Parallel writers (the `analyze` map) write through reducers, keyed by template id.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from langchain_core.runnables import RunnableConfig
from langgraph._internal._constants import CONF, CONFIG_KEY_READ
from typing_extensions import TypedDict


def merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Reducer for maps keyed by id: later writes for the same id win."""
    return {**(left or {}), **(right or {})}


class InputState(TypedDict, total=False):
    """What a person provides (the graph's input schema, as shown in LangGraph Studio)."""

    requirements: str  # requirements as inline text
    documents: list[str]  # paths of requirement documents (.md, .txt, .pdf, .docx)
    industry: str  # "auto", a built-in vertical name, or a path to a custom vertical JSON
    max_executions: int
    review_use_cases: bool


class State(InputState, total=False):
    run_id: str
    mode: str  # "deterministic" or "llm"
    sources: list[dict[str, str]]  # loaded documents: {"name", "text"}
    vertical: dict[str, Any]
    vertical_scores: dict[str, float]
    graph_schema: dict[str, Any]
    extracted: dict[str, Any]  # Requirements: objectives, requirements, stakeholders, constraints, non_goals
    use_cases: list[dict[str, Any]]
    # what became of each requirement (models.Coverage): set by generate_use_cases, settled by generate_templates
    coverage: list[dict[str, Any]]
    warnings: Annotated[list[str], operator.add]  # said to the user: no ask found, ...
    policy: dict[str, list[str]]  # constraints the analyses honour: {"masked": [collections], "private": [collections]}
    templates: list[dict[str, Any]]
    execution_results: Annotated[dict[str, dict[str, Any]], merge]
    reports: Annotated[dict[str, dict[str, Any]], merge]
    errors: Annotated[list[dict[str, Any]], operator.add]
    llm_rejections: Annotated[list[dict[str, Any]], operator.add]  # LLM proposals dropped, with the reason
    # per requirement, set by finalize (graph_agents.answers): {"requirement_id", "requirement",
    # "status": "answered" | "not_analysed" | "failed", "answer", "reports": [report ids]}
    answers: list[dict[str, Any]]
    status: str
    # set by finalize when it records the run (graph_agents.recording)
    coverage_summary: dict[str, int]  # requirements per outcome
    output_dir: str  # where run.json and reports/ were written
    report_paths: dict[str, str]  # report id -> the report's page (HTML when written)
    trace_paths: dict[str, str]  # format -> the trace file, when the graph writes its own trace (server runs)


class OutputState(TypedDict, total=False):
    """What a run answers (runs.wait, the MCP tool's result): short enough for a model to read.
    The whole state stays in the thread (threads.get_state) and in run.json."""

    run_id: str
    status: str
    mode: str
    answers: list[dict[str, Any]]
    coverage_summary: dict[str, int]
    output_dir: str
    report_paths: dict[str, str]
    trace_paths: dict[str, str]
    warnings: list[str]
    errors: list[dict[str, Any]]


class AnalysisState(TypedDict, total=False):
    """The payload `Send` hands to one `analyze` task (its own data only, see :func:`read_shared`),
    and what that task writes back."""

    run_id: str
    template: dict[str, Any]
    outcome: dict[str, Any]  # ExecutionResult of this task, passed from the execute step to the report step
    execution_results: Annotated[dict[str, dict[str, Any]], merge]
    reports: Annotated[dict[str, dict[str, Any]], merge]
    errors: Annotated[list[dict[str, Any]], operator.add]
    llm_rejections: Annotated[list[dict[str, Any]], operator.add]


def read_shared(config: RunnableConfig, keys: list[str]) -> dict[str, Any]:
    """The workflow state's ``keys`` as a task of the current step sees them (unset keys left out).

    A `Send` target receives only its payload; data every analysis shares is read here rather than
    copied into each payload, which the checkpointer saves once per analysis (a 256 KiB vertical
    times N analyses). Pregel gives every task, Send tasks included, a reader of the step's
    channels under this config key (langgraph.pregel._algo.prepare_single_task); LangGraph's own
    ToolNode reads the state of Send-dispatched tool calls the same way (langgraph.prebuilt.tool_node).
    """
    read = config.get(CONF, {}).get(CONFIG_KEY_READ)
    if read is None:
        raise RuntimeError("no LangGraph state reader in the config: run inside the workflow graph")
    return read(keys, False)

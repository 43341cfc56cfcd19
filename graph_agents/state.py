"""The workflow state: what a person types in, what the agents write, and the per-template payload.

Everything here is plain data (dicts of JSON values) so a checkpoint round-trips through msgpack.
Parallel writers (the `analyze` map) write through reducers, keyed by template id.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

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
    status: str


class OutputState(TypedDict, total=False):
    run_id: str
    mode: str
    status: str
    vertical: dict[str, Any]
    extracted: dict[str, Any]
    coverage: list[dict[str, Any]]
    warnings: list[str]
    use_cases: list[dict[str, Any]]
    templates: list[dict[str, Any]]
    execution_results: dict[str, dict[str, Any]]
    reports: dict[str, dict[str, Any]]
    errors: list[dict[str, Any]]
    llm_rejections: list[dict[str, Any]]


class AnalysisState(TypedDict, total=False):
    """The payload `Send` hands to one `analyze` task, and what that task writes back."""

    run_id: str
    template: dict[str, Any]
    use_case: dict[str, Any]
    vertical: dict[str, Any]
    outcome: dict[str, Any]  # ExecutionResult of this task, passed from the execute step to the report step
    execution_results: Annotated[dict[str, dict[str, Any]], merge]
    reports: Annotated[dict[str, dict[str, Any]], merge]
    errors: Annotated[list[dict[str, Any]], operator.add]
    llm_rejections: Annotated[list[dict[str, Any]], operator.add]

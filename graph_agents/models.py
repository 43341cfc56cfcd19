"""The vocabulary shared by every agent: schema, requirements, use cases, templates, results, reports.

Models cross the graph's state as plain dicts (``model_dump(mode="json")``) so checkpoints stay
plain msgpack data; nodes rebuild models with ``Model.model_validate`` where they need them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Priority = Literal["high", "medium", "low"]


class Model(BaseModel):
    model_config = {"extra": "ignore"}

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class EntityWord(Model):
    """How a vertical names one kind of entity (a collection): "customer"/"customers", a person."""

    singular: str
    plural: str
    person: bool = False  # "them"/"who" in report sentences, not "it"/"which"


class Vertical(Model):
    """An industry vertical: its vocabulary steers every agent downstream."""

    name: str
    display_name: str
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    # generic word -> the vertical's word, e.g. {"node": "customer", "community": "segment"}
    terms: dict[str, str] = Field(default_factory=dict)
    # collection-name fragments that are the core of the business graph in this vertical
    core_hints: list[str] = Field(default_factory=list)
    metrics: list[str] = Field(default_factory=list)
    # algorithm name -> how the vertical phrases its purpose
    algorithm_purposes: dict[str, str] = Field(default_factory=dict)
    # discovery use cases to propose when there are no requirements: algorithm names in order
    discovery: list[str] = Field(default_factory=list)
    detectors: list[dict[str, Any]] = Field(default_factory=list)
    # collection name or singular word ("customer") -> how reports name it, and whether it is a person
    vocabulary: dict[str, EntityWord] = Field(default_factory=dict)
    # report advice overriding or adding to the built-in one: {family or algorithm: {slot: {title,
    # text, priority, effort, impact}}}, see graph_agents.reports.advice
    advice: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict)

    def term(self, word: str) -> str:
        return self.terms.get(word, word)

    def on_relations(self, relations: list[str]) -> "Vertical":
        """The vertical as a report on ``relations`` (edge collections) words it: a term
        ``word@relation`` ("influence@referred": "referral influence") stands for ``word`` when every
        analysed relation has the same one; on any other mix the plain term stays."""
        qualified: dict[str, dict[str, str]] = {}
        for key, value in self.terms.items():
            word, _, relation = key.partition("@")
            if relation:
                qualified.setdefault(word, {})[relation] = value
        said = {word: {by.get(r) for r in relations} for word, by in qualified.items()} if relations else {}
        terms = {word: next(iter(vals)) for word, vals in said.items() if len(vals) == 1 and None not in vals}
        return self.model_copy(update={"terms": {**self.terms, **terms}}) if terms else self


class CollectionInfo(Model):
    name: str
    type: Literal["document", "edge"]
    count: int = 0
    attributes: dict[str, str] = Field(default_factory=dict)  # attribute -> observed type
    role: Literal["core", "satellite", "edge"] = "core"


class EdgeDefinition(Model):
    collection: str
    from_collections: list[str]
    to_collections: list[str]


class DegreeStats(Model):
    mean: float = 0.0
    median: float = 0.0
    max: int = 0
    p99: float = 0.0


class GraphSchema(Model):
    graph_name: str | None = None
    collections: list[CollectionInfo] = Field(default_factory=list)
    edge_definitions: list[EdgeDefinition] = Field(default_factory=list)
    vertex_count: int = 0
    edge_count: int = 0
    degree: DegreeStats = Field(default_factory=DegreeStats)
    domain: str = ""
    key_entities: list[str] = Field(default_factory=list)
    relationships: dict[str, str] = Field(default_factory=dict)  # edge collection -> its business meaning
    suggested_analyses: list[str] = Field(default_factory=list)

    def by_name(self) -> dict[str, CollectionInfo]:
        return {c.name: c for c in self.collections}

    @property
    def vertex_collections(self) -> list[str]:
        return [c.name for c in self.collections if c.type == "document"]

    @property
    def edge_collections(self) -> list[str]:
        return [c.name for c in self.collections if c.type == "edge"]

    @property
    def core_collections(self) -> list[str]:
        return [c.name for c in self.collections if c.type == "document" and c.role == "core"]


class Requirement(Model):
    id: str
    text: str
    objective: str = ""
    priority: Priority = "medium"
    kind: Literal["must", "should", "could", "info"] = "should"
    source: str = ""
    location: str = ""  # where in the source: "line 12", "table row 3, line 14"
    owner: str = ""  # who asks: a table's owner column, a user story's role


class Requirements(Model):
    objectives: list[str] = Field(default_factory=list)
    requirements: list[Requirement] = Field(default_factory=list)
    stakeholders: list[str] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    non_goals: list[str] = Field(default_factory=list)  # what the documents put out of scope
    warnings: list[str] = Field(default_factory=list)  # e.g. no ask found


Outcome = Literal["answered", "no_algorithm", "out_of_scope", "over_max_executions", "dropped_in_review", "unresolved_entity",
                  "needs_entity"]


class Coverage(Model):
    """What became of one requirement: exactly one outcome."""

    requirement_id: str
    text: str
    outcome: Outcome
    reason: str = ""
    use_case_ids: list[str] = Field(default_factory=list)
    template_ids: list[str] = Field(default_factory=list)
    # matcher candidates that decided (or failed to decide): [{"algorithm", "score", "phrases"}]
    candidates: list[dict[str, Any]] = Field(default_factory=list)


class UseCase(Model):
    id: str
    title: str
    description: str = ""
    algorithm: str
    rationale: str = ""
    priority: Priority = "medium"
    requirement_ids: list[str] = Field(default_factory=list)
    focus: list[str] = Field(default_factory=list)  # collections the requirement names
    subject: list[str] = Field(default_factory=list)  # the collection(s) the answer is about ("most influential customers")
    phrases: list[str] = Field(default_factory=list)  # the requirement's words that decided the algorithm


class AnalysisTemplate(Model):
    id: str
    use_case_id: str
    title: str
    algorithm: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    parameter_reasons: dict[str, str] = Field(default_factory=dict)
    vertex_collections: list[str]
    edge_collections: list[str]
    graph_name: str | None = None
    subject: list[str] = Field(default_factory=list)  # collections the results are reported for
    collection_reason: str = ""  # why these collections
    # display names of these collections never appear (a "refer by id" constraint)
    masked_collections: list[str] = Field(default_factory=list)
    # names and attributes of these collections never go to an LLM ("personal data stays inside")
    private_collections: list[str] = Field(default_factory=list)

    def about(self, kind: str) -> list[str]:
        """The collections a report on this template is about: the subject for scores ("influential
        customers" ranked on a wider graph), otherwise the collections it ran on."""
        return self.subject if kind == "score" and self.subject else self.vertex_collections


class ExecutionResult(Model):
    template_id: str
    algorithm: str
    # "unresolved": a name in the ask resolved to no vertex or to several (``entities`` says which), so nothing ran
    status: Literal["completed", "failed", "unresolved"]
    engine: str = ""  # the engine that ran it
    note: str = ""  # where and how it was computed, when the report should say so
    result_location: str = ""
    result_count: int = 0
    error: str | None = None
    entities: list[dict[str, Any]] = Field(default_factory=list)  # entities.Resolution.as_dict() of each failed name
    started_at: float = 0.0
    finished_at: float = 0.0

    @property
    def duration_s(self) -> float:
        return max(0.0, self.finished_at - self.started_at)


class Insight(Model):
    id: str
    title: str
    description: str
    confidence: float = 0.8
    evidence: list[str] = Field(default_factory=list)  # fact keys the insight rests on
    entities: list[str] = Field(default_factory=list)


class Recommendation(Model):
    id: str
    title: str
    description: str
    priority: Priority = "medium"
    effort: Literal["low", "medium", "high"] = "medium"
    impact: str = ""
    insight_ids: list[str] = Field(default_factory=list)


class Report(Model):
    id: str
    title: str  # what was found, in a few words
    question: str = ""  # the ask the report answers, in full
    algorithm: str
    use_case_id: str
    template_id: str
    summary: str
    facts: dict[str, Any] = Field(default_factory=dict)
    top_results: list[dict[str, Any]] = Field(default_factory=list)
    groups: list[dict[str, Any]] = Field(default_factory=list)
    insights: list[Insight] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    # sentences checked against the facts and those removed: {"checked", "removed", "removed_sentences"}
    grounding: dict[str, Any] = Field(default_factory=dict)
    # "unresolved": the report of an analysis whose named entities did not resolve (it says which, and the candidates)
    status: Literal["completed", "failed", "unresolved"] = "completed"
    error: str | None = None

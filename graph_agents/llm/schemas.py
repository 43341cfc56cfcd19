"""What the LLM may propose, per agent: the pydantic models its structured answers must fit.

Field descriptions travel to the model as the tool's JSON schema. Everything here is a proposal:
the agents validate it against the graph schema, the algorithm catalog and the computed facts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Priority = Literal["high", "medium", "low"]


class NewVertical(BaseModel):
    """A new industry vertical, for a domain no listed vertical fits."""

    name: str = Field(description="short snake_case name, e.g. 'healthcare'")
    display_name: str
    description: str = ""
    keywords: list[str] = Field(default_factory=list, description="words of the domain found in documents and collection names")
    terms: dict[str, str] = Field(default_factory=dict, description="generic word -> domain word, for: node, nodes, community, communities, component, components, influence, broker, cycle, entity, entities")
    core_hints: list[str] = Field(default_factory=list, description="collection-name fragments of the core business entities")
    metrics: list[str] = Field(default_factory=list)
    algorithm_purposes: dict[str, str] = Field(default_factory=dict, description="catalog algorithm name -> its purpose in this domain")
    discovery: list[str] = Field(default_factory=list, description="catalog algorithm names to run when there are no requirements")


class VerticalChoice(BaseModel):
    """The industry vertical that fits the documents and the collections."""

    vertical: str = Field(description="the name of one listed vertical, or 'new' when none fits")
    reason: str = ""
    new_vertical: NewVertical | None = Field(default=None, description="required when vertical is 'new'")


class CollectionRole(BaseModel):
    collection: str
    role: Literal["core", "satellite"]
    reason: str = ""


class Relationship(BaseModel):
    edge_collection: str
    meaning: str = Field(description="what one edge means in business terms")


class SchemaAnalysis(BaseModel):
    """What the graph is about: domain, key entities, relationships, roles and analyses worth running."""

    domain: str
    key_entities: list[str] = Field(default_factory=list, description="document collection names")
    relationships: list[Relationship] = Field(default_factory=list)
    roles: list[CollectionRole] = Field(default_factory=list, description="roles of document collections")
    suggested_analyses: list[str] = Field(default_factory=list, description="catalog algorithm names")


class ParameterChoice(BaseModel):
    name: str = Field(description="a parameter of the template's algorithm, from the catalog")
    value: bool | int | float | str
    reason: str = ""


class TemplateParameters(BaseModel):
    template_id: str
    parameters: list[ParameterChoice] = Field(default_factory=list)


class TemplatePlan(BaseModel):
    """Parameter choices, with reasons, for each analysis template."""

    templates: list[TemplateParameters] = Field(default_factory=list)


class ProposedInsight(BaseModel):
    title: str
    description: str = Field(description="cite only numbers that appear in the facts")
    confidence: float = Field(default=0.7, ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list, description="fact keys the insight rests on")


class ProposedRecommendation(BaseModel):
    title: str
    description: str
    priority: Priority = "medium"
    effort: Literal["low", "medium", "high"] = "medium"
    impact: str = ""
    insight: int = Field(default=0, description="1-based index of the proposed insight it follows from; 0 for none")


class ReportInsights(BaseModel):
    """Insights and recommendations written from the computed facts of one analysis."""

    insights: list[ProposedInsight] = Field(default_factory=list)
    recommendations: list[ProposedRecommendation] = Field(default_factory=list)

"""Map each requirement to the graph algorithm(s) that answer it; discovery use cases without any.

The deterministic core asks the catalog's matcher (:func:`graph_agents.algorithms.asks`) which
algorithms each requirement asks for: one use case per separate ask, merged across requirements
that ask the same thing about the same entities. The entity asked about (the use case's
``subject``) is resolved against the schema. A requirement no algorithm answers, or that the
documents put out of scope, gets that outcome in ``coverage``. The LLM path proposes use cases
(:class:`UseCasePlan`); what names unknown algorithms, requirements or collections is dropped, and a
requirement the proposal leaves unanswered keeps its deterministic use case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from .. import algorithms, coverage, entities
from ..context import Context, aget_context
from ..llm.agents import Rejections, _catalog_summary, _schema_summary, guarded
from ..llm.structured import propose, rejection
from ..matcher import stem, tokenize
from ..models import GraphSchema, Requirements, UseCase, Vertical
from ..policy import read_policy
from ..selection import mentioned_collections, subject_of
from ..state import State
from .extract_requirements.classify import strip_label

DEFAULT_DISCOVERY = ["pagerank", "wcc", "label_propagation", "betweenness"]
_RANK = {"high": 0, "medium": 1, "low": 2}
_PRIORITY_NOTE = re.compile(r"\((?:[^)]*priority[^)]*|high|medium|low)\)\s*", re.I)


_CLAUSE_END = re.compile(r"[,;:(—–]| so that | because | in order to ")


def _shorten(text: str, limit: int = 90) -> str:
    """The ask as a title: whole when short, else cut where a clause ends (not mid-phrase), else at a word."""
    text = _PRIORITY_NOTE.sub("", text).strip().rstrip(" ?.!")
    if len(text) <= limit:
        return text
    ends = [m.start() for m in _CLAUSE_END.finditer(text, 0, limit) if m.start() >= limit // 3]
    if ends:
        return text[: ends[-1]].rstrip(" ,;:") + "…"
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


# words of a non-goal that say it is not wanted, or when, not what it is about: "we do NOT need
# the committee communities again, that was done in 2025" is about committees
_NON_GOAL_FILLER = {stem(w) for w in (
    "we i you they it this that these those the a an of in on for to by with at from and or but is are was were be been"
    " do does did done not no never need needs needed want wanted wants interested interest require required"
    " again now time year years quarter phase project scope outside out any anything everything else other"
    " analysis analyses detection detect find finding run running report reports work study please also"
    " graph network networks data dataset there here all".split())}


@dataclass
class Exclusion:
    """An algorithm a non-goal puts out of scope, and what for: ``about`` holds the stems of the
    non-goal's other words (empty: the algorithm itself is unwanted, whatever it is run on)."""

    text: str
    about: frozenset[str]

    def applies_to(self, text: str) -> bool:
        """Whether a requirement falls under it: it shares a word of what the non-goal is about."""
        return not self.about or bool(self.about & {t.stem for t in tokenize(text)})


def excluded_algorithms(non_goals: list[str]) -> dict[str, list[Exclusion]]:
    """Algorithm -> the non-goals that put it out of scope ("We do not need a ranking of products")."""
    out: dict[str, list[Exclusion]] = {}
    for text in non_goals:
        ranked = algorithms.rank(text, negation=False)
        if ranked and ranked[0].score >= algorithms.matcher.STRONG:  # a clear naming, not a stray word
            named = {stem(w) for p in ranked[0].phrases for w in re.findall(r"[a-z0-9]+", p.lower())}
            about = {t.stem for t in tokenize(text) if t.text.isalpha() and len(t.text) > 2} - named - _NON_GOAL_FILLER
            out.setdefault(ranked[0].name, []).append(Exclusion(text, frozenset(about)))
    return out


# what each entity algorithm needs the ask to name, and an ask that names it; an ask without it
# would fail when run, so it is not analysed and the reason says what to name
_NEEDS = {
    "shortest_path": (("source", "target"), "no source and target", "two vertices",
                      "the shortest path from {kind} A to {kind} B"),
    "all_shortest_paths": (("source", "target"), "no source and target", "two vertices",
                           "all shortest paths between {kind} A and {kind} B"),
    "similar_to": (("target",), "no vertex to compare with", "one vertex", "the {kinds} most similar to {kind} A"),
    "k_hop": (("seeds",), "no vertex to start from", "the vertices to start from",
              "everything within two hops of {kind} A"),
    "personalized_pagerank": (("seeds",), "no vertex to rank from", "the vertices the ranking is seen from",
                              "the {kinds} most relevant to {kind} A and {kind} B"),
}


def needs_entity(algorithm: str, text: str, subject: list[str] | None = None) -> str | None:
    """Why ``text`` cannot run ``algorithm`` for want of a named vertex (None: it names what it needs)."""
    if algorithm not in _NEEDS:
        return None
    wanted, lacking, name, example = _NEEDS[algorithm]
    params, _ = entities.ask_parameters(algorithm, text)
    if all(params.get(k) for k in wanted):
        return None
    kinds = subject[0] if subject else "vertices"
    kind = kinds[:-1] if subject and kinds.endswith("s") else kinds if subject else "vertex"
    named = entities.extract(text[:entities.MAX_ASK_CHARS])
    said = f"only {named[0]!r}" if named else lacking
    return (f"the ask names {said}: a {algorithms.get(algorithm).title.lower()} needs {name} named in it, "
            f"e.g. '{example.format(kind=kind, kinds=kinds)}'")


def _candidates(ranked: list[algorithms.Candidate]) -> list[dict[str, Any]]:
    return [{"algorithm": c.name, "score": c.score, "phrases": c.phrases, **({"negated": c.negated} if c.negated else {})}
            for c in ranked[:3]]


@dataclass
class Plan:
    """The deterministic core's use cases, and what it learnt of every requirement on the way."""

    reqs: Requirements
    use_cases: list[UseCase]
    why_not: dict[str, tuple[str, str]]  # requirement id -> (outcome, reason) for those no use case answers
    candidates: dict[str, list[dict[str, Any]]]  # requirement id -> the matcher's best candidates
    # requirement id -> the algorithms it asks for that wait for a named vertex (``needs_entity``)
    needs: dict[str, list[str]] = field(default_factory=dict)

    def coverage(self, use_cases: list[UseCase] | None = None) -> list[dict[str, Any]]:
        """Coverage of ``use_cases`` (the model's, once validated; by default the core's own)."""
        chosen = self.use_cases if use_cases is None else use_cases
        return [c.dump() for c in coverage.planned(self.reqs, chosen, self.why_not, self.candidates)]


def plan(reqs: Requirements, schema: GraphSchema, vertical: Vertical) -> Plan:
    """The use cases of the deterministic core: one scan of the phrases per requirement."""
    merged: dict[tuple[str, tuple[str, ...], tuple[str, ...]], UseCase] = {}
    why_not: dict[str, tuple[str, str]] = {}
    candidates: dict[str, list[dict[str, Any]]] = {}
    needs: dict[str, list[str]] = {}
    excluded = excluded_algorithms(reqs.non_goals)
    for req in reqs.requirements:
        text = strip_label(req.text)
        reading = algorithms.read(text)
        candidates[req.id] = _candidates(reading.ranked)
        found = reading.asks
        if not found:
            negated = [p for c in reading.ranked for p in c.negated]
            why_not[req.id] = ("no_algorithm", coverage.REASONS["no_algorithm"]
                               + (f" (negated: {', '.join(repr(p) for p in negated)})" if negated else ""))
            continue
        focus = mentioned_collections(text, schema)
        for cand in found:
            # a non-goal about something else ("the committee communities") leaves this ask alone
            veto = next((e for e in excluded.get(cand.name, []) if e.applies_to(text)), None)
            if veto is not None:
                why_not[req.id] = ("out_of_scope", f"{coverage.REASONS['out_of_scope']}: {veto.text!r}")
                continue
            algo = algorithms.get(cand.name)
            subject = subject_of(text, schema, near=cand.phrases[0])
            missing = needs_entity(algo.name, req.text, subject)
            if missing:
                why_not[req.id] = ("needs_entity", missing)
                needs.setdefault(req.id, []).append(algo.name)
                continue
            key = (algo.name, tuple(sorted(focus)), tuple(subject))
            if key in merged:
                uc = merged[key]
                uc.requirement_ids.append(req.id)
                uc.phrases = list(dict.fromkeys([*uc.phrases, *cand.phrases]))
                if _RANK[req.priority] < _RANK[uc.priority]:
                    uc.priority = req.priority
                continue
            purpose = vertical.algorithm_purposes.get(algo.name, algo.description)
            about = f" It is about {subject[0]}." if subject else ""
            merged[key] = UseCase(
                id="",
                title=f"{algo.title}: {_shorten(text)}",
                description=req.text,
                algorithm=algo.name,
                rationale=(f"The requirement says {', '.join(repr(p) for p in cand.phrases)} (match score {cand.score:g}); "
                           f"{algo.title} answers that.{about} {purpose}"),
                priority=req.priority,
                requirement_ids=[req.id],
                focus=focus,
                subject=subject,
                phrases=list(cand.phrases),
            )
    use_cases = list(merged.values())
    if not use_cases:
        use_cases = discovery(reqs, vertical)
    number(use_cases)
    return Plan(reqs, use_cases, why_not, candidates, needs)


def discovery(reqs: Requirements, vertical: Vertical) -> list[UseCase]:
    why = "No requirement asks for" if reqs.requirements else "No requirements were given for"
    out = []
    for name in vertical.discovery or DEFAULT_DISCOVERY:
        algo = algorithms.get(name)
        out.append(UseCase(
            id="", title=f"Discovery: {algo.title}", description=vertical.algorithm_purposes.get(name, algo.description),
            algorithm=name, rationale=f"{why} a graph analysis; {algo.title} is a first look suited to a {vertical.display_name} graph.",
            priority="medium",
        ))
    return out


def number(use_cases: list[UseCase]) -> None:
    use_cases.sort(key=lambda u: _RANK[u.priority])  # stable: document order within a priority
    for i, uc in enumerate(use_cases, 1):
        uc.id = f"UC-{i:03d}"


def plan_use_cases(reqs: Requirements, schema: GraphSchema, vertical: Vertical) -> list[UseCase]:
    return plan(reqs, schema, vertical).use_cases


# ------------------------------------------------------------------------------------ LLM path

Priority = Literal["high", "medium", "low"]


class ProposedUseCase(BaseModel):
    title: str
    description: str = ""
    algorithm: str = Field(description="one catalog algorithm name")
    rationale: str = ""
    priority: Priority = "medium"
    requirement_ids: list[str] = Field(default_factory=list, description="ids of the requirements it answers")
    focus: list[str] = Field(default_factory=list, description="collection names the use case is about")


class UseCasePlan(BaseModel):
    """Graph-algorithm use cases that answer the requirements."""

    use_cases: list[ProposedUseCase] = Field(default_factory=list)


@guarded("generate_use_cases", lambda *args, **kwargs: args[-1])
async def refine_use_cases(
    ctx: Any, config: Any, reqs: Requirements, schema: GraphSchema, vertical: Vertical, private: list[str],
    deterministic: list[UseCase],
) -> tuple[list[UseCase], Rejections]:
    rejections: Rejections = []
    if ctx.llm is None:
        return deterministic, rejections
    data = {
        "vertical": {"name": vertical.name, "algorithm_purposes": vertical.algorithm_purposes},
        "requirements": [{"id": r.id, "text": r.text, "priority": r.priority} for r in reqs.requirements],
        "non_goals": reqs.non_goals,
        "graph": _schema_summary(schema, private),
        "algorithms": [{k: a[k] for k in ("name", "title", "kind", "description")} for a in _catalog_summary()],
        "baseline_use_cases": [u.dump() for u in deterministic],
    }
    answer = await propose(ctx, "generate_use_cases", UseCasePlan, data, config, rejections=rejections)
    if answer is None:
        return deterministic, rejections
    req_ids = {r.id for r in reqs.requirements}
    texts = {r.id: strip_label(r.text) for r in reqs.requirements}
    names = {c.name for c in schema.collections}
    accepted: list[UseCase] = []
    for uc in answer.use_cases:
        if uc.algorithm not in algorithms.CATALOG:
            rejections.append(rejection("generate_use_cases", uc.title, f"unknown algorithm {uc.algorithm!r}"))
            continue
        unknown_reqs = [r for r in uc.requirement_ids if r not in req_ids]
        if unknown_reqs:
            rejections.append(rejection("generate_use_cases", uc.title, f"unknown requirement id(s) {unknown_reqs}"))
            continue
        if req_ids and not uc.requirement_ids:
            rejections.append(rejection("generate_use_cases", uc.title, "answers no requirement"))
            continue
        unknown_cols = [c for c in uc.focus if c not in names]
        if unknown_cols:
            rejections.append(rejection("generate_use_cases", uc.title, f"unknown collection(s) {unknown_cols}"))
            continue
        first = texts.get(uc.requirement_ids[0], "") if uc.requirement_ids else ""
        # its template reads the entities from the description: without them it would fail when run
        missing = needs_entity(uc.algorithm, uc.description or first)
        if missing:
            rejections.append(rejection("generate_use_cases", uc.title, missing))
            continue
        accepted.append(UseCase(
            id="", title=uc.title.strip()[:200] or algorithms.get(uc.algorithm).title, description=uc.description,
            algorithm=uc.algorithm, rationale=uc.rationale, priority=uc.priority,
            requirement_ids=list(dict.fromkeys(uc.requirement_ids)), focus=list(dict.fromkeys(uc.focus)),
            subject=subject_of(first, schema),
        ))
    if not accepted:
        return deterministic, rejections
    covered = {r for u in accepted for r in u.requirement_ids}
    # a requirement the proposal left unanswered keeps its deterministic use case
    accepted += [u.model_copy() for u in deterministic if u.requirement_ids and not set(u.requirement_ids) <= covered]
    number(accepted)
    return accepted, rejections


async def generate_use_cases(state: State, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    reqs = Requirements.model_validate(state.get("extracted") or {})
    schema = GraphSchema.model_validate(state["graph_schema"])
    vertical = Vertical.model_validate(state["vertical"])
    policy = read_policy(reqs.constraints, schema)
    core = plan(reqs, schema, vertical)
    refined, rejections = await refine_use_cases(
        await aget_context(runtime), config, reqs, schema, vertical, policy["private"], core.use_cases
    )
    # the model's use cases answer what they say; the rest keep the core's outcome
    return {"use_cases": [u.dump() for u in refined], "coverage": core.coverage(refined), "policy": policy,
            "llm_rejections": rejections}

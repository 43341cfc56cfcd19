"""Phase 1 agent: what the graph holds — collections, attributes, edge definitions, degrees, roles."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Iterable

from ..errors import InputError
from ..models import CollectionInfo, EdgeDefinition, GraphSchema, Vertical
from ..stores.base import GraphStore

if TYPE_CHECKING:  # build_schema serves `graph-agents inspect` too, which starts without langgraph
    from langchain_core.runnables import RunnableConfig
    from langgraph.runtime import Runtime

    from ..context import Context
    from ..state import State

SAMPLE_SIZE = 200
SATELLITE_SHARE = 0.02  # a collection under 2% of the largest one is a lookup table, not a core entity


class EmptyGraphError(InputError):
    pass


def attribute_types(docs: Iterable[dict[str, Any]]) -> dict[str, str]:
    seen: dict[str, str] = {}
    for doc in docs:
        for key, value in doc.items():
            if key in ("_key", "_id", "_rev", "_from", "_to"):
                continue
            kind = type(value).__name__ if value is not None else "null"
            seen[key] = kind if seen.get(key, kind) == kind else "mixed"
    return dict(sorted(seen.items()))


def infer_edge_definitions(samples: dict[str, list[dict[str, Any]]]) -> list[EdgeDefinition]:
    """Edge definitions from the collections seen at the ends of sampled edges."""
    out = []
    for name, docs in sorted(samples.items()):
        froms = {d["_from"].split("/", 1)[0] for d in docs if isinstance(d.get("_from"), str)}
        tos = {d["_to"].split("/", 1)[0] for d in docs if isinstance(d.get("_to"), str)}
        if froms and tos:
            out.append(EdgeDefinition(collection=name, from_collections=sorted(froms), to_collections=sorted(tos)))
    return out


def assign_roles(
    collections: list[CollectionInfo], vertical: Vertical, core: list[str], satellite: list[str]
) -> None:
    """User hints win; then the vertical's core hints; then size."""
    docs = [c for c in collections if c.type == "document"]
    hinted = {c.name for c in docs if any(h.lower() in c.name.lower() for h in vertical.core_hints)}
    largest = max((c.count for c in docs), default=0)
    for c in collections:
        if c.type == "edge":
            c.role = "edge"
        elif c.name in core:
            c.role = "core"
        elif c.name in satellite:
            c.role = "satellite"
        elif hinted:
            c.role = "core" if c.name in hinted else "satellite"
        else:
            c.role = "core" if c.count >= SATELLITE_SHARE * largest else "satellite"


async def build_schema(
    store: GraphStore, vertical: Vertical, core: list[str] = (), satellite: list[str] = ()
) -> GraphSchema:
    metas = await store.list_collections()
    if not metas or sum(m.count for m in metas) == 0:
        raise EmptyGraphError("the graph is empty: no documents in any collection")
    graph_name, defs = await store.named_graph()
    samples = await asyncio.gather(*(store.sample(m.name, SAMPLE_SIZE) for m in metas))
    by_name = dict(zip((m.name for m in metas), samples))
    collections = [
        CollectionInfo(name=m.name, type=m.type, count=m.count, attributes=attribute_types(by_name[m.name]))
        for m in metas
    ]
    if not defs:
        defs = infer_edge_definitions({m.name: by_name[m.name] for m in metas if m.type == "edge"})
    assign_roles(collections, vertical, list(core), list(satellite))
    edge_names = [c.name for c in collections if c.type == "edge"]
    schema = GraphSchema(
        graph_name=graph_name,
        collections=collections,
        edge_definitions=defs,
        vertex_count=sum(c.count for c in collections if c.type == "document"),
        edge_count=sum(c.count for c in collections if c.type == "edge"),
        degree=await store.degree_stats(edge_names),
    )
    schema.domain = f"{vertical.display_name} graph"
    schema.key_entities = schema.core_collections
    schema.suggested_analyses = list(vertical.discovery)
    return schema


async def analyze_schema(state: State, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    from ..context import aget_context
    from ..llm.agents import refine_schema

    from ..policy import read_policy
    from .extract_requirements import parse_requirements

    ctx = await aget_context(runtime)
    vertical = Vertical.model_validate(state["vertical"])
    schema = await build_schema(ctx.store, vertical, ctx.core_collections, ctx.satellite_collections)
    # extraction runs beside this node, so its result is not in the state yet: the constraints the
    # deterministic core reads from the same documents ("personal data of customers stays inside")
    # decide which collections' attribute names the model may see (the parse takes milliseconds)
    private = read_policy(parse_requirements(state.get("sources") or []).constraints, schema)["private"]
    schema, rejections = await refine_schema(
        ctx, config, schema, vertical, ctx.core_collections, ctx.satellite_collections, private
    )
    return {"graph_schema": schema.dump(), "llm_rejections": rejections}

"""Which collections an analysis runs on: the ones a requirement names, shaped by the algorithm."""

from __future__ import annotations

import re
from functools import lru_cache

from .algorithms import Algorithm
from .models import GraphSchema

_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ing", "ed", "es", "s", "e")
_STOP = {"by", "to", "of", "has", "have", "is", "in", "on", "uses", "use", "and", "the", "with", "from", "at"}


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) >= 3}


def _mentions(name_stem: str, text_stems: set[str]) -> bool:
    # prefix either way: "referr" (referred) matches "referral"; "devic" matches "devices"
    return any(
        s == name_stem or (min(len(s), len(name_stem)) >= 5 and (s.startswith(name_stem) or name_stem.startswith(s)))
        for s in text_stems
    )


@lru_cache(maxsize=4096)
def _name_stems(name: str) -> tuple[str, ...]:
    """The collection name's own stem, then the stems of its words."""
    whole = stem(name.lower())
    return (whole, *(_stems(name.replace("_", " ").replace("-", " ")) or {whole}))


def mentioned_collections(text: str, schema: GraphSchema) -> list[str]:
    """Collections whose name (or a word of it) the text names, singular or plural."""
    words = _stems(text)
    return [c.name for c in schema.collections if any(_mentions(p, words) for p in _name_stems(c.name))]


def select_collections(algorithm: Algorithm, schema: GraphSchema, focus: list[str]) -> tuple[list[str], list[str]]:
    """(vertex collections, edge collections) for ``algorithm``.

    Named collections win: the vertex collections named plus the ends of the edges named, and
    the named edges between them (or every edge between them when no edge is named). With
    nothing named, partitions run on the core collections, scores on the whole graph.
    """
    kinds = {c.name: c.type for c in schema.collections}
    defs = {d.collection: d for d in schema.edge_definitions if d.collection in kinds}
    named_edges = [n for n in focus if kinds.get(n) == "edge" and n in defs]
    vertices = {n for n in focus if kinds.get(n) == "document"}
    for n in named_edges:
        vertices.update(c for c in defs[n].from_collections + defs[n].to_collections if c in kinds)

    def inside(v: set[str]) -> list[str]:
        return [n for n, d in defs.items() if set(d.from_collections) <= v and set(d.to_collections) <= v]

    if vertices:
        edges = [e for e in inside(vertices) if e in named_edges] or inside(vertices)
        if not edges:  # only vertices were named and no edge joins them: take the edges that touch them
            allowed = set(schema.core_collections) | vertices if algorithm.core_only else set(kinds)
            edges = [
                n for n, d in defs.items()
                if vertices & set(d.from_collections + d.to_collections)
                and set(d.from_collections + d.to_collections) <= allowed
            ]
            for n in edges:
                vertices.update(defs[n].from_collections + defs[n].to_collections)
    elif algorithm.core_only:
        vertices = set(schema.core_collections)
        edges = inside(vertices)
    else:
        vertices = set(schema.vertex_collections)
        edges = list(defs)
    return sorted(v for v in vertices if kinds.get(v) == "document"), sorted(edges)

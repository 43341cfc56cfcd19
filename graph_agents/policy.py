"""Constraints the analyses honour, read from the documents' constraints.

- "Refer to customers by id, never by name" masks the display names of those collections in
  every report, chart, summary and trace (:func:`visible_names` is where names are let through);
- "Personal data of customers must stay inside the platform" keeps the names and attributes of
  those collections out of every LLM prompt.

A constraint that names no collection applies to every document collection.
"""

from __future__ import annotations

import re

from .models import GraphSchema
from .selection import mentioned_collections

_MASK = re.compile(
    r"\bby (?:their |its |the )?(?:document |record |account |customer |internal |anonymi[sz]ed )?(?:ids?|identifiers?|keys?|numbers?)\b"
    r"|\bnever by (?:their |its )?names?\b|\bnot by (?:their |its )?names?\b|\bwithout (?:their |any )?names?\b|\bno (?:real |display )?names\b"
    r"|\bnames? (?:must|should|may) (?:not|never)\b|\banonymi[sz]|\bpseudonymi[sz]|\bmask(?:ed|ing)? (?:the )?names?\b",
    re.I,
)
_PRIVATE = re.compile(
    r"\b(?:personal|private|sensitive|confidential|identifying|customer|patient|user)\s+(?:data|information|details|attributes)\b"
    r"|\bpii\b|\bpersonally identifiable\b",
    re.I,
)
_STAYS = re.compile(
    r"\b(?:stays?|remains?|kept|keep|be kept|held)\s+(?:inside|within|in|on)\b|\bnever (?:leave|leaves|be sent|be shared|go)\b"
    r"|\b(?:must|may|should|can) not (?:leave|be sent|be shared|go|be passed)\b|\bon[- ]prem|\bnot (?:be )?(?:sent|shared|passed) (?:to|with|outside)"
    r"|\bno (?:external|third[- ]party|cloud)\b|\bnot leave\b",
    re.I,
)


def _collections(text: str, schema: GraphSchema) -> list[str]:
    docs = set(schema.vertex_collections)
    named = [c for c in mentioned_collections(text, schema) if c in docs]
    return named or sorted(docs)


def read_policy(constraints: list[str], schema: GraphSchema) -> dict[str, list[str]]:
    """{"masked": collections whose names never show, "private": collections kept from LLMs,
    "rules": the constraint sentences that said so}."""
    masked: set[str] = set()
    private: set[str] = set()
    rules: list[str] = []
    for text in constraints:
        hit = False
        if _MASK.search(text):
            masked.update(_collections(text, schema))
            hit = True
        if _PRIVATE.search(text) and _STAYS.search(text):
            private.update(_collections(text, schema))
            hit = True
        if hit:
            rules.append(text)
    return {"masked": sorted(masked), "private": sorted(private | masked), "rules": rules}


def visible_names(names: dict[str, str], hidden: list[str]) -> dict[str, str]:
    """``names`` (vertex id -> display name) without the vertices of ``hidden`` collections."""
    if not hidden:
        return names
    hide = set(hidden)
    return {i: n for i, n in names.items() if i.split("/", 1)[0] not in hide}

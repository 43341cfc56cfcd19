"""How reports say numbers and name things: readable figures, plurals, pronouns, group captions.

One place for it, so a chart axis, a table cell and a sentence show the same figure the same way
(and the grounding check, which reads thousands separators and rounding, accepts each of them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from ..models import EntityWord, Vertical

SIGNIFICANT = 3


def readable(x: Any) -> str:
    """A figure for a person: ``1,961``, ``0.2``, ``0.0000287``, ``2.42`` (three significant
    digits, thousands separators, never scientific notation)."""
    if isinstance(x, bool) or x is None:
        return str(x)
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (SIGNIFICANT - 1) or (x.is_integer() and abs(x) >= 1):
        return f"{x:,.0f}"
    decimals = min(15, SIGNIFICANT - 1 - math.floor(math.log10(abs(x))))
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(share: float) -> str:
    """A share as a percentage: ``11.2%``; small ones keep their significant digits (``0.033%``)."""
    value = float(share) * 100
    return f"{value:.1f}%" if value == 0 or abs(value) >= 0.1 else readable(value) + "%"


def when(timestamp: float) -> str:
    """A run's time as a date a reader can place: ``2026-12-02 12:57 UTC``."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def name_of(vid: str, names: dict[str, str]) -> str:
    """A vertex as a report names it: ``Display Name (collection/key)``, or the id alone."""
    return f"{names[vid]} ({vid})" if vid in names else vid


def named(ids: list[str], names: dict[str, str]) -> str:
    return ", ".join(name_of(i, names) for i in ids)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _singular(plural: str) -> str:
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    if plural.endswith(("sses", "xes", "ches", "shes")):
        return plural[:-2]
    return plural[:-1] if plural.endswith("s") and not plural.endswith("ss") else plural


def entity_word(vertical: Vertical, collection: str) -> EntityWord:
    """How ``vertical`` names the vertices of ``collection``: its vocabulary entry for the
    collection or for the collection's last word ("retail_customers" -> "customer"), else the
    collection's own name."""
    voc = vertical.vocabulary
    name = collection.lower()
    last = name.replace("-", "_").split("_")[-1]
    for key in (collection, name, _singular(name), last, _singular(last)):
        if key in voc:
            return voc[key]
    for word in voc.values():
        if word.plural.lower() in (name, last):
            return word
    return EntityWord(singular=_singular(collection).replace("_", " "), plural=collection.replace("_", " "))


@dataclass(frozen=True)
class Nouns:
    """The words for what one report is about: ``count(3)`` is "3 customers", ``them`` is the
    pronoun for one of them ("it" for a product, "them" for a person)."""

    singular: str
    plural: str
    person: bool = False

    @classmethod
    def of(cls, vertical: Vertical, collections: Iterable[str]) -> "Nouns":
        words = [entity_word(vertical, c) for c in collections]
        if not words:
            return cls(vertical.term("node"), vertical.term("nodes"))
        return cls(" or ".join(w.singular for w in words), " and ".join(w.plural for w in words),
                   all(w.person for w in words))

    @property
    def them(self) -> str:
        return "them" if self.person else "it"

    def count(self, n: int) -> str:
        return f"{readable(n)} {self.singular if n == 1 else self.plural}"


def plural(n: int, singular: str, many: str | None = None) -> str:
    """``1 closed loop``, ``3 closed loops``."""
    return f"{readable(n)} {singular if n == 1 else (many or singular + 's')}"


def verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def group_caption(rank: int, group: dict[str, Any], word: str, vertical: Vertical) -> str:
    """"Customer segment 1 · 521 members" or "Linked cluster 3 · 4 customers": the group's rank and
    size, never one member's name (a group named after a person reads as if that person scored)."""
    cols = group.get("collections") or {}
    size = int(group["size"])
    if len(cols) == 1:
        what = Nouns.of(vertical, cols).count(size)
    else:
        what = plural(size, "member")
    return f"{cap(word)} {rank} · {what}"


__all__ = ["Nouns", "cap", "entity_word", "group_caption", "pct", "plural", "readable", "verb", "when"]

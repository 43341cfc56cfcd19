"""Entities named in an ask: find the names in the text, resolve them against the graph.

``extract`` finds names in an ask: quoted names, "between A and B", "from A to B", "similar to
A", "within two hops of A", "connected to A". ``resolve`` matches one name against the graph's
vertex ids (``collection/key``), keys and display names, exactly and then case- and
accent-insensitively. One match resolves; several are ``ambiguous`` with the candidates; none is
``unresolved`` with the closest matches (difflib). Nothing is ever picked silently: the engines
raise :class:`EntityError` with the outcome of every name that failed, and the analysis ends
with a report that says so (:func:`graph_agents.reports.build.entity_report`), not a failure.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Sequence

# how many candidates or close matches an outcome lists
MAX_CANDIDATES = 5

_NAME = r"(?:\"[^\"]+\"|'[^']+'|[\w.@/-]+(?:\s+(?!and\b|to\b|or\b)[A-Z0-9][\w.@/-]*)*)"
# the kind of entity said before a name ("customer c00042"): not part of the name
_ENTITY_NOUN = r"(?:(?:customers?|accounts?|vendors?|sellers?|users?|products?)\s+)?"
_PATTERNS = [
    re.compile(rf"\bbetween\s+{_ENTITY_NOUN}(?P<a>{_NAME})\s+and\s+{_ENTITY_NOUN}(?P<b>{_NAME})"),
    re.compile(rf"\bfrom\s+{_ENTITY_NOUN}(?P<a>{_NAME})\s+to\s+{_ENTITY_NOUN}(?P<b>{_NAME})"),
    re.compile(rf"\b(?i:is|are)\s+{_ENTITY_NOUN}(?P<a>{_NAME})\s+connected\s+to\s+{_ENTITY_NOUN}(?P<b>{_NAME})"),
    re.compile(rf"\b(?:linking|connecting|joining|links|connects|joins)\s+{_ENTITY_NOUN}(?P<a>{_NAME})\s+(?:to|and|with)\s+"
               rf"{_ENTITY_NOUN}(?P<b>{_NAME})"),
    re.compile(rf"\b(?:similar|closest|alike)\s+to\s+{_ENTITY_NOUN}(?P<a>{_NAME})"),
    re.compile(rf"\b(?:most|looks?|behaves?|acts?)\s+(?:most\s+|a\s+lot\s+|just\s+|much\s+|very\s+)?like\s+"
               rf"{_ENTITY_NOUN}(?P<a>{_NAME})"),
    re.compile(rf"\bhops?\s+(?:of|from|around)\s+{_ENTITY_NOUN}(?P<a>{_NAME})"),
]
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")
# a list of seeds after the words that name a point of view: "as seen from Alice and Bob", "most
# relevant to customer c00042", "from the perspective of Acme Corp, Globex"
_SEED_LIST = re.compile(
    rf"\b(?:as\s+seen\s+from|from\s+the\s+(?:perspective|point\s+of\s+view|viewpoint)\s+of|relevant\s+to|relative\s+to"
    rf"|closest\s+in\s+influence\s+to|most\s+influenced\s+by)\s+(?P<list>{_ENTITY_NOUN}{_NAME}"
    rf"(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_ENTITY_NOUN}{_NAME})*)")
_LIST_SEPARATOR = re.compile(rf"\s*,\s*(?:and\s+)?|\s+and\s+")
_LEADING_NOUN = re.compile(rf"^{_ENTITY_NOUN}")
# words a pattern can catch that are not names ("within two hops of flagged accounts")
_NOT_NAMES = {"flagged", "the", "a", "an", "each", "every", "all", "any", "our", "their", "seed", "seeds",
              "it", "this", "that", "them", "anything", "everything", "anyone", "everyone", "something"}


class EntityError(ValueError):
    """Named entities did not resolve to exactly one vertex each; the message lists the candidates."""

    def __init__(self, resolutions: "Resolution | Sequence[Resolution]") -> None:
        self.resolutions = [resolutions] if isinstance(resolutions, Resolution) else list(resolutions)
        super().__init__(" ".join(r.message for r in self.resolutions))


def unresolved_in(exc: BaseException | None) -> list["Resolution"]:
    """The failed resolutions behind ``exc`` (an EntityError anywhere in its chain of causes: an
    engine wraps what it raises), or [] when ``exc`` is another failure."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, EntityError):
            return exc.resolutions
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return []


@dataclass
class Resolution:
    name: str
    status: str  # "resolved", "ambiguous" or "unresolved"
    vertex: str | None = None
    candidates: list[str] = field(default_factory=list)  # ambiguous: the matches; unresolved: the closest

    @property
    def message(self) -> str:
        return self.said()

    def said(self, names: dict[str, str] | None = None) -> str:
        """The outcome in one sentence; ``names`` (vertex id -> display name) to show the candidates by name."""
        names = names or {}
        listed = ", ".join(f"{names[c]} ({c})" if names.get(c) else c for c in self.candidates)
        if self.status == "resolved":
            return f"{self.name!r} is {self.vertex}."
        if self.status == "ambiguous":
            return f"{self.name!r} is ambiguous: it names {listed}; name one of them."
        if len(self.candidates) == 1:
            return f"{self.name!r} names no vertex; the closest is {listed}: name it if it is the one meant."
        if self.candidates:
            return f"{self.name!r} names no vertex; the closest are {listed}: name one of them."
        return f"{self.name!r} names no vertex, and none is close: name a vertex by its id, key or display name."

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "vertex": self.vertex, "candidates": self.candidates}


def extract(text: str) -> list[str]:
    """The entity names ``text`` mentions, in order of appearance, each once."""
    found: list[tuple[int, str]] = []
    for m in _QUOTED.finditer(text):
        found.append((m.start(), m.group(1) or m.group(2)))
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            for group in ("a", "b"):
                if group in pattern.groupindex and m.group(group):
                    found.append((m.start(group), m.group(group)))
    for m in _SEED_LIST.finditer(text):
        for i, part in enumerate(_LIST_SEPARATOR.split(m.group("list"))):
            name = _LEADING_NOUN.sub("", part)
            if _looks_like_a_name(name):  # "relevant to our growth" names nothing
                found.append((m.start("list") + i, name))  # in the list's order
    out: list[str] = []
    for _, name in sorted(found):
        name = name.strip("\"'“”").rstrip(".,;:?!")
        if name and name.lower() not in _NOT_NAMES and name not in out:
            out.append(name)
    return out


def _looks_like_a_name(word: str) -> bool:
    """A capitalised word, an id-like token (digits, ``/``, ``@``) or a quoted name."""
    word = word.strip()
    return bool(word) and (word[0].isupper() or word[0] in "\"'" or any(c.isdigit() or c in "/@" for c in word))


def fold(text: str) -> str:
    """``text`` without case, accents or surrounding/double spaces, for matching."""
    if text.isascii():  # no accents to strip: a tenth of the time, on a million labels
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


class Resolver:
    """Resolves names against one graph: ids, keys (the part after ``/``) and display names."""

    def __init__(self, ids: Sequence[str], names: Sequence[Any] | None = None) -> None:
        self.ids = list(ids)
        self._position = {vid: i for i, vid in enumerate(self.ids)}
        positions = range(len(self.ids))
        labels = [self.ids, [vid.split("/", 1)[-1] for vid in self.ids]]
        if names is not None:
            labels.append([n if isinstance(n, str) and n.strip() else "" for n in names])
        # label -> vertex index; a label that several vertices carry is in ``_shared`` with all of them
        # (one int per label, not a set: the index of 200k vertices builds in a second, not five)
        self._exact: dict[str, int] = {}
        self._folded: dict[str, int] = {}
        self._shared: dict[tuple[bool, str], set[int]] = {}
        for column in labels:
            self._add(False, self._exact, column, positions)
            self._add(True, self._folded, [fold(x) for x in column], positions)

    def _add(self, folded: bool, index: dict[str, int], column: list[str], positions: range) -> None:
        for label, i in zip(column, positions):
            if not label:
                continue
            hit = index.setdefault(label, i)
            if hit != i:
                self._shared.setdefault((folded, label), {hit}).add(i)

    def _hits(self, folded: bool, index: dict[str, int], label: str) -> set[int]:
        return self._shared.get((folded, label)) or ({index[label]} if label in index else set())

    def resolve(self, name: str) -> Resolution:
        name = name.strip()
        for folded, index, key in ((False, self._exact, name), (True, self._folded, fold(name))):
            hits = self._hits(folded, index, key)
            if len(hits) == 1:
                return Resolution(name, "resolved", self.ids[next(iter(hits))])
            if hits:
                return Resolution(name, "ambiguous", candidates=sorted(self.ids[i] for i in hits)[:MAX_CANDIDATES])
        close = difflib.get_close_matches(fold(name), list(self._folded), n=MAX_CANDIDATES, cutoff=0.6)
        candidates = sorted({self.ids[i] for label in close for i in self._hits(True, self._folded, label)})[:MAX_CANDIDATES]
        return Resolution(name, "unresolved", candidates=candidates)

    def index(self, name: str) -> int:
        """The vertex index ``name`` resolves to; EntityError when it does not resolve to one."""
        return self.require([name])[0]

    def require(self, names: Sequence[str]) -> list[int]:
        """The vertex index of each of ``names``; EntityError listing every name that does not
        resolve to exactly one vertex (all of them, so that one answer can fix them all)."""
        found = [self.resolve(n) for n in names]
        failed = [r for r in found if r.status != "resolved"]
        if failed:
            raise EntityError(failed)
        return [self._position[r.vertex] for r in found]

    def indices(self, names: str) -> list[int]:
        """The vertex indices of comma-separated ``names`` (see :meth:`require`)."""
        return self.require(split_names(names))


def split_names(names: str) -> list[str]:
    """Comma-separated names, each stripped, the empty ones left out."""
    return [n.strip() for n in names.split(",") if n.strip()]


# the algorithms whose parameters name entities, and how much of an ask is searched for them (an
# ask is a sentence or two; a pasted 12 MB line is not searched whole)
ENTITY_ALGORITHMS = ("shortest_path", "all_shortest_paths", "similar_to", "k_hop", "personalized_pagerank")
MAX_ASK_CHARS = 2_000
_HOPS = re.compile(r"\b(?:within\s+)?(one|two|three|four|five|\d+)[\s-]+hops?\b", re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def ask_parameters(algorithm: str, text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The parameters an ask's own words give ``algorithm`` (the entities it names, the hops it
    asks for), with a reason each. The names are resolved later, on the graph, by the engine."""
    if algorithm not in ENTITY_ALGORITHMS:
        return {}, {}
    text = text[:MAX_ASK_CHARS]
    names = extract(text)
    params: dict[str, Any] = {}
    if algorithm in ("shortest_path", "all_shortest_paths") and len(names) >= 2:
        params = {"source": names[0], "target": names[1]}
    elif algorithm in ("similar_to",) and names:
        params = {"target": names[0]}
    elif algorithm in ("k_hop", "personalized_pagerank") and names:
        params = {"seeds": ",".join(names)}
    hops = _HOPS.search(text) if algorithm == "k_hop" else None
    if hops:
        word = hops.group(1).lower()
        params["k"] = _NUMBERS.get(word) or int(word)
    reasons = {key: f"named in the ask: {value!r}" for key, value in params.items() if key != "k"}
    if "k" in params:
        reasons["k"] = f"the ask says {hops.group(0)!r}"
    return params, reasons

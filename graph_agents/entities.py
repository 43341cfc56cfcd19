"""Entities named in an ask: find the names in the text, resolve them against the graph.

``extract`` finds names in an ask: quoted names, "between A and B", "from A to B", "how A is
linked to B", "for A specifically ... to B", "similar to A", "within two legs of A", "the ego
network of A", "from A's point of view", "as seen from A and B". ``resolve`` matches one name against the graph's
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

# Names are found after the words that introduce them ("connected to", "within two hops of", "as
# seen from", "similar to", ...): one introduction is a regex whose match ends where the name starts
# (or whose group ``x`` holds it). The name itself is read word by word (:func:`_name_at`): a quoted
# name, an id or code (``C-20417``, ``a17``, ``0x7f3a...c21``, ``customers/c1``), or a run of
# capitalised words ("St Bride's Hospital", "R. Alvarez", "Billie-Ray Kane"); a few lower-case words
# before it that say what kind of thing it is ("the domain controller", "claimant", "our top donor")
# are skipped. A lower-case phrase is not a name ("the compromised server"): precision first, an ask
# that names nothing waits for a name rather than running on a guess.
_TOKEN = re.compile(r"[\w@/'’&-]+(?:\.+[\w@/'’&-]+)*\.?")
_QUOTE = re.compile(r"\"([^\"]+)\"|“([^”]+)”|(?<![\w'’])'([^']+)'(?![\w'’])")
# words a name never starts with, and that end the lower-case words skipped before one
_STOP = set("""
to from of in on at by with through via for into onto over under across between within around about as like
per after before during among amongst against toward towards up down out off
and or but nor so that which who whom whose what where when while why how if because then than
is are was were be been being has have had do does did can could should would will may might must shall
i me we us you he him she her it its they them this these those one ones itself themselves
each every all any some none no not everyone everything anyone anything someone something nothing nobody
everybody somebody other others else
away specifically particular alone only most more least less very
""".split())
# words a pattern can catch that are not names ("within two hops of flagged accounts")
_NOT_NAMES = _STOP | {"flagged", "the", "a", "an", "our", "their", "seed", "seeds", "i",
                      # roles and plurals written in capitals: "our CEO", "the same hardware IDs"
                      "ceo", "cfo", "cto", "coo", "cio", "ciso", "hr", "it", "ids",
                      # times: "from January to March" spans a period, not a path
                      "january", "february", "march", "april", "may", "june", "july", "august", "september",
                      "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                      "saturday", "sunday", "q1", "q2", "q3", "q4", "h1", "h2", "today", "yesterday", "tomorrow"}
# how many lower-case words may say the kind before a name ("the bridge exploit address 0x7f3a...c21")
_MAX_KIND_WORDS = 4
# lower-case words inside a capitalised name ("Bank of Ireland", "Marks & Spencer")
_NAME_JOINERS = {"of", "de", "del", "da", "van", "von", "der", "den", "la", "le", "du", "&", "y"}
_ABBREVIATIONS = {"st.", "dr.", "mr.", "mrs.", "ms.", "jr.", "sr.", "mt.", "ft.", "co.", "prof.", "inc.", "ltd."}
_ARTICLES = {"the", "a", "an"}
# a number after a kind word is a name ("node 17") unless a word it counts follows ("node 17 others")
_NUMBER_NAME = re.compile(r"(\d+)(?=\s*(?:$|[.,;:?!)]|(?:" + "|".join(sorted(_STOP)) + r")\b))", re.IGNORECASE)
# words before a number that rank or count, not say a kind ("the top 10", "our first 3")
_NOT_KINDS = _ARTICLES | {"our", "their", "my", "your", "his", "top", "first", "last", "next", "other", "same",
                          "best", "worst", "bottom", "about", "roughly", "nearly", "over", "under", "least"}
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th|s)$", re.IGNORECASE)

# a character of the same sentence: a dot followed by a space may end one, a dot inside an id does not
_IN_SENTENCE = r"(?:[^.?!;]|\.(?=\S))"
# a list of names starts where each of these ends
_CONNECTED = r"(?:connected|connects?|connecting|linked|links?|linking|tied|ties|related|relates|chained|joined|joins|attached)"
_INTRODUCTIONS = [re.compile(p, re.IGNORECASE) for p in (
    r"\bbetween\s+",
    r"\bfrom\s+",
    # "... from web-01 to the domain controller DC-PROD-2": the target after the source
    rf"\bfrom\s+{_IN_SENTENCE}{{1,80}}?\s+to\s+",
    rf"\b{_CONNECTED}\s+(?:back\s+|up\s+|directly\s+|indirectly\s+)?(?:to|with)\s+",
    # "a chain of calls linking Dana Reyes to Lee Park"
    r"\b(?:linking|connecting|joining|tying|links|connects|joins|ties|link|connect|join|tie)\s+",
    rf"\b(?:linking|connecting|joining|tying|links|connects|joins|ties|link|connect|join|tie)\s+{_IN_SENTENCE}{{1,80}}?\s+(?:to|with)\s+",
    r"\b(?:path|paths|route|routes|chain|chains|way|connection|connections|distance|hops?|steps?|closest|alike|relevant"
    r"|relative|nearest|comparable|closer|close|leads?|leading|important|significant|influence|similar)\s+to\s+",
    r"\bsimilar(?:\s+[\w-]+){1,5}?\s+(?:to|as)\s+",  # "a similar set of collaborators to X"
    r"\b(?:hops?|steps?|legs?|spans?|transfers?|degrees?|jumps?|stops?|links?|edges?|moves?)\s+(?:away\s+)?(?:of|from|around)\s+",
    r"\b(?:ego[\s-]*(?:network|graph|net)|neighbou?rhoods?|neighbou?rs|contacts|friends|circle|vicinity|surroundings"
    r"|proximity)\s+(?:of|around)\s+",
    r"\b(?:perspective|point\s+of\s+view|viewpoint|standpoint|vantage\s+point|eyes)\s+of\s+",
    r"\bpoint\s+of\s+reference\s+",  # "taking as the point of reference X"
    r"\b(?:seen|viewed|judged|ranked)\s+by\s+",
    r"\b(?:influenced\s+by|cent(?:red|ered)\s+on|anchored\s+(?:on|at)|seeded\s+(?:with|by|from|on)"
    r"|personali[sz]ed\s+(?:to|for|on))\s+",
    r"\b(?:most|looks?|looking|behaves?|behaving|acts?|acting|more|just|ones?|much|is|are|was|were)\s+"
    r"(?:most\s+|a\s+lot\s+|just\s+|much\s+|very\s+|the\s+most\s+)?like\s+",
    r"\bresembl(?:e|es|ing)\s+",
)]
# a name the words around it introduce: "how claimant C-20417 is connected to", "for X specifically"
_FRAMED = [re.compile(p, re.IGNORECASE) for p in (
    rf"\b(?:(?:how|whether|if)\s+(?:\w+ly\s+)?(?:(?:is|are|was|were)\s+)?|(?:is|are|was|were)\s+)(?P<x>[^?!;,]{{1,80}}?)\s+"
    rf"(?:(?:is|are|was|were|gets?|got|being)\s+)?(?:\w+ly\s+)?{_CONNECTED}(?:\s+(?:up\s+)?(?:to|with)\b|\s*[?.!]|$)",
    r"\bfor\s+(?P<x>[^?!;,]{1,60}?)\s*,?\s+(?:specifically|in\s+particular|alone)\b",
    # "taking the three donors D-1, D-2 and D-3 as the point of reference", "with a17 as the seed"
    r"\b(?:taking|take|using|use|with|treating|treat)\s+(?P<x>[^?!;]{1,80}?)\s+as\s+(?:the\s+|our\s+|a\s+)?"
    r"(?:points?\s+of\s+reference|reference(?:\s+points?)?|anchors?|seeds?|starting\s+points?|origins?|cent(?:re|er)s?)\b",
)]
# "from acme to globex": bare lower-case words, where the words around them leave no doubt that they
# are names ("between engineering and sales" names departments, and "between fields and connect" a verb)
_BARE_PAIR = re.compile(r"\bfrom\s+(?P<a>[a-z][\w.@/-]*)\s+to\s+(?P<b>[a-z][\w@/-]*(?:\.[\w@/-]+)*)"
                        r"(?=\s*(?:$|[.,;:?!)]|(?:by|in|on|via|for|with|and|or|using|through|over)\b))")
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")


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
    # a text in capitals has capitalised words that name nothing: only its ids and quoted names are
    caps = text.upper() != text
    found: list[tuple[int, str]] = []
    for m in _QUOTE.finditer(text):
        found.append((m.start(), next(g for g in m.groups() if g is not None)))
    for pattern in _INTRODUCTIONS:
        for m in pattern.finditer(text):
            found.extend(_names_at(text, m.end(), caps))
    for pattern in _FRAMED:
        for m in pattern.finditer(text):
            # x is wholly names (and their kinds): "how are Ann and Bo connected" names two, "how
            # the money in a17 is linked" none
            names = _names_at(text, m.start("x"), caps)
            if names and _name_at(text, names[-1][0], caps)[1] == m.end("x"):
                found += names
    for m in _BARE_PAIR.finditer(text):
        if m.group("a") not in _NOT_NAMES and m.group("b") not in _NOT_NAMES:
            found += [(m.start("a"), m.group("a")), (m.start("b"), m.group("b"))]
    out: list[str] = []
    for pos, name in sorted(found):
        name = name.strip()
        if name and name.lower() not in _NOT_NAMES and name not in out:
            out.append(name)
    return out


def _names_at(text: str, pos: int, caps: bool = True) -> list[tuple[int, str]]:
    """The names listed from ``pos`` on ("Rotterdam and Antwerp", "Acme Corp, Globex and c1"), each
    with where it starts; [] when no name starts there."""
    out: list[tuple[int, str]] = []
    while (hit := _name_at(text, pos, caps)) is not None:
        out.append((hit[2], hit[0]))
        sep = _LIST_SEPARATOR.match(text, hit[1])
        if not sep:
            break
        pos = sep.end()
    return out


def _name_at(text: str, pos: int, caps: bool = True) -> tuple[str, int, int] | None:
    """The name that starts at ``pos``, after at most a few lower-case words saying its kind: (name,
    end, start), or None when there is none. ``caps``: capitalised words can be names (not in a text
    written in capitals)."""
    pos = _skip_spaces(text, pos)
    quoted = _QUOTE.match(text, pos)
    if quoted:
        return next(g for g in quoted.groups() if g is not None).strip(), quoted.end(), pos
    kind = ""
    for _ in range(_MAX_KIND_WORDS + 1):
        name = _name_words(text, pos, caps)
        if name:
            return name
        number = _NUMBER_NAME.match(text, pos)
        if number and kind and kind not in _NOT_KINDS:
            # "node 17", "account 4411": a number named by its kind; "the 3 hubs" counts hubs
            return number.group(1), number.end(1), pos
        word = _TOKEN.match(text, pos)
        if not word or not _is_kind_word(word.group() if caps else word.group().lower()):
            return None
        nxt = _skip_spaces(text, word.end())
        if nxt == word.end():  # punctuation ends the phrase: "the compromised server."
            return None
        kind, pos = word.group().lower(), nxt
    return None


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _is_kind_word(word: str) -> bool:
    """A lower-case word that can say what kind of thing a name is ("the", "claimant", "domain")."""
    return word.isalpha() and word.islower() and word not in _STOP


def _word_kind(word: str) -> str | None:
    """How ``word`` can be part of a name: "id" (letters and digits), "cap" (capitalised),
    "initial" ("R.", "St."), or None."""
    if len(word) == 2 and word[0].isupper() and word[1] == ".":
        return "initial"
    if word.lower() in _ABBREVIATIONS and word[0].isupper():
        return "initial"
    bare = word.rstrip(".")
    if not bare or _ORDINAL.match(bare):
        return None
    if any(c.isdigit() for c in bare):
        # "2024" is a number; "a17", "C-20417", "10.0.0.1", "customers/c1" are ids
        return "id" if any(c.isalpha() or c in "/@" for c in bare) or bare.count(".") >= 2 else None
    if bare[0].isupper() or any(c.isupper() for c in bare[1:]) and bare[0].isalpha():
        return "cap" if bare != "I" else None
    return None


def _name_words(text: str, pos: int, caps: bool = True) -> tuple[str, int, int] | None:
    """The id or run of capitalised words at ``pos``: (name, end, start), or None."""
    parts: list[str] = []
    end = pos
    at = pos
    while True:
        word = _TOKEN.match(text, at)
        if not word:
            break
        token = word.group()
        kind = _word_kind(token)
        if not caps and kind != "id":
            kind = None
        if kind is None and parts and token.isdigit() and _word_kind(parts[-1]) == "cap":
            kind = "id"  # "Account 12", "Gate 7": the number is part of the name
        if kind is None and parts and token in _NAME_JOINERS:
            # "Bank of Ireland": a joiner belongs to the name only when a capitalised word follows
            after = _TOKEN.match(text, _skip_spaces(text, word.end()))
            if not after or _word_kind(after.group()) != "cap":
                break
        elif kind is None:
            break
        if token.endswith(".") and kind != "initial" and not token.endswith("..."):
            parts.append(token.rstrip("."))  # the sentence ends with the name
            end = word.end() - (len(token) - len(token.rstrip(".")))
            break
        parts.append(token)
        end = word.end()
        nxt = _skip_spaces(text, end)
        if nxt == end:
            break
        at = nxt
    if len(parts) > 1 and parts[0].lower() in _ARTICLES:
        parts = parts[1:]  # "The Carrow PoP" names the Carrow PoP
    name = " ".join(parts)
    name = re.sub(r"['’]s$", "", name)  # "Lisbon's point of view": Lisbon
    if not name or name.lower() in _NOT_NAMES:
        return None
    return name, end, pos


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
# "within two hops", "2 legs", "three referral steps", "4-hop"
_HOPS = re.compile(r"\b(?:within\s+)?(one|two|three|four|five|six|seven|eight|nine|ten|\d+)[\s-]+(?:[a-z]+\s+)?"
                   r"(?:hops?|steps?|legs?|spans?|transfers?|degrees?|jumps?|stops?)\b", re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


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

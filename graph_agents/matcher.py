"""How a sentence is matched against the intents of the algorithm catalog.

Words are compared by their Snowball (Porter 2) stem, so "influential", "influencers" and
"influence" meet the phrases written in any of those forms. A phrase is a few words; ``...``
inside a phrase lets up to three other words stand between its parts ("between ... communities"
matches "between the separate communities"); ``{name}`` matches any word of a word class
(:func:`define_words`: "{group}" is clan, crowd, team ...); ``=word`` matches that word form only ("=link ... with" is
the verb that joins two parties, not "linked"); a verb and its particle ("carry over") let the verb's
object stand between them ("carry the flag over"). Matches never share a word: the longer, stronger
phrase wins ("between communities" consumes "communities", which then no longer counts for
community detection). A phrase inside the scope of a negation ("not", "no", "without", "rather
than", ...; up to the next comma or "but") counts against nothing and for nothing: it is reported
as negated, unless the phrase holds the negator itself ("but not ... the rest"). Clauses joined by
"and", "as well as", ";" ... can carry separate asks (:func:`asks`), while purpose clauses ("so
that ...", "because ...") only support the main ask; "so" of degree ("so central that") and "if"
after a verb of asking ("asked if") open no clause. A chain that returns to its start ("a pays b
pays c pays a", "x -> y -> x", "... and back to site 3") ends in the pseudo-word :data:`LOOP`,
which phrases can name. The role of a user story ("As a *community manager*, I ...") counts for
nothing: it says who asks.

Three rules decide between intents whatever the catalog holds:

- *Shared words are resolved by context.* Words that phrases of several intents claim ("ring" is
  a cycle or a connected group) go to the intent that other words of the text support; without
  such support, to the heaviest phrase. They never make a second ask of their own.
- *The main clause leads.* A relative clause ("the assets *that depend on them*", "players *who*
  ...", "rings *where* ...") describes an entity; its phrases count half when the main clause
  holds a phrase that decides alone, and never make a separate ask. With no noun to describe
  ("*the ones whose* ...", "*those who* ...") it is the ask itself.
- *One ask, one analysis.* A clause adds an ask only with a strong phrase of its own that no
  phrase of an ask already taken covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, Mapping

# the English stemmer alone: the package's __init__ imports all 30 languages (~60 ms at start-up)
from snowballstemmer.english_stemmer import EnglishStemmer

GAP = "..."
OBJECT_GAP = "...obj"  # the object inside a phrasal verb: never a superlative ("carry the most influence over" is having it)
_SUPERLATIVES = {"most", "least"}
WORD_CLASS = "{"  # "{group}" matches any word of the class "group" (see :func:`define_words`)
EXACT = "="  # "=link" matches "link" only, not "linked": the active verb, not the state
MAX_GAP = 3  # words a "..." may skip
MIN_SCORE = 2.0  # below this, no phrase decided: the sentence asks for no catalog algorithm
NAMED = 4.5  # the weight of an algorithm named outright (or the property only it has): no clause makes it count less
STRONG = 2.5  # a separate ask in its own clause needs a phrase at least this strong
NEGATION_SCOPE = 6  # words after a negator that it covers

_STEMMER = EnglishStemmer()
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,;:.!?()\u2192]")
_ARROWS = re.compile(r"-+>|=+>|\u2192|\u27f6")
_BOUNDARY = {",", ";", ":", ".", "!", "?", "(", ")"}
_EXAMPLE_ABBREVIATION = re.compile(r"\be\.\s?g\.?(?=\s|,|$)")
# words that open an example after a comma: "robust to stops that are unreachable, e.g. the island ferry"
_EXAMPLE_OPENERS = {"eg", ("for", "example"), ("for", "instance"), ("such", "as")}
_NEGATORS = {"not", "no", "never", "without", "neither", "nor", "except", "excluding", "exclude", "excluded", "non"}
_NEGATING_PAIRS = {("rather", "than"), ("instead", "of"), ("other", "than"), ("apart", "from"), ("aside", "from")}
_SCOPE_END = {"but", "only", "instead", "rather", "however"}
_COORDINATORS = {"and", "also", "plus", "then", "additionally", "moreover", "furthermore"}
_COORDINATING_PAIRS = {("as", "well"), ("along", "with"), ("together", "with")}
_PURPOSE = {"because", "since", "so", "therefore", "thus", "hence"}
# a subordinate clause qualifies the ask it hangs on ("... after passing through others"): never an ask of its own
_SUBORDINATE = {"after", "before", "when", "while", "whenever", "once", "if", "unless", "until", "though", "although", "whereas"}
# "that", "who", "where" ... after a noun open a relative clause; after these words they open the
# ask itself ("find out which ...", "know who ...", "check that ...")
_RELATIVIZERS = {"that", "who", "whom", "whose", "which", "where"}
_EMBEDDING = {"know", "knowing", "see", "find", "out", "identify", "show", "tell", "understand", "determine", "check",
              "ask", "asked", "learn", "wonder", "list", "about", "on", "of", "whether", "is", "are", "was", "were",
              "be", "confirm", "ensure", "verify", "say", "think", "clear", "sure", "aware", "establish", "detect",
              "spot", "discover", "explain", "decide", "in", "to", "for", "by", "from", "with", "at", "into", "not",
              "than", "like", "me", "us", "them", "you", "i", "we", "they", "it", "and", "or", "also", "what", "how"}
# verbs that only send for something: the relative clause on their object says what ("find the
# routers that ...", "identify the couriers who ...")
_ERRANDS = {"identify", "find", "list", "show", "name", "spot", "locate", "detect", "highlight", "surface", "pinpoint",
            "flag", "get", "give", "return", "report", "pick", "single", "point", "map", "uncover", "reveal", "expose"}
_WANTING = {"would", "d", "really", "we", "i", "you", "they", "also", "might", "may", "should"}
# a negation after these is what is to be checked ("make sure no district is cut off", "verify that none ...")
_VERIFYING = {"sure", "ensure", "ensuring", "check", "verify", "confirm", "guarantee", "certain"}
# "those who ...", "the ones whose ...": a relative clause with no noun to describe is the ask itself
_PRONOUN_HEADS = {"ones", "one", "those", "anyone", "anybody", "someone", "somebody", "whoever"}
# "asked if", "check if": "if" opens what is asked, not a condition
_ASKING = {"ask", "asked", "asks", "asking", "see", "check", "checking", "know", "wonder", "wondered", "wondering",
           "out", "tell", "determine", "confirm", "verify", "learn", "question", "whether"}
# "are so central", "so many": "so" of degree, not of purpose
_DEGREE_SO_AFTER = {"is", "are", "was", "were", "be", "been", "being", "am", "get", "gets", "become", "becomes",
                    "seem", "seems", "look", "looks"}
_DEGREE_SO_BEFORE = {"many", "much", "few", "little", "far", "often", "badly", "heavily", "closely"}
LOOP = "<loop>"  # stands for the last word of a chain that returns to its start ("a pays b pays c pays a")
_ARROW = "\u2192"
_PURPOSE_PAIRS = {("in", "order"), ("so", "that"), ("so", "we"), ("which", "will"), ("to", "help"), ("to", "allow"),
                  ("to", "support"), ("to", "enable"), ("to", "let")}


# words the stemmer folds into an intent's stem though they mean something else
# ("import" and "important" both stem to "import"; "author" and "authority" to "author")
FALSE_FRIENDS = {
    "import": {"import", "imports", "imported", "importing", "importer", "importers"},
    "author": {"author", "authors", "authored", "authoring", "authorship"},
    "between": {"betweenness"},
    "close": {"closeness"},  # "how close they are to them" is no closeness centrality
    "hit": {"hits"},  # "be hit" by a cascade is not the HITS algorithm
    "sever": {"several"},  # "several groups" is not a severed link
    "ident": {"identical", "identically"},  # "identical buyer lists" is no identity resolution
}
SPECIFICITY = 0.1  # extra weight per extra word of a phrase: "share ... ip" says more than "cluster"


# how people type in chats and quick notes; read as the words they stand for
TEXTING = {"u": "you", "ur": "your", "pls": "please", "plz": "please", "thru": "through",
           "tho": "though", "cuz": "because", "bc": "because", "b4": "before", "2gether": "together",
           "creds": "credentials", "thx": "thanks", "pwd": "password", "pwds": "passwords",
           # and older spellings of the same words
           "amongst": "among", "whilst": "while", "amidst": "amid"}
# "u" only in lower case: "U" is a letter in "U.S." or "Plan U"
# (only "u" minds a following "." or "&": "U.S.", "U&I"; "thru." ends a sentence)
_TEXTING = re.compile(r"\b(?:u\b(?![.&])|(?i:" + "|".join(map(re.escape, [k for k in TEXTING if k != "u"])) + r")\b)")


def plain_words(text: str) -> str:
    """``text`` with texting shorthands spelt out ("can u check thru ..." -> "can you check through ...")."""
    return _TEXTING.sub(lambda m: TEXTING[m.group(0).lower()], text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word.lower())


# "interconnected", "interlinked": the relation itself, said of a group ("connected with each other")
_INTER_ROOTS = ("connect", "link", "lock", "twine", "weave", "wove", "relat", "depend", "tangl")


def _stem_of(word: str) -> str:
    if word.startswith("inter") and word[5:].startswith(_INTER_ROOTS):
        word = word[5:]
    s = stem(word)
    return f"{s}\x00" if word in FALSE_FRIENDS.get(s, ()) else s


@dataclass
class Token:
    text: str  # as written, lower-cased
    stem: str
    clause: int  # index of the clause the word is in
    purpose: bool = False  # inside a purpose clause ("so that ...")
    negated: bool = False
    naming: bool = False  # names the graph the ask is about ("in the co-purchase graph"), not the ask
    role: bool = False  # the asker of a user story ("As a *community manager*, I want ..."): not the ask
    subordinate: bool = False  # inside a subordinate clause ("after ...", "when ...")
    relative: int = 0  # which relative clause ("... that depend on them") it is in, 1-based; 0: none
    heads: tuple[int, ...] = ()  # the relative clauses whose antecedent it is part of ("the assets")
    errand: bool = False  # in a relative clause whose antecedent an errand names ("identify the couriers who ...")


_DETERMINERS = {"the", "a", "an", "any", "all", "those", "these", "our", "their", "its", "each", "every", "some"}
_PREPOSITIONS = {"to", "from", "with", "by", "in", "on", "at", "into", "for", "through", "across", "between", "among",
                 "around", "via", "over", "under", "within", "against", "toward", "towards", "onto"}
ANTECEDENT = 4  # words a relative clause's antecedent reaches back


def _mark_antecedent(tokens: list[Token], clause: int) -> None:
    """The noun phrase a relative clause hangs on: back to a determiner, a preposition other than
    "of", or a boundary ("to [the assets] that ...", "[groups of accounts] that ...")."""
    words = 0
    for tok in reversed(tokens):
        if tok.text in _BOUNDARY or tok.text in _PREPOSITIONS or words == ANTECEDENT:
            return
        tok.heads = (*tok.heads, clause)
        words += 1
        if tok.text in _DETERMINERS:
            return


def tokenize(text: str) -> list[Token]:
    """Words of ``text`` with their stem, clause, purpose and negation marks; punctuation as boundaries."""
    raw: list[str] = []
    written = _ARROWS.sub(f" {_ARROW} ", plain_words(text).lower())
    written = _EXAMPLE_ABBREVIATION.sub(" eg ", written)  # "e.g." is one word, not two sentence ends
    for t in _TOKEN.findall(written.replace("\u2019", "'").replace("-", " ").replace("/", " ")):
        if t.endswith("n't"):
            raw += [t[:-3] or "do", "not"]
        elif t.endswith("'s") or t.endswith("'re") or t.endswith("'ll") or t.endswith("'d") or t.endswith("'ve"):
            raw.append(t.split("'")[0])
        elif t == "another" and raw[-1:] == ["one"]:  # "one another" is "each other"
            raw[-1:] = ["each", "other"]
        else:
            raw.append(t)
    loops = _returning_chains(raw)
    tokens: list[Token] = []
    clause, purpose, negate_left, subordinate, relative, relatives = 0, False, 0, False, 0, 0
    errand = False
    fronted = False  # a purpose clause before the main one ("since the storm ..., I want ..."): its comma ends it
    example = False  # after ", e.g." / ", for example": supports the ask, as an aside does
    aside = False  # inside parentheses after words of the ask: an example or a gloss, which supports it like a purpose
    for i, t in enumerate(raw):
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        prev = raw[i - 1] if i else ""
        if t in _BOUNDARY:
            negate_left, subordinate, relative = 0, False, 0
            if fronted and t == ",":
                clause, purpose, fronted = clause + 1, False, False
            if t == "(" and any(r not in _BOUNDARY for r in raw[:i]):
                aside = True
            elif t == ")":
                aside = False
            # an example after a comma supports the ask like a gloss in brackets, until the sentence ends
            after = raw[i + 2] if i + 2 < len(raw) else ""
            if t in {";", ".", "!", "?", ")"}:
                example = False
            elif t == "," and (nxt in _EXAMPLE_OPENERS or (nxt, after) in _EXAMPLE_OPENERS):
                example = True
            if t in {";", ".", "!", "?"} or (t == "," and nxt in _COORDINATORS | {"as", "along"}):
                clause, purpose, subordinate = clause + 1, False, False
            tokens.append(Token(t, t, clause, purpose))
            continue
        if t in _COORDINATORS or (t, nxt) in _COORDINATING_PAIRS:
            if prev not in _BOUNDARY and (prev, t) not in _COORDINATING_PAIRS:
                clause, purpose, subordinate = clause + 1, False, False
            negate_left, relative = 0, 0
        if (t in _RELATIVIZERS and prev and prev not in _BOUNDARY | _EMBEDDING | _PRONOUN_HEADS
                and not relative):
            relatives += 1
            relative = relatives
            errand = any(tok.clause == clause and tok.text in _ERRANDS for tok in tokens)
            _mark_antecedent(tokens, relative)
        if t in _SUBORDINATE and not (t == "if" and prev in _ASKING):
            clause, subordinate, relative = clause + 1, True, 0
        degree = t == "so" and (prev in _DEGREE_SO_AFTER or nxt in _DEGREE_SO_BEFORE)
        if (t in _PURPOSE and not degree) or (t, nxt) in _PURPOSE_PAIRS:
            clause, purpose, relative = clause + 1, True, 0
            fronted = not prev or prev == ","
        if t in _SCOPE_END:
            negate_left = 0
        # "make sure no clinic ended up orphaned": what is to be checked, not what is not wanted
        checked = t in _NEGATORS and (prev in _VERIFYING or (prev == "that" and i > 1 and raw[i - 2] in _VERIFYING))
        if not checked and (t in _NEGATORS or (prev, t) in _NEGATING_PAIRS or (t, nxt) in _NEGATING_PAIRS):
            negate_left = NEGATION_SCOPE
            tokens.append(Token(t, stem(t), clause, purpose, subordinate=subordinate, relative=relative))
            continue
        # "like" of wanting ("we would most like to see", "which do they most like?") is no likeness
        wanting = t == "like" and (nxt == "to" or nxt in _BOUNDARY or not nxt or prev in _WANTING)
        tokens.append(Token(t, LOOP if i in loops else f"{stem(t)}\x00" if wanting else _stem_of(t), clause,
                            purpose or aside or example, negated=negate_left > 0,
                            subordinate=subordinate, relative=relative, errand=bool(relative) and errand))
        negate_left = max(0, negate_left - 1)
    _mark_graph_names(tokens)
    _mark_organisations(tokens)
    _mark_role(tokens)
    return tokens


ROLE_WORDS = 8  # words a user story's role ("As a fraud analyst in the payments team, I ...") may have


def _mark_role(tokens: list[Token]) -> None:
    """"As a community manager, I want ...": who asks, whatever words the role holds."""
    if len(tokens) < 3 or tokens[0].text != "as" or tokens[1].text not in {"a", "an", "the", "our"}:
        return
    for tok in tokens[2:2 + ROLE_WORDS]:
        if tok.text in _BOUNDARY or tok.text in {"i", "we"}:
            return
        tok.role = True


def _returning_chains(raw: list[str]) -> set[int]:
    """Where a chain of the same link returns to its start: "a calls b calls c calls a",
    "x -> y -> z -> x" (the last word of each such chain)."""
    out: set[int] = set()
    for i, first in enumerate(raw):
        if first in _BOUNDARY or first == _ARROW:
            continue
        for step in (2, 3):  # the link between two members: one word ("pays", an arrow) or two ("sends to")
            link = raw[i + 1:i + step]
            if len(link) < step - 1 or first in link or any(w in _BOUNDARY for w in link):
                continue
            members, pos = [first], i + step
            while pos < len(raw) and raw[pos - step + 1:pos] == link and raw[pos] not in _BOUNDARY:
                if raw[pos] == first:
                    if len(members) >= 2:
                        out.add(pos)
                    break
                if raw[pos] in members:
                    break
                members.append(raw[pos])
                pos += step
    # "from depot 1 to depot 2 ... and back to depot 1": back to where the chain began
    for i, word in enumerate(raw[:-2]):
        if word == "back" and raw[i + 1] in _RETURN_PREPOSITIONS:
            k = i + 2 + (raw[i + 2] in _DETERMINERS)
            target = [w for w in raw[k:k + 2] if w not in _BOUNDARY]
            for n in (2, 1):
                if len(target) >= n and _occurs(raw[:i], target[:n]):
                    out.add(k + n - 1)
                    break
    return out


_RETURN_PREPOSITIONS = {"to", "into", "at", "with", "in", "towards", "toward"}


def _occurs(words: list[str], seq: list[str]) -> bool:
    return any(words[j:j + len(seq)] == seq for j in range(len(words) - len(seq) + 1))


_GRAPH_WORDS = {"graph", "network", "networks", "graphs", "data", "dataset"}
_GRAPH_LEAD = {"in", "on", "across", "of", "from", "within", "through"}


def _mark_graph_names(tokens: list[Token]) -> None:
    """"in the co-purchase graph", "of the referral network": the words between count half."""
    for i, tok in enumerate(tokens):
        if tok.text not in _GRAPH_WORDS:
            continue
        for j in range(i - 1, max(-1, i - 5), -1):
            if tokens[j].text in _BOUNDARY:
                break
            if tokens[j].text in _GRAPH_LEAD:
                for k in range(j + 1, i):
                    tokens[k].naming = True
                break


# "the marketing group", "our risk team": an organisation that asks, not a group to be found
_ORG_HEADS = {"group", "groups", "team", "teams", "committee", "unit", "department", "division", "office", "board"}
_ORG_LEADS = {"marketing", "sales", "finance", "financial", "working", "focus", "steering", "product", "risk", "compliance",
              "legal", "support", "ops", "operations", "analytics", "data", "research", "project", "advisory", "strategy",
              "management", "leadership", "executive", "security", "fraud", "audit", "it", "hr", "engineering", "trust",
              "safety", "growth", "pricing", "procurement", "purchasing", "logistics", "planning", "insights", "city"}


def _mark_organisations(tokens: list[Token]) -> None:
    """"the marketing group" names who asks: both words count half."""
    for i in range(1, len(tokens)):
        if tokens[i].text in _ORG_HEADS and tokens[i - 1].text in _ORG_LEADS:
            tokens[i].naming = tokens[i - 1].naming = True


# a phrasal verb's object may stand inside it: "carry over" is also "carry the audit finding over"
_PARTICLES = {"over", "on", "out", "off", "back", "along", "around", "across", "away", "down", "through", "together"}


@lru_cache(maxsize=8192)
def compile_phrase(phrase: str) -> tuple[str, ...]:
    """A phrase as stems, with ``...`` kept as the gap marker; ``=word`` stays that exact word form;
    a verb and its particle ("pass on") let the verb's object stand between them."""
    parts = phrase.lower().replace("-", " ").split()
    out: list[str] = []
    for part in parts:
        out.append(GAP if part == GAP else part if part.startswith((EXACT, WORD_CLASS, "<")) else _stem_of(part))
    if len(parts) == 2 and parts[1] in _PARTICLES and parts[0] not in _PARTICLES | _RELATIVIZERS:
        out.insert(1, OBJECT_GAP)
    return tuple(out)


def _hit(pattern: str, tok: Token) -> bool:
    if pattern.startswith(EXACT):
        return tok.text == pattern[1:]
    if pattern.startswith(WORD_CLASS):
        return tok.stem in WORD_CLASSES.get(pattern, ())
    return tok.stem == pattern


# word classes the phrases name as "{name}": the parties a broker joins, the verbs of marking ...
WORD_CLASSES: dict[str, frozenset[str]] = {}


def define_words(name: str, words: str) -> str:
    """Declare the class ``{name}``: ``|``-separated words, any word form. Returns ``"{name}"``
    for use inside phrases ("=connect ... {apart} ... {group}")."""
    key = f"{{{name}}}"
    WORD_CLASSES[key] = frozenset(_stem_of(w.strip()) for w in words.split("|") if w.strip())
    return key


@dataclass(frozen=True)
class PhraseMatch:
    intent: str  # the algorithm (or any label) the phrase belongs to
    phrase: str  # the catalog phrase
    weight: float
    start: int  # token span [start, end)
    end: int
    words: str  # the words of the text it matched
    clause: int
    purpose: bool
    negated: bool
    naming: bool = False
    subordinate: bool = False
    relative: int = 0  # the relative clause it lies in (0: none)
    heads: tuple[int, ...] = ()  # the relative clauses it is (part of) the antecedent of
    errand: bool = False  # that relative clause hangs on the object of an errand ("list the routers that ...")
    shared: bool = False  # other intents' phrases claim the same words; resolved by the rest of the text


def _starts(tokens: list[Token]) -> dict[str, list[int]]:
    """Where each stem (and, as ``=word``, each exact word) stands: a phrase is only tried where
    its first word is, so matching costs the text's length plus the hits, not phrases x words."""
    out: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        out.setdefault(tok.stem, []).append(i)
        out.setdefault(EXACT + tok.text, []).append(i)
        for name, stems in WORD_CLASSES.items():
            if tok.stem in stems:
                out.setdefault(name, []).append(i)
    return out


def _find(stems: tuple[str, ...], tokens: list[Token], starts: Mapping[str, list[int]]) -> Iterable[tuple[int, int]]:
    """Every (start, end) where the stems occur in order, gaps within one clause."""
    for i in starts.get(stems[0], ()):
        end = _rest(stems, 1, tokens, i + 1)
        if end is not None:
            yield i, end


def _rest(stems: tuple[str, ...], k: int, tokens: list[Token], j: int) -> int | None:
    """Where ``stems[k:]`` ends when matched from token ``j`` (None: nowhere). A gap tries each word
    its target may be, nearest first: "connect the city segment and ..." is not given up at "city"."""
    if k == len(stems):
        return j
    if stems[k] not in (GAP, OBJECT_GAP):
        return _rest(stems, k + 1, tokens, j + 1) if j < len(tokens) and _hit(stems[k], tokens[j]) else None
    for pos in range(j, min(j + MAX_GAP + 1, len(tokens))):
        # a gap never crosses a boundary, but may end at one the phrase names (", if they burst ,")
        at_boundary = tokens[pos].text in _BOUNDARY
        if at_boundary and stems[k + 1] != tokens[pos].text or (stems[k] == OBJECT_GAP and tokens[pos].text in _SUPERLATIVES):
            return None
        if _hit(stems[k + 1], tokens[pos]):
            end = _rest(stems, k + 2, tokens, pos + 1)
            if end is not None:
                return end
    return None


SLIP_MIN = 8  # letters a word needs before one slip ("infuential") is read as the phrase word it nearly is; shorter
# words have real words one slip away ("contain" and "contamin-ate", "contract" and "contact")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_slip(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one letter left out, added, changed, or two letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return short in _deletes(long_)


class _Spelling:
    """The words the phrases are written with (as written, and as stems), indexed by each
    one-letter deletion, so that a long word one slip away from exactly one of them is read as it
    (symmetric deletion: a lookup per letter, not a comparison with every word)."""

    def __init__(self, intents: Mapping[str, Mapping[str, float]]) -> None:
        forms: dict[str, str] = {}  # a word as written or stemmed -> its stem
        for phrases in intents.values():
            for phrase in phrases:
                for word in phrase.lower().replace("-", " ").split():
                    if word != GAP and word[0] not in "={<" and word.isalpha():
                        forms.setdefault(_stem_of(word), _stem_of(word))
                        # as written too: "comunities" is one slip from "communities", not from "commun"
                        forms.setdefault(word, _stem_of(word))
        for words in WORD_CLASSES.values():
            forms.update((w, w) for w in words)
        self.known = {k: v for k, v in forms.items() if "\x00" not in v}
        self.by_deletion: dict[str, set[str]] = {}
        for v in self.known:
            if len(v) >= SLIP_MIN:
                for d in _deletes(v) | {v}:
                    self.by_deletion.setdefault(d, set()).add(v)

    def meant(self, word: str, stem_: str) -> str | None:
        """The stem a misspelt ``word`` (stemmed ``stem_``) stands for, when exactly one phrase word is one slip away."""
        if stem_ in self.known or word in self.known or len(word) < SLIP_MIN or not word.isalpha() or "\x00" in stem_:
            return None  # a known word, or a false friend kept apart on purpose
        near: set[str] = set()
        for form in {word, stem_}:
            if len(form) < SLIP_MIN:
                continue
            for d in _deletes(form) | {form}:
                near |= {v for v in self.by_deletion.get(d, ()) if _one_slip(v, form)}
        meant = {self.known[v] for v in near}
        return next(iter(meant)) if len(meant) == 1 else None


_SPELLINGS: dict[int, tuple[Mapping[str, Mapping[str, float]], _Spelling]] = {}


def _spelling(intents: Mapping[str, Mapping[str, float]]) -> _Spelling:
    held = _SPELLINGS.get(id(intents))
    if held is None or held[0] is not intents:
        if len(_SPELLINGS) > 16:  # toy intents of tests: keep the index small
            _SPELLINGS.clear()
        held = _SPELLINGS[id(intents)] = (intents, _Spelling(intents))
    return held[1]


def find_phrases(text: str, intents: Mapping[str, Mapping[str, float]], negation: bool = True) -> list[PhraseMatch]:
    """Non-overlapping phrase matches of every intent in ``text``, in text order. ``negation=False``
    reads "we do not need a ranking" as naming a ranking (for non-goals). A word one slip of a
    letter away from one phrase word ("infuential", "brokerz") is read as that word."""
    tokens = tokenize(text)
    spelling = _spelling(intents)
    for t in tokens:
        if t.stem != LOOP and (meant := spelling.meant(t.text, t.stem)):
            t.stem = meant
    if not negation:
        for t in tokens:
            t.negated = False
    found: list[PhraseMatch] = []
    starts = _starts(tokens)
    for intent, phrases in intents.items():
        for phrase, weight in phrases.items():
            stems = compile_phrase(phrase)
            if not stems or stems[0] not in starts:  # most phrases: their first word is not in the text
                continue
            words_in_phrase = sum(1 for x in stems if x not in (GAP, OBJECT_GAP))
            for start, end in _find(stems, tokens, starts):
                span = tokens[start:end]
                if any(t.role for t in span):
                    continue
                found.append(PhraseMatch(
                    intent, phrase, float(weight) * (1 + SPECIFICITY * (words_in_phrase - 1)), start, end,
                    " ".join(t.text for t in span), tokens[start].clause,
                    any(t.purpose for t in span),
                    # a phrase that holds its own negation ("not linked", "but not ... the rest") is not
                    # negated by it
                    not any(t.text in _NEGATORS for t in span) and any(t.negated for t in span),
                    all(t.naming for t in span), any(t.subordinate for t in span),
                    span[0].relative if all(t.relative == span[0].relative for t in span) else 0,
                    tuple(sorted({h for t in span for h in t.heads})),
                    all(t.errand for t in span),
                ))
    # the strongest phrase first, then the one that explains most words of the text
    found.sort(key=lambda m: (-m.weight, -len(compile_phrase(m.phrase)), m.start, m.intent))
    taken: set[int] = set()
    kept = []
    for m in found:
        span = set(range(m.start, m.end))
        if span & taken:
            continue
        taken |= span
        kept.append(m)
    return sorted(_resolve_shared(kept, found), key=lambda m: m.start)


def _resolve_shared(kept: list[PhraseMatch], found: list[PhraseMatch]) -> list[PhraseMatch]:
    """Words that phrases of several intents claim go to the intent the rest of the text supports."""
    rivals: dict[tuple[int, int], dict[str, PhraseMatch]] = {}
    for m in found:  # heaviest first: each intent's best phrase on exactly those words
        rivals.setdefault((m.start, m.end), {}).setdefault(m.intent, m)
    support: dict[str, float] = {}
    for m in kept:
        if len(rivals[(m.start, m.end)]) == 1 and not m.negated:
            support[m.intent] = support.get(m.intent, 0.0) + m.weight
    out = []
    for m in kept:
        claims = rivals[(m.start, m.end)]
        if len(claims) == 1:
            out.append(m)
            continue
        # most support elsewhere in the text, then the heaviest phrase (``claims`` keeps that order)
        best = max(claims, key=lambda name: support.get(name, 0.0))
        out.append(replace(claims[best], shared=True))
    return out


@dataclass
class Candidate:
    """One algorithm a text may ask for: its score and the phrases that decided it."""

    name: str
    score: float
    phrases: list[str] = field(default_factory=list)  # the words of the text, as matched
    negated: list[str] = field(default_factory=list)
    clauses: set[int] = field(default_factory=set)
    first: int = 0  # where its first phrase starts (token index): asks keep the text's order


def _score(weights: list[float]) -> float:
    # the strongest phrase, then diminishing credit for more evidence of the same intent
    weights = sorted(weights, reverse=True)
    return round(sum(w * (0.5 ** i) for i, w in enumerate(weights)), 3)


def _ranked(matches: list[PhraseMatch]) -> list[Candidate]:
    """Candidates best first from the matches of one text."""
    # the main clause leads: a relative clause only describes its antecedent ("the assets that
    # depend on them") once a strong phrase outside that antecedent decides ("spread ... to"; a
    # generic "rank the depots that ..." does not);
    # "groups of accounts that share a card" keeps its relative clause: it says which groups
    deciding = [m for m in matches if m.weight >= STRONG and not (m.relative or m.negated or m.purpose or m.naming)]

    def described(m: PhraseMatch) -> bool:
        # "segment the stores into groups *that come out the same every run*": a method named in the
        # clause still chooses the method
        return bool(m.relative) and m.weight < NAMED and any(m.relative not in d.heads for d in deciding)

    by: dict[str, Candidate] = {}
    weights: dict[str, list[float]] = {}
    for m in matches:
        c = by.setdefault(m.intent, Candidate(m.intent, 0.0, first=m.start))
        if m.negated:
            c.negated.append(m.words)
            continue
        c.phrases.append(m.words)
        c.clauses.add(m.clause)
        half = m.purpose or m.naming or described(m)
        weights.setdefault(m.intent, []).append(m.weight * (0.5 if half else 1.0))
    for name, c in by.items():
        c.score = _score(weights.get(name, []))
    return sorted(by.values(), key=lambda c: (-c.score, c.first, c.name))


def rank(text: str, intents: Mapping[str, Mapping[str, float]], negation: bool = True) -> list[Candidate]:
    """Candidates best first; purpose clauses count half; negated phrases count nothing."""
    return _ranked(find_phrases(text, intents, negation))


@dataclass
class Reading:
    """What one scan of a text found: every candidate, best first, and the separate asks."""

    ranked: list[Candidate]
    asks: list[Candidate]


def read(text: str, intents: Mapping[str, Mapping[str, float]]) -> Reading:
    """The candidates and the separate asks of ``text`` from one scan of the phrases."""
    matches = find_phrases(text, intents)
    ranked = _ranked(matches)
    return Reading(ranked, _asks(ranked, matches))


def asks(text: str, intents: Mapping[str, Mapping[str, float]]) -> list[Candidate]:
    """The separate asks in ``text``: the best candidate, plus any other intent that a strong
    phrase asks for in a clause of its own (not a purpose, subordinate or relative clause, nor
    words other intents share). Empty when nothing scores :data:`MIN_SCORE`."""
    return read(text, intents).asks


def _asks(ranked: list[Candidate], matches: list[PhraseMatch]) -> list[Candidate]:
    if not ranked or ranked[0].score < MIN_SCORE:
        return []
    out = [ranked[0]]
    # a relative clause after an errand ("identify the couriers *who connect* separate clusters, and
    # group ...") is the ask of its clause when nothing outside it asks there
    # (a condition after it, "... that would split the network *if they failed*", asks in its clause too)
    main = {c for m in matches if not (m.relative or m.negated or m.purpose or m.naming)
            for c in (m.clause, m.clause - 1 if m.subordinate else m.clause)}
    own = [m for m in matches if not (m.negated or m.purpose or m.naming or m.subordinate)
           and (not m.relative or (m.errand and m.clause not in main))]
    for clause in sorted({m.clause for m in own}):
        inside = [m for m in own if m.clause == clause]
        per: dict[str, list[float]] = {}
        for m in inside:
            if not m.shared:
                per.setdefault(m.intent, []).append(m.weight)
        if not per:
            continue
        best = max(per, key=lambda k: (_score(per[k]), k))
        if max(per[best]) < STRONG or any(c.name == best for c in out):
            continue
        # its own clause must not also hold a phrase of an ask already taken (its relative clauses too)
        taken = {c.name for c in out}
        if any(m.intent in taken for m in matches if m.clause == clause and not m.negated):
            continue
        out.append(next(c for c in ranked if c.name == best))
    return sorted(out, key=lambda c: c.first)

"""The deterministic core: requirements, objectives, stakeholders, constraints and non-goals
from documents of any shape (see :mod:`.blocks` for the shapes, :mod:`.classify` for the kinds)."""

from __future__ import annotations

import re

from ... import algorithms
from ...models import Requirement, Requirements
from .blocks import Block, blocks, sentences
from .classify import classify, section_of, strip_label

_MODAL = re.compile(r"\b(must|shall|should|needs? to|required?|want to|wants to|would like|could)\b", re.I)
_HIGH = re.compile(r"\b(must|shall|critical|high[- ]priority|priority:\s*high|\(high\)|urgent|essential|required|p[01]|top priority|must[- ]have)\b", re.I)
_LOW = re.compile(r"\b(could|nice[- ]to[- ]have|low[- ]priority|priority:\s*low|\(low\)|optional|p3|could[- ]have|if time allows)\b", re.I)
_ROLE = re.compile(r"^as (?:a|an|the|our) (.{1,80}?)(?:,|\s+(?=i\b|i'))", re.I)
_MIN_CHARS = 8
# a question that only points back ("Who are they?", "Which ones are those, and ...?"): it asks about
# what the sentence before it describes, so the two are one ask
_POINTING_BACK = re.compile(r"^(?:who|which(?: ones)?|what|where)\s+(?:are|is|were|was)\s+(?:they|these|those|it|them|that)\b", re.I)
# a need for what the sentence before describes ("... groups of accounts that reshare each other. Need those
# groups surfaced."): the description holds the analysis, so the two are one ask
_WANTED_BACK = re.compile(r"^(?:(?:we|i)\s+)?(?:also\s+|really\s+)?(?:need|want|would like|'d like)\s+(?:those|these|them|they|such)\b", re.I)
# an item labelled as a key result of an objective ("KR1.2: ...") is what the objective asks for
_KEY_RESULT = re.compile(r"^\s*(?:KR\s*[-.]?\s*\d|key result\b)", re.I)
_TARGET = re.compile(r"^(?:zero|no|nil|\d+\s*%|lift|increase|reduce|decrease|grow|raise|cut|double|halve|triple|maintain|keep|sustain"
                     r"|achieve|hit|boost|lower)\b", re.I)
_LABELLED_ASK = re.compile(r"^\s*(?:requirement|req|user story|use case)\s*[-#]?\s*[A-Z]{0,3}[-.]?\d+(?:\.\d+)*\s*[:.–—-]\s", re.I)
_FAQ_Q = re.compile(r"^\s*Q\s*\d*\s*[:.]\s", re.I)
_FAQ_A = re.compile(r"^\s*A\s*\d*\s*[:.]\s", re.I)
# the method for the ask before ("... so use something that optimises modularity"): it belongs to that ask
_METHOD_HINT = re.compile(r"(?:^|\b(?:so|and|then|but)\s+)(?:please\s+|pls\s+)?use (?:something|an? (?:\w+ )?(?:method|algorithm|approach|technique)|one|whatever) (?:that|which)\b", re.I)
# a question for what is wanted ("ok what does live-ops actually want", "anything else?"): what answers it
# in a chat or a conversation lists the asks, often as bare noun phrases
_SOLICIT = re.compile(
    r"^(?:(?:ok|okay|so|and|then)\b,?\s*)*(?:what (?:else )?(?:does|do|did|would|will) [\w&/ -]{1,30}? (?:actually |really |also )?(?:want|need|ask for|expect)"
    r"|what else\b|anything else\b|what do (?:they|you|we) (?:want|need))", re.I)
# "also lone wolves, players w/ basically no raid partners": one more item in that list, a noun phrase
# with no verb before its first comma (a verb there makes it a statement: "also they suspect rings ...")
_MORE_OF_THE_LIST = re.compile(r"^(?:also|and|plus|oh and|and also)\s+(?P<head>[^,;:=]+)(?:,|$)", re.I)
# "If it's possible, teams of agents, but each team ...": a wish for a noun phrase, on a condition
_IF_POSSIBLE = re.compile(r"^(?:if (?:it'?s |it is |at all )?possible|if you can|if there'?s time|if time allows|ideally|optionally|time permitting)"
                          r"\s*,\s*(?P<head>[^,;:=]+)(?:,|$)", re.I)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|am|do|does|did|have|has|had|can|could|will|would|should|may|might|must|shall|need|needs"
    r"|want|wants|think|guess|know|suspect|said|says|say|theres|there's|it's|that's|\w+ed)\b|'(?:s|re|ve|ll|d)\b", re.I)
NO_ASK_WARNING = "no ask found in the documents: nothing in them asks for an analysis"


def _kind_priority(text: str, given: str = "") -> tuple[str, str]:
    modal = _MODAL.search(text)
    word = modal.group(1).lower() if modal else ""
    kind = "must" if word in ("must", "shall", "required", "require") else "could" if word == "could" else "should" if modal else "info"
    given = given.strip().lower()
    if given in ("high", "h", "critical", "urgent", "p0", "p1", "1", "must", "must have", "must-have", "top"):
        return kind, "high"
    if given in ("low", "l", "p3", "3", "could", "could have", "nice to have", "optional"):
        return kind, "low"
    if given in ("medium", "m", "p2", "2", "should", "normal"):
        return kind, "medium"
    return kind, "high" if _HIGH.search(text) else "low" if _LOW.search(text) else "medium"


def _owner(block: Block, text: str) -> str:
    if block.owner:
        return block.owner
    role = _ROLE.match(text)
    return role.group(1).strip() if role else ""


def _candidates(block: Block) -> list[tuple[str, bool]]:
    """(sentence, in_list) pairs of a block: a list item or table row speaks for its first
    sentence; further sentences stand on their own."""
    if block.kind in ("para", "message"):
        out: list[str] = []
        for s in sentences(block.text, casual=block.kind == "message"):
            if out and (_POINTING_BACK.match(s) or _WANTED_BACK.match(s)):
                out[-1] += " " + s
            else:
                out.append(s)
        return [(s, False) for s in out]
    parts = sentences(block.text)
    # a further sentence asking only for what the first already asks ("For each loop, who is in
    # it? We need the actual loops.") elaborates that ask: it joins it rather than repeating it
    first = {c.name for c in algorithms.asks(strip_label(parts[0]))} if parts else set()
    out = parts[:1]
    for s in parts[1:]:
        names = {c.name for c in algorithms.asks(s)}
        if names and names <= first:
            out[0] += " " + s
        else:
            out.append(s)
    return [(s, i == 0) for i, s in enumerate(out)]


def parse_requirements(sources: list[dict[str, str]]) -> Requirements:
    out = Requirements()
    seen: set[str] = set()
    for source in sources:
        solicited = False
        # "[x] Load the bookings": a task already done asks for nothing more
        found = [(block, *c) for block in blocks(source["text"]) if not block.done for c in _candidates(block)]
        for at, (block, sentence, in_list) in enumerate(found):
            context = [*block.headings, *([block.parent] if block.parent else [])]
            section = section_of(context)
            # an objective broken into areas lists its asks at the leaves; an OKR's key results are its asks
            if section == "objectives" and block.kind == "item" and (block.level >= 2 or _KEY_RESULT.match(block.text)):
                # a key result that is a target level ("Zero exposure of names", "Lift engagement 10%") asks for no analysis
                section = "objectives" if _TARGET.match(strip_label(block.text)) else "asks"
            if len(sentence) < _MIN_CHARS and not in_list:
                continue
            # an FAQ's question is the reader's ("Q: Can it find clusters?"); when its answer asks or rules
            # out, the answer says what is wanted and the question adds nothing
            if _FAQ_Q.match(sentence) and at + 1 < len(found) and _FAQ_A.match(answer := found[at + 1][1]) \
                    and classify(answer, section, False) in ("ask", "non_goal"):
                continue
            if _METHOD_HINT.search(sentence) and out.requirements and out.requirements[-1].source == source["name"]:
                out.requirements[-1].text += " " + sentence
                continue
            # "Requirement R4: Vendor must provide ...": labelled a requirement, it is one, as if listed under Requirements
            if _LABELLED_ASK.match(sentence) and section not in ("non_goals", "constraints"):
                section, in_list = "asks", True
            kind = classify(sentence, section, in_list or block.kind == "row")
            if block.kind in ("message", "para") and _SOLICIT.match(strip_label(sentence)):  # "Sam: anything else?"
                solicited = True
                if kind == "ask" and not algorithms.asks(strip_label(sentence)):
                    kind = "background"  # "What would you want to learn from the data?" asks for the asks, not an analysis
            elif solicited and kind == "background" and (more := _MORE_OF_THE_LIST.match(sentence) or _IF_POSSIBLE.match(strip_label(sentence))) \
                    and len(sentence.split()) >= 4 and not _VERBISH.search(more.group("head")):
                kind = "ask"
            if kind == "stakeholder":
                out.stakeholders.append(sentence)
            elif kind == "constraint":
                out.constraints.append(sentence)
            elif kind == "non_goal":
                out.non_goals.append(sentence)
            elif kind == "objective":
                out.objectives.append(sentence)
            elif kind == "ask":
                key = strip_label(sentence).lower()
                if key in seen or len(key) < _MIN_CHARS:
                    continue
                seen.add(key)
                req_kind, priority = _kind_priority(sentence, block.priority)
                where = f"table row {block.row}, line {block.line}" if block.kind == "row" else f"line {block.line}"
                out.requirements.append(Requirement(
                    id=f"REQ-{len(out.requirements) + 1:03d}",
                    text=sentence,
                    objective=" / ".join(c for c in context if c)[:200],
                    priority=priority,
                    kind=req_kind,
                    source=source["name"],
                    location=where,
                    owner=_owner(block, sentence),
                ))
    if sources and not out.requirements:
        out.warnings.append(NO_ASK_WARNING)
    return out

"""Grounding: every number a report's text cites must be one of the computed facts."""

from __future__ import annotations

import bisect
import math
import re
from typing import Any, Iterable

# a number standing alone: not part of an identifier such as customers/c01550 or p0256
_NUMBER = re.compile(r"(?<![\w/.\-])-?\d[\d,]*(?:\.\d+)?(?:[eE]-?\d+)?%?(?![\w/])")
_DIGIT = re.compile(r"\d")
_SMALL_COUNTS = set(range(0, 11))  # "top 5", "top 10%": phrasing, not a claim


def numbers_in(text: str) -> list[str]:
    return [m.group(0).rstrip(".") for m in _NUMBER.finditer(text)]


def fact_values(facts: Any) -> list[float]:
    """Every number anywhere in ``facts`` (nested dicts and lists)."""
    out: list[float] = []
    stack = [facts]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, (int, float)):
            out.append(float(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return out


class FactIndex:
    """The facts' numbers, sorted once, so each cited number is looked up by bisection (a Python
    list and ``bisect``: a report cites a few dozen numbers, where numpy's per-call cost dominates)."""

    def __init__(self, facts: Any) -> None:
        self.values = sorted({v for v in fact_values(facts) if not math.isnan(v)})

    def any_between(self, lo: float, hi: float) -> bool:
        i = bisect.bisect_left(self.values, lo)
        return i < len(self.values) and self.values[i] <= hi

    def matches(self, token: str) -> bool:
        """The cited text is a fact rounded to the shown decimals or significant digits (a
        percentage may cite a share: 19.8% for 0.198)."""
        percent = token.endswith("%")
        raw = token.rstrip("%").replace(",", "")
        try:
            cited = float(raw)
        except ValueError:
            return False
        decimals = len(raw.split(".", 1)[1].split("e")[0].split("E")[0]) if "." in raw else 0
        mantissa = raw.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
        tol = 0.5 * 10 ** -decimals + 1e-12
        rel = 0.5 * 10 ** (1 - len(mantissa)) if "." in raw and mantissa else 0.0
        for scale in ((100.0, 1.0) if percent else (1.0,)):
            if self.any_between((cited - tol) / scale, (cited + tol) / scale):
                return True
            if rel and cited and rel < 1:  # |cited - c| <= |c| * rel, for c = value * scale
                lo, hi = sorted((cited / (1 + rel), cited / (1 - rel)))
                if self.any_between(lo / scale, hi / scale):
                    return True
        return False


def ungrounded(text: str, facts: Any) -> list[str]:
    """Numbers cited in ``text`` that match no fact (``facts`` may be a prebuilt FactIndex)."""
    index = facts if isinstance(facts, FactIndex) else FactIndex(facts)
    out = []
    for token in numbers_in(text):
        plain = token.rstrip("%").replace(",", "")
        if plain.isdigit() and int(plain) in _SMALL_COUNTS:  # also "top 1%", "top 10%"
            continue
        if not index.matches(token):
            out.append(token)
    return out


def grounded(text: str, facts: Any) -> bool:
    return not ungrounded(text, facts)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


class Grounder:
    """Sentence-level grounding of a report's text against its facts.

    ``mask``: strings that are names, not claims (display names, ids, run ids); numbers inside them
    are not checked ("Route 66 Diner" is a name). Every checked sentence counts in ``checked``; one
    whose numbers match no fact is removed and recorded in ``removed``.
    """

    def __init__(self, facts: Any, mask: Iterable[str] = ()) -> None:
        self.values = facts if isinstance(facts, FactIndex) else FactIndex(facts)
        self.mask = sorted({m for m in mask if m and _DIGIT.search(m)}, key=len, reverse=True)  # longest first
        self.checked = 0
        self.removed: list[dict[str, Any]] = []

    def bad_numbers(self, sentence: str) -> list[str]:
        for m in self.mask:
            if m in sentence:
                sentence = sentence.replace(m, " ")
        return ungrounded(sentence, self.values)

    def check(self, text: str, where: str) -> str:
        """``text`` without its ungrounded sentences."""
        kept = []
        for sentence in sentences(text):
            self.checked += 1
            bad = self.bad_numbers(sentence)
            if bad:
                self.removed.append({"where": where, "sentence": sentence, "numbers": bad})
            else:
                kept.append(sentence)
        return " ".join(kept)

    def check_whole(self, text: str, where: str) -> bool:
        """A title is one claim: True when it is grounded (else it is recorded as removed)."""
        self.checked += 1
        bad = self.bad_numbers(text)
        if bad:
            self.removed.append({"where": where, "sentence": text, "numbers": bad})
        return not bad

    def drop(self, text: str, where: str, why: str) -> None:
        """Record grounded sentences that go because what they belong to goes."""
        for sentence in sentences(text):
            self.removed.append({"where": where, "sentence": sentence, "numbers": [], "why": why})

    def summary(self) -> dict[str, Any]:
        return {"checked": self.checked, "removed": len(self.removed), "removed_sentences": self.removed}


UNGROUNDED_TITLE = "What the analysis found"


def ground_report(report: Any, facts: Any, mask: Iterable[str] = ()) -> Any:
    """The report with every ungrounded sentence removed from its summary, insights and
    recommendations, and ``grounding = {"checked", "removed", "removed_sentences"}``.

    An insight whose title cites a wrong number, or whose description is left empty, is dropped
    with the recommendations that rest only on it. Composable: grounding a report again (say after
    LLM insights were appended) re-checks what is left and keeps the earlier removals, so the
    counts stay those of one pass over everything the report ever said.
    """
    g = Grounder(facts, mask)
    earlier = list((report.grounding or {}).get("removed_sentences", []))
    # the title is the first thing read: a wrong number there gives way to a title without numbers
    title = report.title if g.check_whole(report.title, "title") else UNGROUNDED_TITLE
    summary = g.check(report.summary, "summary")
    insights = []
    for ins in report.insights:
        where = f"insights.{ins.id}"
        title_ok = g.check_whole(ins.title, f"{where}.title")
        description = g.check(ins.description, f"{where}.description")
        if title_ok and description:
            insights.append(ins.model_copy(update={"description": description}))
        elif title_ok:
            g.drop(ins.title, f"{where}.title", "nothing grounded is left of the insight")
        else:
            g.drop(description, f"{where}.description", "the insight's title is not grounded")
    kept_ids = {i.id for i in insights}
    recs = []
    for rec in report.recommendations:
        title_ok = g.check_whole(rec.title, f"recommendations.{rec.id}.title")
        description = g.check(rec.description, f"recommendations.{rec.id}.description")
        impact = g.check(rec.impact, f"recommendations.{rec.id}.impact") if rec.impact else ""
        sources = [i for i in rec.insight_ids if i in kept_ids]
        if title_ok and description and (sources or not rec.insight_ids):
            recs.append(rec.model_copy(update={"description": description, "impact": impact, "insight_ids": sources}))
        else:
            where = f"recommendations.{rec.id}"
            why = "the insights it rests on were removed" if title_ok and description else "its title or text is not grounded"
            for text, part in ((rec.title if title_ok else "", "title"), (description, "description"), (impact, "impact")):
                g.drop(text, f"{where}.{part}", why)
    removed = earlier + g.removed
    grounding = {"checked": g.checked + len(earlier), "removed": len(removed), "removed_sentences": removed}
    return report.model_copy(update={
        "title": title, "summary": summary, "insights": insights, "recommendations": recs, "grounding": grounding,
    })

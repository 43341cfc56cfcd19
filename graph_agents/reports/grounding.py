"""Grounding: every number a report's text cites must be one of the computed facts."""

from __future__ import annotations

import re
from typing import Any, Iterable

# a number standing alone: not part of an identifier such as customers/c01550 or p0256
_NUMBER = re.compile(r"(?<![\w/.\-])-?\d[\d,]*(?:\.\d+)?(?:[eE]-?\d+)?%?(?![\w/])")
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


def _matches(token: str, values: Iterable[float]) -> bool:
    percent = token.endswith("%")
    raw = token.rstrip("%").replace(",", "")
    try:
        cited = float(raw)
    except ValueError:
        return False
    decimals = len(raw.split(".", 1)[1].split("e")[0].split("E")[0]) if "." in raw else 0
    mantissa = raw.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    for v in values:
        for candidate in ((v * 100, v) if percent else (v,)):
            # the cited text is the fact rounded to the shown decimals or significant digits
            if abs(cited - candidate) <= 0.5 * 10 ** -decimals + 1e-12:
                return True
            if "." in raw and candidate and mantissa and abs(cited - candidate) <= abs(candidate) * 0.5 * 10 ** (1 - len(mantissa)):
                return True
    return False


def ungrounded(text: str, facts: Any) -> list[str]:
    """Numbers cited in ``text`` that match no fact."""
    values = fact_values(facts)
    out = []
    for token in numbers_in(text):
        plain = token.rstrip("%").replace(",", "")
        if plain.isdigit() and int(plain) in _SMALL_COUNTS:  # also "top 1%", "top 10%"
            continue
        if not _matches(token, values):
            out.append(token)
    return out


def grounded(text: str, facts: Any) -> bool:
    return not ungrounded(text, facts)

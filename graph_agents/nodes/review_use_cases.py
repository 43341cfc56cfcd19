"""Human review of the proposed use cases (opt-in with ``review_use_cases=True``).

The node pauses the run with ``interrupt`` showing the proposed use cases; the value the run is
resumed with (``Command(resume=decision)``) approves, edits or drops them:

- ``{"action": "approve"}`` (or ``"approve"`` / ``True``): keep them as proposed;
- ``{"drop": ["UC-002", ...]}``: keep all but those;
- ``{"use_cases": [...]}``: replace them with this edited list (same fields as proposed; a
  missing ``id`` is assigned); may be combined with ``drop``.

A decision is validated against the algorithm catalog, the extracted requirement ids and the
graph's collections. An invalid one does not fail the run: the node asks again, with the error.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError

from .. import algorithms
from ..context import Context
from ..errors import InputError
from ..models import UseCase
from ..state import State

ACTIONS = ("approve", "drop", "edit")


class ReviewError(InputError):
    """A review decision that cannot be applied; the message says why, on one line."""


def review_request(state: dict[str, Any], error: str | None = None) -> dict[str, Any]:
    """What the interrupt shows: the proposal and what a valid answer may contain."""
    requirements = (state.get("extracted") or {}).get("requirements") or []
    collections = [c["name"] for c in (state.get("graph_schema") or {}).get("collections") or []]
    request = {
        "kind": "review_use_cases",
        "question": "Approve, edit or drop the proposed use cases.",
        "use_cases": list(state.get("use_cases") or []),
        "requirements": [{"id": r["id"], "text": r["text"]} for r in requirements],
        "algorithms": sorted(algorithms.CATALOG),
        "collections": collections,
        "answer": {
            "approve": {"action": "approve"},
            "drop": {"drop": ["UC-002"]},
            "edit": {"use_cases": "[the edited list of use cases]"},
        },
    }
    if error:
        request["error"] = error
    return request


def apply_review(request: dict[str, Any], decision: Any) -> list[dict[str, Any]]:
    """The use cases after ``decision``, validated; raises :class:`ReviewError`."""
    proposed = list(request.get("use_cases") or [])
    if decision is True or (isinstance(decision, str) and decision.strip().lower() in ("approve", "approved", "yes")):
        return proposed
    if not isinstance(decision, dict):
        raise ReviewError(f"a review decision is a JSON object such as {{'action': 'approve'}}, got {decision!r}")
    unknown = set(decision) - {"action", "use_cases", "drop"}
    if unknown:
        raise ReviewError(f"unknown key(s) in review decision: {sorted(unknown)}; use action, use_cases, drop")
    action = decision.get("action")
    if action is not None and action not in ACTIONS:
        raise ReviewError(f"unknown review action {action!r}; known: {', '.join(ACTIONS)}")
    if action == "approve" and ("use_cases" in decision or "drop" in decision):
        raise ReviewError("'approve' keeps the proposal as is; give use_cases or drop without it")
    if action is None and "use_cases" not in decision and "drop" not in decision:
        raise ReviewError("empty review decision: give action 'approve', drop [...] or use_cases [...]")
    if action == "drop" and "drop" not in decision:
        raise ReviewError("action 'drop' needs the ids to drop: {'drop': ['UC-002']}")
    if action == "edit" and "use_cases" not in decision:
        raise ReviewError("action 'edit' needs the edited list: {'use_cases': [...]}")

    use_cases = proposed
    if "use_cases" in decision:
        use_cases = _validate_edited(decision["use_cases"], request)
    drop = decision.get("drop") or []
    if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
        raise ReviewError("'drop' is a list of use case ids such as ['UC-002']")
    ids = {u["id"] for u in use_cases}
    missing = [d for d in drop if d not in ids]
    if missing:
        raise ReviewError(f"cannot drop unknown use case(s) {missing}; known: {sorted(ids)}")
    return [u for u in use_cases if u["id"] not in set(drop)]


def _validate_edited(items: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise ReviewError("'use_cases' is a list of use cases")
    req_ids = {r["id"] for r in request.get("requirements") or []}
    collections = set(request.get("collections") or [])
    out: list[dict[str, Any]] = []
    taken = {i.get("id") for i in items if isinstance(i, dict) and i.get("id")}
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ReviewError(f"use case {n}: expected an object, got {item!r}")
        item = dict(item)
        if not item.get("id"):
            next_id = next(f"UC-{k:03d}" for k in range(1, len(items) + len(taken) + 2) if f"UC-{k:03d}" not in taken)
            taken.add(next_id)
            item["id"] = next_id
        algo = item.get("algorithm")
        if algo not in algorithms.CATALOG:
            raise ReviewError(f"use case {item['id']}: unknown algorithm {algo!r}; known: {sorted(algorithms.CATALOG)}")
        item.setdefault("title", f"{algorithms.CATALOG[algo].title} (edited)")
        try:
            uc = UseCase.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ReviewError(f"use case {item['id']}: field {where!r}: {first['msg']}") from None
        unknown_reqs = [r for r in uc.requirement_ids if r not in req_ids]
        if unknown_reqs:
            raise ReviewError(f"use case {uc.id}: unknown requirement id(s) {unknown_reqs}; known: {sorted(req_ids)}")
        unknown_colls = [c for c in uc.focus if c not in collections]
        if unknown_colls:
            raise ReviewError(f"use case {uc.id}: unknown collection(s) in focus {unknown_colls}")
        if any(uc.id == o["id"] for o in out):
            raise ReviewError(f"use case id {uc.id} appears twice")
        out.append(uc.dump())
    return out


async def review_use_cases(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    if not state.get("review_use_cases"):
        return {}
    error = None
    while True:  # each answer is one interrupt of this node; a bad answer is asked again
        decision = interrupt(review_request(state, error))
        try:
            return {"use_cases": apply_review(review_request(state), decision)}
        except ReviewError as exc:
            error = str(exc)

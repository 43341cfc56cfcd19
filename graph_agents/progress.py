"""Progress events from the graph's stream: each node and each analysis as it starts and ends,
and how far a long step has got.

The runner streams the graph with ``stream_mode=["tasks", "custom"]`` and turns every task start
and result, every step an analysis reports on the custom stream (its execute and report steps),
and every progress report into a :class:`ProgressEvent` for an optional callback (the CLI's live
view and its progress bars).

A long step (a graph load, a GAE job) reports how far it has got with :func:`report_progress`,
which writes one chunk on the graph's ``custom`` stream — so Studio and an SDK client streaming
``custom`` see the same events as the CLI::

    {"progress": {"task": "gae-job-17", "label": "GAE pagerank job 17", "done": 40, "total": 100,
                  "unit": "steps", "template_id": "T-001" | None}}

``task`` names one bar (the same task reports again with a larger ``done``); ``total`` is None when
unknown; a task is finished when ``done >= total``. Called outside a graph run it does nothing.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Union

ProgressCallback = Callable[["ProgressEvent"], Union[None, Awaitable[None]]]
PROGRESS_KEY = "progress"  # the custom-stream chunk a progress report is sent as


def progress_payload(task: str, done: float, total: float | None = None, *, label: str = "",
                     unit: str = "", template_id: str | None = None) -> dict[str, Any]:
    """What a progress report says: ``{"task", "label", "done", "total", "unit", "template_id"}``."""
    return {"task": task, "label": label or task, "done": done, "total": total, "unit": unit, "template_id": template_id}


def report_progress(task: str, done: float, total: float | None = None, *, label: str = "",
                    unit: str = "", template_id: str | None = None) -> None:
    """Say on the graph's custom stream how far ``task`` has got (see the module's docstring)."""
    from langgraph.config import get_stream_writer

    try:
        writer = get_stream_writer()
    except RuntimeError:  # not inside a graph run: nobody to tell
        return
    writer({PROGRESS_KEY: progress_payload(task, done, total, label=label, unit=unit, template_id=template_id)})


@dataclass
class ProgressEvent:
    kind: str  # "start", "end", "review" (the run paused for a person) or "progress" (see report_progress)
    node: str  # the node's name: "analyze_schema", "analyze", or "execute"/"report" inside analyze
    path: tuple[str, ...] = ()  # the enclosing node of a step: ("analyze",)
    task_id: str = ""
    template_id: str | None = None
    algorithm: str | None = None
    status: str | None = None  # on "end": "completed", "failed" or "interrupted"
    error: str | None = None
    elapsed_s: float | None = None  # on "end": seconds since this task's "start"
    at: float = field(default_factory=time.time)
    payload: Any = None  # on "review": what the interrupt shows
    done: float | None = None  # on "progress": how far the task has got, out of ``total`` (None: unknown)
    total: float | None = None
    unit: str = ""
    title: str = ""  # on "progress": what the task is, for a person ("GAE pagerank job 17")

    @property
    def label(self) -> str:
        return "/".join([*self.path, self.node])


class ProgressTracker:
    """Turns ("tasks" | "custom", data) stream chunks into events and hands them to a callback."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self._started: dict[str, tuple[float, ProgressEvent]] = {}

    async def feed(self, mode: str, data: Any) -> None:
        if self.callback is None:
            return
        if mode == "custom":
            if isinstance(data, dict) and "analysis_step" in data:
                await self._step(data)
            elif isinstance(data, dict) and isinstance(data.get(PROGRESS_KEY), dict):
                p = data[PROGRESS_KEY]
                await self._emit(ProgressEvent("progress", str(p.get("task", "")), task_id=str(p.get("task", "")),
                                               template_id=p.get("template_id"), done=p.get("done"),
                                               total=p.get("total"), unit=p.get("unit") or "",
                                               title=p.get("label") or str(p.get("task", ""))))
            return
        path: tuple[str, ...] = ()
        task_id = str(data.get("id", ""))
        if "input" in data:  # a task starts
            await self._start(ProgressEvent("start", data["name"], path, task_id, *_template(data.get("input"))))
            return
        elapsed, start = self._finish(task_id)
        tid, algo = (start.template_id, start.algorithm) if start else (None, None)
        result = data.get("result")
        status = "failed" if data.get("error") else "completed"
        error = str(data["error"]) if data.get("error") else None
        if isinstance(result, dict) and tid:  # an analysis that caught its engine's failure
            outcome = (result.get("execution_results") or {}).get(tid) or {}
            if outcome.get("status") == "failed":
                status, error = "failed", outcome.get("error")
        if data.get("interrupts"):
            status = "interrupted"
        await self._emit(ProgressEvent("end", data["name"], path, task_id, tid, algo, status, error, elapsed_s=elapsed))
        for intr in data.get("interrupts") or []:
            value = intr.get("value") if isinstance(intr, dict) else getattr(intr, "value", None)
            await self._emit(ProgressEvent("review", data["name"], path, task_id, payload=value))

    async def _step(self, data: dict[str, Any]) -> None:
        """A step inside an analysis (``analysis_step`` events of the analyze node)."""
        step_id = str(data.get("id", ""))
        where = (data["analysis_step"], ("analyze",), step_id, data.get("template_id"), data.get("algorithm"))
        if data.get("event") == "start":
            await self._start(ProgressEvent("start", *where))
            return
        elapsed, _ = self._finish(step_id)
        await self._emit(ProgressEvent("end", *where, data.get("status"), data.get("error"), elapsed_s=elapsed))

    async def _start(self, event: ProgressEvent) -> None:
        self._started[event.task_id] = (time.monotonic(), event)
        await self._emit(event)

    def _finish(self, task_id: str) -> tuple[float | None, ProgressEvent | None]:
        """Seconds since ``task_id`` started, and its start event (None, None: not seen starting)."""
        began, start = self._started.pop(task_id, (None, None))
        return (time.monotonic() - began if began is not None else None), start

    async def _emit(self, event: ProgressEvent) -> None:
        out = self.callback(event)  # type: ignore[misc]
        if inspect.isawaitable(out):
            await out


def _template(payload: Any) -> tuple[str | None, str | None]:
    template = payload.get("template") if isinstance(payload, dict) else None
    if isinstance(template, dict):
        return template.get("id"), template.get("algorithm")
    return None, None

"""What happened in a run, how long it took, how many tokens, what it cost.

:class:`TraceRecorder` is a LangChain callback handler passed in the run's config: LangGraph
reports every node (``metadata["langgraph_node"]``), every ``Send`` task and the steps inside it, and
every chat-model call made inside a node through it, so no node records anything by hand.
``finish()`` turns what it saw into a :class:`Trace`: a summary, JSON, an HTML timeline and
Markdown. LangSmith is untouched: LangChain adds its own tracer next to ours when the user sets
``LANGSMITH_TRACING``/``LANGSMITH_API_KEY``, and nothing here opens a connection.
"""

from __future__ import annotations

import json
import threading
import time
import tomllib
from pathlib import Path
from typing import Any, Iterable
from uuid import UUID

from jinja2 import Environment
from langchain_core.callbacks import BaseCallbackHandler

from .llm.usage import LLM_CALL_EVENT, UNKNOWN, calls_text, time_text, tokens_text, totals
from .reports.render import md_text
from .secrets import Scrubber
from .settings import Settings

FORMATS = ("json", "html", "markdown")
SLOWEST = 5

# USD per 1M tokens, as the providers publish them; override or extend with GRAPH_AGENTS_PRICES
# (a JSON or TOML file) or AgenticWorkflowRunner(prices=...). Unknown models are reported as unpriced.
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "gpt-4o-mini": {"input": 0.15, "output": 0.60},
    "gpt-4o": {"input": 2.50, "output": 10.00},
    "gpt-4.1-nano": {"input": 0.10, "output": 0.40},
    "gpt-4.1-mini": {"input": 0.40, "output": 1.60},
    "gpt-4.1": {"input": 2.00, "output": 8.00},
    "o3-mini": {"input": 1.10, "output": 4.40},
    "o4-mini": {"input": 1.10, "output": 4.40},
    "gpt-3.5-turbo": {"input": 0.50, "output": 1.50},
}


class PriceTable:
    """Per-model prices (USD per 1M input / output tokens); a dated model name such as
    ``gpt-4o-mini-2024-07-18`` takes the price of its longest known prefix."""

    def __init__(self, prices: dict[str, dict[str, float]] | None = None) -> None:
        self.prices = {k.lower(): v for k, v in (prices or {}).items()}

    @classmethod
    def load(cls, *sources: Any) -> "PriceTable":
        """Defaults, then each source in turn (a dict, or a path to a JSON or TOML file)."""
        table = dict(DEFAULT_PRICES)
        for source in sources:
            if source is None:
                continue
            if isinstance(source, (str, Path)):
                path = Path(source)
                text = path.read_text(encoding="utf-8")
                source = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
            table.update({str(k): {"input": float(v.get("input", 0)), "output": float(v.get("output", 0))}
                          for k, v in dict(source).items()})
        return cls(table)

    def price(self, model: str | None) -> dict[str, float] | None:
        if not model:
            return None
        name = model.lower().rsplit("/", 1)[-1]
        best = max((k for k in self.prices if name.startswith(k)), key=len, default=None)
        return self.prices[best] if best else None

    def cost(self, model: str | None, input_tokens: int, output_tokens: int) -> float | None:
        p = self.price(model)
        if p is None:
            return None
        return (input_tokens * p["input"] + output_tokens * p["output"]) / 1_000_000


def preview(obj: Any, limit: int = 300, depth: int = 0) -> Any:
    """A JSON-able, truncated copy of ``obj`` (debug-mode node inputs and outputs)."""
    if depth > 4:
        return "…"
    if isinstance(obj, str):
        return obj if len(obj) <= limit else obj[:limit] + f"… (+{len(obj) - limit} chars)"
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    if isinstance(obj, dict):
        items = list(obj.items())
        out = {str(k): preview(v, limit, depth + 1) for k, v in items[:30]}
        if len(items) > 30:
            out["…"] = f"{len(items) - 30} more keys"
        return out
    if isinstance(obj, (list, tuple, set)):
        seq = list(obj)
        out_list = [preview(v, limit, depth + 1) for v in seq[:10]]
        return out_list + ([f"… {len(seq) - 10} more"] if len(seq) > 10 else [])
    if hasattr(obj, "content") and hasattr(obj, "type"):  # a LangChain message
        return {"type": obj.type, "content": preview(obj.content, limit, depth + 1)}
    if hasattr(obj, "model_dump"):
        return preview(obj.model_dump(mode="json"), limit, depth)
    return preview(str(obj), limit, depth)


# -- the recorder -------------------------------------------------------------------------------


def _is_node(name: str | None, tags: list[str] | None, metadata: dict[str, Any] | None) -> bool:
    """A LangGraph node task (not a router inside a node), or a step of one (an analysis's
    execute and report steps are child runs marked ``graph_agents_step``)."""
    if not metadata:
        return False
    if metadata.get("graph_agents_step") == name:
        return True
    return metadata.get("langgraph_node") == name and any(t.startswith("graph:step:") for t in tags or [])


class TraceRecorder(BaseCallbackHandler):
    """Collects node spans, LLM calls, engine jobs and errors from LangChain/LangGraph callbacks."""

    run_inline = True  # called in the event loop (or the worker thread of a sync call), in order
    raise_error = False

    def __init__(self, settings: Settings | None = None, *, prices: Any = None, debug: bool = False,
                 in_graph: bool = False) -> None:
        super().__init__()
        settings = settings or Settings()
        # True: no runner drives the run (the LangGraph server), so the finalize node writes the trace
        self.in_graph = in_graph
        self.prices = PriceTable.load(settings.prices_file, prices)
        self.scrub = Scrubber(settings)
        self.debug = debug
        self.started_at = time.time()
        self._t0 = time.perf_counter()
        self._lock = threading.Lock()
        self._parents: dict[UUID, UUID | None] = {}
        self._spans: dict[UUID, dict[str, Any]] = {}
        self._calls: dict[UUID, dict[str, Any]] = {}  # each chat-model request the callbacks saw
        self.invocations: list[dict[str, Any]] = []  # what graph_agents.llm.propose announced
        self._has_children: set[UUID] = set()
        self._seen_errors: set[int] = set()
        self.engine_jobs: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def _now(self) -> float:
        return round(time.perf_counter() - self._t0, 6)

    def _span_of(self, run_id: UUID | None) -> UUID | None:
        """The nearest enclosing node span of a run (itself included)."""
        while run_id is not None and run_id not in self._spans:
            run_id = self._parents.get(run_id)
        return run_id

    # chains: graph, nodes, steps
    def on_chain_start(self, serialized, inputs, *, run_id, parent_run_id=None, tags=None, metadata=None, **kw):
        name = kw.get("name") or (serialized or {}).get("name")
        with self._lock:
            self._parents[run_id] = parent_run_id
            if not _is_node(name, tags, metadata):
                return
            parent = self._span_of(parent_run_id)
            if parent is not None:
                self._has_children.add(parent)
            template = inputs.get("template") if isinstance(inputs, dict) else None
            tid = template.get("id") if isinstance(template, dict) else None
            span = {
                "id": str(run_id), "parent": str(parent) if parent else None, "node": name,
                "label": f"{name}[{tid}]" if tid else name, "template_id": tid,
                "step": metadata.get("langgraph_step"), "start": self._now(), "end": None, "status": "running",
            }
            if self.debug:
                span["inputs"] = self.scrub(preview(inputs))
            self._spans[run_id] = span

    def on_chain_end(self, outputs, *, run_id, **kw):
        with self._lock:
            span = self._spans.get(run_id)
            if span is None:
                return
            span.update(end=self._now(), status="completed")
            if self.debug:
                span["outputs"] = self.scrub(preview(outputs))
            if run_id in self._has_children or not isinstance(outputs, dict):
                return  # a node's output repeats what its steps already reported
            for result in (outputs.get("execution_results") or {}).values():
                self.engine_jobs.append({
                    "span": span["id"], "template_id": result.get("template_id"), "algorithm": result.get("algorithm"),
                    "engine": result.get("engine"), "status": result.get("status"), "result_count": result.get("result_count"),
                    "start": span["start"], "end": span["end"],
                    "duration_s": round(max(0.0, (result.get("finished_at") or 0) - (result.get("started_at") or 0)), 6),
                    "error": self.scrub(result["error"]) if result.get("error") else None,
                })
            for err in outputs.get("errors") or []:
                self.errors.append({"where": span["label"], "time": span["end"],
                                    "message": self.scrub(str(err.get("error", err)))})

    def on_chain_error(self, error, *, run_id, **kw):
        with self._lock:
            span = self._spans.get(run_id)
            cancelled = type(error).__name__ == "CancelledError"
            if span is not None:
                span.update(end=self._now(), status="cancelled" if cancelled else "failed",
                            error=self.scrub(f"{type(error).__name__}: {error}"))
            if cancelled or id(error) in self._seen_errors or (span is None and self._parents.get(run_id) is not None):
                return  # report each failure once, where it happened
            self._seen_errors.add(id(error))
            self.errors.append({"where": span["label"] if span else "graph", "time": self._now(),
                                "message": self.scrub(f"{type(error).__name__}: {error}")})

    # models
    def _start_call(self, run_id, parent_run_id, metadata, kw, n_in, messages):
        with self._lock:
            self._parents[run_id] = parent_run_id
            span = self._span_of(parent_run_id)
            params = kw.get("invocation_params") or {}
            call = {
                "id": str(run_id), "span": str(span) if span else None,
                "agent": self._spans[span]["label"] if span else (metadata or {}).get("langgraph_node", "?"),
                "model": params.get("model") or params.get("model_name") or (metadata or {}).get("ls_model_name"),
                "start": self._now(), "end": None, "latency_s": None, "messages_in": n_in, "messages_out": 0,
                "input_tokens": 0, "output_tokens": 0, "cached": False, "cost_usd": None, "status": "running",
                # an attempt of a proposal is counted in that proposal's record, not on its own
                "in_proposal": bool((metadata or {}).get("graph_agents_agent")),
            }
            if self.debug:
                call["messages"] = self.scrub(preview(messages))
            self._calls[run_id] = call

    def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, metadata=None, **kw):
        self._start_call(run_id, parent_run_id, metadata, kw, sum(len(m) for m in messages), messages)

    def on_llm_start(self, serialized, prompts, *, run_id, parent_run_id=None, metadata=None, **kw):
        self._start_call(run_id, parent_run_id, metadata, kw, len(prompts), prompts)

    def on_llm_end(self, response, *, run_id, **kw):
        with self._lock:
            call = self._calls.get(run_id)
            if call is None:
                return
            gens = [g for batch in response.generations for g in batch]
            messages = [g.message for g in gens if hasattr(g, "message")]
            usage: dict[str, Any] = {}
            meta: dict[str, Any] = {}
            for m in messages:
                for k, v in (getattr(m, "usage_metadata", None) or {}).items():
                    usage[k] = usage.get(k, 0) + v if isinstance(v, (int, float)) else v
                meta.update(getattr(m, "response_metadata", None) or {})
            llm_output = response.llm_output or {}
            legacy = llm_output.get("token_usage") or {}
            call["input_tokens"] = int(usage.get("input_tokens", legacy.get("prompt_tokens", 0)) or 0)
            call["output_tokens"] = int(usage.get("output_tokens", legacy.get("completion_tokens", 0)) or 0)
            call["model"] = meta.get("model_name") or llm_output.get("model_name") or call["model"]
            # LangChain's cache zeroes total_cost on a hit; a custom cache may flag the metadata
            call["cached"] = usage.get("total_cost") == 0 or bool(meta.get("cached") or meta.get("cache_hit"))
            cost = self.prices.cost(call["model"], call["input_tokens"], call["output_tokens"])
            call["cost_usd"] = 0.0 if call["cached"] else cost
            call["priced"] = cost is not None or call["cached"]
            call.update(end=self._now(), status="completed", messages_out=len(messages) or len(gens))
            call["latency_s"] = round(call["end"] - call["start"], 6)
            if self.debug:
                call["output"] = self.scrub(preview([getattr(g, "text", "") for g in gens]))

    def on_llm_error(self, error, *, run_id, **kw):
        with self._lock:
            call = self._calls.get(run_id)
            message = self.scrub(f"{type(error).__name__}: {error}")
            if call is not None:
                call.update(end=self._now(), status="failed", error=message)
                call["latency_s"] = round(call["end"] - call["start"], 6)
                if call["in_proposal"]:
                    return  # the proposal's record holds it; the agent kept its deterministic result
            self.errors.append({"where": f"llm:{call['agent'] if call else '?'}", "time": self._now(), "message": message})

    def on_custom_event(self, name, data, *, run_id, **kw):
        """What a node reports with ``adispatch_custom_event`` (e.g. an LLM proposal dropped by
        validation); ``graph_agents.llm_call`` is one LLM invocation with its attempts."""
        with self._lock:
            span = self._span_of(run_id)
            if name == LLM_CALL_EVENT and isinstance(data, dict):
                self.invocations.append(self._invocation(data, span))
                return
            self.events.append({"name": name, "agent": self._spans[span]["label"] if span else None,
                                "time": self._now(), "data": self.scrub(preview(data))})

    def _invocation(self, record: dict[str, Any], span: UUID | None) -> dict[str, Any]:
        call = dict(record)
        call["span"] = str(span) if span else None
        if span is not None:
            call["agent"] = self._spans[span]["label"]
        call["start"] = round((record.get("started_at") or self.started_at) - self.started_at, 6)
        call["end"] = round((record.get("ended_at") or self.started_at) - self.started_at, 6)
        tokens_in, tokens_out = call.get("input_tokens"), call.get("output_tokens")
        known = isinstance(tokens_in, int) and isinstance(tokens_out, int)
        cost = self.prices.cost(call.get("model"), tokens_in, tokens_out) if known else None
        call["cost_usd"] = 0.0 if call.get("cached") or not call.get("attempts") else cost
        call["priced"] = call["cost_usd"] is not None or not known
        call["status"] = "completed" if call.get("ok") else "budget" if call.get("budget_hit") else "failed"
        return call

    def _standalone(self, call: dict[str, Any]) -> dict[str, Any]:
        """A chat-model request made outside a proposal, as an invocation record of its own."""
        done = call["status"] == "completed"
        return {**call, "method": None, "attempts": 1, "ok": done, "parsed": None,
                "input_tokens": call["input_tokens"] if done else UNKNOWN,
                "output_tokens": call["output_tokens"] if done else UNKNOWN,
                "started_at": self.started_at + call["start"], "ended_at": self.started_at + call["end"]}

    def finish(self, **meta: Any) -> "Trace":
        """The trace so far; spans still open (a crash) are marked interrupted."""
        with self._lock:
            now = self._now()
            for item in [*self._spans.values(), *self._calls.values()]:
                if item["end"] is None:
                    item.update(end=now, status="interrupted")
            nodes = sorted((dict(s) for s in self._spans.values()), key=lambda s: (s["start"], s["label"]))
            for s in nodes:
                s["duration_s"] = round(s["end"] - s["start"], 6)
            attempts = sorted((dict(c) for c in self._calls.values()), key=lambda c: c["start"])
            calls = [*self.invocations, *(self._standalone(c) for c in attempts if not c["in_proposal"])]
            return Trace(
                meta={"started_at": self.started_at, "duration_s": now, "debug": self.debug, **meta},
                nodes=nodes,
                llm_calls=sorted(calls, key=lambda c: c["start"]),
                llm_attempts=attempts,
                engine_jobs=list(self.engine_jobs),
                errors=list(self.errors),
                events=list(self.events),
                scrub=self.scrub,
            )


def graph_recorder(config: Any) -> "TraceRecorder | None":
    """The run's recorder whose trace the graph writes itself (see ``in_graph``), from a node's config."""
    callbacks = (config or {}).get("callbacks")
    handlers = getattr(callbacks, "handlers", callbacks) or []
    return next((h for h in handlers if isinstance(h, TraceRecorder) and h.in_graph), None)


# -- the trace ----------------------------------------------------------------------------------


class Trace:
    def __init__(self, meta, nodes, llm_calls, engine_jobs, errors, events=(), scrub: Scrubber | None = None,
                 llm_attempts=()) -> None:
        self.meta: dict[str, Any] = meta
        self.nodes: list[dict[str, Any]] = nodes
        # one record per invocation (its retries inside it; see graph_agents.llm.usage) ...
        self.llm_calls: list[dict[str, Any]] = llm_calls
        # ... and every request the chat model's callbacks reported (the timeline draws these)
        self.llm_attempts: list[dict[str, Any]] = list(llm_attempts)
        self.engine_jobs: list[dict[str, Any]] = engine_jobs
        self.errors: list[dict[str, Any]] = errors
        self.events: list[dict[str, Any]] = list(events)
        self.scrub = scrub or Scrubber()

    @property
    def steps(self) -> list[dict[str, Any]]:
        """Top-level node tasks (an ``analyze`` task counts once, its execute/report inside it)."""
        return [n for n in self.nodes if n["parent"] is None]

    def summary(self) -> dict[str, Any]:
        done = [s for s in self.steps if s["status"] == "completed"]
        llm = totals(self.llm_calls)
        costs = [c["cost_usd"] for c in self.llm_calls if c.get("cost_usd") is not None]
        return {
            "total_time_s": round(self.meta.get("duration_s", 0.0), 4),
            "steps_completed": len(done),
            "steps_failed": sum(1 for s in self.steps if s["status"] == "failed"),
            "average_step_s": round(sum(s["duration_s"] for s in done) / len(done), 4) if done else 0.0,
            "llm_calls": llm["calls"],
            "llm_attempts": llm["attempts"],
            "llm_cached_calls": llm["cached_calls"],
            "llm_parsed_calls": llm["parsed_calls"],
            "llm_failed_calls": llm["failed_calls"],
            "llm_budget_hits": llm["budget_hits"],
            "llm_time_summed_s": llm["time_summed_s"],
            "llm_wait_wall_s": llm["wait_wall_s"],
            "input_tokens": llm["input_tokens"],
            "output_tokens": llm["output_tokens"],
            "llm_unknown_usage_calls": llm["unknown_usage_calls"],
            "estimated_cost_usd": round(sum(costs), 6),
            "unpriced_models": sorted({str(c.get("model")) for c in self.llm_calls
                                       if c.get("attempts") and not c.get("priced")}),
            "messages_exchanged": sum(c["messages_in"] + c["messages_out"] for c in self.llm_attempts),
            "engine_jobs": len(self.engine_jobs),
            "errors": len(self.errors),
            "events": len(self.events),
            "slowest_agents": [
                {"agent": s["label"], "duration_s": round(s["duration_s"], 4)}
                for s in sorted(self.steps, key=lambda s: -s["duration_s"])[:SLOWEST]
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        return self.scrub({"meta": self.meta, "summary": self.summary(), "nodes": self.nodes,
                           "llm_calls": self.llm_calls, "llm_attempts": self.llm_attempts,
                           "engine_jobs": self.engine_jobs, "errors": self.errors, "events": self.events})

    def print_summary(self, console: Any = None) -> dict[str, Any]:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        s = self.summary()
        console = console or Console()
        title = f"Workflow trace: run {self.meta.get('thread_id', '?')} ({self.meta.get('status', '?')})"
        table = Table(title=Text(title), show_header=False, box=None, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        llm = llm_view(s)
        cost = f"${s['estimated_cost_usd']:.6f}" + (f" (unpriced: {', '.join(s['unpriced_models'])})" if s["unpriced_models"] else "")
        for label, value in [
            ("Total time", f"{s['total_time_s']:.2f} s"),
            ("Steps completed", str(s["steps_completed"])),
            ("Average time per step", f"{s['average_step_s']:.2f} s"),
            ("LLM calls", calls_text(llm)),
            ("LLM time", time_text(llm)),
            ("Tokens", tokens_text(llm)),
            ("Estimated cost", cost),
            ("Messages exchanged", str(s["messages_exchanged"])),
            ("Engine jobs", str(s["engine_jobs"])),
            ("Errors", str(s["errors"])),
        ]:
            table.add_row(label, value)
        table.add_row("Slowest agents", "")
        for i, a in enumerate(s["slowest_agents"], 1):
            table.add_row(Text(f"  {i}. {a['agent']}"), f"{a['duration_s']:.2f} s")  # labels are data, not markup
        console.print(table, highlight=False)
        return s

    def export(self, output_dir: str | Path, formats: Iterable[str] = FORMATS) -> dict[str, str]:
        formats = list(formats)
        unknown = set(formats) - set(FORMATS)
        if unknown:
            raise ValueError(f"unknown trace format(s): {sorted(unknown)}; known: {list(FORMATS)}")
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        data = self.to_dict()
        writers = {"json": ("trace.json", lambda: json.dumps(data, indent=2, default=str)),
                   "html": ("trace.html", lambda: render_html(data)),
                   "markdown": ("trace.md", lambda: render_markdown(data))}
        paths = {}
        for fmt in formats:
            name, render = writers[fmt]
            (out / name).write_text(render(), encoding="utf-8")
            paths[fmt] = str(out / name)
        return paths


# -- renderers ----------------------------------------------------------------------------------


def llm_view(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary's LLM keys under the names of :func:`graph_agents.llm.usage.totals`."""
    return {k.removeprefix("llm_"): v for k, v in summary.items()}

_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<title>Trace {{ meta.thread_id }}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table.summary td { padding: 2px 12px 2px 0; }
.timeline { margin-top: 1.5em; }
.row { display: flex; align-items: center; height: 26px; border-bottom: 1px solid #eee; }
.label { width: 220px; flex: none; font-family: monospace; font-size: 12px; overflow: hidden; white-space: nowrap; }
.track { position: relative; flex: 1; height: 20px; background: #fafafa; }
.bar { position: absolute; top: 2px; height: 16px; background: #7aa6da; border-radius: 3px; min-width: 2px; }
.bar.failed, .bar.interrupted { background: #e06c75; }
.bar.cancelled { background: #bbb; }
.seg { position: absolute; top: 5px; height: 10px; background: #2b5d95; opacity: .8; min-width: 1px; }
.seg.report { background: #98c379; }
.llm { position: absolute; top: 0; height: 20px; width: 2px; background: #d19a66; }
.axis { display: flex; justify-content: space-between; margin-left: 220px; color: #888; font-size: 12px; }
.errors li { color: #b00; }
.key { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
</style></head><body>
<h1>Workflow trace {{ meta.thread_id }}</h1>
<table class="summary">
<tr><td>Status</td><td>{{ meta.status }}</td></tr>
<tr><td>Total time</td><td>{{ "%.3f"|format(summary.total_time_s) }} s</td></tr>
<tr><td>Steps completed</td><td>{{ summary.steps_completed }} (average {{ "%.3f"|format(summary.average_step_s) }} s)</td></tr>
<tr><td>LLM calls</td><td>{{ llm_calls }}</td></tr>
<tr><td>LLM time</td><td>{{ llm_time }}</td></tr>
<tr><td>Tokens</td><td>{{ llm_tokens }}</td></tr>
<tr><td>Estimated cost</td><td>${{ "%.4f"|format(summary.estimated_cost_usd) }}</td></tr>
<tr><td>Messages exchanged</td><td>{{ summary.messages_exchanged }}</td></tr>
<tr><td>Errors</td><td>{{ summary.errors }}</td></tr>
</table>
<div class="timeline">
<p class="legend"><span class="key" style="background:#7aa6da"></span> step
<span class="key" style="background:#2b5d95"></span> execute
<span class="key" style="background:#98c379"></span> report
<span class="key" style="background:#d19a66"></span> LLM call
<span class="key" style="background:#e06c75"></span> failed</p>
<div class="axis"><span>0 s</span><span>{{ "%.3f"|format(total) }} s</span></div>
{% for row in rows %}
<div class="row"><div class="label" title="{{ row.span.label }}">{{ row.span.label }}</div><div class="track">
<div class="bar {{ row.span.status }}" data-label="{{ row.span.label }}" data-start="{{ row.span.start }}" data-end="{{ row.span.end }}"
 style="left: {{ pos(row.span.start) }}%; width: {{ pos(row.span.end - row.span.start) }}%"
 title="{{ row.span.label }}: {{ '%.3f'|format(row.span.duration_s) }} s ({{ row.span.status }})"></div>
{% for seg in row.children %}<div class="seg {{ seg.node }}" style="left: {{ pos(seg.start) }}%; width: {{ pos(seg.end - seg.start) }}%"
 title="{{ seg.label }}: {{ '%.3f'|format(seg.duration_s) }} s"></div>{% endfor %}
{% for call in row.calls %}<div class="llm" style="left: {{ pos(call.start) }}%" title="{{ call.model }}: {{ call.input_tokens }}+{{ call.output_tokens }} tokens{{ ' (cached)' if call.cached }}"></div>{% endfor %}
</div></div>
{% endfor %}
</div>
{% if errors %}<h2>Errors</h2><ul class="errors">{% for e in errors %}<li>{{ e.where }}: {{ e.message }}</li>{% endfor %}</ul>{% endif %}
{% if events %}<h2>Events</h2><ul>{% for e in events %}<li>{{ "%.3f"|format(e.time) }} s {{ e.agent }}: {{ e.name }} {{ e.data|tojson }}</li>{% endfor %}</ul>{% endif %}
</body></html>
"""


def _top(nodes: list[dict[str, Any]]) -> dict[str, str]:
    by_id = {n["id"]: n for n in nodes}
    top = {}
    for n in nodes:
        cur = n
        while cur["parent"] in by_id:
            cur = by_id[cur["parent"]]
        top[n["id"]] = cur["id"]
    return top


# the page is static: no script, no request anywhere; only its own inline styles
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render_html(data: dict[str, Any]) -> str:
    """A Gantt-style timeline: one row per step, parallel analyses on rows that overlap in time,
    execute/report segments and LLM calls inside their step."""
    nodes = data["nodes"]
    top = _top(nodes)
    total = max([data["meta"].get("duration_s", 0.0), *(n["end"] for n in nodes)] or [0.0]) or 1.0
    rows = [{"span": n, "children": [c for c in nodes if c["parent"] is not None and top[c["id"]] == n["id"]],
             "calls": [c for c in data["llm_attempts"] if c["span"] and top.get(c["span"]) == n["id"]]}
            for n in nodes if n["parent"] is None]
    env = Environment(autoescape=True)
    llm = llm_view(data["summary"])
    return env.from_string(_HTML).render(
        csp=CSP, meta=data["meta"], summary=data["summary"], rows=rows, errors=data["errors"], events=data["events"], total=total,
        llm_calls=calls_text(llm), llm_time=time_text(llm), llm_tokens=tokens_text(llm),
        pos=lambda t: round(100.0 * max(0.0, t) / total, 3),
    )


def render_markdown(data: dict[str, Any]) -> str:
    s, meta = data["summary"], data["meta"]
    llm = llm_view(s)
    lines = [f"# Workflow trace {meta.get('thread_id', '')}", "",
             f"- Status: {meta.get('status', '?')}",
             f"- Total time: {s['total_time_s']:.3f} s",
             f"- Steps completed: {s['steps_completed']} (average {s['average_step_s']:.3f} s per step)",
             f"- LLM calls: {calls_text(llm)}",
             f"- LLM time: {time_text(llm)}",
             f"- Tokens: {tokens_text(llm)}",
             f"- Estimated cost: ${s['estimated_cost_usd']:.4f}"
             + (f" (unpriced: {', '.join(s['unpriced_models'])})" if s["unpriced_models"] else ""),
             f"- Messages exchanged: {s['messages_exchanged']}",
             f"- Errors: {s['errors']}", "",
             "## Slowest agents", ""]
    lines += [f"{i}. {a['agent']}: {a['duration_s']:.3f} s" for i, a in enumerate(s["slowest_agents"], 1)]
    lines += ["", "## Timeline", "", "| step | start (s) | duration (s) | status |", "|---|---|---|---|"]
    by_id = {n["id"]: n for n in data["nodes"]}

    def depth(n: dict[str, Any]) -> int:
        return 0 if n["parent"] not in by_id else 1 + depth(by_id[n["parent"]])

    top = _top(data["nodes"])
    ordered = [n for t in data["nodes"] if t["parent"] is None for n in data["nodes"] if top[n["id"]] == t["id"]]
    for n in ordered:  # each step followed by the steps inside it
        indent = "&nbsp;&nbsp;" * depth(n)
        lines.append(f"| {indent}{md_text(n['label'])} | {n['start']:.3f} | {n['duration_s']:.3f} | {n['status']} |")
    if data["llm_calls"]:
        lines += ["", "## LLM calls", "",
                  "| agent | method | model | attempts | tokens in | tokens out | latency (s) | cached | outcome | cost (USD) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for c in data["llm_calls"]:
            cost = "?" if c.get("cost_usd") is None else f"{c['cost_usd']:.6f}"
            outcome = ("budget: " + c["budget_hit"]) if c.get("budget_hit") else "parsed" if c.get("parsed") else \
                "answered" if c.get("ok") else (c.get("error") or "failed")
            lines.append(f"| {md_text(c['agent'])} | {md_text(str(c.get('method') or '-'))} | {md_text(str(c.get('model')))} | "
                         f"{c.get('attempts', 0)} | {c['input_tokens']} | {c['output_tokens']} | {(c.get('latency_s') or 0):.3f} | "
                         f"{'yes' if c.get('cached') else 'no'} | {md_text(str(outcome)[:120])} | {cost} |")
    if data["engine_jobs"]:
        lines += ["", "## Engine jobs", "", "| template | algorithm | engine | status | results | seconds |", "|---|---|---|---|---|---|"]
        for j in data["engine_jobs"]:
            lines.append(f"| {j['template_id']} | {j['algorithm']} | {j['engine']} | {j['status']} | {j['result_count']} | {j['duration_s']:.3f} |")
    if data["errors"]:
        lines += ["", "## Errors", ""] + [f"- {md_text(e['where'])}: {md_text(e['message'])}" for e in data["errors"]]
    if data["events"]:
        lines += ["", "## Events", ""] + [f"- {e['time']:.3f} s {md_text(e['agent'])}: {md_text(e['name'])} {md_text(json.dumps(e['data'], default=str))}"
                                          for e in data["events"]]
    return "\n".join(lines) + "\n"

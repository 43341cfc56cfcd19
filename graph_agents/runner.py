"""AgenticWorkflowRunner: the friendly Python API over the workflow graph."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Iterable, Iterator

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from .context import Context
from .coverage import summary as coverage_summary
from .engines.base import Engine
from .errors import InputError
from .graph import builder
from .llm.usage import totals as llm_totals
from .models import AnalysisTemplate, ExecutionResult, Report, Requirement, UseCase, Vertical
from .nodes.review_use_cases import ReviewError, apply_review
from .progress import ProgressCallback, ProgressTracker
from .reports import write_report_files
from .reports.html import write_index
from .documents import split_documents
from .secrets import ScrubbingSerde, scrub
from .settings import DEFAULT_FORMATS, Settings, load_settings
from .stores.base import GraphStore
from .tracing import FORMATS as TRACE_FORMATS, Trace, TraceRecorder
from .workspace import check_database, check_same_case, check_thread_id, check_workspace, thread_lock



@dataclass
class WorkflowResult:
    """The final state of a run, as models."""

    thread_id: str
    status: str
    mode: str
    vertical: Vertical | None
    requirements: list[Requirement]
    use_cases: list[UseCase]
    templates: list[AnalysisTemplate]
    execution_results: list[ExecutionResult]
    reports: list[Report]
    errors: list[dict[str, Any]]
    values: dict[str, Any] = field(repr=False, default_factory=dict)
    # when status is "awaiting_review": what the review interrupt shows (the proposed use cases)
    review: dict[str, Any] | None = None
    llm_rejections: list[dict[str, Any]] = field(default_factory=list)  # LLM proposals dropped, and why
    llm_calls: list[dict[str, Any]] = field(default_factory=list)  # this process's LLM calls for the run
    # what became of each requirement: {"requirement_id", "text", "outcome", "reason", "use_case_ids", ...}
    coverage: list[dict[str, Any]] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    non_goals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. no ask found in the documents
    stopped: str | None = None  # why a run stopped midway (an interrupt, a signal, an error)
    # each requirement answered first (graph_agents.answers): {"requirement_id", "requirement",
    # "status", "answer", "reports"}
    answers: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_state(cls, thread_id: str, values: dict[str, Any]) -> "WorkflowResult":
        templates = [AnalysisTemplate.model_validate(t) for t in values.get("templates") or []]
        order = {t.id: i for i, t in enumerate(templates)}
        results = sorted(
            (ExecutionResult.model_validate(r) for r in (values.get("execution_results") or {}).values()),
            key=lambda r: order.get(r.template_id, len(order)),
        )
        reports = sorted(
            (Report.model_validate(r) for r in (values.get("reports") or {}).values()),
            key=lambda r: order.get(r.template_id, len(order)),
        )
        return cls(
            thread_id=thread_id,
            status=values.get("status", "incomplete"),
            mode=values.get("mode", "deterministic"),
            vertical=Vertical.model_validate(values["vertical"]) if values.get("vertical") else None,
            requirements=[Requirement.model_validate(r) for r in (values.get("extracted") or {}).get("requirements", [])],
            use_cases=[UseCase.model_validate(u) for u in values.get("use_cases") or []],
            templates=templates,
            execution_results=results,
            reports=reports,
            errors=list(values.get("errors") or []),
            values=values,
            llm_rejections=list(values.get("llm_rejections") or []),
            coverage=list(values.get("coverage") or []),
            constraints=list((values.get("extracted") or {}).get("constraints") or []),
            non_goals=list((values.get("extracted") or {}).get("non_goals") or []),
            warnings=list(dict.fromkeys(values.get("warnings") or [])),
            answers=list(values.get("answers") or []),
        )

    @property
    def failed(self) -> list[ExecutionResult]:
        return [r for r in self.execution_results if r.status != "completed"]


_frozen_lock = threading.Lock()
_frozen_runs = 0


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """While runs last, the garbage collector leaves alone the heap that was there before the
    first of them (every module, the loaded graph): a full collection walking it took 0.1-0.2 s of
    CPU per 100-analysis run. Afterwards the heap is collected as usual again."""
    global _frozen_runs
    with _frozen_lock:
        if _frozen_runs == 0:
            gc.freeze()
        _frozen_runs += 1
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen_runs -= 1
            if _frozen_runs == 0:
                gc.unfreeze()


async def _cancel_leftover_tasks(before: set[asyncio.Task]) -> None:
    """A run stopped by a BaseException (KeyboardInterrupt, SystemExit, a simulated crash) can leave
    LangGraph tasks queued behind ``max_concurrency``; they must not run on, against a closed
    checkpointer (holding its database locked for the resume), after it."""
    leftover = []
    for task in asyncio.all_tasks() - before:
        code = getattr(task.get_coro(), "cr_code", None)
        if not task.done() and code is not None and "langgraph" in code.co_filename:
            task.cancel()
            leftover.append(task)
    if leftover:
        await asyncio.wait(leftover, timeout=5)


def _unfinished(snapshot: Any) -> bool:
    """Whether the thread has work left. ``next`` alone is not enough: a process killed after every
    task of a step saved its writes, but before the step's checkpoint, leaves ``next`` empty (the
    finished tasks' writes are applied) while ``tasks`` still lists them, and the run is not over."""
    return bool(snapshot.next or snapshot.tasks)


class AgenticWorkflowRunner:
    """Run the workflow with checkpointed state in the workspace.

    With no ``store`` and no ``data_dir``: ArangoDB when ``ARANGO_URL`` is set, else the bundled
    demo graph (see :mod:`graph_agents.backends`). The engine: GAE when configured for an ArangoDB
    store, else the local one; an engine the runner made is closed at the end of each run.
    """

    def __init__(
        self,
        *,
        graph_name: str | None = None,
        core_collections: list[str] | None = None,
        satellite_collections: list[str] | None = None,
        industry: str = "auto",
        data_dir: str | Path | None = None,
        store: GraphStore | None = None,
        engine: Engine | None = None,
        catalog: Any = None,
        llm: Any = None,
        settings: Settings | None = None,
        workspace: str | Path | None = None,
        enable_tracing: bool = True,
        enable_debug_mode: bool = False,
        max_executions: int | None = None,
        max_concurrency: int | None = None,
        epoch: str | None = None,
        parent_epoch: str | None = None,
        prices: Any = None,
        output: str | Path | None = None,
        output_formats: Iterable[str] = DEFAULT_FORMATS,
    ) -> None:
        self.settings = settings or load_settings()
        # where a run that stops midway (interrupt, SIGTERM, error) leaves its run.json, marked incomplete
        self.output, self.output_formats = (Path(output) if output else None), list(output_formats)
        if workspace is not None:
            self.settings = self.settings.model_copy(update={"home": Path(workspace)})
        self.graph_name = graph_name
        self.core_collections = list(core_collections or [])
        self.satellite_collections = list(satellite_collections or [])
        self.industry = industry
        self.data_dir = Path(data_dir) if data_dir else None
        self.store = store
        self.engine = engine
        self.catalog = catalog  # an AnalyticsCatalog or a CatalogBackend; None: SQLite in the workspace; False: off
        self.epoch, self.parent_epoch, self.prices = epoch, parent_epoch, prices
        self.last_trace: Trace | None = None
        self.llm = llm
        if self.llm is None:
            from .backends import make_llm

            self.llm = make_llm(self.settings)
        self.enable_tracing = enable_tracing
        self.enable_debug_mode = enable_debug_mode
        self.max_executions = max_executions
        if max_concurrency is not None and max_concurrency < 1:
            raise InputError("max_concurrency (--max-concurrency) must be 1 or more")
        self.max_concurrency = max_concurrency or self.settings.max_concurrency
        self.last_result: WorkflowResult | None = None
        self._demo = False  # True once the runner built the bundled demo store itself
        self._owns_engine = False

    @property
    def workspace(self) -> Path:
        return self.settings.home

    def _context(self) -> Context:
        if self.store is None:
            self.store = self._make_store()
        if self.engine is None:
            from .backends import make_engine

            self.engine = make_engine(self.settings, self.store, max_concurrency=self.max_concurrency)
            self._owns_engine = True
        return Context(  # the catalog is bound per run, by _open
            store=self.store,
            engine=self.engine,
            settings=self.settings,
            llm=self.llm,
            core_collections=self.core_collections,
            satellite_collections=self.satellite_collections,
        )

    def _make_store(self) -> GraphStore:
        from .backends import demo_store, local_store, make_store

        if self.data_dir is not None:
            return local_store(self.settings, self.data_dir, graph_name=self.graph_name)
        arango = make_store(self.settings, graph_name=self.graph_name)
        if arango is not None:
            return arango
        self._demo = True
        return demo_store(self.settings)

    @contextlib.asynccontextmanager
    async def _open(self, context: Context | None = None) -> AsyncIterator[Any]:
        """The graph compiled on the workspace's SQLite checkpoints, with the run's catalog bound
        into ``context``. At the end, close the catalog and an engine the runner made itself (a
        GAE engine it started), whether the run ended or crashed."""
        checkpoints = self.workspace / "checkpoints.sqlite"
        check_database(checkpoints, "checkpoint database")
        owned_catalog = False
        if context is not None:
            context.catalog, owned_catalog = self._run_catalog()
        try:
            with _heap_frozen():
                async with AsyncSqliteSaver.from_conn_string(str(checkpoints)) as saver:
                    saver.serde = ScrubbingSerde(saver.serde)  # no secret reaches a checkpoint
                    # WAL (set by the saver) + NORMAL: no fsync per commit, which serialised every task's
                    # checkpoint writes behind the disk; a process crash still loses nothing committed
                    await saver.conn.execute("PRAGMA synchronous=NORMAL")
                    yield builder.compile(checkpointer=saver, name="graph_agents")
        finally:
            if owned_catalog:
                await context.catalog.aclose()
            if self._owns_engine and self.engine is not None:
                engine, self.engine, self._owns_engine = self.engine, None, False
                await engine.aclose()

    def _run_catalog(self) -> tuple[Any, bool]:
        """The catalog this run records in, bound to the runner's epoch; and whether we own it."""
        from .catalog import CATALOG_FILE, AnalyticsCatalog, CatalogBackend, open_catalog

        if self.catalog is False:
            return None, False
        if self.catalog is None:
            if not self.settings.arango_configured:
                check_database(self.workspace / CATALOG_FILE, "catalog")
            catalog = open_catalog(self.workspace, settings=self.settings, epoch=self.epoch, parent_epoch=self.parent_epoch)
            return catalog, True
        if isinstance(self.catalog, AnalyticsCatalog):
            return self.catalog.bind(self.epoch or self.catalog.epoch, self.parent_epoch or self.catalog.parent_epoch), False
        if isinstance(self.catalog, CatalogBackend):
            return AnalyticsCatalog(self.catalog, epoch=self.epoch, parent_epoch=self.parent_epoch), False
        return self.catalog, False

    def config(self, thread_id: str, enable_parallelism: bool) -> dict[str, Any]:
        # max_concurrency is a top-level key: inside "configurable" LangGraph ignores it
        return {
            "configurable": {"thread_id": thread_id},
            "max_concurrency": self.max_concurrency if enable_parallelism else 1,
            "recursion_limit": 50,
        }

    async def run_async(
        self,
        input_documents: Iterable[Any] | None = None,
        *,
        requirements: str | None = None,
        max_executions: int | None = None,
        enable_parallelism: bool = True,
        thread_id: str | None = None,
        industry: str | None = None,
        review_use_cases: bool = False,
        progress: ProgressCallback | None = None,
    ) -> WorkflowResult:
        """Run (or resume, when ``thread_id`` has an unfinished checkpoint) the workflow.

        ``review_use_cases=True`` pauses the run after use-case generation: the result has status
        ``"awaiting_review"`` and ``review`` (the proposed use cases); continue it with
        :meth:`resume_async`. ``progress`` is called (or awaited) with a
        :class:`~graph_agents.progress.ProgressEvent` as each node and each analysis starts and ends.
        """
        if max_executions is not None and max_executions < 0:
            raise InputError("max_executions (--max-executions) must be 0 (no cap) or more")
        paths, contents = split_documents(input_documents)
        if requirements is not None and not isinstance(requirements, str):
            raise InputError(f"requirements must be text, not {type(requirements).__name__}")
        text = "\n\n".join([*contents, *([requirements] if requirements else [])])
        thread_id = check_thread_id(uuid.uuid4().hex[:12] if thread_id is None else thread_id)
        config = self.config(thread_id, enable_parallelism)
        self._check_workspace()
        with thread_lock(self.workspace, thread_id):
            return await self._run_locked(config, thread_id, {
                "requirements": text,
                "documents": paths,
                "industry": industry or self.industry,
                "max_executions": max_executions if max_executions is not None else (self.max_executions or 0),
                "review_use_cases": review_use_cases,
            }, enable_parallelism, progress)

    async def _run_locked(self, config: dict[str, Any], thread_id: str, fresh: dict[str, Any],
                          enable_parallelism: bool, progress: ProgressCallback | None) -> WorkflowResult:
        context = self._context()
        self.last_trace = None  # a finished thread returns its result without running, hence without a trace
        async with self._open(context) as app:
            snapshot = await app.aget_state(config)
            if snapshot.interrupts:
                return await self._result(app, config, thread_id, context)  # still waiting for its review
            if _unfinished(snapshot):
                inputs = None  # an unfinished run on this thread: resume where it stopped
            elif snapshot.values:
                return await self._result(app, config, thread_id, context)
            else:
                inputs = fresh
                self._save_options(thread_id, enable_parallelism)
            await self._drive(app, inputs, config, context, progress)
            return await self._result(app, config, thread_id, context)

    async def resume_async(
        self,
        thread_id: str,
        decision: Any = None,
        *,
        enable_parallelism: bool = True,
        progress: ProgressCallback | None = None,
    ) -> WorkflowResult:
        """Continue a run on ``thread_id``: answer its pending review with ``decision``
        (``{"action": "approve"}``, ``{"drop": ["UC-002"]}`` or ``{"use_cases": [...]}``), or,
        when it stopped midway without a question, pick it up where it stopped.

        An invalid decision raises :class:`~graph_agents.nodes.review_use_cases.ReviewError`
        before anything runs.
        """
        config = self.config(check_thread_id(thread_id), enable_parallelism)
        self._check_workspace()
        with thread_lock(self.workspace, thread_id):
            return await self._resume_locked(config, thread_id, decision, progress)

    async def _resume_locked(self, config: dict[str, Any], thread_id: str, decision: Any,
                             progress: ProgressCallback | None) -> WorkflowResult:
        context = self._context()
        self.last_trace = None
        async with self._open(context) as app:
            snapshot = await app.aget_state(config)
            if not snapshot.values:
                raise InputError(f"no run with thread id {thread_id!r} in {self.workspace}")
            if snapshot.interrupts:
                if decision is None:
                    raise ReviewError(f"run {thread_id} is waiting for a review: give a decision")
                apply_review(snapshot.interrupts[0].value, decision)  # fail fast, with the reason
                await self._drive(app, Command(resume=decision), config, context, progress)
            elif decision is not None:
                raise ReviewError(f"run {thread_id} is not waiting for a review (status {snapshot.values.get('status', 'incomplete')})")
            elif _unfinished(snapshot):
                await self._drive(app, None, config, context, progress)
            return await self._result(app, config, thread_id, context)

    async def get_result_async(self, thread_id: str) -> WorkflowResult:
        """The run on ``thread_id`` as it stands (finished, paused for review, or stopped midway)."""
        config = self.config(check_thread_id(thread_id), True)
        self._check_workspace()
        async with self._open() as app:
            if not (await app.aget_state(config)).values:
                raise InputError(f"no run with thread id {thread_id!r} in {self.workspace}")
            return await self._result(app, config, thread_id)

    def resume(self, thread_id: str, decision: Any = None, **kwargs: Any) -> WorkflowResult:
        """:meth:`resume_async` from synchronous code."""
        kwargs.setdefault("enable_parallelism", False)
        return asyncio.run(self.resume_async(thread_id, decision, **kwargs))

    async def _drive(self, app: Any, inputs: Any, config: dict[str, Any], context: Context,
                     progress: ProgressCallback | None) -> None:
        recorder = (
            TraceRecorder(self.settings, prices=self.prices, debug=self.enable_debug_mode) if self.enable_tracing else None
        )
        if recorder is not None:
            config = {**config, "callbacks": [recorder]}
        before = asyncio.all_tasks()
        stopped: BaseException | None = None
        try:
            if progress is None:
                await app.ainvoke(inputs, config, context=context)
            else:
                tracker = ProgressTracker(progress)
                async for mode, data in app.astream(inputs, config, context=context, stream_mode=["tasks", "custom"]):
                    await tracker.feed(mode, data)
        except (Exception, asyncio.CancelledError) as exc:  # LangGraph winds its own tasks down for these
            stopped = exc
            await self._record_stopped(app, config, context, exc)
            raise
        except BaseException as exc:
            stopped = exc
            await _cancel_leftover_tasks(before)
            await self._record_stopped(app, config, context, exc)
            raise
        finally:
            if recorder is not None:
                self.last_trace = recorder.finish(
                    thread_id=config["configurable"]["thread_id"], epoch=getattr(context.catalog, "epoch", None)
                )
                if stopped is not None and self.last_result is not None:
                    self.last_trace.meta.update(status="incomplete", stopped=self.last_result.stopped)
                    if self.output is not None:
                        with contextlib.suppress(Exception):
                            self.last_trace.export(self.output / "trace")

    async def _record_stopped(self, app: Any, config: dict[str, Any], context: Context, exc: BaseException) -> None:
        """A run stopped midway still says what is known: ``last_result`` is the state so far (and
        this process's LLM calls), marked incomplete, written as run.json when ``output`` is set.
        Never raises: the stop itself is what the caller must see."""
        thread_id = config["configurable"]["thread_id"]
        try:
            result = await self._result(app, config, thread_id, context)
        except Exception:
            result = WorkflowResult.from_state(thread_id, {})
            result.llm_calls = list(context.llm_calls)
        result.status = "incomplete"
        result.stopped = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:300]
        self.last_result = result
        if self.output is not None:
            with contextlib.suppress(Exception):
                export_run(result, self.output, self.output_formats)

    async def _result(self, app: Any, config: dict[str, Any], thread_id: str,
                      context: Context | None = None) -> WorkflowResult:
        snapshot = await app.aget_state(config)
        result = WorkflowResult.from_state(thread_id, snapshot.values)
        if context is not None:
            result.llm_calls = list(context.llm_calls)
        if snapshot.interrupts:
            result.status = "awaiting_review"
            result.review = snapshot.interrupts[0].value
        if self.last_trace is not None:
            self.last_trace.meta.update(status=result.status, mode=result.mode)
        self.last_result = result
        return result

    def _check_workspace(self) -> None:
        check_workspace(self.workspace)

    def _options_path(self, thread_id: str) -> Path:
        return self.workspace / "runs" / f"{check_thread_id(thread_id)}.json"

    def _save_options(self, thread_id: str, enable_parallelism: bool) -> None:
        """What `graph-agents resume` needs to rebuild this run's store in a new process."""
        options = {
            "thread_id": thread_id,
            "created_at": time.time(),
            "data_dir": str(self.data_dir.resolve()) if self.data_dir else None,
            "demo": self._demo,
            "store": self.store.describe() if self.store is not None else None,
            "graph_name": self.graph_name,
            "industry": self.industry,
            "core_collections": self.core_collections,
            "satellite_collections": self.satellite_collections,
            "max_concurrency": self.max_concurrency,
            "enable_parallelism": enable_parallelism,
        }
        path = self._options_path(thread_id)
        check_same_case(path.parent, path.name, f"thread id {thread_id!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(scrub(options), indent=2), encoding="utf-8")

    @classmethod
    def from_saved_run(cls, thread_id: str, *, workspace: str | Path | None = None,
                       settings: Settings | None = None, **kwargs: Any) -> "AgenticWorkflowRunner":
        """A runner on the same data as the run ``thread_id`` (from ``<workspace>/runs/<id>.json``)."""
        probe = cls(workspace=workspace, settings=settings)
        path = probe._options_path(thread_id)
        if not path.is_file():
            raise InputError(f"no saved run {thread_id!r} in {probe.workspace / 'runs'}")
        try:
            options = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise InputError(f"saved run {path} cannot be read ({type(exc).__name__}): start the run afresh") from None
        if not isinstance(options, dict):
            raise InputError(f"saved run {path} is not a JSON object: start the run afresh")
        if not options.get("data_dir") and not options.get("demo"):
            source = (options.get("store") or {}).get("source")
            raise InputError(
                f"run {thread_id} used a store given in Python ({source}); resume it from Python "
                "with a runner on the same store"
            )
        return cls(
            workspace=workspace, settings=settings, data_dir=options.get("data_dir"),
            graph_name=options.get("graph_name"), industry=options.get("industry") or "auto",
            core_collections=options.get("core_collections"), satellite_collections=options.get("satellite_collections"),
            max_concurrency=options.get("max_concurrency"), **kwargs,
        )

    def _trace(self) -> Trace:
        if self.last_trace is None:
            raise RuntimeError("no trace yet: run the workflow first (with enable_tracing=True)")
        return self.last_trace

    def print_trace_summary(self, console: Any = None) -> dict[str, Any]:
        """Print the last run's trace summary (total time, steps, LLM calls, tokens, cost, errors,
        slowest agents) and return it as data."""
        return self._trace().print_summary(console)

    def export_trace(
        self, output_dir: str | Path, formats: Iterable[str] = TRACE_FORMATS
    ) -> dict[str, str]:
        """Write the last run's trace as ``trace.json``, ``trace.html`` (timeline), ``trace.md``."""
        return self._trace().export(output_dir, formats)

    def run(self, input_documents: Iterable[Any] | None = None, **kwargs: Any) -> WorkflowResult:
        """Sequential run (the same graph with max_concurrency=1) from synchronous code."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            kwargs.setdefault("enable_parallelism", False)
            return asyncio.run(self.run_async(input_documents, **kwargs))
        raise RuntimeError(
            "run() cannot be called inside a running event loop (Jupyter, asyncio); "
            "use `await runner.run_async(...)` instead"
        )

    def export_reports(
        self, result: WorkflowResult, directory: str | Path, formats: Iterable[str] = DEFAULT_FORMATS
    ) -> dict[str, dict[str, str]]:
        return export_reports(result, directory, formats)


def export_reports(
    result: WorkflowResult, directory: str | Path, formats: Iterable[str] = DEFAULT_FORMATS
) -> dict[str, dict[str, str]]:
    """Write each report in ``formats`` under ``directory``; return {report id: {format: path}}."""
    formats = list(formats)
    unknown = set(formats) - set(DEFAULT_FORMATS)
    if unknown:
        raise ValueError(f"unknown report format(s): {sorted(unknown)}; known: {list(DEFAULT_FORMATS)}")
    out = Path(directory)
    # an error text or an LLM's words could carry a secret back: reports are scrubbed like run.json
    reports = [Report.model_validate(scrub(r.model_dump())) for r in result.reports]
    paths = {r.id: write_report_files(r, out, formats) for r in reports}
    if "html" in formats:  # the run's index.html links every report page; print.html holds them all
        write_index(scrub(html_run_summary(result, paths)), reports, out)
    return paths


def html_run_summary(result: WorkflowResult, report_paths: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What the run's index page shows: the run summary plus what was asked."""
    extracted = result.values.get("extracted") or {}
    documents = [s.get("name", "") for s in result.values.get("sources") or []]
    return {
        **run_summary(result, report_paths),
        "vertical_name": result.vertical.display_name if result.vertical else None,
        "documents": documents,
        "objectives": extracted.get("objectives", []),
    }


def run_summary(result: WorkflowResult, report_paths: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The run as plain data, written as ``run.json``."""
    return {
        "thread_id": result.thread_id,
        "status": result.status,
        "mode": result.mode,
        "vertical": result.vertical.name if result.vertical else None,
        "warnings": result.warnings,
        "requirements": [r.dump() for r in result.requirements],
        "constraints": result.constraints,
        "non_goals": result.non_goals,
        "answers": result.answers,
        "coverage": {"summary": coverage_summary(result.coverage), "requirements": result.coverage},
        "use_cases": [u.dump() for u in result.use_cases],
        "templates": [t.dump() for t in result.templates],
        "executions": [{**r.dump(), "duration_s": round(r.duration_s, 4)} for r in result.execution_results],
        "reports": [{"id": r.id, "title": r.title, "template_id": r.template_id, "paths": report_paths.get(r.id, {})}
                    for r in result.reports],
        "errors": result.errors,
        "complete": result.stopped is None and result.status not in ("incomplete", "awaiting_review"),
        "stopped": result.stopped,
        # the same totals as the trace and its summary (graph_agents.llm.usage)
        "llm": {**llm_totals(result.llm_calls), "rejections": result.llm_rejections},
    }


def export_run(result: WorkflowResult, output: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> Path:
    """``output/run.json`` plus ``output/reports/<id>.<ext>`` per report."""
    out = Path(output)
    paths = export_reports(result, out / "reports", formats)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "run.json"
    target.write_text(json.dumps(scrub(run_summary(result, paths)), indent=2), encoding="utf-8")
    return target


async def run_agentic_workflow_async(
    input_documents: Iterable[Any] | None = None, **kwargs: Any
) -> WorkflowResult:
    """One-call convenience: ``AgenticWorkflowRunner(**kwargs).run_async(input_documents)``."""
    run_keys = {"requirements", "max_executions", "enable_parallelism", "thread_id", "review_use_cases", "progress"}
    run_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in run_keys}
    return await AgenticWorkflowRunner(**kwargs).run_async(input_documents, **run_kwargs)

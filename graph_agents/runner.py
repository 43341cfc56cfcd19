"""AgenticWorkflowRunner: the friendly Python API over the workflow graph."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from .context import Context
from .engines.base import Engine
from .graph import builder
from .models import AnalysisTemplate, ExecutionResult, Report, Requirement, UseCase, Vertical
from .reports import write_report_files
from .settings import Settings
from .stores.base import GraphStore
from .tracing import FORMATS as TRACE_FORMATS, Trace, TraceRecorder

DEFAULT_FORMATS = ("markdown", "json")


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
        )

    @property
    def failed(self) -> list[ExecutionResult]:
        return [r for r in self.execution_results if r.status != "completed"]


def _split_documents(documents: Iterable[Any] | None) -> tuple[list[str], list[str]]:
    """Paths for the graph's `documents`, inline contents for its `requirements` text."""
    paths, contents = [], []
    for doc in documents or []:
        if isinstance(doc, dict) and "content" in doc:
            contents.append(str(doc["content"]))
        elif isinstance(doc, dict) and "path" in doc:
            paths.append(str(doc["path"]))
        elif isinstance(doc, (str, Path)):
            paths.append(str(doc))
        else:
            raise TypeError(f"document {doc!r}: expected a path, {{'path': ...}} or {{'content': ...}}")
    return paths, contents


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


class AgenticWorkflowRunner:
    """Run the workflow with checkpointed state in the workspace.

    With no ``store`` and no ``data_dir`` the bundled demo graph is used (ArangoDB, when
    configured, is picked up by :func:`make_store`); the engine defaults to the local one.
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
    ) -> None:
        self.settings = settings or Settings()
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
        self.enable_tracing = enable_tracing
        self.enable_debug_mode = enable_debug_mode
        self.max_executions = max_executions
        self.max_concurrency = max_concurrency or self.settings.max_concurrency
        self.last_result: WorkflowResult | None = None

    @property
    def workspace(self) -> Path:
        return self.settings.home

    def _context(self) -> Context:
        if self.store is None:
            self.store = self._make_store()
        if self.engine is None:
            from .engines.local import LocalEngine

            self.engine = LocalEngine()
        return Context(
            store=self.store,
            engine=self.engine,
            settings=self.settings,
            llm=self.llm,
            catalog=self.catalog,
            core_collections=self.core_collections,
            satellite_collections=self.satellite_collections,
        )

    def _make_store(self) -> GraphStore:
        from .stores.local import LocalGraphStore

        results = self.workspace / "results"
        if self.data_dir is not None:
            return LocalGraphStore.from_directory(self.data_dir, results_dir=results, graph_name=self.graph_name)
        from .demo import ensure_demo

        return LocalGraphStore.from_directory(ensure_demo(self.workspace / "demo") / "data", results_dir=results)

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
    ) -> WorkflowResult:
        """Run (or resume, when ``thread_id`` has an unfinished checkpoint) the workflow."""
        paths, contents = _split_documents(input_documents)
        text = "\n\n".join([*contents, *([requirements] if requirements else [])])
        thread_id = thread_id or uuid.uuid4().hex[:12]
        config = self.config(thread_id, enable_parallelism)
        context = self._context()
        self.workspace.mkdir(parents=True, exist_ok=True)
        context.catalog, owned = self._run_catalog()
        self.last_trace = None  # a finished thread returns its result without running, hence without a trace
        recorder = TraceRecorder(self.settings, prices=self.prices, debug=self.enable_debug_mode) if self.enable_tracing else None
        if recorder is not None:
            config["callbacks"] = [recorder]
        try:
            return await self._invoke(text, paths, industry, max_executions, thread_id, config, context, recorder)
        finally:
            if owned:
                await context.catalog.aclose()

    def _run_catalog(self) -> tuple[Any, bool]:
        """The catalog this run records in, bound to the runner's epoch; and whether we own it."""
        from .catalog import AnalyticsCatalog, CatalogBackend, open_catalog

        if self.catalog is False:
            return None, False
        if self.catalog is None:
            return open_catalog(self.workspace, epoch=self.epoch, parent_epoch=self.parent_epoch), True
        if isinstance(self.catalog, AnalyticsCatalog):
            return self.catalog.bind(self.epoch or self.catalog.epoch, self.parent_epoch or self.catalog.parent_epoch), False
        if isinstance(self.catalog, CatalogBackend):
            return AnalyticsCatalog(self.catalog, epoch=self.epoch, parent_epoch=self.parent_epoch), False
        return self.catalog, False

    async def _invoke(self, text, paths, industry, max_executions, thread_id, config, context, recorder) -> WorkflowResult:
        async with AsyncSqliteSaver.from_conn_string(str(self.workspace / "checkpoints.sqlite")) as saver:
            app = builder.compile(checkpointer=saver, name="graph_agents")
            snapshot = await app.aget_state(config)
            if snapshot.next:
                inputs = None  # an unfinished run on this thread: resume where it stopped
            elif snapshot.values:
                self.last_result = WorkflowResult.from_state(thread_id, snapshot.values)
                return self.last_result
            else:
                inputs = {
                    "requirements": text,
                    "documents": paths,
                    "industry": industry or self.industry,
                    "max_executions": max_executions if max_executions is not None else (self.max_executions or 0),
                }
            before = asyncio.all_tasks()
            try:
                await app.ainvoke(inputs, config, context=context)
            except (Exception, asyncio.CancelledError):
                raise  # LangGraph winds its own tasks down for these
            except BaseException:
                await _cancel_leftover_tasks(before)
                raise
            finally:
                if recorder is not None:
                    self.last_trace = recorder.finish(thread_id=thread_id, epoch=getattr(context.catalog, "epoch", None))
            values = (await app.aget_state(config)).values
        self.last_result = WorkflowResult.from_state(thread_id, values)
        if recorder is not None:
            self.last_trace.meta.update(status=self.last_result.status, mode=self.last_result.mode)
        return self.last_result

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
    return {r.id: write_report_files(r, out, formats) for r in result.reports}


def run_summary(result: WorkflowResult, report_paths: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The run as plain data, written as ``run.json``."""
    return {
        "thread_id": result.thread_id,
        "status": result.status,
        "mode": result.mode,
        "vertical": result.vertical.name if result.vertical else None,
        "requirements": [r.dump() for r in result.requirements],
        "use_cases": [u.dump() for u in result.use_cases],
        "templates": [t.dump() for t in result.templates],
        "executions": [{**r.dump(), "duration_s": round(r.duration_s, 4)} for r in result.execution_results],
        "reports": [{"id": r.id, "title": r.title, "template_id": r.template_id, "paths": report_paths.get(r.id, {})}
                    for r in result.reports],
        "errors": result.errors,
    }


def export_run(result: WorkflowResult, output: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> Path:
    """``output/run.json`` plus ``output/reports/<id>.<ext>`` per report."""
    out = Path(output)
    paths = export_reports(result, out / "reports", formats)
    target = out / "run.json"
    target.write_text(json.dumps(run_summary(result, paths), indent=2), encoding="utf-8")
    return target


async def run_agentic_workflow_async(
    input_documents: Iterable[Any] | None = None, **kwargs: Any
) -> WorkflowResult:
    """One-call convenience: ``AgenticWorkflowRunner(**kwargs).run_async(input_documents)``."""
    run_keys = {"requirements", "max_executions", "enable_parallelism", "thread_id"}
    run_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in run_keys}
    return await AgenticWorkflowRunner(**kwargs).run_async(input_documents, **run_kwargs)

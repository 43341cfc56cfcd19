"""The `graph-agents` command (also `python -m graph_agents`).

Exit codes: 0 success, 1 some analyses failed (or a review was left unanswered), 2 bad input.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .cli_catalog import app as catalog_app, fail as _fail
from .cli_console import HelpCommand, HelpGroup, make_console
from .errors import InputError, one_line
from .secrets import scrub_text
from .formats import DEFAULT_FORMATS
from .workspace import check_output, check_workspace

if TYPE_CHECKING:  # the runner brings langgraph, langchain, igraph: imported by the commands that run
    from .settings import Settings
    from rich.console import Console

    from .progress import ProgressEvent
    from .runner import AgenticWorkflowRunner, WorkflowResult

app = typer.Typer(help="Agentic graph analytics: requirements in, answers in business terms out.", no_args_is_help=True, cls=HelpGroup,
                  add_completion=False)
console = make_console()
err = make_console(stderr=True)
app.add_typer(catalog_app, name="catalog")


_workspace: list[Path] = []  # the workspace the running command chose, for entry()'s error log


def _settings(workspace: Optional[Path], writable: bool = True) -> Settings:
    """The settings, checked before any work: a bad value or an unusable workspace is exit 2."""
    from .settings import load_settings  # pydantic-settings: loaded by the commands that need it

    try:
        settings = load_settings(**({"home": workspace} if workspace else {}))
        _workspace[:] = [settings.home]
        if writable:
            check_workspace(settings.home)
    except InputError as exc:
        _fail(exc)
    return settings


def _cell(value: Any) -> Text:
    """Table cells and titles hold data (names, ids, LLM words): shown as text, never as markup."""
    return Text(scrub_text("" if value is None else str(value)))


class _StderrWarnings(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        err.print(f"[yellow]{escape(record.getMessage())}[/yellow]", highlight=False, soft_wrap=True)


@contextlib.contextmanager
def _warnings_on_stderr() -> Any:
    """The agents' warnings (no ask found, ...) on stderr as they happen, whatever --json says."""
    handler = _StderrWarnings(logging.WARNING)
    logger = logging.getLogger("graph_agents")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _summary(result: WorkflowResult, run_json: Path) -> None:
    table = Table(title=_cell(f"Run {result.thread_id}: {result.status} ({result.mode}, "
                              f"vertical {result.vertical.name if result.vertical else '?'})"))
    for col in ("template", "algorithm", "status", "seconds", "report"):
        table.add_column(col)
    reports = {r.template_id: r for r in result.reports}
    for ex in result.execution_results:
        rep = reports.get(ex.template_id)
        table.add_row(*map(_cell, (ex.template_id, ex.algorithm, ex.status, f"{ex.duration_s:.2f}",
                                   rep.title if rep else (ex.error or "")[:80])))
    console.print(table)
    unanswered = [c for c in result.coverage if c["outcome"] != "answered"]
    if result.coverage:
        console.print(f"coverage: {sum(c['outcome'] == 'answered' for c in result.coverage)} of {len(result.coverage)} "
                      "requirement(s) answered", highlight=False)
    for c in unanswered:
        console.print(_cell(f"  {c['requirement_id']} not analysed ({c['outcome'].replace('_', ' ')}): {c['text'][:80]}"),
                      highlight=False, soft_wrap=True)
    if result.llm_calls:
        from .llm.usage import calls_text, time_text, tokens_text, totals

        t = totals(result.llm_calls)
        console.print(_cell(f"LLM: {calls_text(t)}; {tokens_text(t)}; {time_text(t)}"), highlight=False)
    console.print(_cell(f"run.json: {run_json}"))


class Bars:
    """Rich progress bars for long steps, on a terminal only (nothing in a file or a pipe): one for
    the analyses (done out of started so far), one per task that reports its progress (a graph load, a
    GAE job: ``kind == "progress"`` events). Shown while something is under way, then gone."""

    ANALYSES = "analyses"

    def __init__(self, out: "Console") -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=out, transient=True,
                                 redirect_stdout=False, redirect_stderr=False, disable=not out.is_terminal)
        self.tasks: dict[str, Any] = {}

    def update(self, key: str, description: str, done: float | None = None, total: float | None = None,
               advance: float = 0, grow: float = 0) -> None:
        if key not in self.tasks:
            if not self.tasks:
                self.progress.start()
            self.tasks[key] = self.progress.add_task(escape(description), total=total)
        task = self.tasks[key]
        if grow:
            self.progress.update(task, total=(self.progress.tasks[self._index(task)].total or 0) + grow)
        self.progress.update(task, completed=done, total=total, advance=advance or None)
        state = self.progress.tasks[self._index(task)]
        # a step's bar goes when the step is done; the analyses' stays (more may start) until close()
        if key != self.ANALYSES and state.total is not None and state.completed >= state.total:
            self.progress.remove_task(self.tasks.pop(key))
            if not self.tasks:
                self.progress.stop()

    def _index(self, task: Any) -> int:
        return next(i for i, t in enumerate(self.progress.tasks) if t.id == task)

    def close(self) -> None:
        self.tasks.clear()
        self.progress.stop()


class LiveProgress:
    """Prints each node and each analysis as it starts and ends (from the runner's events), with
    progress bars for the analyses and for long steps on a terminal."""

    def __init__(self, out: "Console") -> None:
        self.out = out
        self.failed: set[str] = set()
        self.bars = Bars(out)

    def __enter__(self) -> "LiveProgress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bars.close()

    def __call__(self, e: ProgressEvent) -> None:
        if e.kind == "progress":
            self.bars.update(e.task_id, e.title, done=e.done, total=e.total)
            return
        if e.template_id and not e.path and e.kind in ("start", "end"):  # an analyze task
            self.bars.update(Bars.ANALYSES, "analyses", grow=1 if e.kind == "start" else 0,
                             advance=1 if e.kind == "end" else 0)
        what = f"{e.template_id} {e.algorithm}" if e.template_id else e.node
        took = f" [dim]{e.elapsed_s:.2f}s[/dim]" if e.elapsed_s is not None else ""
        if e.path == ("analyze",):  # the steps inside one analysis
            if e.kind != "end":
                return
            if e.template_id in self.failed:
                return  # a failed execution has no report to speak of
            if e.status == "failed":
                self.failed.add(e.template_id or "")
                self.out.print(f"  [red]✗[/red] {escape(what)} failed: {escape(one_line(e.error or ''))}{took}")
            else:
                step = "executed" if e.node == "execute" else "reported"
                self.out.print(f"  [green]✓[/green] {escape(what)} {step}{took}")
        elif e.path:
            return
        elif e.kind == "start":
            self.out.print(f"[cyan]▶[/cyan] {escape(what)}" + (" (analysis)" if e.template_id else ""))
        elif e.kind == "end" and not e.template_id:  # an analysis ends with its report, above
            mark = {"completed": "[green]✓[/green]", "interrupted": "[yellow]⏸[/yellow]"}.get(e.status or "", "[red]✗[/red]")
            self.out.print(f"{mark} {escape(what)}{took}" + (f" {escape(one_line(e.error))}" if e.error else ""))


def _use_case_table(use_cases: list[dict[str, Any]]) -> Table:
    table = Table(title="Proposed use cases")
    for col in ("id", "algorithm", "priority", "requirements", "title"):
        table.add_column(col)
    for u in use_cases:
        table.add_row(*map(_cell, (u["id"], u["algorithm"], u.get("priority", ""),
                                   ", ".join(map(str, u.get("requirement_ids") or [])), u.get("title", ""))))
    return table


def _choose(question: str, choices: list[str], default: str, to_stderr: bool) -> str:
    while True:
        answer = str(typer.prompt(question, default=default, err=to_stderr)).strip().lower()
        if answer in choices:
            return answer
        (err if to_stderr else console).print(f"choose one of: {', '.join(choices)}")


def _ask_review(request: dict[str, Any], to_stderr: bool) -> Any:
    """Approve, edit or drop the proposed use cases with prompts; returns the resume decision."""
    out = err if to_stderr else console
    use_cases = request.get("use_cases") or []
    out.print(_use_case_table(use_cases))
    if request.get("error"):
        out.print(f"[red]{escape(one_line(request['error']))}[/red]")
    action = _choose("approve, edit or drop", ["approve", "edit", "drop"], "approve", to_stderr)
    if action == "approve":
        return {"action": "approve"}
    if action == "drop":
        ids = typer.prompt("use case ids to drop (comma separated)", err=to_stderr)
        return {"drop": [i.strip() for i in ids.split(",") if i.strip()]}
    edited = []
    from . import algorithms

    choices = [*sorted(algorithms.CATALOG), "drop"]
    for u in use_cases:
        out.print(_cell(f"{u['id']} {u.get('title', '')}"))
        algo = _choose(f"  algorithm ({', '.join(choices)})", choices, u["algorithm"], to_stderr)
        if algo != "drop":
            edited.append({**u, "algorithm": algo})
    return {"use_cases": edited}


async def _review_loop(runner: AgenticWorkflowRunner, result: WorkflowResult, progress: Any,
                       parallel: bool, to_stderr: bool) -> WorkflowResult:
    from .nodes.review_use_cases import ReviewError

    while result.status == "awaiting_review" and result.review is not None:
        try:
            with _sigterm_interrupts() as terminated:
                decision = _ask_review(result.review, to_stderr)
        except typer.Abort:  # no answer (end of input, Ctrl-C): the run stays paused for `resume`
            if terminated:
                raise _Terminated("SIGTERM") from None
            return result
        try:
            result = await runner.resume_async(result.thread_id, decision, enable_parallelism=parallel, progress=progress)
        except ReviewError as exc:
            result.review = {**result.review, "error": str(exc)}
    return result


def _finish(
    runner: AgenticWorkflowRunner, result: WorkflowResult, output: Path, quiet: bool, as_json: bool,
    formats: list[str] = list(DEFAULT_FORMATS),
) -> None:
    if result.status == "awaiting_review":
        err.print(_cell(f"run {result.thread_id} is waiting for a review of its use cases: "
                        f"graph-agents resume {result.thread_id}"), highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    from .recording import export_run

    run_json = output / "run.json"
    if result.values.get("output_dir") != str(output.resolve()):  # recorded elsewhere (a finished run shown again)
        run_json = export_run(result, output, formats)
    trace = runner.last_trace_paths
    if as_json:
        typer.echo(run_json.read_text(encoding="utf-8"))
    elif not quiet:
        _summary(result, run_json)
        if trace:  # a finished thread returns its result without running, so without a new trace
            runner.print_trace_summary(console)
            console.print(_cell(f"trace: {trace['html']}"))
    raise typer.Exit(0 if result.status == "completed" else 1)


class _Terminated(KeyboardInterrupt):
    """SIGTERM during a synchronous prompt, raised like Ctrl-C so the CLI winds down the same way."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[list[int]]:
    """While the main thread blocks outside the event loop (a review prompt), the loop cannot see
    SIGTERM: raise it there instead, as Ctrl-C is. The prompt turns either into ``typer.Abort``,
    so the list it yields says whether SIGTERM fired."""
    fired: list[int] = []

    def terminate(signum: int, frame: Any) -> None:
        fired.append(signum)
        raise _Terminated("SIGTERM")

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield fired
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_until_stopped(go: Any, runner: AgenticWorkflowRunner, output: Path) -> WorkflowResult:
    """``asyncio.run(go())``; on Ctrl-C or SIGTERM the runner has written run.json (status
    incomplete) under ``output``: say so on stderr and exit 130 / 143."""
    import asyncio  # the commands that run something pay for it, not --help or verticals

    terminated = False

    async def until_terminated() -> WorkflowResult:
        # SIGTERM cancels the run's task from inside the loop, as asyncio.Runner does for SIGINT: an
        # exception raised by a plain signal handler lands wherever the main thread happens to be
        # (in the selector, in a callback) and can leave tasks and executor threads behind
        main = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def cancel() -> None:
            nonlocal terminated
            terminated = True
            main.cancel()

        loop.add_signal_handler(signal.SIGTERM, cancel)
        try:
            return await go()
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    try:
        return asyncio.run(until_terminated())
    except (KeyboardInterrupt, asyncio.CancelledError) as exc:
        term = terminated or isinstance(exc, _Terminated)
        stopped = runner.last_result if runner.last_result is not None and runner.last_result.stopped else None
        name = "SIGTERM" if term else "SIGINT"
        if stopped is not None and (output / "run.json").is_file():  # the loop saw a cancellation: say why
            run = json.loads((output / "run.json").read_text(encoding="utf-8"))
            run["stopped"] = f"{name} ({run.get('stopped')})"
            (output / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
        where = f"; what is known is in {output / 'run.json'} (incomplete)" if stopped else ""
        resume = f"; continue with: graph-agents resume {stopped.thread_id}" if stopped else ""
        err.print(f"stopped by {'SIGTERM' if term else 'an interrupt'}{where}{resume}", highlight=False, soft_wrap=True)
        raise typer.Exit(143 if term else 130) from None


def _check_inputs(requirements: list[Path], industry: str) -> None:
    """Bad documents or an unknown vertical fail before any work starts (exit 2, one line)."""
    from .documents import read_document
    from .verticals import load_vertical

    if industry.strip().lower() != "auto":
        load_vertical(industry)
    for path in requirements:
        read_document(path)


@app.command(cls=HelpCommand)
def run(
    demo: bool = typer.Option(False, "--demo", metavar="", help="Run on the bundled demo graph and requirements."),
    data: Optional[Path] = typer.Option(None, "--data", metavar="DIR", help="Graph directory (arangodump or *.jsonl)."),
    requirements: list[Path] = typer.Option([], "--requirements", metavar="FILE", help="Requirements document(s)."),
    industry: str = typer.Option("auto", "--industry", metavar="auto|NAME|FILE", help="auto, a built-in vertical, or a vertical JSON file."),
    graph_name: Optional[str] = typer.Option(None, "--graph-name", metavar="NAME", help="Named graph that scopes the analysis."),
    output: Path = typer.Option(Path("output"), "--output", metavar="DIR", help="Where run.json and reports/ go."),
    max_executions: int = typer.Option(0, "--max-executions", metavar="N", help="Cap on analyses (0 = no cap)."),
    max_concurrency: Optional[int] = typer.Option(None, "--max-concurrency", metavar="N", help="Concurrent tasks in parallel mode."),
    sequential: bool = typer.Option(False, "--sequential", metavar="", help="One task at a time (max_concurrency=1)."),
    thread_id: Optional[str] = typer.Option(None, "--thread-id", metavar="ID", help="Resume or name the run."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", metavar="DIR", help="Checkpoints and local state (default .graph_agents)."),
    formats: list[str] = typer.Option(list(DEFAULT_FORMATS), "--format", metavar="markdown|json|html", help="Report format(s) to write: markdown, json, html (repeatable)."
    ),
    review: bool = typer.Option(False, "--review", metavar="", help="Approve, edit or drop the proposed use cases before they run."),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar="", help="No progress and no summary: only the exit code and errors."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print run.json to stdout (nothing else on stdout)."),
    epoch: Optional[str] = typer.Option(None, "--epoch", metavar="EPOCH", help="Catalog epoch to record the run in (default: one per run)."),
    parent_epoch: Optional[str] = typer.Option(None, "--parent-epoch", metavar="EPOCH", help="The epoch this one follows."),
) -> None:
    """Run the workflow and write run.json and one report per analysis."""
    settings = _settings(workspace)
    progress = None if quiet or as_json else LiveProgress(console)
    try:
        check_output(output)  # before any analysis runs, not after all of them
        if demo:
            from .demo import ensure_demo

            demo_dir = ensure_demo(settings.home / "demo")
            data = data or demo_dir / "data"
            requirements = requirements or [demo_dir / "requirements.md"]
        if data is None and not settings.arango_configured:
            raise InputError("give --data DIR, --demo, or set ARANGO_URL to analyse a graph in ArangoDB")
        unknown = sorted(set(formats) - set(DEFAULT_FORMATS))
        if unknown:
            raise InputError(f"unknown --format {', '.join(unknown)}; known: {', '.join(DEFAULT_FORMATS)}")
        _check_inputs(requirements, industry)
        from .runner import AgenticWorkflowRunner

        runner = AgenticWorkflowRunner(
            data_dir=data, graph_name=graph_name, industry=industry, settings=settings, max_concurrency=max_concurrency,
            epoch=epoch, parent_epoch=parent_epoch, output=output, output_formats=formats,
        )

        async def go() -> WorkflowResult:
            result = await runner.run_async(
                [str(p) for p in requirements], max_executions=max_executions, enable_parallelism=not sequential,
                thread_id=thread_id, review_use_cases=review, progress=progress,
            )
            return await _review_loop(runner, result, progress, not sequential, as_json)

        with _warnings_on_stderr(), progress or contextlib.nullcontext():
            result = _run_until_stopped(go, runner, output)
    except InputError as exc:
        _fail(exc)
    _finish(runner, result, output, quiet, as_json, formats)


@app.command(cls=HelpCommand)
def resume(
    thread_id: str = typer.Argument(..., metavar="THREAD_ID", help="The run's thread id."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", metavar="DIR", help="The workspace the run was started in."),
    output: Optional[Path] = typer.Option(None, "--output", metavar="DIR", help="Where run.json and reports/ go (default: the run's own output directory)."),
    approve: bool = typer.Option(False, "--approve", metavar="", help="Approve the proposed use cases without asking."),
    drop: list[str] = typer.Option([], "--drop", metavar="UC-ID", help="Drop this use case id (repeatable) without asking."),
    decision: Optional[str] = typer.Option(None, "--decision", metavar="JSON", help='A review decision as JSON, e.g. \'{"drop": ["UC-002"]}\'.'),
    sequential: bool = typer.Option(False, "--sequential", metavar="", help="One task at a time (max_concurrency=1)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar="", help="No progress and no summary."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print run.json to stdout."),
) -> None:
    """Continue a run: answer its pending review, or pick it up where it stopped."""
    settings = _settings(workspace)
    progress = None if quiet or as_json else LiveProgress(console)
    try:
        given: Any = None
        if decision is not None:
            try:
                given = json.loads(decision)
            except json.JSONDecodeError as exc:
                raise InputError(f"--decision is not JSON: {exc.msg}") from None
            except RecursionError:
                raise InputError("--decision is nested too deeply to be a review decision") from None
        elif approve:
            given = {"action": "approve"}
        elif drop:
            given = {"drop": list(drop)}
        from .runner import AgenticWorkflowRunner

        from .recording import output_dir

        runner = AgenticWorkflowRunner.from_saved_run(thread_id, settings=settings, output=output)
        output = runner.output or output_dir(settings.home, thread_id)
        check_output(output)

        async def go() -> WorkflowResult:
            current = await runner.get_result_async(thread_id)
            if current.status != "awaiting_review":
                # nothing to answer: a run that stopped midway continues, a finished one is returned
                return await runner.resume_async(thread_id, enable_parallelism=not sequential, progress=progress)
            if given is not None:
                current = await runner.resume_async(thread_id, given, enable_parallelism=not sequential, progress=progress)
            return await _review_loop(runner, current, progress, not sequential, as_json)

        with progress or contextlib.nullcontext():
            result = _run_until_stopped(go, runner, output)
    except InputError as exc:
        _fail(exc)
    _finish(runner, result, output, quiet, as_json)


@app.command(cls=HelpCommand)
def verticals(as_json: bool = typer.Option(False, "--json", metavar="", help="Print the verticals as JSON.")) -> None:
    """List the built-in industry verticals."""
    from .verticals import list_verticals

    items = list_verticals()
    if as_json:
        typer.echo(json.dumps([v.dump() for v in items], indent=2))
        return
    table = Table(title="Built-in verticals (--industry NAME, or auto)")
    for col in ("name", "display name", "keywords", "description"):
        table.add_column(col)
    for v in items:
        table.add_row(*map(_cell, (v.name, v.display_name, ", ".join(v.keywords[:6]), v.description)))
    console.print(table)


@app.command(cls=HelpCommand)
def inspect(
    data: Optional[Path] = typer.Option(None, "--data", metavar="DIR", help="Graph directory (arangodump or *.jsonl)."),
    demo: bool = typer.Option(False, "--demo", metavar="", help="Inspect the bundled demo graph."),
    graph_name: Optional[str] = typer.Option(None, "--graph-name", metavar="NAME", help="Named graph that scopes the analysis."),
    industry: str = typer.Option("auto", "--industry", metavar="auto|NAME|FILE", help="Vertical whose hints decide core collections."),
    core: list[str] = typer.Option([], "--core", metavar="COLLECTION", help="Collection to treat as core (repeatable)."),
    satellite: list[str] = typer.Option([], "--satellite", metavar="COLLECTION", help="Collection to treat as satellite (repeatable)."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", metavar="DIR", help="Where the demo graph is generated."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the schema as JSON."),
) -> None:
    """Show the graph's schema as the agents see it: collections, roles, edge definitions, degrees."""
    from .backends import local_store
    from .nodes.analyze_schema import build_schema
    from .verticals import detect_vertical, load_vertical

    settings = _settings(workspace, writable=demo)
    try:
        if demo:
            from .demo import ensure_demo

            data = data or ensure_demo(settings.home / "demo") / "data"
        if data is None:
            raise InputError("give --data DIR (or --demo)")
        store = local_store(settings, data, graph_name=graph_name)

        async def schema_of():
            if industry.strip().lower() == "auto":
                vertical, _ = detect_vertical([], [c.name for c in await store.list_collections()])
            else:
                vertical = load_vertical(industry)
            return vertical, await build_schema(store, vertical, core, satellite)

        import asyncio

        vertical, schema = asyncio.run(schema_of())
    except InputError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps({"vertical": vertical.name, **schema.dump()}, indent=2))
        return
    console.print(f"graph [bold]{escape(schema.graph_name or '(none: edge definitions inferred)')}[/bold], "
                  f"vertical {escape(vertical.name)}: {schema.vertex_count:,} vertices, {schema.edge_count:,} edges")
    table = Table(title="Collections")
    for col in ("name", "type", "role", "count", "attributes"):
        table.add_column(col)
    for c in schema.collections:
        table.add_row(*map(_cell, (c.name, c.type, c.role, f"{c.count:,}",
                                   ", ".join(f"{k}:{t}" for k, t in list(c.attributes.items())[:8]))))
    console.print(table)
    edges = Table(title="Edge definitions")
    for col in ("edge collection", "from", "to"):
        edges.add_column(col)
    for d in schema.edge_definitions:
        edges.add_row(*map(_cell, (d.collection, ", ".join(d.from_collections), ", ".join(d.to_collections))))
    console.print(edges)
    deg = schema.degree
    console.print(_cell(f"degree: mean {deg.mean}, median {deg.median}, p99 {deg.p99}, max {deg.max}"))


@app.callback()
def main() -> None:
    """graph-agents"""





def _error_log(exc: BaseException) -> str:
    """Keep the traceback (scrubbed) in the workspace's logs, else in the temp directory; says
    where, or why nowhere. Reads no settings and never raises: it runs inside the handler of
    whatever went wrong, which may be the settings or the workspace themselves."""
    text = scrub_text("".join(traceback.format_exception(exc)))
    home = _workspace[0] if _workspace else Path(os.environ.get("GRAPH_AGENTS_HOME") or ".graph_agents")
    name = f"error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    for directory in (home / "logs", Path(tempfile.gettempdir()) / "graph-agents-logs"):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(text, encoding="utf-8")
            return f"details in {directory / name}"
        except Exception:  # noqa: BLE001 - a read-only or missing place: try the next one
            continue
    return "no log written: the workspace and the temp directory are not writable"


def entry() -> None:
    """The console script: any unexpected failure is one line, with the traceback kept in a log."""
    try:
        app(prog_name="graph-agents")
    except Exception as exc:  # the user gets a line, never a traceback
        where = _error_log(exc)
        try:
            err.print(f"[red]error:[/red] internal error: {escape(one_line(f'{type(exc).__name__}: {exc}', 300))} "
                      f"({escape(where)})", highlight=False, soft_wrap=True)
        except Exception:  # noqa: BLE001 - stderr itself is gone: the exit code still tells
            pass
        sys.exit(1)

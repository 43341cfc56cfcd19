"""`graph-agents catalog ...`: runs, epochs, executions, lineage, impact and comparisons."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .cli_console import HelpCommand, HelpGroup, make_console
from .errors import InputError, one_line

if TYPE_CHECKING:
    from .catalog import AnalyticsCatalog

app = typer.Typer(help="Query the analytics catalog: runs, epochs, lineage, impact, comparisons.", no_args_is_help=True, cls=HelpGroup)
console = make_console()
err = make_console(stderr=True)

WorkspaceOpt = typer.Option(None, "--workspace", metavar="DIR", help="Workspace holding catalog.sqlite (default .graph_agents).")
JsonOpt = typer.Option(False, "--json", metavar="", help="Print JSON instead of a table.")


def _query(workspace: Optional[Path], fn: Callable[[AnalyticsCatalog], Awaitable[Any]]) -> Any:
    from .catalog import open_catalog  # the catalog and settings: only for commands that read it
    from .settings import load_settings

    try:
        settings = load_settings()
    except InputError as exc:
        fail(exc)
    home = workspace or settings.home
    if not settings.arango_configured and not (home / "catalog.sqlite").is_file():
        fail(f"no catalog in {home} (run the workflow first)")

    async def go() -> Any:
        catalog = open_catalog(home, settings=settings)
        try:
            return await fn(catalog)
        finally:
            await catalog.aclose()

    import asyncio  # only the catalog commands run a loop

    try:
        return asyncio.run(go())
    except LookupError as exc:
        fail(exc.args[0])
    except InputError as exc:
        fail(exc)


def fail(message: object) -> None:
    """The one error line on stderr (scrubbed, markup escaped), then exit 2: bad input."""
    err.print(f"[red]error:[/red] {escape(one_line(message))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _when(t: Any) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S") if isinstance(t, (int, float)) else ""


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=escape(title))
    for c in columns:
        table.add_column(escape(c))
    for r in rows:
        table.add_row(*(escape(str(v)) if v is not None else "" for v in r))
    console.print(table)


@app.command(cls=HelpCommand)
def runs(epoch: Optional[str] = typer.Option(None, "--epoch", metavar="EPOCH"), workspace: Optional[Path] = WorkspaceOpt,
         as_json: bool = JsonOpt) -> None:
    """Runs, oldest first."""
    found = _query(workspace, lambda c: c.runs(epoch))
    if as_json:
        return _print_json(found)
    _table("Runs", ["run", "epoch", "started", "status", "mode", "vertical", "errors"],
           [[r["run_id"], r["epoch"], _when(r.get("started_at")), r.get("status"), r.get("mode"), r.get("vertical"),
             r.get("errors", "")] for r in found])


@app.command(cls=HelpCommand)
def epochs(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Epochs, oldest first, with their parent and runs."""
    found = _query(workspace, lambda c: c.epochs())
    if as_json:
        return _print_json(found)
    _table("Epochs", ["epoch", "parent", "created", "runs"],
           [[e["name"], e.get("parent"), _when(e.get("created_at")), ", ".join(e["runs"])] for e in found])


@app.command(cls=HelpCommand)
def executions(
    algorithm: Optional[str] = typer.Option(None, "--algorithm", metavar="NAME"),
    status: Optional[str] = typer.Option(None, "--status", metavar="STATUS"),
    epoch: Optional[str] = typer.Option(None, "--epoch", metavar="EPOCH"),
    since: Optional[datetime] = typer.Option(None, "--since", metavar="ISO-TIME", help="Started at or after (ISO time)."),
    until: Optional[datetime] = typer.Option(None, "--until", metavar="ISO-TIME", help="Started before (ISO time)."),
    workspace: Optional[Path] = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Executions filtered by algorithm, status, epoch and start time."""
    found = _query(workspace, lambda c: c.executions(algorithm=algorithm, status=status, epoch=epoch, since=since, until=until))
    if as_json:
        return _print_json(found)
    _table("Executions", ["run", "template", "algorithm", "status", "results", "seconds", "engine", "started"],
           [[e["run_id"], e["template_id"], e["algorithm"], e["status"], e.get("result_count"),
             f"{e.get('duration_s', 0):.3f}", e.get("engine"), _when(e.get("started_at"))] for e in found])


def _chains(title: str, result: dict[str, Any]) -> None:
    console.print(f"[bold]{escape(title)}[/bold] (run {escape(str(result['run_id']))})")
    for chain in result["chains"]:
        parts = []
        for nid in chain:
            doc = result["nodes"].get(nid) or {}
            label = doc.get("text") or doc.get("title") or doc.get("algorithm") or ""
            parts.append(f"{doc.get('id', nid)}" + (f" ({label[:60]})" if label else ""))
        console.print("  " + escape(" → ".join(parts)), highlight=False)


@app.command(cls=HelpCommand)
def lineage(report_id: str = typer.Argument(..., metavar="REPORT_ID"), run: Optional[str] = typer.Option(None, "--run", metavar="RUN", help="Run id (default: the latest run with that report)."),
            workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """From a report back to the requirements it answers."""
    result = _query(workspace, lambda c: c.lineage(report_id, run))
    if as_json:
        return _print_json(result)
    _chains(f"Lineage of {report_id}", result)


@app.command(cls=HelpCommand)
def impact(requirement_id: str = typer.Argument(..., metavar="REQUIREMENT_ID"), run: Optional[str] = typer.Option(None, "--run", metavar="RUN", help="Run id (default: the latest run with that requirement)."),
           workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """From a requirement forward to every report it led to."""
    result = _query(workspace, lambda c: c.impact(requirement_id, run))
    if as_json:
        return _print_json(result)
    _chains(f"Impact of {requirement_id}", result)


def _fmt(v: Any) -> str:
    return "" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)


@app.command(cls=HelpCommand)
def compare(a: str = typer.Argument(..., metavar="EPOCH_A"), b: str = typer.Argument(..., metavar="EPOCH_B"), workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Two epochs side by side, per analysis: top-k overlap, largest share, group counts."""
    rows = _query(workspace, lambda c: c.compare_epochs(a, b))
    if as_json:
        return _print_json(rows)
    out = []
    for r in rows:
        ma, mb = (r["a"] or {}).get("metrics", {}), (r["b"] or {}).get("metrics", {})
        out.append([r["analysis"], (r["a"] or {}).get("template_id"), (r["b"] or {}).get("template_id"),
                    _fmt(r.get("top_k_overlap")), f"{_fmt(ma.get('largest_share'))} → {_fmt(mb.get('largest_share'))}",
                    f"{_fmt(ma.get('count'))} → {_fmt(mb.get('count'))}"])
    _table(f"Epoch {a} → {b}", ["analysis", a, b, "top-k overlap", "largest share", "count"], out)


@app.command(cls=HelpCommand)
def series(name: str = typer.Argument(..., metavar="NAME"), metric: Optional[str] = typer.Option(None, "--metric", metavar="NAME"), workspace: Optional[Path] = WorkspaceOpt,
           as_json: bool = JsonOpt) -> None:
    """A metric (e.g. largest_share) or an analysis (template id, algorithm) across epochs."""
    points = _query(workspace, lambda c: c.time_series(name, metric))
    if as_json:
        return _print_json(points)
    _table(f"{name} across epochs", ["epoch", "run", "analysis", "value"],
           [[p["epoch"], p["run_id"], p["analysis"],
             _fmt(p["value"]) if "value" in p else ", ".join(f"{k}={_fmt(v)}" for k, v in p["metrics"].items())]
            for p in points])

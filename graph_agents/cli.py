"""The `graph-agents` command."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .cli_catalog import app as catalog_app
from .errors import InputError
from .runner import AgenticWorkflowRunner, WorkflowResult, export_run
from .settings import Settings

app = typer.Typer(help="Agentic graph analytics: requirements in, answers in business terms out.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
app.add_typer(catalog_app, name="catalog")


def _settings(workspace: Optional[Path]) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"home": workspace}) if workspace else settings


def _summary(result: WorkflowResult, run_json: Path) -> None:
    table = Table(title=f"Run {result.thread_id}: {result.status} ({result.mode}, vertical {result.vertical.name if result.vertical else '?'})")
    for col in ("template", "algorithm", "status", "seconds", "report"):
        table.add_column(col)
    reports = {r.template_id: r for r in result.reports}
    for ex in result.execution_results:
        rep = reports.get(ex.template_id)
        table.add_row(ex.template_id, ex.algorithm, ex.status, f"{ex.duration_s:.2f}", rep.title if rep else (ex.error or "")[:80])
    console.print(table)
    console.print(f"run.json: {run_json}")


@app.command()
def run(
    demo: bool = typer.Option(False, "--demo", help="Run on the bundled demo graph and requirements."),
    data: Optional[Path] = typer.Option(None, "--data", help="Graph directory (arangodump or *.jsonl)."),
    requirements: list[Path] = typer.Option([], "--requirements", help="Requirements document(s)."),
    industry: str = typer.Option("auto", "--industry", help="auto, a built-in vertical, or a vertical JSON file."),
    graph_name: Optional[str] = typer.Option(None, "--graph-name", help="Named graph that scopes the analysis."),
    output: Path = typer.Option(Path("output"), "--output", help="Where run.json and reports/ go."),
    max_executions: int = typer.Option(0, "--max-executions", help="Cap on analyses (0 = no cap)."),
    max_concurrency: Optional[int] = typer.Option(None, "--max-concurrency", help="Concurrent tasks in parallel mode."),
    sequential: bool = typer.Option(False, "--sequential", help="One task at a time (max_concurrency=1)."),
    thread_id: Optional[str] = typer.Option(None, "--thread-id", help="Resume or name the run."),
    workspace: Optional[Path] = typer.Option(None, "--workspace", help="Checkpoints and local state (default .graph_agents)."),
    epoch: Optional[str] = typer.Option(None, "--epoch", help="Catalog epoch to record the run in (default: one per run)."),
    parent_epoch: Optional[str] = typer.Option(None, "--parent-epoch", help="The epoch this one follows."),
) -> None:
    """Run the workflow and write run.json and one report per analysis."""
    settings = _settings(workspace)
    try:
        if demo:
            from .demo import ensure_demo

            demo_dir = ensure_demo(settings.home / "demo")
            data = data or demo_dir / "data"
            requirements = requirements or [demo_dir / "requirements.md"]
        if data is None:
            raise InputError("give --data DIR (or --demo)")
        runner = AgenticWorkflowRunner(
            data_dir=data, graph_name=graph_name, industry=industry, settings=settings, max_concurrency=max_concurrency,
            epoch=epoch, parent_epoch=parent_epoch,
        )
        result = asyncio.run(
            runner.run_async(
                [str(p) for p in requirements], max_executions=max_executions,
                enable_parallelism=not sequential, thread_id=thread_id,
            )
        )
        run_json = export_run(result, output)
    except InputError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    _summary(result, run_json)
    if runner.last_trace is not None:  # a finished thread returns its result without running
        runner.print_trace_summary(console)
        console.print(f"trace: {runner.export_trace(output / 'trace')['html']}")
    raise typer.Exit(0 if result.status == "completed" else 1)


@app.callback()
def main() -> None:
    """graph-agents"""


if __name__ == "__main__":
    app()

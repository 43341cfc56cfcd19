"""Where a run is recorded, whichever door it came through (the runner, the CLI, Studio, the SDK,
MCP): ``run.json``, the reports in every format and the run's ``index.html`` under the run's output
directory. The graph's ``finalize`` node calls :func:`record_run`, so a run recorded by the server
is recorded exactly as one started from Python; the output state says where (``output_dir``,
``report_paths``) and what was found (``answers``, ``coverage_summary``).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .coverage import summary as coverage_summary
from .llm.usage import totals as llm_totals
from .models import AnalysisTemplate, ExecutionResult, Report, Requirement, UseCase, Vertical
from .reports import write_report_files
from .reports.html import write_index
from .secrets import scrub
from .formats import DEFAULT_FORMATS


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
        return [r for r in self.execution_results if r.status == "failed"]  # "unresolved" ends in a report


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
    return _export_run(result, output, formats)[0]


def _export_run(result: WorkflowResult, output: str | Path,
                formats: Iterable[str]) -> tuple[Path, dict[str, dict[str, str]]]:
    out = Path(output)
    paths = export_reports(result, out / "reports", formats)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "run.json"
    target.write_text(json.dumps(scrub(run_summary(result, paths)), indent=2), encoding="utf-8")
    return target, paths


def output_dir(workspace: Path, run_id: str, output: str | Path | None = None) -> Path:
    """A run's output directory: the one it was given, else ``<workspace>/output/<run id>``."""
    return (Path(output) if output else Path(workspace) / "output" / run_id).resolve()


def _main_path(paths: dict[str, str]) -> str | None:
    """The page a person opens first: HTML, else Markdown, else JSON."""
    return next((paths[f] for f in ("html", "markdown", "json") if f in paths), None)


async def record_run(values: dict[str, Any], thread_id: str, out: Path, formats: Iterable[str],
                     llm_calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Write the run's ``run.json`` and reports under ``out``; return the state keys that say where
    and what was found. The files are written in a worker thread: the server's event loop refuses
    blocking calls."""
    result = WorkflowResult.from_state(thread_id, values)
    result.llm_calls = list(llm_calls)
    _, paths = await asyncio.to_thread(_export_run, result, out, list(formats))
    recorded: dict[str, Any] = {
        "output_dir": str(out),
        "report_paths": {rid: _main_path(p) for rid, p in paths.items()},
        "coverage_summary": coverage_summary(values.get("coverage") or []),
    }
    return recorded

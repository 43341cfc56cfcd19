"""HTML renderer: one self-contained page per report, an ``index.html`` for the run, and
``print.html``: the index and every report in one file, paged for print (the file to send; a
browser's "Print → Save as PDF" makes the PDF).

jinja2 with autoescaping on: every text from documents, data or an LLM is escaped. Charts are
inline SVG (``charts.py``), so the pages need no script and render offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from jinja2 import Environment, PackageLoader

from ..models import Report
from .charts import report_charts
from .wording import readable

INDEX = "index.html"
PRINT = "print.html"

# autoescape on for every template, whatever its extension
_env = Environment(loader=PackageLoader("graph_agents.reports", "templates"), autoescape=True,
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["readable"] = readable


def _parts(report: Report) -> dict[str, Any]:
    return {"report": report, "charts": report_charts(report), "facts_json": json.dumps(report.facts, indent=2)}


def render_report(report: Report, index_href: str = INDEX) -> str:
    return _env.get_template("report.html.j2").render(**_parts(report), index_href=index_href)


def _index_parts(run: dict[str, Any], reports: Iterable[Report], hrefs: dict[str, str]) -> dict[str, Any]:
    by_use_case: dict[str, list[dict[str, Any]]] = {}
    for r in reports:
        by_use_case.setdefault(r.use_case_id, []).append(
            {"title": r.title, "summary": r.summary, "href": hrefs.get(r.id, f"{r.id}.html")}
        )
    failures = [e for e in run.get("executions", []) if e.get("status") == "failed"]  # "unresolved" has its report
    failed_ids = {f.get("template_id") for f in failures}
    other_errors = [e for e in run.get("errors", []) if e.get("template_id") not in failed_ids]
    return {"run": run, "reports_by_use_case": by_use_case, "failures": failures, "other_errors": other_errors,
            "report_hrefs": hrefs}


def render_index(run: dict[str, Any], reports: Iterable[Report], hrefs: dict[str, str]) -> str:
    """``run``: the run summary (``runner.run_summary`` plus ``documents``/``objectives``/``vertical_name``)."""
    return _env.get_template("index.html.j2").render(**_index_parts(run, reports, hrefs))


def render_print(run: dict[str, Any], reports: Iterable[Report]) -> str:
    """The run's index followed by every report, one self-contained page (links are anchors)."""
    reports = list(reports)
    return _env.get_template("print.html.j2").render(
        **_index_parts(run, reports, {r.id: f"#{r.id}" for r in reports}), items=[_parts(r) for r in reports])


def write_report_html(report: Report, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{report.id}.html"
    path.write_text(render_report(report), encoding="utf-8")
    return path


def write_index(run: dict[str, Any], reports: Iterable[Report], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    reports = list(reports)
    path = directory / INDEX
    path.write_text(render_index(run, reports, {r.id: f"{r.id}.html" for r in reports}), encoding="utf-8")
    (directory / PRINT).write_text(render_print(run, reports), encoding="utf-8")
    return path

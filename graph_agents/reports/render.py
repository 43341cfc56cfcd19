"""Report renderers: Markdown, JSON and HTML files per report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from ..models import Report


def _md_escape(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    lines = [f"# {report.title}", "", report.summary, "",
             f"- Algorithm: `{report.algorithm}`", f"- Use case: {report.use_case_id}", f"- Template: {report.template_id}"]
    if report.grounding:
        lines.append(f"- Grounding: {report.grounding.get('checked', 0)} sentences checked against the facts, "
                     f"{report.grounding.get('removed', 0)} removed")
    lines.append("")
    if report.insights:
        lines += ["## Insights", ""]
        for ins in report.insights:
            lines += [f"### {ins.title}", "", ins.description, "", f"_Confidence {ins.confidence:.2f}; evidence: {', '.join(ins.evidence)}_", ""]
    if report.recommendations:
        lines += ["## Recommendations", ""]
        for rec in report.recommendations:
            lines.append(f"- **{rec.title}** ({rec.priority} priority, {rec.effort} effort): {rec.description} {rec.impact}")
        lines.append("")
    if report.top_results:
        lines += ["## Top results", "", "| # | Vertex | Name | Score |", "|---|---|---|---|"]
        for i, r in enumerate(report.top_results, 1):
            lines.append(f"| {i} | `{r['id']}` | {_md_escape(r.get('name', ''))} | {r['score']:.6g} |")
        lines.append("")
    if report.groups:
        lines += ["## Groups", "", "| Label | Size | Collections | Members (first 5) |", "|---|---|---|---|"]
        for g in report.groups[:20]:
            cols = ", ".join(f"{k}: {v}" for k, v in sorted(g.get("collections", {}).items()))
            lines.append(f"| `{g['label']}` | {g['size']} | {cols} | {', '.join(g['members'][:5])} |")
        lines.append("")
    lines += ["## Facts", "", "```json", json.dumps(report.facts, indent=2), "```", ""]
    return "\n".join(lines)


def write_report_files(report: Report, directory: Path, formats: Iterable[str]) -> dict[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    if "markdown" in formats:
        p = directory / f"{report.id}.md"
        p.write_text(to_markdown(report), encoding="utf-8")
        paths["markdown"] = str(p)
    if "json" in formats:
        p = directory / f"{report.id}.json"
        p.write_text(json.dumps(report.dump(), indent=2), encoding="utf-8")
        paths["json"] = str(p)
    if "html" in formats:
        from .html import write_report_html

        paths["html"] = str(write_report_html(report, directory))
    return paths

"""Report renderers: Markdown, JSON and HTML files per report."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, Iterable

from ..models import Report
from .wording import readable


# control characters (C0, DEL, C1) and Unicode line/paragraph separators: each would end a line or a
# table row in some renderer, so a vertex name could start a heading or break a table
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# CommonMark's backslash escapes for what starts a link or image, emphasis, a code span, a table
# cell, strikethrough or math (GitHub) anywhere in a line; "<" and ">" become entities (html.escape)
_INLINE = re.compile(r"([\\`*_\[\]!|~$^])")
# what starts a block only at the start of a line: a heading, list, quote, setext underline
_LEAD = re.compile(r"^(?:[#>+=-]|\d{1,9}(?=[.)](?:\s|$)))")
# what a linkifying viewer (GitHub) turns into a link with no Markdown at all: "http://x", "www.x",
# "x.com", "a@b.org"; an escaped ":", "." or "@" splits the text the linkifier sees
_BARE_LINK = re.compile(r":(?=//)|(?<=[A-Za-z0-9])\.(?=[A-Za-z])|@")


def md_text(text: Any) -> str:
    """Text from documents, data or an LLM, made inert in Markdown: one line, every Markdown
    construct escaped (shown as typed, never an image, link, heading or a broken table), and HTML
    as entities (viewers render raw HTML)."""
    line = _CONTROL.sub(" ", str(text)).strip()
    line = _INLINE.sub(r"\\\1", line)
    line = _BARE_LINK.sub(lambda m: "\\" + m.group(0), line)
    # "1. x" stays text as "1\. x"; "# x" as "\# x"
    line = _LEAD.sub(lambda m: m.group(0) + "\\" if m.group(0)[0].isdigit() else "\\" + m.group(0), line)
    return html.escape(line, quote=False)


def _fence(text: str) -> str:
    ticks = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{ticks}json\n{text}\n{ticks}"


def to_markdown(report: Report) -> str:
    lines = [f"# {md_text(report.title)}", ""]
    if report.question:
        lines += [f"Question: {md_text(report.question)}", ""]
    lines += [md_text(report.summary), "",
             f"- Algorithm: `{report.algorithm}`", f"- Use case: {report.use_case_id}", f"- Template: {report.template_id}"]
    if report.grounding:
        lines.append(f"- Grounding: {report.grounding.get('checked', 0)} sentences checked against the facts, "
                     f"{report.grounding.get('removed', 0)} removed")
    lines.append("")
    if report.insights:
        lines += ["## Insights", ""]
        for ins in report.insights:
            lines += [f"### {md_text(ins.title)}", "", md_text(ins.description), "",
                      f"_Confidence {ins.confidence:.2f}; evidence: {md_text(', '.join(ins.evidence))}_", ""]
    if report.recommendations:
        lines += ["## Recommendations", ""]
        for rec in report.recommendations:
            lines.append(f"- **{md_text(rec.title)}** ({rec.priority} priority, {rec.effort} effort): {md_text(rec.description)} {md_text(rec.impact)}")
        lines.append("")
    if report.top_results:
        lines += ["## Top results", "", "| # | Vertex | Name | Score |", "|---|---|---|---|"]
        for i, r in enumerate(report.top_results, 1):
            lines.append(f"| {i} | {md_text(r['id'])} | {md_text(r.get('name', ''))} | {readable(r['score'])} |")
        lines.append("")
    if report.facts.get("path"):  # a path as a step table
        lines += ["## Path", "", "| Step | Vertex |", "|---|---|"]
        lines += [f"| {i} | {md_text(v)} |" for i, v in enumerate(report.facts["path"])] + [""]
    if report.facts.get("top_pairs"):
        lines += ["## Most similar pairs", "", "| Vertex | Vertex | Jaccard |", "|---|---|---|"]
        lines += [f"| {md_text(p['a'])} | {md_text(p['b'])} | {p['similarity']:.3g} |" for p in report.facts["top_pairs"]] + [""]
    if report.groups:
        lines += ["## Groups", "", "| Group | Size | Collections | Members (first 5) |", "|---|---|---|---|"]
        for g in report.groups[:20]:
            cols = ", ".join(f"{k}: {readable(v)}" for k, v in sorted(g.get("collections", {}).items()))
            members = ", ".join(g.get("names", {}).get(m, m) for m in g["members"][:5])
            lines.append(f"| {md_text(g.get('caption') or g['label'])} | {readable(g['size'])} | {md_text(cols)} | {md_text(members)} |")
        lines.append("")
    lines += ["## Facts", "", _fence(json.dumps(report.facts, indent=2)), ""]
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

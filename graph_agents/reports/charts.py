"""Inline SVG charts, drawn server-side: no script, no CDN, readable offline.

Every label is escaped (it may come from documents or data); the functions return
``markupsafe.Markup`` so jinja2's autoescaping leaves the SVG itself alone.
"""

from __future__ import annotations

from typing import Any, Sequence

from markupsafe import Markup, escape

from .wording import readable

WIDTH = 720
BAR = "#3b6ea5"
BEFORE = "#b9c4d0"


_fmt = readable


def _svg(height: int, title: str, body: list[str]) -> Markup:
    t = escape(title)
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}"><title>{t}</title>'
        f'<text x="0" y="14" class="chart-title">{t}</text>' + "".join(body) + "</svg>"
    )


def _clip(label: str, n: int = 40) -> str:
    """``label`` within ``n`` characters, cut at a word boundary (the full text is the bar's tooltip)."""
    if len(label) <= n:
        return label
    cut = label[: n - 1]
    if label[n - 1] != " " and " " in cut:  # a word cut in the middle goes whole
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ·,;:") + "…"


def bar_chart(items: Sequence[tuple[str, float]], title: str, notes: Sequence[str] = ()) -> Markup | None:
    """Horizontal bars, one per (label, value), in the given order; ``notes`` (one per bar, e.g. a
    sample of a group's members) are written after the value."""
    items = [(str(label), float(v)) for label, v in items]
    if not items:
        return None
    top = max(v for _, v in items) or 1.0
    left, row = 250, 20
    plot = (WIDTH - left - 70) * (0.5 if notes else 1.0)
    body = []
    for i, (label, v) in enumerate(items):
        y = 26 + i * row
        w = max(1.0, plot * max(0.0, v) / top)
        note = notes[i] if i < len(notes) else ""
        body.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" class="chart-label">{escape(_clip(label))}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{BAR}">'
            f"<title>{escape(label)}: {_fmt(v)}{escape(' · ' + note) if note else ''}</title></rect>"
            f'<text x="{left + w + 4:.1f}" y="{y + 13}" class="chart-value">{_fmt(v)}</text>'
        )
        if note:
            room = int((WIDTH - left - w - 60) / 6)  # ~6 px per character at 11 px
            body.append(f'<text x="{left + w + 50:.1f}" y="{y + 13}" class="chart-note">{escape(_clip(note, max(8, room)))}</text>')
    return _svg(30 + len(items) * row, title, body)


def column_chart(items: Sequence[tuple[str, float]], title: str, note: str = "",
                 edge_labels: tuple[str, str] | None = None) -> Markup | None:
    """Vertical columns (a histogram): one per (bin label, count); ``edge_labels`` name the
    axis's two ends."""
    items = [(str(label), float(v)) for label, v in items]
    if not items or not any(v for _, v in items):
        return None
    top = max(v for _, v in items)
    base, plot_h, left = 190, 150, 40
    step = (WIDTH - left - 10) / len(items)
    body = [f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#888"/>']
    for i, (label, v) in enumerate(items):
        h = plot_h * v / top
        x = left + i * step
        body.append(
            f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{max(1.0, step - 2):.1f}" height="{max(h, 0.5):.1f}" fill="{BAR}">'
            f"<title>{escape(label)}: {_fmt(v)}</title></rect>"
        )
        if v:
            body.append(f'<text x="{x + step / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" class="chart-value">{_fmt(v)}</text>')
        if len(items) <= 8 or i % max(1, len(items) // 5) == 0:  # a few axis labels, not a crowd
            short = label.split("–")[0]
            body.append(f'<text x="{x + 1:.1f}" y="{base + 14}" class="chart-label">{escape(_clip(short, 12))}</text>')
    if edge_labels:  # the axis ends at the bins' outer edges: the minimum and the maximum themselves
        first, last = edge_labels
        body.append(f'<text x="{left}" y="{base + 26}" class="chart-label">min {escape(first)}</text>'
                    f'<text x="{WIDTH - 10}" y="{base + 26}" text-anchor="end" class="chart-label">max {escape(last)}</text>')
    if note:
        body.append(f'<text x="{left}" y="{base + 40}" class="chart-note">{escape(note)}</text>')
    return _svg(base + 48, title, body)


def paired_bars(items: Sequence[tuple[str, float | None, float]], title: str) -> Markup | None:
    """Before/now bars per label: the change since the baseline run."""
    items = [(str(label), None if b is None else float(b), float(n)) for label, b, n in items]
    if not items:
        return None
    top = max(max(b or 0.0, n) for _, b, n in items) or 1.0
    left, row, plot = 230, 30, WIDTH - 230 - 70
    body = [
        f'<rect x="{left}" y="20" width="10" height="8" fill="{BEFORE}"/><text x="{left + 14}" y="28" class="chart-label">before</text>'
        f'<rect x="{left + 70}" y="20" width="10" height="8" fill="{BAR}"/><text x="{left + 84}" y="28" class="chart-label">now</text>'
    ]
    for i, (label, b, n) in enumerate(items):
        y = 34 + i * row
        body.append(f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" class="chart-label">{escape(_clip(label))}</text>')
        for j, (v, color, name) in enumerate(((b, BEFORE, "before"), (n, BAR, "now"))):
            if v is None:
                continue
            w = max(1.0, plot * max(0.0, v) / top)
            body.append(
                f'<rect x="{left}" y="{y + 2 + j * 12}" width="{w:.1f}" height="11" fill="{color}">'
                f"<title>{escape(label)} {name}: {_fmt(v)}</title></rect>"
                f'<text x="{left + w + 4:.1f}" y="{y + 12 + j * 12}" class="chart-value">{_fmt(v)}</text>'
            )
    return _svg(40 + len(items) * row, title, body)


def score_bins(dist: dict[str, Any]) -> list[tuple[str, int]]:
    """(band label, vertices) per bin of a ``score_histogram``, zeros first when counted apart."""
    edges, counts = dist.get("edges") or [], dist.get("counts") or []
    bins = [(f"{_fmt(edges[i])}–{_fmt(edges[i + 1])}", c) for i, c in enumerate(counts)]
    if dist.get("zeros"):
        bins.insert(0, ("0", dist["zeros"]))
    return bins


def report_charts(report: Any) -> list[Markup]:
    """The charts a person would rather look at than read, for one report."""
    facts = report.facts
    charts: list[Markup | None] = []
    if report.top_results:
        q = facts.get("quantiles") or {}
        flat = bool(q) and q.get("min") == q.get("max")
        if not flat:  # equal scores rank nothing: the report says so instead of drawing equal bars
            charts.append(bar_chart([(r.get("name") or r["id"], r["score"]) for r in report.top_results[:15]],
                                    f"Top {min(15, len(report.top_results))} by {report.algorithm}"))
        dist = facts.get("distribution") or {}
        edges = dist.get("edges") or []
        counts_by_value = facts.get("value_counts")
        if counts_by_value:  # whole-number scores (core numbers, degrees): one column per value
            charts.append(column_chart(list(counts_by_value.items()), f"Vertices per {report.algorithm} value"))
        else:
            floor = facts.get("floor")
            note = "log-spaced bands" if dist.get("scale") == "log" else "even bands"
            if floor:
                note += f"; {_fmt(floor['count'])} tied at the lowest score {_fmt(floor['value'])} are described, not drawn"
            charts.append(column_chart(score_bins(dist), "Score distribution (vertices per score band)", note,
                                       (_fmt(edges[0]), _fmt(edges[-1])) if edges else None))
    if facts.get("path"):
        from .paths import path_chart  # the paths report module draws its own shape

        charts.append(path_chart(facts["path"], {}, f"The path in {facts['hops']} hops"))
    if facts.get("top_pairs"):
        charts.append(bar_chart([(f"{p['a']} ~ {p['b']}", p["similarity"]) for p in facts["top_pairs"][:15]],
                                "Most similar pairs (Jaccard)"))
    if facts.get("bridges"):
        charts.append(bar_chart([(f"{b['from']} – {b['to']}", b["cut_off"]) for b in facts["bridges"][:15]],
                                "Bridges by vertices cut off"))
    if report.groups:
        charts.append(bar_chart([(g.get("caption") or g["label"], g["size"]) for g in report.groups[:15]],
                                "Largest groups by size", [sample(g) for g in report.groups[:15]]))
        hist = facts.get("size_histogram") or {}
        charts.append(column_chart(list(hist.items()), "Group size distribution (groups per size band)"))
    changes = facts.get("changes") or {}
    since = changes.get("baseline_label") or f"run {changes.get('baseline_run')}"
    if changes.get("top_scores"):
        names = {r["id"]: r.get("name") or r["id"] for r in report.top_results}
        charts.append(paired_bars([(names.get(t["id"], t["id"]), t["before"], t["now"]) for t in changes["top_scores"]],
                                  f"Change since {since}: top scores"))
    elif changes.get("size_histogram"):
        before, now = changes["size_histogram"]["before"], changes["size_histogram"]["now"]
        charts.append(paired_bars([(band, before.get(band, 0), now.get(band, 0)) for band in now],
                                  f"Change since {since}: groups per size band"))
    return [c for c in charts if c is not None]


def sample(group: dict[str, Any], k: int = 3) -> str:
    """A few of a group's members, by name where they have one: "e.g. Ann, Bob, customers/c3"."""
    names = group.get("names") or {}
    shown = [names.get(m, m) for m in group.get("members", [])[:k]]
    more = "…" if group.get("size", 0) > len(shown) else ""
    return "e.g. " + ", ".join(shown) + more if shown else ""

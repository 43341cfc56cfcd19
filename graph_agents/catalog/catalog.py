"""The analytics catalog: what ran in which epoch, how it links back to the requirements, and how
results moved between epochs.

Entities are keyed ``<run id>:<entity id>`` so recording the same node again (a resumed run) only
overwrites; lineage edges run requirement → use case → template → execution → report.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Iterable, Literal, Sequence

from ..concurrency import GroupWrites, Once
from ..secrets import known as known_secrets, scrub
from .base import CatalogBackend, Doc, node_id

TOP_K = 10  # top ids kept per report, for overlap between epochs


def _key(run_id: str, entity_id: str) -> str:
    return f"{run_id}:{entity_id}"


def _seconds(t: float | datetime | None) -> float | None:
    return t.timestamp() if isinstance(t, datetime) else t


def signature(doc: dict[str, Any]) -> str:
    """What makes two templates of different runs "the same analysis": algorithm and collections."""
    vertices = ",".join(sorted(doc.get("vertex_collections") or []))
    edges = ",".join(sorted(doc.get("edge_collections") or []))
    return f"{doc.get('algorithm')}({vertices} via {edges or '-'})"


def report_metrics(report: dict[str, Any]) -> dict[str, Any]:
    """Numbers worth following across epochs: the numeric facts and the top ids."""
    facts = report.get("facts") or {}
    metrics = {k: v for k, v in facts.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    top = [t["id"] for t in (report.get("top_results") or facts.get("top") or [])[:TOP_K]]
    return {"metrics": metrics, "top_ids": top, "group_sizes": [g.get("size") for g in (facts.get("groups") or [])[:TOP_K]]}


class AnalyticsCatalog:
    """Epochs, runs and lineage over any :class:`CatalogBackend`.

    ``epoch`` names the epoch new runs are recorded in (default: one epoch per run, named after
    the run); ``parent_epoch`` links it to an earlier one.
    """

    def __init__(self, backend: CatalogBackend, *, epoch: str | None = None, parent_epoch: str | None = None) -> None:
        self.backend = backend
        self.epoch = epoch
        self.parent_epoch = parent_epoch
        self._epochs: dict[str, str] = {}  # run id -> epoch, once known
        self._writes: GroupWrites[tuple[list[Doc], Sequence[tuple[str, str]]]] = GroupWrites(self._flush)
        self._once = Once()  # per run: what it recorded before this process, the baselines there are

    def bind(self, epoch: str | None = None, parent_epoch: str | None = None) -> "AnalyticsCatalog":
        """The same storage, recording new runs in ``epoch``."""
        return AnalyticsCatalog(self.backend, epoch=epoch, parent_epoch=parent_epoch)

    async def aclose(self) -> None:
        await self._writes.idle()  # what is queued is written before the backend closes
        await self.backend.aclose()

    async def _write(self, docs: list[Doc], links: Sequence[tuple[str, str]] = ()) -> None:
        """Write through the backend, together with whatever else is waiting (one transaction on
        SQLite, one query per kind on ArangoDB): 100 analyses finishing together cost a few round
        trips, not 200. Returns once its own writes are stored."""
        for kind, key, _ in docs:
            node_id(kind, key)  # a bad entity fails its own caller, not the batch it would join
        await self._writes.add([(docs, links)])

    async def _flush(self, writes: list[tuple[list[Doc], Sequence[tuple[str, str]]]]) -> None:
        values = known_secrets()  # no secret is recorded, whichever backend stores it
        await self.backend.write([(kind, key, scrub(doc, values)) for docs, _ in writes for kind, key, doc in docs],
                                 [e for _, links in writes for e in links])

    # -- recording (called by the graph's nodes) -----------------------------------------------

    async def start_run(self, run_id: str, **info: Any) -> None:
        """Record the epoch (created on first use) and the run: mode, vertical, documents, store."""
        run = await self.backend.get("runs", run_id)
        epoch = (run or {}).get("epoch") or self.epoch or run_id
        now = time.time()
        existing = await self.backend.get("epochs", epoch)
        await self._write([
            ("epochs", epoch, {
                "key": epoch, "name": epoch,
                "parent": (existing or {}).get("parent") or self.parent_epoch,
                "created_at": (existing or {}).get("created_at", now),
            }),
            ("runs", run_id, {
                **(run or {}), **info, "key": run_id, "run_id": run_id, "epoch": epoch,
                "started_at": (run or {}).get("started_at", now), "status": (run or {}).get("status", "running"),
            }),
        ])
        self._epochs[run_id] = epoch
        if run is None:  # a new run has recorded nothing: its analyses need not ask
            self._once.known(("recorded", run_id), {"executions": {}, "reports": {}})

    async def _epoch(self, run_id: str) -> str:
        if run_id not in self._epochs:
            run = await self.backend.get("runs", run_id)
            if run is None:  # a run resumed from before the catalog was configured
                await self.start_run(run_id)
            else:
                self._epochs[run_id] = run["epoch"]
        return self._epochs[run_id]

    async def _record(self, kind: str, run_id: str, entities: Iterable[tuple[str, dict[str, Any], list[str]]]) -> None:
        """Record ``(entity id, document, lineage sources)`` of one kind for ``run_id``, together."""
        epoch = await self._epoch(run_id)
        docs, links = [], []
        for entity_id, doc, sources in entities:
            key = _key(run_id, entity_id)
            docs.append((kind, key, {**doc, "key": key, "id": entity_id, "run_id": run_id, "epoch": epoch,
                                     "recorded_at": time.time()}))
            links += [(source, node_id(kind, key)) for source in sources]
        if docs:
            await self._write(docs, links)

    async def record_requirements(self, run_id: str, requirements: Iterable[dict[str, Any]]) -> None:
        await self._record("requirements", run_id, ((req["id"], req, []) for req in requirements))

    async def record_use_cases(self, run_id: str, use_cases: Iterable[dict[str, Any]]) -> None:
        await self._record("use_cases", run_id, (
            (uc["id"], uc, [node_id("requirements", _key(run_id, r)) for r in uc.get("requirement_ids") or []])
            for uc in use_cases
        ))

    async def record_templates(self, run_id: str, templates: Iterable[dict[str, Any]]) -> None:
        await self._record("templates", run_id, (
            (t["id"], {**t, "signature": signature(t)}, [node_id("use_cases", _key(run_id, t["use_case_id"]))])
            for t in templates
        ))

    async def record_execution(
        self, run_id: str, template: dict[str, Any], result: dict[str, Any], baseline_key: str | None = None
    ) -> None:
        """One execution per template and run: algorithm, parameters, collections, where the
        results are, how many, status, error, timings and engine. ``baseline_key`` names "the same
        analysis on the same graph" across runs (see :func:`previous_executions`)."""
        doc = {
            **result,
            "baseline_key": baseline_key,
            "use_case_id": template.get("use_case_id"),
            "parameters": template.get("parameters") or {},
            "vertex_collections": template.get("vertex_collections") or [],
            "edge_collections": template.get("edge_collections") or [],
            "signature": signature(template),
            "duration_s": max(0.0, (result.get("finished_at") or 0) - (result.get("started_at") or 0)),
        }
        source = node_id("templates", _key(run_id, result["template_id"]))
        await self._record("executions", run_id, [(result["template_id"], doc, [source])])

    async def recorded(self, run_id: str, kind: Literal["executions", "reports"], template_id: str) -> dict[str, Any] | None:
        """What an earlier process of ``run_id`` recorded for ``template_id`` (its execution, or
        its report with the whole report under ``"report"``), or None.

        This is how a resumed run skips what it already did inside an analysis: an analysis keeps
        no checkpoints between its steps, and LangGraph saves a finished task's writes only when a
        concurrency slot is free (with ``max_concurrency=1``, at the end of the step). The run's
        records are read once, on the first ask: what this process records is never asked for.
        """
        found = await self._once.get(("recorded", run_id), lambda: self._by_template(run_id))
        return found[kind].get(template_id)

    async def _baseline_keys(self) -> set[str]:
        return set(await self.backend.distinct("executions", "baseline_key", status="completed")) - {None}

    async def _by_template(self, run_id: str) -> dict[str, dict[str, dict[str, Any]]]:
        return {kind: {d["template_id"]: d for d in await self.backend.find(kind, run_id=run_id)}
                for kind in ("executions", "reports")}

    async def previous_executions(self, baseline_key: str, run_id: str) -> list[dict[str, Any]]:
        """Completed executions with ``baseline_key`` from runs other than ``run_id``, latest first.

        Which keys have any is read once per run, so the analyses of a first run (or of new
        templates) don't each ask the backend for what is not there."""
        keys = await self._once.get(("baselines", run_id), self._baseline_keys)
        if baseline_key not in keys:
            return []
        found = await self.backend.find("executions", baseline_key=baseline_key, status="completed")
        return sorted((e for e in found if e.get("run_id") != run_id), key=lambda e: e.get("finished_at") or 0, reverse=True)

    async def record_report(self, run_id: str, report: dict[str, Any], rejections: Iterable[dict[str, Any]] = ()) -> None:
        """The report's headline and metrics, and the whole report with the LLM proposals its
        writing rejected (what a resumed run takes instead of writing it again)."""
        doc = {k: report.get(k) for k in ("title", "algorithm", "use_case_id", "template_id", "summary", "status")}
        doc.update(report_metrics(report), insights=len(report.get("insights") or []),
                   report=report, llm_rejections=list(rejections))
        await self._record("reports", run_id, [(report["id"], doc, [node_id("executions", _key(run_id, report["template_id"]))])])

    async def finish_run(self, run_id: str, **info: Any) -> None:
        await self._epoch(run_id)
        run = await self.backend.get("runs", run_id) or {}
        await self._write([("runs", run_id, {**run, **info, "finished_at": time.time()})])

    # -- queries --------------------------------------------------------------------------------

    async def epochs(self) -> list[dict[str, Any]]:
        runs = await self.backend.find("runs")
        out = []
        for e in sorted(await self.backend.find("epochs"), key=lambda e: e.get("created_at", 0)):
            mine = [r["run_id"] for r in runs if r.get("epoch") == e["name"]]
            out.append({**e, "runs": mine})
        return out

    async def runs(self, epoch: str | None = None) -> list[dict[str, Any]]:
        found = await (self.backend.find("runs", epoch=epoch) if epoch else self.backend.find("runs"))
        return sorted(found, key=lambda r: r.get("started_at", 0))

    async def executions(
        self,
        *,
        algorithm: str | None = None,
        status: str | None = None,
        epoch: str | None = None,
        run_id: str | None = None,
        since: float | datetime | None = None,
        until: float | datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Executions filtered by algorithm, status, epoch, run and start time (``since`` <= t < ``until``)."""
        equals = {k: v for k, v in (("algorithm", algorithm), ("status", status), ("epoch", epoch), ("run_id", run_id)) if v}
        found = await self.backend.find("executions", **equals)
        lo, hi = _seconds(since), _seconds(until)
        found = [e for e in found if (lo is None or e.get("started_at", 0) >= lo) and (hi is None or e.get("started_at", 0) < hi)]
        return sorted(found, key=lambda e: e.get("started_at", 0))

    async def _resolve(self, kind: str, ident: str, run_id: str | None) -> str:
        """``kind/key`` of an entity given its key, or its id within ``run_id`` (default: the latest run)."""
        if run_id is None and await self.backend.get(kind, ident) is not None:
            return node_id(kind, ident)
        candidates = await self.backend.find(kind, id=ident, **({"run_id": run_id} if run_id else {}))
        if not candidates:
            where = f" in run {run_id}" if run_id else ""
            raise LookupError(f"no {kind[:-1].replace('_', ' ')} {ident!r}{where} in the catalog")
        latest = max(candidates, key=lambda d: d.get("recorded_at", 0))
        return node_id(kind, latest["key"])

    async def _paths(self, start: str, direction: str) -> list[list[str]]:
        nxt = await self.backend.neighbors(start, direction)  # type: ignore[arg-type]
        if not nxt:
            return [[start]]
        return [[start, *rest] for n in nxt for rest in await self._paths(n, direction)]

    async def _docs(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        out = {}
        for nid in dict.fromkeys(ids):
            kind, key = nid.split("/", 1)
            out[nid] = await self.backend.get(kind, key) or {}
        return out

    async def lineage(self, report_id: str, run_id: str | None = None) -> dict[str, Any]:
        """From a report back to the requirements it answers: every chain
        ``[requirement, use case, template, execution, report]`` (as ``kind/key``)."""
        start = await self._resolve("reports", report_id, run_id)
        chains = [list(reversed(p)) for p in await self._paths(start, "in")]
        nodes = await self._docs(n for c in chains for n in c)
        return {
            "report": start,
            "run_id": nodes[start].get("run_id"),
            "chains": chains,
            "requirements": [nodes[c[0]] for c in chains if c[0].startswith("requirements/")],
            "nodes": nodes,
        }

    async def impact(self, requirement_id: str, run_id: str | None = None) -> dict[str, Any]:
        """From a requirement forward to every report it led to."""
        start = await self._resolve("requirements", requirement_id, run_id)
        chains = await self._paths(start, "out")
        nodes = await self._docs(n for c in chains for n in c)
        return {
            "requirement": start,
            "run_id": nodes[start].get("run_id"),
            "chains": chains,
            "reports": [nodes[c[-1]] for c in chains if c[-1].startswith("reports/")],
            "nodes": nodes,
        }

    async def _latest_by_signature(self, epoch: str) -> dict[str, dict[str, Any]]:
        """The latest execution of each analysis in ``epoch``, with its report's metrics."""
        reports = {(r["run_id"], r["template_id"]): r for r in await self.backend.find("reports", epoch=epoch)}
        out: dict[str, dict[str, Any]] = {}
        for ex in sorted(await self.backend.find("executions", epoch=epoch), key=lambda e: e.get("started_at", 0)):
            rep = reports.get((ex["run_id"], ex["template_id"])) or {}
            metrics = {"result_count": ex.get("result_count", 0), "duration_s": ex.get("duration_s", 0.0),
                       **(rep.get("metrics") or {})}
            out[ex["signature"]] = {
                "epoch": epoch, "run_id": ex["run_id"], "template_id": ex["template_id"], "algorithm": ex["algorithm"],
                "status": ex.get("status"), "report_id": rep.get("id"), "metrics": metrics,
                "top_ids": rep.get("top_ids") or [], "started_at": ex.get("started_at", 0),
            }
        return out

    async def compare_epochs(self, a: str, b: str, k: int = TOP_K) -> list[dict[str, Any]]:
        """Per analysis (algorithm + collections), the latest execution in each epoch side by side:
        the top-``k`` overlap for scores, metric deltas (e.g. ``largest_share``) for all."""
        for name in (a, b):
            if await self.backend.get("epochs", name) is None:
                raise LookupError(f"no epoch {name!r} in the catalog")
        left, right = await self._latest_by_signature(a), await self._latest_by_signature(b)
        rows = []
        for sig in [*left, *(s for s in right if s not in left)]:
            x, y = left.get(sig), right.get(sig)
            row: dict[str, Any] = {"analysis": sig, "algorithm": (x or y)["algorithm"], "a": x, "b": y}
            if x and y:
                shared = [m for m in x["metrics"] if m in y["metrics"]]
                row["deltas"] = {m: y["metrics"][m] - x["metrics"][m] for m in shared}
                n = min(k, len(x["top_ids"]), len(y["top_ids"]))
                row["top_k_overlap"] = (len(set(x["top_ids"][:n]) & set(y["top_ids"][:n])) / n) if n else None
            rows.append(row)
        return rows

    async def time_series(self, name: str, metric: str | None = None) -> list[dict[str, Any]]:
        """Across epochs (oldest first): the latest value per analysis.

        ``name`` is a metric (``largest_share``, ``gini``, ``duration_s`` ...: one point per
        analysis and epoch) or an analysis — a template id, an algorithm or a signature — with
        all its metrics, or only ``metric``.
        """
        points = []
        for epoch in await self.epochs():
            for sig, item in (await self._latest_by_signature(epoch["name"])).items():
                base = {"epoch": epoch["name"], "run_id": item["run_id"], "analysis": sig,
                        "template_id": item["template_id"], "algorithm": item["algorithm"]}
                if name in item["metrics"] and metric is None:
                    points.append({**base, "metric": name, "value": item["metrics"][name]})
                elif name in (item["template_id"], item["algorithm"], sig):
                    if metric is None:
                        points.append({**base, "metrics": item["metrics"]})
                    elif metric in item["metrics"]:
                        points.append({**base, "metric": metric, "value": item["metrics"][metric]})
        return points

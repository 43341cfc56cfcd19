"""Crash safety: SIGKILL the CLI at random points, resume it, and check nothing is lost or repeated.

    python bench/crash.py [--trials 20] [--seed 0] [--llm-latency 0.15] [--job-delay 0.4]

The CLI runs as shipped (``python -m graph_agents run``, a subprocess, its own workspace per
trial) on the bundled demo graph served by the ArangoDB double, with the GAE double as its engine
(``GAE_DEPLOYMENT=platform``: each process starts and stops its own engine) and the LLM double as
its model; all three run in this process, on a background thread, configured only through the
product's environment variables. Slowness is simulated where it lives: a latency per LLM request
and a delay per GAE job. The LLM cache is off (``GRAPH_AGENTS_LLM_CACHE=false``) so that a
repeated call reaches the double and is counted rather than answered from the cache.

First an uninterrupted reference run. Then, per trial, a run killed with SIGKILL at a seeded
random moment within the reference's wall time, the checkpoint read as the kill left it, and the
run resumed with the same ``--thread-id`` until it exits. Per trial it checks:

- completed: the resumed run exits 0 with status "completed";
- lost: its reports differ from the reference's (compared as written in ``reports/*.json``,
  minus the run's id and timings), or a report is missing;
- repeated_executions: GAE jobs (``storeresults`` into the template's result collection) run
  after the kill for a template whose execution the run already held (in its checkpoint, or
  recorded in its catalog: an analysis records its execution and its report as each finishes);
- repeated_llm_calls: requests reaching the LLM double after the kill from an agent whose node
  the run already held as completed (for the report agent: that template's report);
- duplicates: catalog rows repeated for one entity, or more catalog entries of a kind than the
  reference has (the catalog is in ArangoDB when ArangoDB is configured: here the double's
  ``ga_catalog_*`` collections; ``<workspace>/catalog.sqlite`` otherwise).

Each run gets fresh doubles as well as a fresh workspace, so no catalog entry, baseline or result
of one trial reaches the next.

Prints one JSON line: trials, killed (the rest finished before their kill point), completed,
duplicates, lost, repeated_executions, repeated_llm_calls, seconds, the reference run's figures,
and every failed trial in full (its kill point, what the checkpoint held, the error).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver  # noqa: E402

from graph_agents.catalog.arango import PREFIX as CATALOG_PREFIX  # noqa: E402
from graph_agents.demo import generate_demo  # noqa: E402
from graph_agents.graph import builder  # noqa: E402
from graph_agents.stores.arango import result_collection_name  # noqa: E402
from tests.doubles.background import BackgroundDoubles  # noqa: E402
from tests.doubles.openai_server import ServerConfig  # noqa: E402

PASSWORD = "crash-bench-pw"
_TEMPLATE_IN_PROMPT = re.compile(r'"template_id": ?"([^"]+)"')
# run-specific values in a report: when it ran and how long things took
VOLATILE = re.compile(r"(^|_)(at|time|timestamp|duration|duration_s|seconds|elapsed|elapsed_s|latency|generated)$")


def cli(workspace: Path, thread_id: str, requirements: Path) -> list[str]:
    return [sys.executable, "-m", "graph_agents", "run", "--requirements", str(requirements),
            "--workspace", str(workspace), "--output", str(workspace / "output"), "--thread-id", thread_id, "--quiet"]


async def _checkpoint(workspace: Path, thread_id: str, doubles: BackgroundDoubles) -> dict[str, Any]:
    """What the run holds after a kill: nodes done, templates executed, reports written. The
    checkpoint holds the nodes and the writes of finished tasks (in an unfinished step too); the
    catalog holds each analysis's execution and report as it finishes (an analysis keeps no
    checkpoints of its own), which a resume takes rather than redo."""
    done: set[str] = set()
    executed: set[str] = set()
    reported: set[str] = set()
    path = workspace / "checkpoints.sqlite"
    if path.exists():
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            app = builder.compile(checkpointer=saver)
            snap = await app.aget_state({"configurable": {"thread_id": thread_id}})
            values = snap.values or {}
            keys = {"vertical": "resolve_vertical", "graph_schema": "analyze_schema", "extracted": "extract_requirements",
                    "use_cases": "generate_use_cases", "templates": "generate_templates"}
            done |= {node for key, node in keys.items() if values.get(key)}
            executed |= set(values.get("execution_results") or {})
            reported |= {r.get("template_id") for r in (values.get("reports") or {}).values()}
            for task in snap.tasks:
                if task.result is not None:  # finished, its writes saved, its step not yet closed
                    done.add(task.name)
                    executed |= set((task.result.get("execution_results") or {}))
                    reported |= {r.get("template_id") for r in (task.result.get("reports") or {}).values()}
    for kind, held in (("executions", executed), ("reports", reported)):
        held |= {d.get("template_id") for d in catalog_docs(workspace, doubles, kind) if d.get("run_id") == thread_id}
    return {"done": done, "executed": executed, "reported": reported}


def normalise(value: Any, thread_id: str) -> Any:
    if isinstance(value, dict):
        return {k: normalise(v, thread_id) for k, v in value.items() if not VOLATILE.search(k)}
    if isinstance(value, list):
        return [normalise(v, thread_id) for v in value]
    if isinstance(value, str):
        return value.replace(thread_id, "<run>")
    return value


def reports_of(workspace: Path, thread_id: str) -> dict[str, Any]:
    folder = workspace / "output" / "reports"
    return {p.name: normalise(json.loads(p.read_text(encoding="utf-8")), thread_id)
            for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def catalog_docs(workspace: Path, doubles: BackgroundDoubles, kind: str) -> list[dict[str, Any]]:
    """The documents of one kind in the run's catalog (see :func:`catalog_counts` for where)."""
    path = workspace / "catalog.sqlite"
    if path.exists():
        with sqlite3.connect(path) as db:
            return [json.loads(doc) for (doc,) in db.execute("SELECT doc FROM documents WHERE kind = ?", (kind,))]
    return list(doubles.arango.collections.get(CATALOG_PREFIX + kind, {}).get("docs", {}).values())


def catalog_counts(workspace: Path, doubles: BackgroundDoubles) -> tuple[Counter, int]:
    """Entries per kind in the run's catalog, and rows that repeat one (kind, key). The catalog is
    in ArangoDB when ArangoDB is configured (here: the double's ``ga_catalog_*`` collections),
    else ``<workspace>/catalog.sqlite``."""
    path = workspace / "catalog.sqlite"
    if path.exists():
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT kind, key FROM documents").fetchall()
        per_key = Counter(rows)
        return Counter(kind for kind, _ in rows), sum(n - 1 for n in per_key.values() if n > 1)
    kinds = Counter({name[len(CATALOG_PREFIX):]: len(c["docs"]) for name, c in doubles.arango.collections.items()
                     if name.startswith(CATALOG_PREFIX)})
    return kinds, 0  # documents keyed by _key: one (kind, key) cannot repeat; extra entries show in the counts


def llm_key(request: dict[str, Any]) -> tuple[str, str | None]:
    """The node an LLM request belongs to: the agent, and for reports the template."""
    agent = request.get("agent") or "?"
    found = _TEMPLATE_IN_PROMPT.search(request.get("prompt") or "") if agent == "analyze" else None
    return agent, found.group(1) if found else None


def doubles_for(demo: Path, args: argparse.Namespace) -> tuple[BackgroundDoubles, dict[str, str]]:
    """Fresh doubles per run, like a fresh workspace: nothing (catalog, baselines, results) leaks
    from one trial into the next."""
    doubles = BackgroundDoubles(demo, password=PASSWORD, llm=ServerConfig(latency_s=args.llm_latency),
                                job_delay=args.job_delay)
    # no LLM cache: a repeated call must reach the double to be counted
    return doubles, {**doubles.env(GRAPH_AGENTS_LLM_CACHE="false"), "PYTHONPATH": str(ROOT)}


def run_reference(doubles: BackgroundDoubles, work: Path, requirements: Path, env: dict[str, str]) -> dict[str, Any]:
    ws, tid = work / "reference", "crash-reference"
    before_llm, before_store = doubles.mark()
    started = time.perf_counter()
    proc = subprocess.run(cli(ws, tid, requirements), env=env, capture_output=True, text=True, timeout=300, cwd=work)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"reference run failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    llm = Counter(llm_key(r) for r in doubles.llm.requests[before_llm:])
    kinds, dups = catalog_counts(ws, doubles)
    if not kinds:
        raise SystemExit("the reference run recorded nothing in its catalog: the duplicate check would be empty")
    return {"wall_s": wall, "reports": reports_of(ws, tid), "thread_id": tid, "llm": llm, "catalog": kinds,
            "executions": len(doubles.gae.store_bodies) - before_store, "catalog_dups": dups}


def trial(i: int, kill_at: float, doubles: BackgroundDoubles, work: Path, requirements: Path, env: dict[str, str],
          ref: dict[str, Any]) -> dict[str, Any]:
    ws, tid = work / f"trial-{i:02d}", f"crash-{i:02d}"
    llm0, store0 = doubles.mark()
    proc = subprocess.Popen(cli(ws, tid, requirements), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=work)
    try:
        proc.wait(timeout=kill_at)
        killed = False  # it finished before its kill point
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed = True
    time.sleep(0.1)  # requests already in flight reach the doubles' logs
    llm1, store1 = doubles.mark()
    held = asyncio.run(_checkpoint(ws, tid, doubles))
    resumes = 0
    code = 0 if not killed else None
    stderr = ""
    while code is None or (code != 0 and resumes < 2):
        resumes += 1
        done = subprocess.run(cli(ws, tid, requirements), env=env, capture_output=True, text=True, timeout=300, cwd=work)
        code, stderr = done.returncode, done.stderr
        if code == 0:
            break
    after_llm = doubles.llm.requests[llm1:]
    after_store = doubles.gae.store_bodies[store1:]
    # a completed node must not call the LLM again; one killed mid-way may
    repeated_llm = [k for k in map(llm_key, after_llm)
                    if (k[0] == "analyze" and k[1] in held["reported"]) or (k[0] != "analyze" and k[0] in held["done"])]
    targets = {result_collection_name(tid, t): t for t in held["executed"]}
    repeated_exec = [targets[b["target_collection"]] for b in after_store if b.get("target_collection") in targets]
    reports = reports_of(ws, tid)
    kinds, dups = catalog_counts(ws, doubles)
    extra_rows = sum(max(0, kinds[k] - ref["catalog"].get(k, 0)) for k in kinds)
    expected = {name: normalise(body, ref["thread_id"]) for name, body in ref["reports"].items()}
    ours = {name: normalise(body, tid) for name, body in reports.items()}
    lost = sorted(set(expected) - set(ours)) + sorted(n for n in expected if n in ours and ours[n] != expected[n])
    return {
        "trial": i, "kill_at_s": round(kill_at, 2), "killed": killed, "resumes": resumes, "exit": code,
        "completed": code == 0 and bool(reports),
        "lost": lost, "duplicates": dups + extra_rows,
        "repeated_executions": len(repeated_exec), "repeated_llm_calls": len(repeated_llm),
        "held": {"nodes": sorted(held["done"]), "executed": len(held["executed"]), "reported": len(held["reported"])},
        "llm_calls": len(doubles.llm.requests) - llm0, "executions": len(doubles.gae.store_bodies) - store0,
        "error": stderr.strip()[-300:] if code != 0 else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--llm-latency", type=float, default=0.15, help="seconds per LLM request")
    parser.add_argument("--job-delay", type=float, default=0.4, help="seconds per GAE job")
    parser.add_argument("--verbose", action="store_true", help="print each trial as a JSON line too")
    parser.add_argument("--keep", type=Path, default=None, help="keep the workspaces in this directory")
    args = parser.parse_args()
    # a killed CLI drops its connections mid-request, on purpose: not worth a traceback from the doubles
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="ga-crash-") as tmp:
        work = args.keep or Path(tmp)
        demo = generate_demo(work / "demo")
        requirements = demo / "requirements.md"
        doubles, env = doubles_for(demo, args)
        try:
            ref = run_reference(doubles, work, requirements, env)
        finally:
            doubles.stop()
        trials = []
        for i in range(args.trials):
            # anywhere from start-up to the end of the run: import, planning, analyses, export
            kill_at = rng.uniform(0.3, ref["wall_s"])
            doubles, env = doubles_for(demo, args)
            try:
                t = trial(i, kill_at, doubles, work, requirements, env, ref)
            finally:
                doubles.stop()
            trials.append(t)
            if args.verbose:
                print(json.dumps(t), flush=True)
    failures = [t for t in trials if not t["completed"] or t["lost"] or t["duplicates"]
                or t["repeated_executions"] or t["repeated_llm_calls"]]
    print(json.dumps({
        "trials": len(trials),
        "killed": sum(t["killed"] for t in trials),
        "completed": sum(t["completed"] for t in trials),
        "duplicates": sum(t["duplicates"] for t in trials),
        "lost": sum(len(t["lost"]) for t in trials),
        "repeated_executions": sum(t["repeated_executions"] for t in trials),
        "repeated_llm_calls": sum(t["repeated_llm_calls"] for t in trials),
        "reference": {"wall_s": round(ref["wall_s"], 2), "reports": len(ref["reports"]),
                      "llm_calls": sum(ref["llm"].values()), "executions": ref["executions"],
                      "catalog_entries": sum(ref["catalog"].values())},
        "seconds": round(time.perf_counter() - started, 1),
        "failures": failures,
    }), flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

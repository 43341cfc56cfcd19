"""The command line: live progress, --json/--quiet, --review, resume, verticals, inspect, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from graph_agents.cli import app
from graph_agents.engines.base import EngineError
from graph_agents.engines.local import LocalEngine

cli = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
TWO = "Which products are the most influential in purchased orders?\nWe must find rings of customers sharing devices.\n"


def _run(tmp_path, *args, input=None):
    return cli.invoke(app, [*args, "--workspace", str(tmp_path / "ws")], input=input)


def _two_requirements(tmp_path) -> str:
    path = tmp_path / "req.md"
    path.write_text(TWO)
    return str(path)


def test_run_shows_live_progress_then_a_summary(tmp_path, demo_dir):
    res = _run(tmp_path, "run", "--data", str(demo_dir / "data"), "--requirements", _two_requirements(tmp_path),
               "--output", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    for node in ("resolve_vertical", "analyze_schema", "extract_requirements", "generate_use_cases",
                 "generate_templates", "finalize"):
        start = lines.index(f"▶ {node}")
        assert any(line.startswith(f"✓ {node} ") for line in lines[start + 1:])
    for tid in ("T-001", "T-002"):
        started = next(i for i, line in enumerate(lines) if line.startswith(f"▶ {tid} "))
        executed = next(i for i, line in enumerate(lines) if line.strip().startswith(f"✓ {tid}") and "executed" in line)
        reported = next(i for i, line in enumerate(lines) if line.strip().startswith(f"✓ {tid}") and "reported" in line)
        assert started < executed < reported
    assert "Run " in res.output and "run.json" in res.output  # the summary table comes last
    assert res.output.index("✓ finalize") < res.output.index("Run ")


def test_json_and_quiet_are_for_scripts(tmp_path, demo_dir):
    res = _run(tmp_path, "run", "--demo", "--max-executions", "1", "--json", "--output", str(tmp_path / "o1"))
    assert res.exit_code == 0, res.output
    printed = json.loads(res.stdout)
    assert printed == json.loads((tmp_path / "o1" / "run.json").read_text())
    assert printed["status"] == "completed" and len(printed["reports"]) == 1
    quiet = _run(tmp_path, "run", "--demo", "--max-executions", "1", "--quiet", "--output", str(tmp_path / "o2"))
    assert quiet.exit_code == 0 and quiet.output == ""


def test_failed_analysis_exits_1(tmp_path, monkeypatch):
    original = LocalEngine.run

    async def failing(self, template, store, run_id):
        if template.algorithm == "scc":
            raise EngineError("simulated engine failure")
        return await original(self, template, store, run_id)

    monkeypatch.setattr(LocalEngine, "run", failing)
    res = _run(tmp_path, "run", "--demo", "--output", str(tmp_path / "o"))
    assert res.exit_code == 1, res.output
    assert "scc failed: EngineError: simulated engine failure" in res.output
    assert not any("scc reported" in line for line in res.output.splitlines())
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    assert run["status"] == "completed_with_failures"


def test_review_drop_interactively(tmp_path, demo_dir):
    res = _run(tmp_path, "run", "--demo", "--review", "--output", str(tmp_path / "o"), "--thread-id", "rv",
               input="drop\nUC-002, UC-003\n")
    assert res.exit_code == 0, res.output
    assert "Proposed use cases" in res.output
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    assert [u["id"] for u in run["use_cases"]] == ["UC-001", "UC-004", "UC-005"]
    assert len(run["reports"]) == 3


def test_review_edit_interactively(tmp_path, demo_dir):
    # UC-001 is the rings requirement (a "must"), UC-002 the ranking one
    res = _run(tmp_path, "run", "--data", str(demo_dir / "data"), "--requirements", _two_requirements(tmp_path),
               "--review", "--output", str(tmp_path / "o"), input="edit\nscc\ndrop\n")
    assert res.exit_code == 0, res.output
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    assert [(u["id"], u["algorithm"]) for u in run["use_cases"]] == [("UC-001", "scc")]
    assert [e["algorithm"] for e in run["executions"]] == ["scc"]


def test_unanswered_review_then_resume(tmp_path, demo_dir):
    paused = _run(tmp_path, "run", "--demo", "--review", "--quiet", "--thread-id", "later", "--output", str(tmp_path / "o"))
    assert paused.exit_code == 1 and "graph-agents resume later" in paused.output
    assert not (tmp_path / "o" / "run.json").exists()
    bad = _run(tmp_path, "resume", "later", "--drop", "UC-404", "--output", str(tmp_path / "o"))
    assert bad.exit_code == 2 and bad.output.startswith("error:") and "UC-404" in bad.output
    done = _run(tmp_path, "resume", "later", "--decision", '{"drop": ["UC-001"]}', "--json", "--output", str(tmp_path / "o"))
    assert done.exit_code == 0, done.output
    run = json.loads(done.stdout)
    assert run["thread_id"] == "later" and run["status"] == "completed"
    assert "UC-001" not in [u["id"] for u in run["use_cases"]] and len(run["reports"]) == 4
    # resuming a finished run just reports it again
    again = _run(tmp_path, "resume", "later", "--quiet", "--output", str(tmp_path / "o2"))
    assert again.exit_code == 0 and json.loads((tmp_path / "o2" / "run.json").read_text())["reports"]
    missing = _run(tmp_path, "resume", "nope")
    assert missing.exit_code == 2 and "no saved run" in missing.output


def test_verticals_lists_the_builtins(tmp_path):
    res = cli.invoke(app, ["verticals", "--json"])
    assert res.exit_code == 0
    names = [v["name"] for v in json.loads(res.stdout)]
    assert names == sorted(names) and {"ecommerce", "fraud", "generic", "social", "supply_chain", "telecom"} <= set(names)
    table = cli.invoke(app, ["verticals"])
    assert table.exit_code == 0 and "supply_chain" in table.output


def test_inspect_shows_the_schema_the_agents_see(tmp_path, demo_dir):
    res = _run(tmp_path, "inspect", "--data", str(demo_dir / "data"), "--json")
    assert res.exit_code == 0, res.output
    schema = json.loads(res.stdout)
    roles = {c["name"]: c["role"] for c in schema["collections"]}
    assert roles["customers"] == "core" and roles["categories"] == "satellite" and roles["purchased"] == "edge"
    assert {"collection": "purchased", "from_collections": ["customers"], "to_collections": ["products"]} in schema["edge_definitions"]
    assert schema["degree"]["max"] > 0 and schema["vertex_count"] > 0 and schema["vertical"] == "ecommerce"
    hinted = _run(tmp_path, "inspect", "--data", str(demo_dir / "data"), "--satellite", "customers", "--json")
    assert {c["name"]: c["role"] for c in json.loads(hinted.stdout)["collections"]}["customers"] == "satellite"
    table = _run(tmp_path, "inspect", "--data", str(demo_dir / "data"))
    assert table.exit_code == 0 and "Edge definitions" in table.output and "degree:" in table.output
    bad = _run(tmp_path, "inspect", "--data", str(tmp_path / "missing"))
    assert bad.exit_code == 2 and bad.output.startswith("error:")


def test_python_dash_m_is_the_same_command():
    res = subprocess.run([sys.executable, "-m", "graph_agents", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    for command in ("run", "resume", "verticals", "inspect"):
        assert command in res.stdout


def test_resume_writes_to_the_runs_own_output_directory(tmp_path, demo_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a stray ./output would show here
    out = tmp_path / "mine"
    paused = _run(tmp_path, "run", "--demo", "--review", "--quiet", "--thread-id", "own", "--output", str(out))
    assert paused.exit_code == 1
    done = _run(tmp_path, "resume", "own", "--approve", "--quiet")
    assert done.exit_code == 0, done.output
    assert json.loads((out / "run.json").read_text())["status"] == "completed"
    assert (out / "reports" / "index.html").is_file() and (out / "trace" / "trace.html").is_file()
    assert not (tmp_path / "output").exists()


def test_redirected_tables_keep_their_width(tmp_path, demo_dir):
    """CliRunner's output is no terminal: rows are not cut at 80 columns ("complet…")."""
    res = _run(tmp_path, "run", "--demo", "--output", str(tmp_path / "o"), "--thread-id", "wide")
    assert res.exit_code == 0, res.output
    rows = [line for line in res.output.splitlines() if "T-00" in line and "│" in line]
    assert len(rows) == 5
    for line in rows:  # every column whole: template, algorithm, status, seconds, the report's title
        template, algorithm, status, seconds, title = [c.strip() for c in line.strip("│").split("│")]
        assert status == "completed" and algorithm in line and float(seconds) >= 0 and title and "…" not in title, line
    assert max(len(line) for line in rows) > 80


def test_help_has_no_type_markers_beside_flags():
    for command in ([], ["run"], ["resume"], ["inspect"], ["catalog"], ["catalog", "executions"]):
        res = cli.invoke(app, [*command, "--help"])
        assert res.exit_code == 0 and "--help" in res.output
        assert not {"<bool>", "<path>", "<str>"} & set(res.output.split()), res.output


def test_progress_bars_follow_analyses_and_long_steps():
    import io

    from rich.console import Console

    from graph_agents.cli import LiveProgress
    from graph_agents.progress import ProgressEvent

    out = Console(file=io.StringIO(), force_terminal=True, width=120)
    with LiveProgress(out) as live:
        live(ProgressEvent("start", "analyze", template_id="T-001", algorithm="pagerank", task_id="a"))
        live(ProgressEvent("start", "analyze", template_id="T-002", algorithm="wcc", task_id="b"))
        [analyses] = live.bars.progress.tasks
        assert (analyses.total, analyses.completed) == (2, 0)
        live(ProgressEvent("progress", "gae-job-7", task_id="gae-job-7", title="GAE pagerank job 7", done=3, total=10))
        job = live.bars.progress.tasks[1]
        assert (job.description, job.completed, job.total) == ("GAE pagerank job 7", 3, 10)
        live(ProgressEvent("progress", "gae-job-7", task_id="gae-job-7", title="GAE pagerank job 7", done=10, total=10))
        assert [t.description for t in live.bars.progress.tasks] == ["analyses"]  # a finished step's bar goes
        live(ProgressEvent("end", "analyze", template_id="T-001", task_id="a", status="completed"))
        assert live.bars.progress.tasks[0].completed == 1 and live.bars.progress.live.is_started
    assert not live.bars.progress.live.is_started

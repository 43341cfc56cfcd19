import json

from typer.testing import CliRunner

from graph_agents.cli import app

cli = CliRunner()


def test_run_demo_writes_run_json_and_reports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = cli.invoke(app, ["run", "--demo", "--output", "out", "--workspace", "ws", "--thread-id", "t1"])
    assert res.exit_code == 0, res.output
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["thread_id"] == "t1" and run["status"] == "completed" and run["vertical"] == "ecommerce"
    assert all({"id", "text"} <= set(r) for r in run["requirements"])
    assert all({"id", "title", "algorithm", "requirement_ids"} <= set(u) for u in run["use_cases"])
    assert all(e["status"] == "completed" and e["duration_s"] >= 0 for e in run["executions"])
    for rep in run["reports"]:
        body = json.loads((tmp_path / "out" / "reports" / f"{rep['id']}.json").read_text())
        assert (tmp_path / "out" / "reports" / f"{rep['id']}.md").exists()
        assert {"title", "algorithm", "use_case_id", "template_id", "summary", "facts", "top_results",
                "groups", "insights", "recommendations"} <= set(body)
        if body["algorithm"] in ("pagerank", "betweenness"):
            assert len(body["top_results"]) >= 10 and {"id", "score"} <= set(body["top_results"][0])
        else:
            assert body["groups"][0]["size"] >= body["groups"][-1]["size"]
    # the same thread id again returns the finished run without running anything
    again = cli.invoke(app, ["run", "--demo", "--output", "out2", "--workspace", "ws", "--thread-id", "t1"])
    assert again.exit_code == 0 and json.loads((tmp_path / "out2" / "run.json").read_text())["reports"]


def test_bad_input_is_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "req.md").write_text("We must rank products.")
    cases = [
        ["run", "--data", "missing", "--requirements", "req.md"],
        ["run", "--demo", "--industry", "no-such-vertical"],
        ["run", "--demo", "--requirements", "nope.pdf"],
        ["run", "--requirements", "req.md"],
    ]
    for args in cases:
        res = cli.invoke(app, [*args, "--workspace", "ws", "--output", "o"])
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output and res.output.strip().startswith("error:")
        assert len(res.output.strip().splitlines()) <= 2, res.output


async def test_progress_reports_reach_the_custom_stream_and_the_tracker():
    """report_progress writes {"progress": {...}} on the custom stream (Studio sees it); the runner's
    tracker turns it into a "progress" event for the CLI's bars; outside a run it does nothing."""
    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    from graph_agents.progress import ProgressTracker, report_progress

    class S(TypedDict, total=False):
        x: int

    async def long_step(state: S) -> S:
        for done in (1, 2):
            report_progress("load", done, 2, label="loading graph", unit="files")
        return {"x": 1}

    report_progress("nowhere", 1, 1)  # not inside a graph: no error, no effect
    app = StateGraph(S).add_node("long_step", long_step).add_edge(START, "long_step").add_edge("long_step", END).compile()
    chunks = [data async for mode, data in app.astream({}, stream_mode=["custom"])]
    assert chunks == [{"progress": {"task": "load", "label": "loading graph", "done": d, "total": 2, "unit": "files",
                                    "template_id": None}} for d in (1, 2)]
    seen = []
    tracker = ProgressTracker(seen.append)
    for chunk in chunks:
        await tracker.feed("custom", chunk)
    assert [(e.kind, e.task_id, e.done, e.total, e.title) for e in seen] == [
        ("progress", "load", 1, 2, "loading graph"), ("progress", "load", 2, 2, "loading graph")]

"""Human review of use cases: the decision format, the interrupt, and resuming from Python."""

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from graph_agents import AgenticWorkflowRunner
from graph_agents.context import Context
from graph_agents.engines import LocalEngine
from graph_agents.graph import builder
from graph_agents.nodes.review_use_cases import ReviewError, apply_review
from graph_agents.stores import LocalGraphStore

TWO = "Which products are the most influential in purchased orders?\nWe must find rings of customers sharing devices.\n"

REQUEST = {
    "use_cases": [
        {"id": "UC-001", "title": "Rank", "algorithm": "pagerank", "requirement_ids": ["REQ-001"], "focus": []},
        {"id": "UC-002", "title": "Rings", "algorithm": "wcc", "requirement_ids": ["REQ-002"], "focus": ["devices"]},
    ],
    "requirements": [{"id": "REQ-001", "text": "a"}, {"id": "REQ-002", "text": "b"}],
    "collections": ["customers", "devices"],
}


@pytest.mark.parametrize("decision", [{"action": "approve"}, "approve", True])
def test_approve_keeps_the_proposal(decision):
    assert apply_review(REQUEST, decision) == REQUEST["use_cases"]


def test_drop_and_edit():
    assert [u["id"] for u in apply_review(REQUEST, {"drop": ["UC-001"]})] == ["UC-002"]
    edited = apply_review(REQUEST, {"use_cases": [
        {**REQUEST["use_cases"][0], "algorithm": "betweenness"},
        {"algorithm": "label_propagation", "requirement_ids": ["REQ-002"]},  # a new one: id assigned
    ]})
    assert [(u["id"], u["algorithm"]) for u in edited] == [("UC-001", "betweenness"), ("UC-002", "label_propagation")]
    assert edited[1]["title"]
    both = apply_review(REQUEST, {"use_cases": REQUEST["use_cases"], "drop": ["UC-002"]})
    assert [u["id"] for u in both] == ["UC-001"]
    assert apply_review(REQUEST, {"drop": ["UC-001", "UC-002"]}) == []


@pytest.mark.parametrize("decision,message", [
    ({"drop": ["UC-009"]}, "unknown use case"),
    ({"use_cases": [{"algorithm": "magic"}]}, "unknown algorithm"),
    ({"use_cases": [{"algorithm": "wcc", "requirement_ids": ["REQ-404"]}]}, "unknown requirement"),
    ({"use_cases": [{"algorithm": "wcc", "focus": ["planets"]}]}, "unknown collection"),
    ({"use_cases": [{"id": "A", "algorithm": "wcc"}, {"id": "A", "algorithm": "scc"}]}, "twice"),
    ({"use_cases": [{"algorithm": "wcc", "priority": "urgent"}]}, "priority"),
    ({"action": "approve", "drop": ["UC-001"]}, "approve"),
    ({"action": "maybe"}, "unknown review action"),
    ({"keep": []}, "unknown key"),
    ({}, "empty"),
    ({"action": "drop"}, "needs the ids"),
    ({"action": "edit"}, "needs the edited list"),
    ("later", "JSON object"),
])
def test_invalid_decisions_say_why(decision, message):
    with pytest.raises(ReviewError, match=message):
        apply_review(REQUEST, decision)


class CountingEngine(LocalEngine):
    def __init__(self):
        super().__init__()
        self.calls = []

    async def run(self, template, store, run_id):
        self.calls.append(template.algorithm)
        return await super().run(template, store, run_id)


async def test_runner_pauses_then_resumes_in_a_new_process(demo_dir, tmp_path):
    engine = CountingEngine()
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path, engine=engine)
    events = []
    paused = await runner.run_async(requirements=TWO, review_use_cases=True, thread_id="r1", progress=events.append)
    assert paused.status == "awaiting_review" and engine.calls == [] and paused.reports == []
    assert [u["algorithm"] for u in paused.review["use_cases"]] == ["wcc", "pagerank"]
    assert [e.node for e in events if e.kind == "review"] == ["review_use_cases"]
    # asking again does not run anything: the run is still waiting
    assert (await runner.run_async(thread_id="r1")).status == "awaiting_review"

    with pytest.raises(ReviewError, match="unknown algorithm"):
        await runner.resume_async("r1", {"use_cases": [{"algorithm": "magic"}]})
    assert (await runner.get_result_async("r1")).status == "awaiting_review"

    # a fresh runner rebuilt from the saved run options (what `graph-agents resume` does)
    again = AgenticWorkflowRunner.from_saved_run("r1", workspace=tmp_path, engine=engine)
    assert again.data_dir == (demo_dir / "data").resolve()
    wcc = next(u for u in paused.review["use_cases"] if u["algorithm"] == "wcc")
    done = await again.resume_async("r1", {"use_cases": [{**wcc, "algorithm": "scc"}]})
    assert done.status == "completed" and done.review is None
    assert engine.calls == ["scc"] and [r.algorithm for r in done.reports] == ["scc"]
    assert [u.algorithm for u in done.use_cases] == ["scc"]


async def test_review_off_does_not_pause(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path)
    events = []
    result = await runner.run_async(requirements=TWO, progress=events.append)
    assert result.status == "completed" and {r.algorithm for r in result.reports} == {"pagerank", "wcc"}
    started = [e.label for e in events if e.kind == "start"]
    ended = [e.label for e in events if e.kind == "end"]
    for node in ("resolve_vertical", "analyze_schema", "extract_requirements", "generate_use_cases",
                 "review_use_cases", "generate_templates", "finalize"):
        assert started.count(node) == 1 and ended.count(node) == 1
    analyses = [e for e in events if e.node == "analyze" and e.kind == "start"]
    assert sorted(e.template_id for e in analyses) == ["T-001", "T-002"]
    steps = [(e.template_id, e.node) for e in events if e.path == ("analyze",) and e.kind == "end"]
    assert sorted(steps) == [("T-001", "execute"), ("T-001", "report"), ("T-002", "execute"), ("T-002", "report")]
    assert all(e.elapsed_s is not None and e.elapsed_s >= 0 for e in events if e.kind == "end")


async def test_node_asks_again_on_an_invalid_answer(demo_dir, tmp_path):
    """Studio sends Command(resume=...) straight to the graph: the node itself validates."""
    store = LocalGraphStore.from_directory(demo_dir / "data", results_dir=tmp_path)
    ctx = Context(store=store, engine=LocalEngine())
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "n"}}
    await app.ainvoke({"requirements": TWO, "review_use_cases": True}, config, context=ctx)
    await app.ainvoke(Command(resume={"drop": ["UC-404"]}), config, context=ctx)
    state = await app.aget_state(config)
    assert state.next == ("review_use_cases",) and "UC-404" in state.interrupts[0].value["error"]
    await app.ainvoke(Command(resume={"drop": ["UC-001"]}), config, context=ctx)
    values = (await app.aget_state(config)).values
    assert values["status"] == "completed" and [u["id"] for u in values["use_cases"]] == ["UC-002"]


class Crash(BaseException):
    """Stands for the process dying mid-run."""


class CrashingEngine(LocalEngine):
    async def run(self, template, store, run_id):
        raise Crash()


async def test_resume_without_a_question_continues_a_stopped_run(demo_dir, tmp_path):
    with pytest.raises(Crash):
        await AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path, engine=CrashingEngine()).run_async(
            requirements=TWO, thread_id="s1", enable_parallelism=False)
    runner = AgenticWorkflowRunner.from_saved_run("s1", workspace=tmp_path)
    assert (await runner.get_result_async("s1")).status == "incomplete"
    with pytest.raises(ReviewError, match="not waiting for a review"):
        await runner.resume_async("s1", {"action": "approve"})
    done = await runner.resume_async("s1")
    assert done.status == "completed" and {r.algorithm for r in done.reports} == {"pagerank", "wcc"}


async def test_saved_run_on_a_python_store_resumes_from_python_only(tmp_path):
    import networkx as nx

    from graph_agents.errors import InputError
    from graph_agents.stores import from_networkx

    store = from_networkx(nx.karate_club_graph(), results_dir=tmp_path / "r")
    runner = AgenticWorkflowRunner(store=store, workspace=tmp_path)
    paused = await runner.run_async(requirements="Which members are the most influential?", thread_id="nx",
                                    review_use_cases=True)
    assert paused.status == "awaiting_review"
    with pytest.raises(InputError, match="resume it from Python"):
        AgenticWorkflowRunner.from_saved_run("nx", workspace=tmp_path)
    assert (await runner.resume_async("nx", "approve")).status == "completed"

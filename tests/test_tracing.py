"""Tracing from LangChain/LangGraph callbacks: node spans, LLM calls, tokens, cost, timeline, secrets."""

import asyncio
import io
import itertools
import json
import re
import socket

import langchain_core.tracers.langchain
import langsmith.utils
import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.callbacks.manager import AsyncCallbackManager, adispatch_custom_event
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tracers.langchain import LangChainTracer
from langgraph.graph import END, START, StateGraph
from pydantic import SecretStr
from rich.console import Console
from typing_extensions import TypedDict

from graph_agents import AgenticWorkflowRunner
from graph_agents.engines import EngineError, LocalEngine
from graph_agents.settings import Settings
from graph_agents.tracing import PriceTable, Scrubber, TraceRecorder, preview, render_markdown

PRICES = {"test-model": {"input": 1.0, "output": 2.0}}  # USD per 1M tokens


def fake_llm(input_tokens=11, output_tokens=7, cache=None):
    reply = AIMessage(content="ok", response_metadata={"model_name": "test-model"},
                      usage_metadata={"input_tokens": input_tokens, "output_tokens": output_tokens,
                                      "total_tokens": input_tokens + output_tokens})
    return GenericFakeChatModel(messages=itertools.cycle([reply]), cache=cache)


class TalkingEngine(LocalEngine):
    """Asks a fake model twice about each template before running it (LLM calls inside a Send task)."""

    def __init__(self, llm):
        super().__init__()
        self.llm = llm

    async def run(self, template, store, run_id):
        await self.llm.ainvoke(f"plan {template.id}")
        await self.llm.ainvoke(f"check {template.id}")
        return await super().run(template, store, run_id)


def _runner(workspace, demo_dir, **kw):
    return AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=workspace, catalog=False, **kw)


async def test_known_llm_calls_and_tokens_in_summary(demo_dir, tmp_path):
    runner = _runner(tmp_path / "ws", demo_dir, engine=TalkingEngine(fake_llm()), prices=PRICES)
    await runner.run_async([demo_dir / "requirements.md"], max_executions=3, thread_id="t")
    out = io.StringIO()
    summary = runner.print_trace_summary(Console(file=out, width=120))
    assert summary["llm_calls"] == 6 and summary["llm_cached_calls"] == 0
    assert (summary["input_tokens"], summary["output_tokens"]) == (66, 42)
    assert summary["estimated_cost_usd"] == pytest.approx(6 * (11 * 1.0 + 7 * 2.0) / 1e6)
    assert summary["messages_exchanged"] == 12 and summary["unpriced_models"] == []
    assert summary["steps_completed"] == 7 + 3 and summary["engine_jobs"] == 3 and summary["errors"] == 0
    assert len(summary["slowest_agents"]) == 5
    text = out.getvalue()
    assert re.search(r"LLM calls\s+6\b", text) and "66 in / 42 out" in text and "$0.000150" in text
    assert re.search(r"Steps completed\s+10\b", text) and "Slowest agents" in text
    calls = runner.last_trace.llm_calls
    assert sorted(c["agent"] for c in calls) == ["execute[T-001]"] * 2 + ["execute[T-002]"] * 2 + ["execute[T-003]"] * 2
    assert all(c["model"] == "test-model" and c["latency_s"] >= 0 for c in calls)
    jobs = {j["template_id"]: j for j in runner.last_trace.engine_jobs}
    assert set(jobs) == {"T-001", "T-002", "T-003"} and all(j["status"] == "completed" and j["engine"] == "local" for j in jobs.values())


class State(TypedDict, total=False):
    a: str
    b: str


async def test_cached_calls_cost_nothing_and_agents_are_named():
    llm = fake_llm(100, 50, cache=InMemoryCache())

    async def writer(state):
        await llm.ainvoke("same question")
        await llm.ainvoke("same question")  # answered from the cache
        return {"a": "done"}

    async def critic(state):
        await asyncio.to_thread(llm.invoke, "another question")  # a sync call in a worker thread
        await adispatch_custom_event("proposal_dropped", {"reason": "unknown collection", "api_key": "x"})
        return {"b": "done"}

    g = StateGraph(State)
    g.add_node("writer", writer)
    g.add_node("critic", critic)
    g.add_edge(START, "writer")
    g.add_edge(START, "critic")
    g.add_edge(["writer", "critic"], END)
    recorder = TraceRecorder(Settings(), prices={"test-model": {"input": 2.0, "output": 4.0}})
    await g.compile().ainvoke({}, {"callbacks": [recorder]})
    trace = recorder.finish(thread_id="x")
    s = trace.summary()
    assert (s["llm_calls"], s["llm_cached_calls"]) == (3, 1)
    assert s["estimated_cost_usd"] == pytest.approx(2 * (100 * 2.0 + 50 * 4.0) / 1e6)
    by_agent = sorted((c["agent"], c["cached"]) for c in trace.llm_calls)
    assert by_agent == [("critic", False), ("writer", False), ("writer", True)]
    assert [c["cost_usd"] for c in trace.llm_calls if c["cached"]] == [0.0]
    assert {n["label"] for n in trace.nodes} == {"writer", "critic"} and s["steps_completed"] == 2
    assert [(e["name"], e["agent"], e["data"]) for e in trace.events] == [
        ("proposal_dropped", "critic", {"reason": "unknown collection", "api_key": "***"})]
    assert s["events"] == 1 and "proposal_dropped" in render_markdown(trace.to_dict()).replace("\\", "")  # Markdown escapes "_"


def test_price_table(tmp_path):
    table = PriceTable.load({"my-model": {"input": 3, "output": 6}})
    assert table.cost("gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)  # dated name, longest prefix
    assert table.cost("gpt-4o-2024-08-06", 0, 1_000_000) == pytest.approx(10.0)
    assert table.cost("openai/my-model", 1000, 1000) == pytest.approx(0.009)
    assert table.cost("mystery", 10, 10) is None
    toml = tmp_path / "prices.toml"
    toml.write_text('["gpt-4o-mini"]\ninput = 1.0\noutput = 1.0\n')
    settings = Settings(GRAPH_AGENTS_PRICES=str(toml))
    assert TraceRecorder(settings).prices.cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(2.0)
    jsonfile = tmp_path / "prices.json"
    jsonfile.write_text(json.dumps({"x-model": {"input": 5, "output": 0}}))
    assert PriceTable.load(jsonfile).cost("x-model", 1_000_000, 9) == pytest.approx(5.0)


async def test_unpriced_model_is_reported(demo_dir, tmp_path):
    runner = _runner(tmp_path / "ws", demo_dir, engine=TalkingEngine(fake_llm()))
    await runner.run_async(max_executions=1)
    s = runner.last_trace.summary()
    assert s["llm_calls"] == 2 and s["unpriced_models"] == ["test-model"] and s["estimated_cost_usd"] == 0


class BarrierEngine(LocalEngine):
    """Every execution waits until all of them have started: they can only finish if they overlap."""

    def __init__(self, parties):
        super().__init__()
        self.barrier = asyncio.Barrier(parties)

    async def run(self, template, store, run_id):
        await asyncio.wait_for(self.barrier.wait(), timeout=30)
        return await super().run(template, store, run_id)


def _bars(html):
    return {m.group(1): (float(m.group(2)), float(m.group(3)))
            for m in re.finditer(r'data-label="([^"]+)" data-start="([\d.]+)" data-end="([\d.]+)"', html)}


def _overlap(a, b):
    return a[0] < b[1] and b[0] < a[1]


async def test_parallel_timeline_shows_overlapping_analyses(demo_dir, tmp_path):
    par = _runner(tmp_path / "p", demo_dir, engine=BarrierEngine(3))
    await par.run_async([demo_dir / "requirements.md"], max_executions=3, enable_parallelism=True)
    paths = par.export_trace(tmp_path / "par")
    bars = _bars(open(paths["html"]).read())
    analyses = [bars[f"analyze[T-00{i}]"] for i in (1, 2, 3)]
    assert all(_overlap(a, b) for a, b in itertools.combinations(analyses, 2))
    assert _overlap(bars["analyze_schema"], bars["extract_requirements"])  # phase one side by side
    data = json.loads(open(paths["json"]).read())
    assert {n["label"] for n in data["nodes"]} >= {"execute[T-001]", "report[T-003]", "finalize"}
    assert "## Timeline" in open(paths["markdown"]).read()

    seq = _runner(tmp_path / "s", demo_dir)
    await seq.run_async([demo_dir / "requirements.md"], max_executions=3, enable_parallelism=False)
    bars = _bars(open(seq.export_trace(tmp_path / "seq", formats=["html"])["html"]).read())
    analyses = [bars[f"analyze[T-00{i}]"] for i in (1, 2, 3)]
    assert not any(_overlap(a, b) for a, b in itertools.combinations(analyses, 2))


class LeakyEngine(LocalEngine):
    def __init__(self, secret):
        super().__init__()
        self.secret = secret

    async def run(self, template, store, run_id):
        raise EngineError(f"401 <unauthorized> for key {self.secret} and Bearer abcdefghijklmnop")


async def test_secrets_never_appear_and_debug_mode_adds_io(demo_dir, tmp_path, monkeypatch):
    key, smith = "sk-test-Abc123Def456Ghi789", "lsv2_pt_0123456789abcdef"
    monkeypatch.setenv("LANGSMITH_API_KEY", smith)
    monkeypatch.delenv("LANGSMITH_TRACING", raising=False)
    settings = Settings(OPENAI_API_KEY=SecretStr(key), GRAPH_AGENTS_HOME=str(tmp_path / "ws"))
    # an injected model: the planted key must not send the agents to a real endpoint
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", settings=settings, engine=LeakyEngine(key),
                                   enable_debug_mode=True, catalog=False, llm=fake_llm())
    long_text = "Which products are the most influential? " + "x" * 2000 + f" (token {smith}, {{'api_key': '{key}'}})"
    result = await runner.run_async([{"content": long_text}], max_executions=1)
    assert result.status == "failed"
    paths = runner.export_trace(tmp_path / "trace")
    for path in paths.values():
        text = open(path).read()
        assert key not in text and smith not in text and "abcdefghijklmnop" not in text
        assert "***" in text.replace("\\", "")  # trace.md escapes Markdown: \*\*\* reads ***
    html = open(paths["html"]).read()
    assert "&lt;unauthorized&gt;" in html and "<unauthorized>" not in html  # escaped
    trace = runner.last_trace.to_dict()
    assert trace["summary"]["errors"] == 1 and "401" in trace["errors"][0]["message"]
    resolve = next(n for n in trace["nodes"] if n["node"] == "resolve_vertical")
    assert "inputs" in resolve and "outputs" in resolve
    assert "more" in json.dumps(resolve["outputs"]) or "chars)" in json.dumps(resolve["outputs"])  # truncated
    assert "chars)" in resolve["inputs"]["requirements"]


def test_scrubber_and_preview():
    scrub = Scrubber(Settings(ARANGO_PASSWORD=SecretStr("hunter2-pass")))
    data = scrub({"password": "x", "openai_api_key": "y", "input_tokens": 5, "note": "pw hunter2-pass",
                  "nested": [{"Authorization": "Bearer zzzzzzzzzzzz"}, "sk-proj-abcdefghijkl"]})
    assert data == {"password": "***", "openai_api_key": "***", "input_tokens": 5, "note": "pw ***",
                    "nested": [{"Authorization": "***"}, "***"]}
    p = preview({"s": "a" * 1000, "l": list(range(50))}, limit=10)
    assert p["s"].startswith("a" * 10) and "990 chars" in p["s"] and p["l"][-1] == "… 40 more"


async def test_no_network_without_langsmith_env(demo_dir, tmp_path, monkeypatch):
    for var in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING"):
        monkeypatch.delenv(var, raising=False)
    langsmith.utils.get_env_var.cache_clear()
    attempts = []

    def refuse(self, address, *a, **kw):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    runner = _runner(tmp_path / "ws", demo_dir, engine=TalkingEngine(fake_llm()))
    result = await runner.run_async(max_executions=1)
    assert result.status == "completed" and runner.last_trace.summary()["llm_calls"] == 2
    assert attempts == []


def test_langsmith_env_adds_its_tracer_next_to_ours(monkeypatch):
    """With the usual LangSmith variables set, LangChain adds its tracer beside our recorder."""
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2_pt_not_a_real_key_000")
    langsmith.utils.get_env_var.cache_clear()
    offline = object()  # the real client would contact api.smith.langchain.com
    monkeypatch.setattr(langchain_core.tracers.langchain, "get_client", lambda: offline)
    try:
        recorder = TraceRecorder(Settings())
        config = AgenticWorkflowRunner(catalog=False).config("t", True)
        config["callbacks"] = [recorder]
        manager = AsyncCallbackManager.configure(inheritable_callbacks=config["callbacks"])
        kinds = {type(h) for h in manager.handlers}
        assert TraceRecorder in kinds and LangChainTracer in kinds
        assert next(h for h in manager.handlers if isinstance(h, LangChainTracer)).client is offline
    finally:
        monkeypatch.delenv("LANGSMITH_TRACING")
        langsmith.utils.get_env_var.cache_clear()


def test_export_rejects_unknown_format_and_needs_a_run(tmp_path):
    runner = AgenticWorkflowRunner(catalog=False)
    with pytest.raises(RuntimeError, match="no trace yet"):
        runner.export_trace(tmp_path)
    trace = TraceRecorder(Settings()).finish()
    with pytest.raises(ValueError, match="unknown trace format"):
        trace.export(tmp_path, ["pdf"])

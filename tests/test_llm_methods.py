"""Structured-output methods, bounded answers, the budget, one count everywhere, stopped runs.

The real ChatOpenAI client runs against the OpenAI-compatible double on 127.0.0.1, configured
as OpenAI or as llama.cpp's server (see tests/doubles/openai_server.py for the sources).
"""

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import openai
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage

from graph_agents import AgenticWorkflowRunner
from graph_agents.context import Context
from graph_agents.engines import LocalEngine
from graph_agents.llm import build_chat_model, llm_totals, propose
from graph_agents.llm.methods import CAPABILITIES_FILE, bounded_schema, max_tokens, order, tool_of
from graph_agents.llm.schemas import ReportInsights, TemplatePlan
from graph_agents.nodes.extract_requirements.proposal import RequirementsExtraction
from graph_agents.nodes.generate_use_cases import UseCasePlan
from graph_agents.runner import run_summary
from graph_agents.settings import Settings
from tests.doubles.fake_llm import SchemaFakeChatModel
from tests.doubles.openai_server import ServerConfig
from tests.test_llm_server import config, server  # noqa: F401 - the double, configured per test

ROOT = Path(__file__).resolve().parents[1]
DATA = {"templates": [{"template_id": "T-001", "algorithm": "pagerank", "catalog_parameters": {"damping_factor": {}}}]}


def _settings(home, server=None, **kw):
    env = {"GRAPH_AGENTS_HOME": str(home), "GRAPH_AGENTS_LLM_BACKOFF": 0.01, "GRAPH_AGENTS_LLM_RPS": 500}
    if server is not None:
        env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="test-key", GRAPH_AGENTS_LLM_TIMEOUT=1.0)
    return Settings(_env_file=None, **{**env, **kw})


def _ctx(settings, llm=None):
    return Context(store=None, engine=None, llm=llm or build_chat_model(settings), settings=settings)


# ---------------------------------------------------------------------------- bounded answers


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


@pytest.mark.parametrize("schema", [TemplatePlan, UseCasePlan, RequirementsExtraction, ReportInsights])
def test_every_list_and_string_the_model_may_write_is_bounded(schema):
    bounded = bounded_schema(schema)
    nodes = list(_walk(bounded))
    assert all("maxItems" in n for n in nodes if n.get("type") == "array")
    assert all("maxLength" in n for n in nodes if n.get("type") == "string" and "enum" not in n)
    assert 16 < max_tokens(schema, 10_000) and max_tokens(schema, 100) == 100
    # what the model reads: no titles (tokens), the docstring as description
    assert not any(isinstance(n.get("title"), str) for n in nodes) and bounded["description"] == schema.__doc__.strip()


def test_max_tokens_follow_the_schema():
    sizes = {s.__name__: max_tokens(s, 100_000) for s in (TemplatePlan, UseCasePlan, RequirementsExtraction)}
    assert len(set(sizes.values())) == 3  # sized per schema, not one number for all


# ----------------------------------------------------------------------------- the requests


async def test_each_method_sends_what_the_openai_api_documents(server, tmp_path):
    for method in ("json_schema", "function_calling", "json_mode"):
        settings = _settings(tmp_path / method, server, GRAPH_AGENTS_LLM_METHODS=method)
        assert await propose(_ctx(settings), "generate_templates", TemplatePlan, DATA) is not None
    schema_body, tools_body, json_body = server.bodies
    limit = max_tokens(TemplatePlan, Settings(_env_file=None).llm_max_output_tokens)
    assert all(b["max_completion_tokens"] == limit for b in server.bodies)
    assert schema_body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "TemplatePlan", "description": bounded_schema(TemplatePlan)["description"],
        "schema": bounded_schema(TemplatePlan), "strict": False}}
    assert tools_body["tool_choice"] == "required" and tools_body["tools"] == [tool_of(TemplatePlan)]
    assert "response_format" not in tools_body
    assert json_body["response_format"] == {"type": "json_object"} and '"maxItems"' in json_body["messages"][0]["content"]


@config(flavor="llamacpp", tools_in_template=False)
async def test_llama_cpp_rejects_an_object_tool_choice_and_we_never_send_one(server, tmp_path):
    settings = _settings(tmp_path, server)
    model = build_chat_model(settings)
    with pytest.raises(openai.BadRequestError, match="tool_choice"):
        await model.bind_tools([tool_of(TemplatePlan)], tool_choice="TemplatePlan").ainvoke([HumanMessage("x")])
    ctx = _ctx(settings.model_copy(update={"llm_methods": "function_calling,json_schema"}), model)
    assert await propose(ctx, "generate_templates", TemplatePlan, DATA) is not None
    # the template has no tools: prose came back to the tools request, json_schema answered
    assert [(c["method"], c["parsed"]) for c in ctx.llm_calls] == [("function_calling", False), ("json_schema", True)]
    assert all(isinstance(b.get("tool_choice", ""), str) for b in server.bodies[1:])


@config(flavor="llamacpp", response_formats=("text", "json_object"), tools_in_template=False)
async def test_a_refused_method_makes_way_and_what_worked_is_remembered(server, tmp_path):
    settings = _settings(tmp_path, server)
    first = _ctx(settings)
    assert await propose(first, "generate_templates", TemplatePlan, DATA) is not None
    assert [c["method"] for c in first.llm_calls] == ["json_schema", "function_calling", "json_mode"]
    assert "400" in first.llm_calls[0]["error"] and first.llm_calls[0]["attempts"] == 1  # a 4xx is not retried
    saved = json.loads((tmp_path / CAPABILITIES_FILE).read_text())
    [entry] = saved.values()
    assert entry["works"] == "json_mode" and entry["refused"] == ["json_schema"]
    second = _ctx(settings)  # the next run starts with what worked; the refused method goes last
    assert await propose(second, "generate_templates", TemplatePlan, DATA) is not None
    assert [c["method"] for c in second.llm_calls] == ["json_mode"]
    assert order(tmp_path, second.llm) == ["json_mode", "function_calling", "json_schema"]


@config(script=["timeout", "timeout"], timeout_s=1.5)
async def test_a_timeout_is_retried_once_then_the_next_method_is_tried(server, tmp_path):
    settings = _settings(tmp_path, server, GRAPH_AGENTS_LLM_TIMEOUT=0.3)
    ctx = _ctx(settings)
    assert await propose(ctx, "generate_templates", TemplatePlan, DATA) is not None
    timed_out, answered = ctx.llm_calls
    assert (timed_out["method"], timed_out["attempts"], timed_out["ok"]) == ("json_schema", 2, False)
    assert timed_out["input_tokens"] == "unknown" and timed_out["output_tokens"] == "unknown"
    assert (answered["method"], answered["parsed"]) == ("function_calling", True)
    t = llm_totals(ctx.llm_calls)
    assert t["calls"] == 2 and t["attempts"] == 3 and t["unknown_usage_calls"] == 1
    assert isinstance(t["input_tokens"], int) and t["input_tokens"] == answered["input_tokens"]


async def test_an_answer_cut_at_max_tokens_is_not_used_but_its_usage_is_counted(server, tmp_path):
    ctx = _ctx(_settings(tmp_path, server))
    rejections = []
    assert await propose(ctx, "generate_templates", TemplatePlan, DATA, rejections=rejections, max_tokens=8) is None
    assert [c["method"] for c in ctx.llm_calls] == ["json_schema", "function_calling", "json_mode"]
    assert all(b["max_completion_tokens"] == 8 for b in server.bodies)
    assert all(isinstance(c["output_tokens"], int) and c["output_tokens"] <= 8 for c in ctx.llm_calls)
    assert not any(c["parsed"] for c in ctx.llm_calls) and "no usable answer" in rejections[0]["reason"]


# ------------------------------------------------------------------------------ the budget


async def test_past_the_token_budget_agents_keep_their_deterministic_result(demo_dir, tmp_path):
    settings = _settings(tmp_path / "ws", GRAPH_AGENTS_LLM_BUDGET_TOKENS=1500)
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", settings=settings, llm=SchemaFakeChatModel())
    result = await runner.run_async([demo_dir / "requirements.md"])
    assert result.status == "completed" and len(result.reports) == 5
    summary = run_summary(result, {})
    hits = [c for c in result.llm_calls if c.get("budget_hit")]
    assert hits and summary["llm"]["budget_hits"] == len(hits) == runner.last_trace.summary()["llm_budget_hits"]
    assert all(c["attempts"] == 0 and c["budget_hit"].startswith("tokens") for c in hits)
    assert any("LLM budget exhausted" in r["reason"] for r in result.llm_rejections)
    assert summary["llm"]["calls"] == len(result.llm_calls) - len(hits)
    runner.export_trace(tmp_path / "trace", ["markdown"])
    assert "budget: tokens" in (tmp_path / "trace" / "trace.md").read_text()


def test_the_time_budget_counts_overlapping_waits_once():
    from graph_agents.llm.usage import Budget, wait_wall_s

    records = [{"attempts": 1, "started_at": 0.0, "ended_at": 10.0}, {"attempts": 1, "started_at": 5.0, "ended_at": 12.0},
               {"attempts": 1, "started_at": 20.0, "ended_at": 21.0}, {"attempts": 0, "budget_hit": "x", "started_at": 0, "ended_at": 99}]
    assert wait_wall_s(records) == 13.0
    assert Budget(records, 13.5, 0).exhausted() is None and Budget(records, 13.0, 0).exhausted().startswith("time")


# ------------------------------------------------------------------------------ counting


async def test_run_json_trace_and_summary_count_the_same_calls(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws", llm=SchemaFakeChatModel())
    result = await runner.run_async([demo_dir / "requirements.md"])
    llm = run_summary(result, {})["llm"]
    s = runner.last_trace.summary()
    assert llm["calls"] == s["llm_calls"] == len(result.llm_calls) == 10
    assert llm["attempts"] == s["llm_attempts"] and (llm["input_tokens"], llm["output_tokens"]) == (s["input_tokens"], s["output_tokens"])
    # parallel report calls overlap: the wall time waiting on them is at most their sum (timer noise apart)
    assert s["errors"] == 0 and 0 < s["llm_wait_wall_s"] <= s["llm_time_summed_s"] + 0.01
    from rich.console import Console
    import io
    out = io.StringIO()
    runner.print_trace_summary(Console(file=out, width=200))
    assert "waiting on the model (wall)" in out.getvalue() and "summed over calls" in out.getvalue()


async def test_usage_a_server_does_not_report_is_unknown_not_zero(tmp_path):
    answer = json.dumps({"templates": []})
    llm = GenericFakeChatModel(messages=iter([AIMessage(content=answer)]))  # no usage_metadata
    ctx = _ctx(_settings(tmp_path), llm)
    assert await propose(ctx, "generate_templates", TemplatePlan, {}) is not None
    [call] = ctx.llm_calls
    assert call["input_tokens"] == call["output_tokens"] == "unknown"
    t = llm_totals(ctx.llm_calls)
    assert t["input_tokens"] == "unknown" and t["unknown_usage_calls"] == 1


# --------------------------------------------------------------------------- stopped runs


class Stop(BaseException):
    """Stands for an interrupt inside the loop (a real KeyboardInterrupt would end pytest's loop:
    the SIGTERM test below sends the real signal to a real process)."""


class InterruptedEngine(LocalEngine):
    async def run(self, template, store, run_id):
        raise Stop("operator stopped the run")


async def test_a_run_stopped_midway_leaves_run_json_marked_incomplete(demo_dir, tmp_path):
    out = tmp_path / "out"
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws", engine=InterruptedEngine(),
                                   llm=SchemaFakeChatModel(), output=out)
    with pytest.raises(Stop):
        await runner.run_async([demo_dir / "requirements.md"], thread_id="t-stop")
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "incomplete" and run["complete"] is False and run["stopped"] == "Stop: operator stopped the run"
    assert run["use_cases"] and run["templates"] and run["llm"]["calls"] >= 5  # what was known when it stopped
    assert json.loads((out / "trace" / "trace.json").read_text())["meta"]["status"] == "incomplete"


SIGTERM_RUN = """
import sys
from graph_agents.cli import entry
sys.argv = ["graph-agents", "run", "--data", sys.argv[1], "--requirements", sys.argv[2], "--output", sys.argv[3],
            "--workspace", sys.argv[4], "--quiet"]
entry()
"""


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_signal_mid_run_leaves_run_json_and_exits(demo_dir, tmp_path, signum, code):
    from tests.doubles.background import BackgroundDoubles

    doubles = BackgroundDoubles(demo_dir, llm=ServerConfig(latency_s=30))
    try:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GRAPH_AGENTS_"))},
               "OPENAI_BASE_URL": doubles.llm.base_url, "OPENAI_API_KEY": "k", "GRAPH_AGENTS_LLM_TIMEOUT": "60",
               "PYTHONPATH": str(ROOT)}
        script = tmp_path / "run.py"
        script.write_text(SIGTERM_RUN)
        out = tmp_path / "out"
        proc = subprocess.Popen([sys.executable, str(script), str(demo_dir / "data"), str(demo_dir / "requirements.md"),
                                 str(out), str(tmp_path / "ws")], env=env, cwd=os.getcwd(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                # a shell's background job inherits SIGINT ignored, and Python keeps it so
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        arrived = threading.Event()
        doubles.llm.on_request = arrived.set
        assert arrived.wait(120), "the run never asked the LLM"
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=120)
    finally:
        doubles.stop()
    name = signal.Signals(signum).name
    assert proc.returncode == code, stderr
    assert ("SIGTERM" in stderr if signum == signal.SIGTERM else "interrupt" in stderr) and "run.json" in stderr
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "incomplete" and run["complete"] is False and name in run["stopped"]


def test_sigterm_at_the_review_prompt_exits_143(demo_dir, tmp_path):
    """The prompt blocks the main thread outside the event loop: SIGTERM must still stop the CLI."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GRAPH_AGENTS_"))},
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "graph_agents", "run", "--data", str(demo_dir / "data"),
                             "--requirements", str(demo_dir / "requirements.md"), "--output", str(tmp_path / "out"),
                             "--workspace", str(tmp_path / "ws"), "--review"],
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    asked = threading.Event()
    seen = bytearray()

    def watch() -> None:  # the prompt ends without a newline: read bytes as they come
        while chunk := os.read(proc.stdout.fileno(), 4096):
            seen.extend(chunk)
            if b"approve, edit or drop" in seen:
                asked.set()

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    try:
        assert asked.wait(120), "the review prompt never appeared"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    finally:
        proc.kill()
        proc.stdin.close()
    stderr = proc.stderr.read().decode()
    assert proc.returncode == 143, stderr
    assert "SIGTERM" in stderr

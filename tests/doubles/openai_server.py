"""A local OpenAI-compatible chat server for tests (aiohttp, 127.0.0.1, a free port).

It answers ``POST /v1/chat/completions`` the way real endpoints do, from the data in the prompt
(see ``answers.py``):

- a request with ``tools`` gets a ``tool_calls`` answer (``mode="tools"``), or plain JSON
  content (``mode="content"``: endpoints that ignore tools), or prose (``mode="prose"``);
- a request with ``response_format`` json_object gets JSON content.

Faults, drawn per request with ``fault_rate`` from ``faults`` (seeded by the request's content,
so runs repeat whatever the arrival order of concurrent requests):
``429``, ``500``, ``timeout`` (answers after ``timeout_s``), ``malformed`` (truncated JSON) and
``hallucinate`` (answers naming collections, algorithms or numbers that do not exist).
``script`` forces the faults of the first requests, in order (``None`` = no fault).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .loopback import LoopbackServer

from .answers import AGENT_OF, plan_answer, schema_from_system

FAULTS = ("429", "500", "timeout", "malformed", "hallucinate")


@dataclass
class ServerConfig:
    mode: str = "tools"
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULTS
    seed: int = 0
    latency_s: float = 0.0
    timeout_s: float = 0.6
    script: list[str | None] = field(default_factory=list)
    model: str = "double-1"


class OpenAIDouble(LoopbackServer):
    def __init__(self, config: ServerConfig | None = None) -> None:
        super().__init__()
        self.config = config or ServerConfig()
        self.requests: list[dict[str, Any]] = []
        self._seen: dict[str, int] = {}
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        return app

    async def __aenter__(self) -> "OpenAIDouble":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    def _fault(self, body: dict[str, Any]) -> str | None:
        n = len(self.requests)
        if n < len(self.config.script):
            return self.config.script[n]
        if not self.config.fault_rate:
            return None
        # drawn from the request itself (and how often it was seen), not from arrival order:
        # concurrent requests get the same faults whatever order they arrive in
        key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        seen = self._seen[key] = self._seen.get(key, 0) + 1
        rng = random.Random(f"{self.config.seed}:{key}:{seen}")
        return rng.choice(self.config.faults) if rng.random() < self.config.fault_rate else None

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        messages = body.get("messages", [])
        system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
        prompt = messages[-1].get("content", "") if messages else ""
        tools = body.get("tools") or []
        json_mode = (body.get("response_format") or {}).get("type") == "json_object"
        schema = tools[0]["function"]["name"] if tools else schema_from_system(system)
        fault = self._fault(body)
        self.requests.append({"schema": schema, "agent": AGENT_OF.get(schema or ""), "tools": bool(tools),
                              "json_mode": json_mode, "fault": fault, "system": system, "prompt": prompt})
        if self.config.latency_s:
            await asyncio.sleep(self.config.latency_s)
        if fault == "429":
            return web.json_response({"error": {"message": "rate limited", "type": "rate_limit_error"}}, status=429,
                                     headers={"retry-after-ms": "10"})
        if fault == "500":
            return web.json_response({"error": {"message": "upstream failure", "type": "server_error"}}, status=500)
        if fault == "timeout":
            await asyncio.sleep(self.config.timeout_s)
        answer = plan_answer(schema, prompt, hallucinate=fault == "hallucinate") if schema else None
        text = json.dumps(answer) if answer is not None else "I am not sure what you want."
        if fault == "malformed":
            text = text[: max(1, len(text) // 2)]
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if tools and self.config.mode == "tools" and not json_mode and answer is not None:
            message["tool_calls"] = [{"id": f"call_{next(self._ids)}", "type": "function",
                                      "function": {"name": schema, "arguments": text}}]
            finish = "tool_calls"
        elif tools and self.config.mode == "prose" and not json_mode:
            message["content"], finish = "Here is my analysis in words, not in JSON.", "stop"
        else:
            message["content"], finish = text, "stop"
        prompt_tokens = (len(system) + len(prompt)) // 4
        completion_tokens = len(text) // 4
        return web.json_response({
            "id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion", "created": 0, "model": self.config.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })

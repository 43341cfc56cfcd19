"""A local OpenAI-compatible chat server for tests (aiohttp, 127.0.0.1, a free port).

It answers ``POST /v1/chat/completions`` the way real endpoints do, from the data in the prompt
(see ``answers.py``):

- a request with ``tools`` gets a ``tool_calls`` answer (``mode="tools"``), or plain JSON
  content (``mode="content"``: endpoints that ignore tools), or prose (``mode="prose"``);
- a request with ``response_format`` json_object gets JSON content.

``flavor`` makes it check requests the way a real server does (sources read for this):

- ``"openai"``: ``tool_choice`` is "none", "auto", "required" or ``{"type": "function",
  "function": {"name": ...}}`` naming a given tool; ``response_format.type`` is "text",
  "json_object" or "json_schema" (with ``json_schema.name`` and ``schema``); anything else is a
  400 ``invalid_request_error`` (platform.openai.com API reference, Chat Completions).
- ``"llamacpp"``: llama.cpp's server (tools/server/server-common.cpp ``oaicompat_chat_params_parse``,
  tools/server/server-common.h ``json_value``, common/chat.cpp
  ``common_chat_tool_choice_parse_oaicompat``, tools/server/README.md): ``tool_choice`` must be a
  string among auto/none/required, else 400 "Invalid tool_choice: X"; an object-valued
  ``tool_choice`` is logged there as "Wrong type supplied for parameter 'tool_choice' ... type
  must be string" and replaced by "auto" (the tool is then not forced) — this double is stricter
  and answers 400, so a client that sends one is caught; ``response_format.type`` other than
  text/json_object/json_schema is 400 "response_format type must be one of ...". With
  ``tools_in_template=False`` (a chat template without tool support, like SmolLM2's) a tools
  request gets prose, as the tools never reach the prompt.

With ``api_key`` set, a request whose ``Authorization: Bearer`` token is another key gets OpenAI's
401 (help.openai.com "Error Code 401 - Incorrect API key provided"; the error object of the API
reference: ``{"error": {"message", "type", "param", "code": "invalid_api_key"}}``), its message
naming the key it was given. OpenAI masks the middle of that key; this double echoes it whole, as
a proxy or a self-hosted server may: the client must keep it out of everything it stores.

Every flavor honours ``max_tokens`` / ``max_completion_tokens``: a longer answer is cut there with
``finish_reason: "length"`` (4 characters a token), as real servers stop generating.

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
    flavor: str = "openai"  # or "llamacpp"
    # what response_format.type takes: an older llama.cpp knew only text and json_object
    response_formats: tuple[str, ...] = ("text", "json_object", "json_schema")
    tools_in_template: bool = True
    api_key: str | None = None  # the one key accepted; None accepts any


class OpenAIDouble(LoopbackServer):
    def __init__(self, config: ServerConfig | None = None) -> None:
        super().__init__()
        self.config = config or ServerConfig()
        self.requests: list[dict[str, Any]] = []
        self.bodies: list[dict[str, Any]] = []  # the raw request bodies, as sent
        self.on_request: Any = None  # called with no argument as each request arrives (tests wait on it)
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

    def _invalid(self, body: dict[str, Any]) -> str | None:
        """Why the real server would refuse this request (a 400), or None."""
        tools = body.get("tools") or []
        names = {t.get("function", {}).get("name") for t in tools if isinstance(t, dict)}
        choice = body.get("tool_choice")
        fmt = body.get("response_format")
        if fmt is not None:
            kind = fmt.get("type") if isinstance(fmt, dict) else None
            if kind not in self.config.response_formats:
                return f'response_format type must be one of "text" or "json_object", but got: {kind}'
            if kind == "json_schema" and self.config.flavor == "openai":
                spec = fmt.get("json_schema")
                if not isinstance(spec, dict) or not spec.get("name") or not isinstance(spec.get("schema"), dict):
                    return "Missing required parameter: 'response_format.json_schema.name' or 'schema'."
        if choice is None:
            return None
        if self.config.flavor == "llamacpp":
            if not isinstance(choice, str):
                return ("Wrong type supplied for parameter 'tool_choice': [json.exception.type_error.302] "
                        "type must be string, but is object")
            return None if choice in ("auto", "none", "required") else f"Invalid tool_choice: {choice}"
        if isinstance(choice, str):
            return None if choice in ("auto", "none", "required") else f"Invalid value for 'tool_choice': {choice!r}."
        named = (choice.get("function") or {}).get("name") if isinstance(choice, dict) else None
        return None if named in names else f"Invalid 'tool_choice': function {named!r} is not among the tools."

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        if self.on_request is not None:
            self.on_request()
        messages = body.get("messages", [])
        system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
        prompt = messages[-1].get("content", "") if messages else ""
        tools = body.get("tools") or []
        fmt = body.get("response_format") or {}
        json_mode = fmt.get("type") == "json_object"
        json_schema = fmt.get("type") == "json_schema"
        schema = (tools[0]["function"]["name"] if tools else
                  (fmt.get("json_schema") or {}).get("name") if json_schema else schema_from_system(system))
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        wrong_key = self.config.api_key is not None and given != self.config.api_key
        invalid = None if wrong_key else self._invalid(body)
        fault = "401" if wrong_key else None if invalid else self._fault(body)
        self.requests.append({"schema": schema, "agent": AGENT_OF.get(schema or ""), "tools": bool(tools),
                              "json_mode": json_mode, "json_schema": json_schema, "fault": fault, "system": system,
                              "prompt": prompt, "refused": invalid})
        if wrong_key:
            return web.json_response({"error": {
                "message": f"Incorrect API key provided: {given}. You can find your API key at "
                           "https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}, status=401)
        if invalid:
            return web.json_response({"error": {"code": 400, "message": invalid, "type": "invalid_request_error"}},
                                     status=400)
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
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        cut = isinstance(limit, int) and len(text) > 4 * limit
        if cut:
            text = text[: 4 * limit]
        message: dict[str, Any] = {"role": "assistant", "content": None}
        ignores_tools = self.config.mode == "prose" or not self.config.tools_in_template
        if cut:
            message["content"], finish = text, "length"
        elif tools and self.config.mode == "tools" and not ignores_tools and not fmt and answer is not None:
            message["tool_calls"] = [{"id": f"call_{next(self._ids)}", "type": "function",
                                      "function": {"name": schema, "arguments": text}}]
            finish = "tool_calls"
        elif tools and ignores_tools and not fmt:
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

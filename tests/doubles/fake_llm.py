"""A fake chat model (langchain_core's GenericFakeChatModel) that answers by schema.

It supports ``bind_tools`` (so ``with_structured_output(method="function_calling")`` works) and
answers a tools request with a tool call, a JSON-mode request with JSON content. ``latency``
maps agent -> seconds to sleep per call; ``hallucinate`` makes every answer invalid.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool

from .answers import AGENT_OF, plan_answer, schema_from_system

_ids = itertools.count(1)


class SchemaFakeChatModel(GenericFakeChatModel):
    messages: Any = iter(())
    latency: dict[str, float] = {}
    hallucinate: bool = False
    tools_supported: bool = True
    calls: list[dict[str, Any]] = []
    in_flight: int = 0
    max_in_flight: dict[str, int] = {}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls = []
        self.max_in_flight = {}
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}

    def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Any:
        if not self.tools_supported:
            raise NotImplementedError("this fake has no tool calling")
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _answer(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> tuple[str, AIMessage]:
        system, prompt = str(messages[0].content), str(messages[-1].content)
        tools = kwargs.get("tools") or []
        name = tools[0]["function"]["name"] if tools else schema_from_system(system)
        agent = AGENT_OF.get(name or "", "unknown")
        usage = {"input_tokens": len(system + prompt) // 4, "output_tokens": 50, "total_tokens": len(system + prompt) // 4 + 50}
        if name is None:
            return agent, AIMessage(content="I cannot help with that.", usage_metadata=usage)
        answer = plan_answer(name, prompt, self.hallucinate)
        if tools:
            call = {"name": name, "args": answer, "id": f"call_{next(_ids)}", "type": "tool_call"}
            return agent, AIMessage(content="", tool_calls=[call], usage_metadata=usage,
                                    response_metadata={"model_name": "fake-schema-model"})
        return agent, AIMessage(content=json.dumps(answer), usage_metadata=usage,
                                response_metadata={"model_name": "fake-schema-model"})

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        agent, message = self._answer(messages, kwargs)
        self.calls.append({"agent": agent})
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        agent, message = self._answer(messages, kwargs)
        with self._lock:
            self._running[agent] = self._running.get(agent, 0) + 1
            self.max_in_flight[agent] = max(self.max_in_flight.get(agent, 0), self._running[agent])
        try:
            await asyncio.sleep(self.latency.get(agent, 0.0))
        finally:
            with self._lock:
                self._running[agent] -= 1
        self.calls.append({"agent": agent})
        return ChatResult(generations=[ChatGeneration(message=message)])

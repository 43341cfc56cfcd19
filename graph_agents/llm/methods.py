"""How a structured answer is asked for, per method, in the form each server accepts.

Three methods, tried in this order unless the workspace remembers better for the endpoint (a
chat model that is not an OpenAI-compatible client gets the last two):

- ``json_schema``: ``response_format={"type": "json_schema", "json_schema": {"name", "schema",
  "strict": false}}``. OpenAI documents it (Structured Outputs); vLLM decodes it with a grammar
  (docs.vllm.ai, "Structured Outputs"); llama.cpp's server turns ``response_format.json_schema.schema``
  into a grammar (tools/server/server-common.cpp, ``oaicompat_chat_params_parse``); Ollama lists
  ``response_format`` among its supported request fields (docs.ollama.com, "OpenAI compatibility").
- ``function_calling``: the schema as the one tool, with ``tool_choice: "required"``. The string
  form is the one every server takes: llama.cpp reads ``tool_choice`` as a string only (an object
  is dropped with "Wrong type supplied for parameter 'tool_choice'" and "auto" is used instead;
  tools/server/server-common.h ``json_value``, common/chat.cpp
  ``common_chat_tool_choice_parse_oaicompat`` accepts auto/none/required), and with one tool
  "required" forces that tool on OpenAI and vLLM too.
- ``json_mode``: ``response_format={"type": "json_object"}`` with the JSON schema in the prompt.

The schema sent is *bounded*: every list gets ``maxItems`` and every string ``maxLength``, so a
grammar-constrained server cannot write past what ``max_tokens`` allows, and ``max_tokens`` is
derived from those bounds (capped by ``llm_max_output_tokens``). What worked is remembered per
endpoint and model in ``<workspace>/llm_capabilities.json``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

METHODS = ("json_schema", "function_calling", "json_mode")
MAX_ITEMS = 5  # per list: answers are a handful of findings, not catalogues
MAX_NESTED = 3  # per list inside a list item (requirement ids, evidence, parameters)
MAX_PROPERTIES = 12  # per free-form mapping (a vertical's terms)
MAX_STRING = 48  # characters of a name, id or title
MAX_TEXT = 160  # characters of a sentence: fields named in PROSE
PROSE = frozenset({"description", "reason", "rationale", "text", "objective", "impact", "meaning"})
CHARS_PER_TOKEN = 4  # English and JSON keys, as BPE tokenizers cut them
CAPABILITIES_FILE = "llm_capabilities.json"
_lock = threading.Lock()


# -- the schema, bounded -----------------------------------------------------------------------


def _bound(node: Any, name: str = "", nested: bool = False) -> Any:
    """``node`` with bounds; lists inside list items or definitions (``nested``) are shorter."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "title":
                continue
            if k in ("properties", "$defs") and isinstance(v, dict):
                out[k] = {p: _bound(d, p, nested or k == "$defs") for p, d in v.items()}
            else:
                out[k] = _bound(v, name, nested or k == "items")
        kind = out.get("type")
        if kind == "array":
            out["maxItems"] = min(int(out.get("maxItems", MAX_ITEMS)), MAX_NESTED if nested else MAX_ITEMS)
        elif kind == "string" and "enum" not in out:
            limit = MAX_TEXT if name in PROSE else MAX_STRING
            out["maxLength"] = min(int(out.get("maxLength", limit)), limit)
        elif kind == "object" and isinstance(out.get("additionalProperties"), dict):
            out["maxProperties"] = min(int(out.get("maxProperties", MAX_PROPERTIES)), MAX_PROPERTIES)
        return out
    if isinstance(node, list):
        return [_bound(v, name, nested) for v in node]
    return node


@lru_cache(maxsize=None)
def bounded_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``schema`` with bounded lists and strings, titles dropped (tokens)."""
    out = _bound(schema.model_json_schema())
    out["description"] = (schema.__doc__ or schema.__name__).strip()
    return out


def _chars(node: Any, defs: dict[str, Any], depth: int = 0) -> int:
    """The longest JSON text ``node`` admits (keys, quotes and separators included)."""
    if depth > 8 or not isinstance(node, dict):
        return 16
    if "$ref" in node:
        return _chars(defs.get(node["$ref"].rsplit("/", 1)[-1], {}), defs, depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in node:
            return max(_chars(n, defs, depth + 1) for n in node[key])
    if "enum" in node:
        return max(len(json.dumps(v)) for v in node["enum"])
    kind = node.get("type")
    if kind == "string":
        return int(node.get("maxLength", MAX_STRING)) + 2
    if kind == "array":
        return int(node.get("maxItems", MAX_ITEMS)) * (_chars(node.get("items", {}), defs, depth + 1) + 2) + 2
    if kind == "object":
        props = node.get("properties") or {}
        extra = node.get("additionalProperties")
        total = sum(len(k) + 4 + _chars(v, defs, depth + 1) for k, v in props.items())
        if isinstance(extra, dict):
            total += int(node.get("maxProperties", MAX_PROPERTIES)) * (MAX_STRING + 4 + _chars(extra, defs, depth + 1))
        return total + 2
    return 16  # numbers, booleans, null


@lru_cache(maxsize=None)
def schema_tokens(schema: type[BaseModel]) -> int:
    """The most tokens a bounded answer to ``schema`` can take."""
    bounded = bounded_schema(schema)
    return _chars(bounded, bounded.get("$defs", {})) // CHARS_PER_TOKEN + 16


def max_tokens(schema: type[BaseModel], cap: int) -> int:
    return max(16, min(schema_tokens(schema), cap))


@lru_cache(maxsize=None)
def json_instructions(schema: type[BaseModel]) -> str:
    """The JSON schema in the prompt (JSON mode), compact."""
    return (
        f"Answer with one JSON object only (no prose, no code fence) for `{schema.__name__}`, matching this "
        f"JSON schema:\n{json.dumps(bounded_schema(schema), ensure_ascii=False, separators=(',', ':'))}"
    )


def answer_line(schema: type[BaseModel]) -> str:
    """What the prompt says when the schema travels in the request (json_schema, tools)."""
    return f"Answer with one JSON object only (no prose) for `{schema.__name__}`."


# -- the requests ------------------------------------------------------------------------------


def request_kwargs(method: str, schema: type[BaseModel], limit: int) -> dict[str, Any]:
    """The extra request fields of ``method`` (what ``model.bind`` adds to the request body)."""
    if method == "json_schema":
        return {"response_format": {"type": "json_schema", "json_schema": {
            "name": schema.__name__, "description": bounded_schema(schema)["description"],
            "schema": bounded_schema(schema), "strict": False}}, "max_tokens": limit}
    if method == "json_mode":
        return {"response_format": {"type": "json_object"}, "max_tokens": limit}
    if method == "function_calling":
        return {"max_tokens": limit}
    raise ValueError(f"unknown structured-output method {method!r}; known: {', '.join(METHODS)}")


def tool_of(schema: type[BaseModel]) -> dict[str, Any]:
    bounded = bounded_schema(schema)
    return {"type": "function", "function": {"name": schema.__name__, "description": bounded["description"],
                                             "parameters": bounded}}


def runnable_for(model: Any, method: str, schema: type[BaseModel], limit: int) -> Any:
    """``model`` bound for one method; raises NotImplementedError when the model has no tools."""
    kwargs = request_kwargs(method, schema, limit)
    if method == "function_calling":
        bind_tools = getattr(model, "bind_tools", None)
        if bind_tools is None:
            raise NotImplementedError("the model has no tool calling")
        return bind_tools([tool_of(schema)], tool_choice="required", **kwargs)
    return model.bind(**kwargs)


# -- what worked, per endpoint and model --------------------------------------------------------


def endpoint_key(model: Any) -> str:
    base = getattr(model, "openai_api_base", None) or getattr(model, "base_url", None) or "default"
    name = getattr(model, "model_name", None) or getattr(model, "model", None) or type(model).__name__
    return f"{base}|{name}"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def supported(model: Any) -> tuple[str, ...]:
    """``response_format`` is a field of the OpenAI chat API: only an OpenAI-compatible client
    (``ChatOpenAI``) sends it; any other LangChain chat model gets tools, then JSON by prompt."""
    try:
        from langchain_openai.chat_models.base import BaseChatOpenAI
    except ImportError:  # pragma: no cover - a dependency
        return ("function_calling", "json_mode")
    return METHODS if isinstance(model, BaseChatOpenAI) else ("function_calling", "json_mode")


def order(home: Path, model: Any, configured: str = "") -> list[str]:
    """The methods to try, best first: configured ones, else what worked last, then the rest;
    methods the endpoint refused (4xx) go last."""
    if configured.strip():
        chosen = [m.strip() for m in configured.split(",") if m.strip()]
        unknown = [m for m in chosen if m not in METHODS]
        if unknown:
            raise ValueError(f"GRAPH_AGENTS_LLM_METHODS: unknown method(s) {unknown}; known: {', '.join(METHODS)}")
        return list(dict.fromkeys(chosen))
    methods = supported(model)
    seen = _read(home / CAPABILITIES_FILE).get(endpoint_key(model)) or {}
    refused = set(seen.get("refused") or [])
    first = [seen["works"]] if seen.get("works") in methods else []
    rest = [m for m in methods if m not in first]
    return first + [m for m in rest if m not in refused] + [m for m in rest if m in refused]


def remember(home: Path, model: Any, *, works: str | None = None, refused: str | None = None) -> None:
    """Record that ``works`` gave a usable answer, or that the endpoint refused ``refused``."""
    path = home / CAPABILITIES_FILE
    key = endpoint_key(model)
    with _lock:
        data = _read(path)
        entry = dict(data.get(key) or {})
        before = dict(entry)
        if works:
            entry["works"] = works
            entry["refused"] = [m for m in entry.get("refused") or [] if m != works]
        if refused and refused not in (entry.get("refused") or []) and entry.get("works") != refused:
            entry["refused"] = [*(entry.get("refused") or []), refused]
        if entry == before:
            return
        entry["updated_at"] = time.time()
        data[key] = entry
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.replace(path)


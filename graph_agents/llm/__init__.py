"""The LLM path: a chat model from settings, cached, rate-limited and retried calls, structured
proposals that every agent validates before it keeps them.

With no model configured (no ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``) and none injected, no
agent calls anything and the deterministic cores answer alone.
"""

from .cache import SQLiteCache
from .client import build_chat_model, is_transient
from .methods import METHODS
from .prompts import AGENTS, load_prompt, prompts_dir
from .structured import LLM_CALL_EVENT, parse_json_object, propose, render_data
from .usage import totals as llm_totals

__all__ = [
    "AGENTS",
    "LLM_CALL_EVENT",
    "METHODS",
    "SQLiteCache",
    "build_chat_model",
    "is_transient",
    "llm_totals",
    "load_prompt",
    "parse_json_object",
    "prompts_dir",
    "propose",
    "render_data",
]

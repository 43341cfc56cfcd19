"""The LLM path: a chat model from settings, cached, rate-limited and retried calls, structured
proposals that every agent validates before it keeps them.

With no model configured (no ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``) and none injected, no
agent calls anything and the deterministic cores answer alone.
"""

from .cache import SQLiteCache
from .client import build_chat_model, is_transient
from .prompts import AGENTS, load_prompt, prompts_dir
from .structured import parse_json_object, propose, render_data

__all__ = [
    "AGENTS",
    "SQLiteCache",
    "build_chat_model",
    "is_transient",
    "load_prompt",
    "parse_json_object",
    "prompts_dir",
    "propose",
    "render_data",
]

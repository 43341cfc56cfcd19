"""Errors that mean the user's input is wrong: shown as one line, never as a traceback."""

from __future__ import annotations

from .secrets import scrub_text


class InputError(ValueError):
    """Bad input: a missing directory, an unreadable document, an unknown vertical, an empty graph."""


def one_line(message: object, limit: int = 2000) -> str:
    """``message`` as the one line a user sees: whitespace collapsed, secrets scrubbed."""
    return scrub_text(" ".join(str(message).split()))[:limit]

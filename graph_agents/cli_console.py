"""What the command line's output looks like: consoles that keep whole rows when redirected, and
help without type markers beside flags."""

from __future__ import annotations

import os
import sys
from typing import Any

from rich.console import Console
from typer.core import TyperArgument, TyperCommand, TyperGroup

REDIRECTED_WIDTH = 200  # columns of a table written to a file or a pipe


def make_console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr). Written to a file or a pipe, rich cannot ask a terminal for
    its width and would wrap tables at 80 columns ("complet…"): it gets a wide one instead, unless
    COLUMNS says otherwise."""
    stream = sys.stderr if stderr else sys.stdout
    redirected = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, width=REDIRECTED_WIDTH if redirected else None)


class _FlagHelp:
    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""  # a flag takes no value: no "<bool>" beside --help
        return option

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if isinstance(param, TyperArgument):  # THREAD_ID says what it is: no "<str>" beside it
                param.display_type_rich = lambda ctx: None
        return params


class HelpCommand(_FlagHelp, TyperCommand):
    """A command whose --help shows no type marker (the flags themselves say ``metavar=""``)."""


class HelpGroup(_FlagHelp, TyperGroup):
    """A group (``graph-agents``, ``graph-agents catalog``) likewise."""

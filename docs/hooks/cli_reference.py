"""mkdocs hook: the command-line reference in docs/cli.md, rendered from the typer app itself at
build time, so the reference cannot drift from the command (tests/test_docs.py checks it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

MARKER = "<!-- cli-reference -->"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default(param: Any) -> str:
    if getattr(param, "is_flag", False) or param.required or param.default in (None, [], ()):
        return ""
    value = param.default
    shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return f"`{shown}`"


def _walk(command: Any, path: list[str], parent: Any = None) -> Iterator[tuple[Any, list[str], Any]]:
    ctx = command.make_context(path[-1], [], parent=parent, resilient_parsing=True)
    yield command, path, ctx
    for name in getattr(command, "list_commands", lambda _ctx: [])(ctx):
        yield from _walk(command.get_command(ctx, name), [*path, name], ctx)


def commands() -> list[tuple[Any, list[str], Any]]:
    """Every command of `graph-agents`, groups first, with the click context it is shown in."""
    import typer

    from graph_agents.cli import app

    return list(_walk(typer.main.get_command(app), ["graph-agents"]))


def render() -> str:
    out: list[str] = []
    for command, path, ctx in commands():
        out += [f"### `{' '.join(path)}`", ""]
        if command.help:
            out += [command.help.strip(), ""]
        usage = command.get_usage(ctx).replace("Usage: ", "", 1).strip()
        out += ["```", usage, "```", ""]
        params = [p for p in command.get_params(ctx) if p.name != "help"]
        if params:
            out += ["| argument or option | value | default | |", "|---|---|---|---|"]
            for p in params:
                names = ", ".join(f"`{o}`" for o in p.opts) if p.param_type_name == "option" else f"`{p.metavar or p.name.upper()}`"
                value = p.metavar if p.param_type_name == "option" and p.metavar else ""
                multiple = " (repeatable)" if getattr(p, "multiple", False) and "repeatable" not in (p.help or "") else ""
                required = " (required)" if p.required else ""
                out.append(f"| {names} | {_cell(value)} | {_default(p)} | {_cell((p.help or '') + multiple + required)} |")
            out.append("")
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if Path(page.file.src_path).name == "cli.md" and MARKER in markdown:
        return markdown.replace(MARKER, render())
    return markdown

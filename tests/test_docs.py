"""The docs stay true: the README is a short front door whose links exist, the site builds with
`mkdocs build --strict` (every link and anchor resolves), and the CLI reference is the app's."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("mkdocs")
pytest.importorskip("material")


def _hook():
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "docs" / "hooks" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_is_a_front_door():
    text = (ROOT / "README.md").read_text()
    lines = text.splitlines()
    assert len(lines) <= 150
    assert lines[:5] == ["# graph_agents", "", "```bash", lines[3], lines[4]]
    assert lines[3].startswith("make demo") and lines[4].startswith("make test")
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    assert any(link.endswith(".png") for link in links)
    for link in links:
        if "://" not in link:
            assert (ROOT / link).is_file(), link
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in {Path(link).name for link in links if link.startswith("docs/") and link.endswith(".md")}:
        assert f": {page}" in nav, f"{page} is not in the mkdocs nav"


def test_mkdocs_build_strict(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    page = (tmp_path / "site" / "cli" / "index.html").read_text()
    assert "<!-- cli-reference -->" not in page and "graph-agents catalog lineage" in page


def test_cli_reference_is_generated_from_the_app():
    hook = _hook()
    rendered = hook.render()
    sections = dict(re.findall(r"### `([^`]+)`\n(.*?)(?=\n### `|\Z)", rendered, flags=re.S))
    commands = hook.commands()
    assert set(sections) == {" ".join(path) for _, path, _ in commands}
    assert {"graph-agents run", "graph-agents resume", "graph-agents catalog series"} <= set(sections)
    for command, path, ctx in commands:
        section = sections[" ".join(path)]
        for param in command.get_params(ctx):
            if param.name == "help":
                continue
            for name in (param.opts if param.param_type_name == "option" else [param.metavar or param.name.upper()]):
                assert f"`{name}`" in section, (path, name)
            if getattr(param, "help", None):
                assert param.help.split(" (")[0].replace("|", "\\|") in section, (path, param.help)

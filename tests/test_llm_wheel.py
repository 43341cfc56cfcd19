"""The prompts ship inside the wheel, and an installed package finds them there.

Builds the wheel with `pip wheel` (a few seconds: pip fetches the hatchling build backend).
"""

import subprocess
import sys
import zipfile
from pathlib import Path

from graph_agents.llm.prompts import AGENTS

ROOT = Path(__file__).resolve().parent.parent


def test_built_wheel_contains_the_prompts_and_finds_them(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = (tmp_path / "dist").glob("graph_agents-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {f"graph_agents/prompts/{a}.md" for a in AGENTS} <= names
        zf.extractall(tmp_path / "site")
    # the unpacked wheel stands for an install: no checkout next to it
    probe = (
        "from graph_agents.llm import prompts_dir, load_prompt; "
        "print(prompts_dir()); print(len(load_prompt('analyze')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    where, size = out.stdout.split()
    assert Path(where) == tmp_path / "site" / "graph_agents" / "prompts" and int(size) > 200

"""Secrets never reach an output: known secrets planted in the settings, every file scanned.

The CLI runs as shipped (a subprocess) on the ArangoDB and GAE doubles with the LLM double as its
model; the planted values are the ones it authenticates with (the ArangoDB JWT, the ArangoGraph
API key secret, the OpenAI key) or holds unused (the ArangoDB password, the LangSmith key). Then
every byte it left behind is searched: the workspace (checkpoints with their WAL, the catalog
(or, with ArangoDB configured, the catalog's collections in the double), the LLM cache, run options, logs, results), the output (run.json, reports in every format, the trace
in every format) and what it printed.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph_agents.catalog.arango import PREFIX as CATALOG_PREFIX
from tests.doubles.background import BackgroundDoubles

ROOT = Path(__file__).resolve().parent.parent
OPENAI_KEY = "sk-planted-openai-Q7f3a9c2e1d4b6"
ARANGO_PASSWORD = "planted-arango-password-51bd8e"
AMP_SECRET = "planted-amp-key-secret-c0ffee42"
LANGSMITH_KEY = "lsv2_pt_planted0langsmith0key0e7d1"


def _forms(secret: str) -> list[bytes]:
    """The secret as it could be stored: raw, and base64 (Basic auth headers, encoded blobs)."""
    raw = secret.encode()
    return [raw, base64.b64encode(raw), base64.b64encode(b"root:" + raw)]


def _leaks(root: Path, secrets: dict[str, str]) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for name, secret in secrets.items():
            if any(form in data for form in _forms(secret)):
                found.append(f"{name} in {path.relative_to(root)}")
    return found


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    # cwd outside the checkout: no developer's .env is read
    return subprocess.run([sys.executable, "-m", "graph_agents", *args], env={**env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, timeout=240, cwd=cwd)


@pytest.fixture(scope="module")
def doubles(tmp_path_factory):
    from graph_agents.demo import generate_demo

    demo = generate_demo(tmp_path_factory.mktemp("secrets-demo"))
    with BackgroundDoubles(demo, password=ARANGO_PASSWORD, amp_key=("planted-key-id", AMP_SECRET)) as servers:
        servers.demo = demo
        yield servers


def test_planted_secrets_appear_in_no_output(doubles, tmp_path):
    jwt_token = doubles.arango.issue_token()  # the store and the engine authenticate with this
    secrets = {"OPENAI_API_KEY": OPENAI_KEY, "ARANGO_PASSWORD": ARANGO_PASSWORD, "ARANGO_JWT": jwt_token,
               "GAE_AMP_KEY_SECRET": AMP_SECRET, "LANGSMITH_API_KEY": LANGSMITH_KEY}
    env = doubles.env(
        OPENAI_API_KEY=OPENAI_KEY, ARANGO_PASSWORD=ARANGO_PASSWORD, ARANGO_JWT=jwt_token,
        GAE_DEPLOYMENT="amp", GAE_AMP_IAM_URL=doubles.iam.url, GAE_AMP_MANAGEMENT_URL=doubles.gae.url,
        GAE_AMP_KEY_ID="planted-key-id", GAE_AMP_KEY_SECRET=AMP_SECRET, LANGSMITH_API_KEY=LANGSMITH_KEY,
        GRAPH_AGENTS_HOME=str(tmp_path / "home"),
    )
    workspace, output = tmp_path / "ws", tmp_path / "out"
    started = len(doubles.gae.started)
    done = _cli(["run", "--requirements", str(doubles.demo / "requirements.md"), "--workspace", str(workspace),
                 "--output", str(output), "--thread-id", "secret-run"], env, tmp_path)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    # the run really used what was planted: LLM mode, the AMP engine (started and stopped), the JWT
    run_json = (output / "run.json").read_text()
    assert '"mode": "llm"' in run_json and '"engine": "gae"' in run_json
    assert len(doubles.gae.started) > started and set(doubles.gae.started) <= set(doubles.gae.stopped)
    assert (workspace / "checkpoints.sqlite").is_file()
    # the catalog is in ArangoDB when ArangoDB is configured: the double's collections join the scan
    catalog = {name: c["docs"] for name, c in doubles.arango.collections.items() if name.startswith(CATALOG_PREFIX)}
    assert catalog or (workspace / "catalog.sqlite").is_file()
    (tmp_path / "arango-catalog.json").write_text(json.dumps(catalog, default=str))
    assert any(workspace.rglob("*cache*")), "the LLM cache was not written: the scan would miss it"
    assert {p.suffix for p in (output / "reports").iterdir()} >= {".md", ".json", ".html"}
    assert {p.name for p in (output / "trace").iterdir()} >= {"trace.json", "trace.html", "trace.md"}
    assert list((workspace / "runs").glob("*.json"))

    # a corrupt checkpoint database is bad input: one line naming the file, exit 2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "checkpoints.sqlite").write_bytes(b"not a database " * 200)
    corrupt = _cli(["run", "--requirements", str(doubles.demo / "requirements.md"), "--workspace", str(broken),
                    "--output", str(tmp_path / "out2"), "--thread-id", "secret-fail", "--quiet"], env, tmp_path)
    assert corrupt.returncode == 2 and b"checkpoints.sqlite" in corrupt.stderr, corrupt.stderr
    # an internal failure whose message carries the secrets (as a server's error body may, in no
    # recognisable shape) writes a scrubbed traceback to the error log
    boom = ("import os, graph_agents.runner as r\n"
            "async def boom(*a, **k):\n"
            "    raise RuntimeError('server said: ' + ' '.join(os.environ[k] for k in "
            "('ARANGO_PASSWORD', 'GAE_AMP_KEY_SECRET', 'OPENAI_API_KEY')))\n"
            "r.AgenticWorkflowRunner.run_async = boom\n"
            "from graph_agents.cli import entry\nentry()\n")
    failed = subprocess.run([sys.executable, "-c", boom, "run", "--requirements", str(doubles.demo / "requirements.md"),
                             "--workspace", str(broken), "--output", str(tmp_path / "out2"), "--quiet"],
                            env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=240, cwd=tmp_path)
    assert failed.returncode == 1 and b"Traceback" not in failed.stderr and b"server said" in failed.stderr
    logs = list((broken / "logs").glob("error-*.log"))  # in the workspace the command was given
    assert logs and "Traceback" in logs[0].read_text()
    failed.stdout += corrupt.stdout
    failed.stderr += corrupt.stderr

    leaks = _leaks(tmp_path, secrets)
    for name, stream in (("stdout", done.stdout + failed.stdout), ("stderr", done.stderr + failed.stderr)):
        leaks += [f"{key} in {name}" for key, secret in secrets.items() if any(f in stream for f in _forms(secret))]
    assert leaks == []

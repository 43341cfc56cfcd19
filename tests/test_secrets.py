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


ECHOED_KEY = "Planted-key-7f3a"  # no sk- shape: only scrubbing by value keeps it out


def test_api_key_echoed_in_a_server_error_appears_in_no_output(doubles, tmp_path):
    """The LLM server refuses the key with a 401 whose body names it in full; the run goes on on the
    deterministic core and records the errors, and the key is in none of what it wrote or printed."""
    env = {k: v for k, v in doubles.env(OPENAI_API_KEY=ECHOED_KEY, GRAPH_AGENTS_HOME=str(tmp_path / "home")).items()
           if not k.startswith(("ARANGO_", "GAE_"))}  # the local store: the catalog is catalog.sqlite
    workspace, output = tmp_path / "ws", tmp_path / "out"
    seen = len(doubles.llm.requests)
    doubles.llm.config.api_key = "the-key-the-server-takes"
    try:
        done = _cli(["run", "--demo", "--workspace", str(workspace), "--output", str(output),
                     "--thread-id", "echo-run"], env, tmp_path)
    finally:
        doubles.llm.config.api_key = None
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    refused = [r for r in doubles.llm.requests[seen:] if r["fault"] == "401"]
    assert refused and len(refused) == len(doubles.llm.requests) - seen  # every call was answered with the echo
    run_json = (output / "run.json").read_text()
    assert "Incorrect API key provided" in run_json  # the error body was recorded: scrubbing is what is tested
    for path in (workspace / "checkpoints.sqlite", workspace / "catalog.sqlite", workspace / "runs" / "echo-run.json",
                 output / "trace" / "trace.json", output / "trace" / "trace.html", output / "trace" / "trace.md"):
        assert path.is_file(), path
    assert {p.suffix for p in (output / "reports").iterdir()} >= {".md", ".json", ".html"}
    leaks = _leaks(tmp_path, {"OPENAI_API_KEY": ECHOED_KEY})
    leaks += [f"OPENAI_API_KEY in {name}" for name, stream in (("stdout", done.stdout), ("stderr", done.stderr))
              if any(f in stream for f in _forms(ECHOED_KEY))]
    assert leaks == []

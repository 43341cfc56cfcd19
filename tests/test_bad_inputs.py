"""A corpus of bad and hostile inputs, each with its expected outcome.

Every case runs the real command line. None may print a traceback, write outside the output
directory and workspace, or leave unescaped HTML in what it writes.
"""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from graph_agents.cli import app

CORPUS = Path(__file__).parent / "bad_inputs"
cli = CliRunner()


def _jsonl(d: Path, name: str, docs: list) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in docs))


def _small_graph(d: Path) -> Path:
    _jsonl(d, "customers", [{"_key": f"c{i}", "name": f"Customer {i}"} for i in range(6)])
    _jsonl(d, "products", [{"_key": f"p{i}", "name": f"Product {i}"} for i in range(3)])
    _jsonl(d, "purchased", [{"_from": f"customers/c{i}", "_to": f"products/p{i % 3}"} for i in range(6)])
    return d


@dataclass
class Case:
    name: str
    build: Callable[[Path, Path], list[str]]  # (tmp, demo data dir) -> CLI args after "run"
    exit_code: int
    message: str = ""  # expected in the output (the one error line, or the summary)


def req(text: str) -> Callable[[Path, Path], list[str]]:
    def build(tmp: Path, demo: Path) -> list[str]:
        (tmp / "req.md").write_text(text)
        return ["--data", str(demo), "--requirements", str(tmp / "req.md")]
    return build


def doc(filename: str) -> Callable[[Path, Path], list[str]]:
    return lambda tmp, demo: ["--data", str(demo), "--requirements", str(CORPUS / filename)]


def graph(make: Callable[[Path], None]) -> Callable[[Path, Path], list[str]]:
    def build(tmp: Path, demo: Path) -> list[str]:
        d = tmp / "g"
        d.mkdir()
        make(d)
        (tmp / "req.md").write_text("We must find the most influential customers.")
        return ["--data", str(d), "--requirements", str(tmp / "req.md")]
    return build


def vertical(body: str | None) -> Callable[[Path, Path], list[str]]:
    def build(tmp: Path, demo: Path) -> list[str]:
        path = tmp / "v.json"
        if body is None:
            path.mkdir()
        else:
            path.write_text(body)
        return ["--data", str(demo), "--industry", str(path)]
    return build


def _huge(tmp: Path, demo: Path) -> list[str]:
    line = "The team should review the weekly figures for each region and each channel.\n"
    path = tmp / "huge.md"
    path.write_text("# Notes\n" + line * (20 * 1024 * 1024 // len(line)) + "- We must rank the most influential products.\n")
    return ["--data", str(demo), "--requirements", str(path)]


def _dump(name: str, ctype: int = 2, data: bytes | None = b'{"_key": "a"}\n', gz: bool = False):
    def make(d: Path) -> None:
        (d / f"{name.replace('/', '_')}.structure.json").write_text(json.dumps({"parameters": {"name": name, "type": ctype}}))
        if data is not None:
            target = d / f"{name.replace('/', '_')}.data.json{'.gz' if gz else ''}"
            target.write_bytes(data)
    return make


CASES = [
    # documents
    Case("empty document", doc("empty.md"), 0, "completed"),
    Case("binary document", doc("binary.md"), 2, "looks binary"),
    Case("huge document (20 MB)", _huge, 0, "completed"),
    Case("non-UTF-8 document", doc("latin1.md"), 0, "completed"),
    Case("corrupt PDF", doc("corrupt.pdf"), 2, "cannot read .pdf"),
    Case("corrupt DOCX", doc("corrupt.docx"), 2, "cannot read .docx"),
    Case("missing document", lambda t, d: ["--data", str(d), "--requirements", str(t / "nope.md")], 2, "document not found"),
    Case("directory as document", lambda t, d: ["--data", str(d), "--requirements", str(t)], 2, "is a directory"),
    Case("prompt injection in requirements", doc("injection.md"), 0, "completed"),
    Case("HTML/JS in requirements", doc("script.md"), 0, "completed"),
    # graphs
    Case("missing data directory", lambda t, d: ["--data", str(t / "nope")], 2, "data directory not found"),
    Case("data path is a file", lambda t, d: ["--data", str(CORPUS / "empty.md")], 2, "data directory not found"),
    Case("empty directory", graph(lambda d: None), 2, "no collections"),
    Case("empty graph", graph(lambda d: _jsonl(d, "a", []) or _jsonl(d, "b", [])), 2, "graph is empty"),
    Case("dangling edges", graph(lambda d: _small_graph(d) and _jsonl(d, "purchased", [
        {"_from": "customers/c1", "_to": "products/zzz"}, {"_from": "customers/c2", "_to": "products/p1"}])), 0, "completed"),
    Case("invalid JSON line", graph(lambda d: (d / "a.jsonl").write_text('{"_key": "1"}\n{oops\n')), 2, "a.jsonl:2: invalid JSON"),
    Case("non-object line", graph(lambda d: (d / "a.jsonl").write_text('[1, 2]\n')), 2, "expected a JSON object"),
    Case("duplicate keys", graph(lambda d: _jsonl(d, "a", [{"_key": "1"}, {"_key": "1"}])), 2, "duplicate _key"),
    Case("key with a slash", graph(lambda d: _jsonl(d, "a", [{"_key": "x/y"}])), 2, "invalid or duplicate _key"),
    Case("edge without _to", graph(lambda d: _small_graph(d) and _jsonl(d, "purchased", [
        {"_from": "customers/c1", "_to": "products/p1"}, {"_from": "customers/c2"}])), 2, "needs _from and _to"),
    Case("quote in collection name", graph(lambda d: _jsonl(d, "it's", [{"_key": "1"}])), 2, "invalid collection name"),
    Case("backtick and AQL in collection name", graph(lambda d: _jsonl(d, "x` FOR d IN y REMOVE d IN y", [{"_key": "1"}])), 2, "invalid collection name"),
    Case("path separators in collection name", graph(_dump("../../etc/passwd")), 2, "invalid collection name"),
    Case("structure without parameters", graph(lambda d: (d / "a.structure.json").write_text("{}")), 2, "expected parameters.name"),
    Case("structure not JSON", graph(lambda d: (d / "a.structure.json").write_text("{nope")), 2, "not readable as JSON"),
    Case("corrupt gzip data", graph(_dump("a", data=b"not gzip at all", gz=True)), 2, "cannot read"),
    Case("bad graph.json", graph(lambda d: _small_graph(d) and (d / "graph.json").write_text('{"name": "g"}')), 2, "edge_definitions"),
    Case("HTML/JS in attribute names and values", graph(lambda d: _small_graph(d) and _jsonl(d, "customers", [
        {"_key": f"c{i}", "name": "<script>alert(1)</script>", "<img src=x onerror=alert(1)>": 1} for i in range(6)])), 0, "completed"),
    # verticals
    Case("unknown vertical", lambda t, d: ["--data", str(d), "--industry", "astrology"], 2, "unknown vertical"),
    Case("vertical file missing", lambda t, d: ["--data", str(d), "--industry", str(t / "v.json")], 2, "not found"),
    Case("vertical is a directory", vertical(None), 2, "v.json"),
    Case("vertical invalid JSON", vertical("{ nope"), 2, "invalid JSON"),
    Case("vertical wrong fields", vertical('{"name": 3}'), 2, "v.json"),
    Case("vertical unknown algorithm", vertical(json.dumps({"name": "x", "display_name": "X", "discovery": ["louvain"]})), 2, "louvain"),
    # options
    Case("negative max executions", lambda t, d: ["--data", str(d), "--max-executions", "-1"], 2, "max-executions"),
    Case("thread id with path separators", lambda t, d: ["--data", str(d), "--thread-id", "../../escape"], 2, "invalid thread id"),
    Case("thread id with AQL", lambda t, d: ["--data", str(d), "--thread-id", "x' RETURN 1 //"], 2, "invalid thread id"),
]


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory, demo_dir) -> Path:
    return demo_dir / "data"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path, demo_data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = case.build(tmp_path, demo_data)
    before = {p for p in tmp_path.rglob("*")}
    res = cli.invoke(app, ["run", *args, "--output", "out", "--workspace", "ws", "--max-executions", "2"]
                     if "--max-executions" not in args else ["run", *args, "--output", "out", "--workspace", "ws"])
    output = res.output
    assert "Traceback" not in output, output
    assert res.exit_code == case.exit_code, output
    assert case.message in output, output
    if case.exit_code == 2:  # one line on stderr, whatever progress stdout showed before it
        assert res.stderr.strip().startswith("error:") and len(res.stderr.strip().splitlines()) == 1, res.stderr
    written = {p for p in tmp_path.rglob("*")} - before
    assert all(p.is_relative_to(tmp_path / "out") or p.is_relative_to(tmp_path / "ws") for p in written), written
    for path in (tmp_path / "out").rglob("*"):
        if path.suffix in (".html", ".md"):
            assert "<script>alert" not in path.read_text(), path


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_unexpected_failure_is_one_line_with_a_log(tmp_path, monkeypatch, capsys):
    from graph_agents import cli as cli_module
    from graph_agents.runner import AgenticWorkflowRunner

    async def boom(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRAPH_AGENTS_HOME", str(tmp_path / "ws"))
    monkeypatch.setattr(AgenticWorkflowRunner, "run_async", boom)
    monkeypatch.setattr("sys.argv", ["graph-agents", "run", "--demo", "--quiet"])
    with pytest.raises(SystemExit) as stop:
        cli_module.entry()
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 1 and "Traceback" not in err and len(err.splitlines()) == 1
    assert "internal error: RuntimeError: disk on fire" in err
    logs = list((tmp_path / "ws" / "logs").glob("error-*.log"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text()

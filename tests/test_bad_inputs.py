"""A corpus of bad and hostile inputs, each with its expected outcome.

Every case runs the real command line. None may print a traceback, write outside the output
directory and workspace, or leave unescaped HTML in what it writes.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import socket
import sqlite3
import sys
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from typer.testing import CliRunner

from graph_agents.cli import app
from graph_agents.errors import InputError

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
    build: Callable[[Path, Path], list[str]]  # (tmp, demo data dir) -> CLI args after the command
    exit_code: int
    message: str = ""  # expected in the output (the one error line, or the summary)
    env: dict[str, str] | None = None  # "{tmp}" in a value is the case's directory
    command: str = "run"  # run gets --output out --workspace ws --max-executions 2 unless given
    secret: str = ""  # must appear in no output and no file written
    input: str | None = None  # what the user types (a review)


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


def made(make: Callable[[Path], Path]) -> Callable[[Path, Path], list[str]]:
    """A requirements document made in the case's directory."""
    def build(tmp: Path, demo: Path) -> list[str]:
        return ["--data", str(demo), "--requirements", str(make(tmp))]
    return build


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _symlink(path: Path, target: str) -> Path:
    path.symlink_to(target)
    return path


GOOD = "# Goals\nWe must find the most influential customers and rank the products.\n"


def _docx(path: Path, paragraphs: int = 0, xml: str | None = None, styles: bool = True) -> Path:
    """A Word document as Word's own package (made by python-docx), its body optionally swollen
    with empty paragraphs or replaced by ``xml``."""
    from docx import Document

    document = Document()
    document.add_heading("Goals", 1)
    document.add_paragraph("We must find the most influential customers.")
    document.add_paragraph("Rank the products by reach", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                if xml is not None:
                    data = xml.encode()
                elif paragraphs:
                    data = data.replace(b"</w:body>", b"<w:p/>" * paragraphs + b"</w:body>", 1)
            if item.filename == "word/styles.xml" and not styles:
                continue
            out.writestr(item, data)
    return path


def _nested_markdown(tmp: Path) -> Path:
    path = tmp / "deep.md"
    path.write_text(GOOD + ">" * 100_000 + " deep\n" + "".join("  " * i + "- item\n" for i in range(2000)))
    return path


def _truncated_db(name: str) -> Callable[[Path, Path], list[str]]:
    """A real workspace database (from a first run), cut to its first 8 KiB."""
    def build(tmp: Path, demo: Path) -> list[str]:
        first = cli.invoke(app, ["run", "--data", str(demo), "--workspace", str(tmp / "ws"), "--output", str(tmp / "o1"),
                                 "--max-executions", "1", "--quiet"])
        assert first.exit_code == 0, first.output
        shutil.rmtree(tmp / "o1")
        path = tmp / "ws" / name
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        path.write_bytes(path.read_bytes()[:8192])
        return ["--data", str(demo)]
    return build


def _garbage_db(name: str, body: bytes = b"not a database " * 200) -> Callable[[Path, Path], list[str]]:
    def build(tmp: Path, demo: Path) -> list[str]:
        (tmp / "ws").mkdir()
        (tmp / "ws" / name).write_bytes(body)
        return ["--data", str(demo)]
    return build


_HELD: list[Any] = []  # locks a case holds while the command runs (released after the case)


def _locked_db(name: str) -> Callable[[Path, Path], list[str]]:
    """Another process's exclusive transaction on the workspace's database (here: this one's)."""
    def build(tmp: Path, demo: Path) -> list[str]:
        (tmp / "ws").mkdir()
        conn = sqlite3.connect(tmp / "ws" / name, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
        conn.execute("BEGIN EXCLUSIVE")
        _HELD.append(conn)
        return ["--data", str(demo)]
    return build


def _busy_thread(tmp: Path, demo: Path) -> list[str]:
    from graph_agents.workspace import thread_lock

    hold = thread_lock(tmp / "ws", "busy")
    hold.__enter__()
    _HELD.append(hold)
    return ["--data", str(demo), "--thread-id", "busy"]


def _release() -> None:
    while _HELD:
        held = _HELD.pop()
        if isinstance(held, sqlite3.Connection):
            held.close()
        else:
            held.__exit__(None, None, None)


def _server(mode: str) -> str:
    """A TCP port on 127.0.0.1 that is no ArangoDB: it answers in another protocol, or never."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            conn, _ = sock.accept()
            if mode == "garbage":
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
                conn.close()
            else:
                held.append(conn)  # silent: keep it open, say nothing

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def arango(mode: str, **env: str) -> Callable[[Path, Path], list[str]]:
    def build(tmp: Path, demo: Path) -> list[str]:
        url = "http://127.0.0.1:1" if mode == "closed" else _server(mode)
        os.environ.update({"ARANGO_URL": env.get("ARANGO_URL", url).replace("{url}", url), "ARANGO_TIMEOUT": "1"})
        (tmp / "req.md").write_text(GOOD)
        return ["--requirements", str(tmp / "req.md")]
    return build


def _paused(tmp: Path, demo: Path) -> None:
    """A run waiting for its review (thread "rv"), as `run --review` leaves it without an answer."""
    paused = cli.invoke(app, ["run", "--data", str(demo), "--workspace", str(tmp / "ws"), "--output", str(tmp / "o1"),
                              "--thread-id", "rv", "--review", "--max-executions", "2"], input="")
    assert paused.exit_code == 1, paused.output


def resume_with(*args: str, paused: bool = True) -> Callable[[Path, Path], list[str]]:
    def build(tmp: Path, demo: Path) -> list[str]:
        if paused:
            _paused(tmp, demo)
        return [*args, "--workspace", str(tmp / "ws"), "--output", str(tmp / "out")]
    return build


def _saved_run(body: str) -> Callable[[Path, Path], list[str]]:
    def build(tmp: Path, demo: Path) -> list[str]:
        (tmp / "ws" / "runs").mkdir(parents=True)
        (tmp / "ws" / "runs" / "gone.json").write_text(body)
        return ["gone", "--workspace", str(tmp / "ws"), "--output", str(tmp / "out")]
    return build


def markup_graph(d: Path) -> None:
    _small_graph(d)
    _jsonl(d, "customers", [{"_key": f"c{i}", "name": "[/] [bold]x[/bold] [link=http://e]y", "[/]": i, "[red": 1}
                            for i in range(6)])


def inspect(make: Callable[[Path], None]) -> Callable[[Path, Path], list[str]]:
    def build(tmp: Path, demo: Path) -> list[str]:
        d = tmp / "g"
        d.mkdir()
        make(d)
        return ["--data", str(d)]
    return build


def output(make: Callable[[Path], str]) -> Callable[[Path, Path], list[str]]:
    return lambda tmp, demo: ["--data", str(demo), "--output", make(tmp)]


def _file(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def detector(**params: Any) -> str:
    return json.dumps({"name": "x", "display_name": "X", "discovery": ["pagerank"], "detectors": [
        {"name": "rings", "algorithm": "scc", "kind": "cycle", "description": "rings", **params}]})


DEEP_JSON = "[" * 100_000 + "]" * 100_000


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
          + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
          '<w:t>&i;</w:t></w:r></w:p></w:body></w:document>')


def _dump_pair(d: Path) -> None:
    """One collection in two dump files (plain and gzip, as arangodump names them), same keys."""
    (d / "customers.structure.json").write_text(json.dumps({"parameters": {"name": "customers", "type": 2}}))
    rows = "".join(json.dumps({"_key": f"c{i}"}) + "\n" for i in range(10)).encode()
    (d / "customers.data.json").write_bytes(rows)
    (d / "customers_0123456789abcdef0123456789abcdef.data.json.gz").write_bytes(gzip.compress(rows))


def _bad_deflate(d: Path) -> None:
    (d / "a.structure.json").write_text(json.dumps({"parameters": {"name": "a", "type": 2}}))
    good = gzip.compress(b'{"_key": "a"}\n' * 1000)
    (d / "a.data.json.gz").write_bytes(good[:10] + b"\xff" * 40 + good[50:])


def _graph_json(body: str) -> Callable[[Path], None]:
    return lambda d: _small_graph(d) and (d / "graph.json").write_text(body) and None


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
    Case("vertical unknown algorithm", vertical(json.dumps({"name": "x", "display_name": "X", "discovery": ["no_such_algorithm"]})), 2, "no_such_algorithm"),
    # options
    Case("negative max executions", lambda t, d: ["--data", str(d), "--max-executions", "-1"], 2, "max-executions"),
    Case("thread id with path separators", lambda t, d: ["--data", str(d), "--thread-id", "../../escape"], 2, "invalid thread id"),
    Case("thread id with AQL", lambda t, d: ["--data", str(d), "--thread-id", "x' RETURN 1 //"], 2, "invalid thread id"),
    # documents: only regular files, limits while reading, encodings, formats
    Case("FIFO as document", made(lambda t: _fifo(t / "req.md")), 2, "is a FIFO"),
    Case("document symlinked to /dev/zero", made(lambda t: _symlink(t / "req.md", "/dev/zero")), 2, "character device"),
    Case("document symlink loop", made(lambda t: _symlink(t / "req.md", str(t / "req.md"))), 2, "req.md"),
    Case("empty document path", lambda t, d: ["--data", str(d), "--requirements", ""], 2, "is a directory"),
    Case("UTF-8 BOM document", made(lambda t: (t / "r.md").write_bytes(b"\xef\xbb\xbf" + GOOD.encode()) and t / "r.md"), 0, "completed"),
    Case("UTF-16 document with BOM", made(lambda t: (t / "r.md").write_bytes(GOOD.encode("utf-16")) and t / "r.md"), 0, "completed"),
    Case("UTF-16LE document without BOM", made(lambda t: (t / "r.txt").write_bytes(GOOD.encode("utf-16-le")) and t / "r.txt"), 0, "completed"),
    Case("UTF-32 document with BOM", made(lambda t: (t / "r.md").write_bytes(GOOD.encode("utf-32")) and t / "r.md"), 0, "completed"),
    Case("binary with its first NUL past 4 KiB", made(lambda t: (t / "b.md").write_bytes(b"A" * 5000 + b"\x00\x01\x02" * 10) and t / "b.md"), 2, "looks binary"),
    Case("one 12 MB line without a newline", made(lambda t: _file(t / "line.md", GOOD + "word " * 2_400_000)), 0, "completed"),
    Case("document nested 100k levels deep", made(_nested_markdown), 0, "completed"),
    Case("Word document from Word's own package", made(lambda t: _docx(t / "r.docx")), 0, "completed"),
    Case("DOCX with 200k paragraphs (0.1 MB)", made(lambda t: _docx(t / "many.docx", paragraphs=200_000)), 0, "completed"),
    Case("DOCX without a styles part", made(lambda t: _docx(t / "r.docx", styles=False)), 0, "completed"),
    Case("zip that is not a Word document", made(lambda t: _zip(t / "r.docx", {"a.txt": "hello"})), 2, "not a Word document"),
    Case("DOCX with XML nested 100k deep", made(lambda t: _docx(t / "deep.docx", xml="<a>" * 100_000 + "</a>" * 100_000)), 2, "cannot read .docx"),
    Case("DOCX with an entity bomb", made(lambda t: _docx(t / "lol.docx", xml=LAUGHS)), 2, "cannot read .docx"),
    Case("PDF without the .pdf suffix", made(lambda t: _file(t / "req", "%PDF-1.4\n1 0 obj garbage\n%%EOF")), 2, "cannot read"),
    Case("rich markup in requirements", req("# Goals\n- We must find [/] the most [bold]influential[/ customers [link=x].\n"), 0, "completed"),
    Case("API key in requirements text", req(GOOD + "key: sk-planted0in0the0text0aa11\n"), 0, "completed", secret="sk-planted0in0the0text0aa11"),
    # verticals: validated before any work, size-capped
    Case("detector min_size is a word", vertical(detector(min_size="big")), 2, "min_size"),
    Case("detector min_size negative", vertical(detector(min_size=-1)), 2, "min_size"),
    Case("detector min_size is true", vertical(detector(min_size=True)), 2, "min_size"),
    Case("detector share above 1", vertical(detector(top_share=5)), 2, "top_share"),
    Case("detector description not text", vertical(detector(description=["x"])), 2, "description"),
    Case("detector about is one word, not a list", vertical(detector(about="products")), 2, "about"),
    Case("detector about holds an empty name", vertical(detector(about=[""])), 2, "about"),
    Case("vertical of 2 MB", vertical(json.dumps({"name": "big", "display_name": "Big", "keywords": ["word"] * 300_000})), 2, "KiB"),
    Case("vertical nested 100k deep", vertical('{"name": "x", "display_name": "X", "terms": ' + DEEP_JSON + "}"), 2, "nested too deeply"),
    Case("vertical is a JSON list", vertical("[1, 2]"), 2, "expected a JSON object"),
    Case("vertical is a FIFO", lambda t, d: ["--data", str(d), "--industry", str(_fifo(t / "v.json"))], 2, "is a FIFO"),
    Case("vertical not UTF-8", lambda t, d: ["--data", str(d), "--industry", str(_bytes(t / "v.json", b'{"name": "\xff"}'))], 2, "not UTF-8"),
    Case("vertical with a BOM and markup in its words", vertical("\ufeff" + json.dumps({
        "name": "markup", "display_name": "[/] [bold]Markup", "keywords": ["[/]", "customer"], "discovery": ["pagerank"]})), 0, "completed"),
    # thread ids: one name per id, or refused
    Case("thread id with a colon", lambda t, d: ["--data", str(d), "--thread-id", "x:1"], 2, "invalid thread id"),
    Case("thread id with an at sign", lambda t, d: ["--data", str(d), "--thread-id", "x@1"], 2, "invalid thread id"),
    Case("thread id with a dot", lambda t, d: ["--data", str(d), "--thread-id", "a.b"], 2, "invalid thread id"),
    Case("thread id with two dots", lambda t, d: ["--data", str(d), "--thread-id", "a..b"], 2, "invalid thread id"),
    Case("empty thread id", lambda t, d: ["--data", str(d), "--thread-id", ""], 2, "invalid thread id"),
    Case("thread id of 129 characters", lambda t, d: ["--data", str(d), "--thread-id", "a" * 129], 2, "invalid thread id"),
    Case("thread id with a non-ASCII letter", lambda t, d: ["--data", str(d), "--thread-id", "año"], 2, "invalid thread id"),
    Case("thread id with an underscore", lambda t, d: ["--data", str(d), "--thread-id", "x_1"], 0, "completed"),
    Case("thread in use by another process", _busy_thread, 2, "being run by another process"),
    # output: checked before any analysis
    Case("output is an existing file", output(lambda t: str(_file(t / "out.txt"))), 2, "not a directory"),
    Case("output is the file system root", output(lambda t: "/"), 2, "file system root"),
    Case("output under a file", output(lambda t: str(_file(t / "f") / "sub")), 2, "not writable"),
    Case("output on a read-only file system", output(lambda t: "/sys/graph-agents-out"), 2, "not writable"),
    Case("output's run.json is a directory", output(lambda t: str((t / "o" / "run.json").mkdir(parents=True) or t / "o")), 2, "in the way"),
    Case("unknown report format", lambda t, d: ["--data", str(d), "--format", "pdf"], 2, "unknown --format"),
    Case("max concurrency 0", lambda t, d: ["--data", str(d), "--max-concurrency", "0"], 2, "max_concurrency"),
    Case("max concurrency negative", lambda t, d: ["--data", str(d), "--max-concurrency", "-3"], 2, "max_concurrency"),
    # settings: validated up front, the variable named
    Case("LLM timeout not a number", lambda t, d: ["--data", str(d)], 2, "GRAPH_AGENTS_LLM_TIMEOUT", env={"GRAPH_AGENTS_LLM_TIMEOUT": "abc"}),
    Case("LLM rate NaN", lambda t, d: ["--data", str(d)], 2, "GRAPH_AGENTS_LLM_RPS", env={"GRAPH_AGENTS_LLM_RPS": "nan"}),
    Case("LLM cache neither true nor false", lambda t, d: ["--data", str(d)], 2, "GRAPH_AGENTS_LLM_CACHE", env={"GRAPH_AGENTS_LLM_CACHE": "maybe"}),
    Case("concurrency setting negative", lambda t, d: ["--data", str(d)], 2, "GRAPH_AGENTS_MAX_CONCURRENCY", env={"GRAPH_AGENTS_MAX_CONCURRENCY": "-3"}),
    Case("concurrency setting 0", lambda t, d: ["--data", str(d)], 2, "GRAPH_AGENTS_MAX_CONCURRENCY", env={"GRAPH_AGENTS_MAX_CONCURRENCY": "0"}),
    Case("ArangoDB batch size 0", lambda t, d: ["--data", str(d)], 2, "ARANGO_BATCH_SIZE", env={"ARANGO_BATCH_SIZE": "0"}),
    Case("ArangoDB timeout 0", lambda t, d: ["--data", str(d)], 2, "ARANGO_TIMEOUT", env={"ARANGO_TIMEOUT": "0"}),
    Case("ArangoDB URL without a scheme", lambda t, d: ["--data", str(d)], 2, "ARANGO_URL", env={"ARANGO_URL": "localhost:8529"}),
    Case("ArangoDB URL with a bad port and a password", lambda t, d: ["--data", str(d)], 2, "ARANGO_URL",
         env={"ARANGO_URL": "http://root:Planted-pw-77aa@h:port"}, secret="Planted-pw-77aa"),
    Case("OpenAI base URL not a URL", lambda t, d: ["--data", str(d)], 2, "OPENAI_BASE_URL", env={"OPENAI_BASE_URL": "api.example"}),
    Case("price table missing", lambda t, d: ["--data", str(d)], 2, "GRAPH_AGENTS_PRICES", env={"GRAPH_AGENTS_PRICES": "{tmp}/nope.json"}),
    Case("price table not JSON", lambda t, d: ["--data", str(d), "--requirements", str(_file(t / "p.json", "{oops"))], 2,
         "GRAPH_AGENTS_PRICES", env={"GRAPH_AGENTS_PRICES": "{tmp}/p.json"}),
    Case("GRAPH_AGENTS_HOME is a file", lambda t, d: ["--data", str(d), "--workspace", str(_file(t / "home"))], 2, "not a directory"),
    Case("workspace under a file", lambda t, d: ["--data", str(d), "--workspace", str(_file(t / "f") / "ws")], 2, "not writable"),
    Case("workspace on a read-only file system", lambda t, d: ["--data", str(d), "--workspace", "/sys/graph-agents-ws"], 2, "not writable"),
    # workspace databases: named when corrupt, truncated or locked; fast
    Case("checkpoint database not a database", _garbage_db("checkpoints.sqlite"), 2, "checkpoints.sqlite"),
    Case("checkpoint database truncated", _truncated_db("checkpoints.sqlite"), 2, "checkpoints.sqlite is truncated"),
    Case("checkpoint database is a directory", lambda t, d: (t / "ws" / "checkpoints.sqlite").mkdir(parents=True) or ["--data", str(d)], 2, "checkpoints.sqlite"),
    Case("checkpoint database locked", _locked_db("checkpoints.sqlite"), 2, "checkpoints.sqlite is locked"),
    Case("catalog not a database", _garbage_db("catalog.sqlite"), 2, "catalog.sqlite"),
    Case("catalog truncated", _truncated_db("catalog.sqlite"), 2, "catalog.sqlite is truncated"),
    Case("catalog locked", _locked_db("catalog.sqlite"), 2, "catalog.sqlite is locked"),
    Case("catalog with a SQLite header and garbage after it", _garbage_db("catalog.sqlite", b"SQLite format 3\x00" + b"\xff" * 4000), 2, "catalog.sqlite"),
    # resume
    Case("resume decision nested 100k deep", resume_with("rv", "--decision", DEEP_JSON), 2, "nested too deeply", command="resume"),
    Case("resume decision not JSON", resume_with("rv", "--decision", "{drop"), 2, "--decision is not JSON", command="resume"),
    Case("resume decision of the wrong shape", resume_with("rv", "--decision", "[1, 2]"), 2, "decision", command="resume"),
    Case("resume unknown thread", resume_with("nobody", paused=False), 2, "no saved run", command="resume"),
    Case("resume thread id with a colon", resume_with("x:1", paused=False), 2, "invalid thread id", command="resume"),
    Case("resume saved run not JSON", _saved_run("{nope"), 2, "gone.json", command="resume"),
    Case("resume saved run a JSON list", _saved_run("[]"), 2, "gone.json", command="resume"),
    Case("review with markup in requirements", lambda t, d: req("We must rank [/] the [bold]customers[/.")(t, d) + ["--review"], 0,
         "completed", input="approve\n"),
    # inspect
    Case("inspect attributes with rich markup", inspect(markup_graph), 0, "customers", command="inspect"),
    Case("inspect missing directory", lambda t, d: ["--data", str(t / "nope")], 2, "data directory not found", command="inspect"),
    # ArangoDB that is not there: one line, within about ARANGO_TIMEOUT, no retry warnings
    Case("ArangoDB on a closed port", arango("closed"), 2, "ArangoDB at"),
    Case("ArangoDB on a silent port", arango("silent"), 2, "ArangoDB at"),
    Case("ArangoDB on a non-HTTP port", arango("garbage"), 2, "ArangoDB at"),
    Case("ArangoDB URL with a password, closed port", arango("closed", ARANGO_URL="http://root:Planted-pw-51bd@127.0.0.1:1"), 2,
         "ArangoDB at", secret="Planted-pw-51bd"),
    # graph files: the columnar reader's checks
    Case("duplicate keys across dump files", graph(_dump_pair), 2, "duplicate"),
    Case("UTF-8 BOM in a jsonl", graph(lambda d: _small_graph(d) and _bytes(d / "customers.jsonl", b"\xef\xbb\xbf" + (d / "customers.jsonl").read_bytes()) and None), 0, "completed"),
    Case("NaN in a document", graph(lambda d: _small_graph(d) and (d / "products.jsonl").write_text('{"_key": "p0", "price": NaN}\n') and None), 2, "products.jsonl"),
    Case("Infinity in a document", graph(lambda d: _small_graph(d) and (d / "products.jsonl").write_text('{"_key": "p0", "price": Infinity}\n') and None), 2, "products.jsonl"),
    Case("non-string _key", graph(lambda d: _jsonl(d, "a", [{"_key": {"x": 1}}])), 2, "_key"),
    Case("numeric _key", graph(lambda d: _jsonl(d, "a", [{"_key": 7}])), 2, "_key"),
    Case("type-2 collection with _from/_to documents", graph(_dump("links", 2, b'{"_key": "1", "_from": "a/1", "_to": "a/2"}\n')), 2, "links"),
    Case('"from": "customers" in graph.json', graph(_graph_json(json.dumps({"name": "g", "edge_definitions": [
        {"collection": "purchased", "from": "customers", "to": ["products"]}]}))), 0, "completed"),
    Case("ga_results_ collections are not analysed", graph(lambda d: _small_graph(d) and _jsonl(d, "ga_results_old_T-001", [{"_key": "x"}])), 0, "completed"),
    Case("ga_catalog collections are not analysed", graph(lambda d: _small_graph(d) and _jsonl(d, "ga_catalog_runs", [{"_key": "x"}])), 0, "completed"),
    Case("corrupt deflate inside a gzip", graph(_bad_deflate), 2, "a.data.json.gz"),
    Case("structure.json that is a list", graph(lambda d: (d / "a.structure.json").write_text("[]") and None), 2, "a.structure.json"),
    Case('"edge_definitions": null', graph(_graph_json('{"name": "g", "edge_definitions": null}')), 2, "edge_definitions"),
    Case("data file nested 100k deep", graph(lambda d: (d / "a.jsonl").write_text('{"_key": "1", "x": ' + DEEP_JSON + "}\n") and None), 2, "a.jsonl"),
    Case("jsonl symlinked to /dev/zero", graph(lambda d: _small_graph(d) and _symlink(d / "zero.jsonl", "/dev/zero") and None), 2, "zero.jsonl"),
    Case("FIFO named *.jsonl", graph(lambda d: _small_graph(d) and _fifo(d / "pipe.jsonl") and None), 2, "pipe.jsonl"),
]


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory, demo_dir) -> Path:
    return demo_dir / "data"


def _case_id(case: Any) -> str:
    return case.name


def _command(case: Case, args: list[str]) -> list[str]:
    if case.command != "run":
        return [case.command, *args]
    defaults = {"--output": "out", "--workspace": "ws", "--max-executions": "2"}
    return ["run", *args, *(x for k, v in defaults.items() if k not in args for x in (k, v))]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_bad_input(case: Case, tmp_path, demo_data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    environ = dict(os.environ)
    try:
        args = case.build(tmp_path, demo_data)
        before = {p for p in tmp_path.rglob("*")}
        env = {k: v.replace("{tmp}", str(tmp_path)) for k, v in (case.env or {}).items()}
        res = cli.invoke(app, _command(case, args), env=env, input=case.input)
    finally:
        _release()
        os.environ.clear()
        os.environ.update(environ)
    output = res.output
    assert "Traceback" not in output, output
    assert res.exit_code == case.exit_code, output
    assert case.message in output, output
    assert "WARNING" not in output, output  # no library's log lines in front of the answer
    if case.exit_code == 2:  # one line on stderr, whatever progress stdout showed before it
        assert res.stderr.strip().startswith("error:") and len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert case.message in res.stderr, res.stderr  # the line names the input
    written = {p for p in tmp_path.rglob("*")} - before
    assert all(p.is_relative_to(tmp_path / "out") or p.is_relative_to(tmp_path / "ws") for p in written), written
    for path in (tmp_path / "out").rglob("*"):
        if path.suffix in (".html", ".md"):
            assert "<script>alert" not in path.read_text(), path
    if case.secret:
        assert case.secret not in output
        leaks = [p for p in written if p.is_file() and case.secret.encode() in p.read_bytes()]
        assert not leaks, leaks


def test_corpus_is_large_enough():
    assert len(CASES) >= 80


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


def test_two_processes_on_one_thread(tmp_path, demo_data):
    """Two `run --thread-id same` started together on one workspace: one owns the thread; the other
    is refused at once, or (when it starts after the first ended) finds the thread finished."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "graph_agents", "run", "--data", str(demo_data), "--workspace", str(tmp_path / "ws"),
           "--thread-id", "same", "--max-executions", "4", "--quiet"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ARANGO_"))} | {"PYTHONPATH": str(root)}
    procs = [subprocess.Popen([*cmd, "--output", str(tmp_path / f"out{i}")], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    ended = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
    for code, err in ended:
        assert code == 0 or (code == 2 and "being run by another process" in err and len(err.strip().splitlines()) == 1), err
    assert any(code == 0 for code, _ in ended)
    for i, (code, _) in enumerate(ended):
        if code == 0:
            run = json.loads((tmp_path / f"out{i}" / "run.json").read_text())
            assert run["status"] == "completed" and all(e["status"] == "completed" for e in run["executions"]), run
    assert not list((tmp_path / "ws" / "results").rglob("*.tmp"))


def test_distinct_thread_ids_keep_distinct_files(tmp_path, demo_data):
    from graph_agents.runner import AgenticWorkflowRunner

    for tid in ("x-1", "x_1", "X1"):
        runner = AgenticWorkflowRunner(data_dir=demo_data, workspace=tmp_path / "ws", catalog=False)
        assert runner.run(thread_id=tid, max_executions=1).status == "completed"
    assert sorted(p.name for p in (tmp_path / "ws" / "runs").iterdir()) == ["X1.json", "x-1.json", "x_1.json"]
    assert sorted(p.name for p in (tmp_path / "ws" / "results").iterdir()) == ["X1", "x-1", "x_1"]
    with pytest.raises(InputError, match="differs only in case"):  # one file on macOS and Windows
        AgenticWorkflowRunner(data_dir=demo_data, workspace=tmp_path / "ws", catalog=False).run(thread_id="x1", max_executions=1)


@pytest.mark.parametrize("documents", [42, {}, [42], [{}], [{"content": 42}], [{"path": 3}], [None]])
def test_python_api_refuses_bad_documents_with_input_error(documents, tmp_path, demo_data):
    from graph_agents.runner import AgenticWorkflowRunner

    runner = AgenticWorkflowRunner(data_dir=demo_data, workspace=tmp_path / "ws", catalog=False)
    with pytest.raises(InputError):
        runner.run(documents)

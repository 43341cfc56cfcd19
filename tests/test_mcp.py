"""`langgraph dev` serves the workflow as an MCP tool at /mcp (streamable HTTP): tools/list and
tools/call through the `mcp` Python client, and an answer short enough for a model to read.

The tool's result is the run's output (langgraph_api.api.mcp._handlers.handle_tools_call returns
``repr`` of ``runs.wait``, i.e. the graph's output schema, ``OutputState``)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

mcp = pytest.importorskip("mcp")
from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

from tests.test_studio import REQUIREMENTS, ROOT, server  # noqa: E402,F401 (the fixture)


async def test_mcp_tool_lists_and_answers_concisely(server):  # noqa: F811
    async with streamable_http_client(server + "/mcp") as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        [tool] = [t for t in tools if t.name == "graph_agents"]
        assert {"requirements", "documents", "industry"} <= set(tool.input_schema["properties"])
        described = json.loads((ROOT / "langgraph.json").read_text())["graphs"]["graph_agents"]["description"]
        assert tool.description == described  # what a client's model reads to decide to call it

        called = await session.call_tool("graph_agents", {"requirements": REQUIREMENTS})
    assert not called.is_error
    [content] = called.content
    answer = ast.literal_eval(content.text)  # the server sends repr() of the output state
    assert set(answer) <= {"run_id", "status", "mode", "answers", "coverage_summary", "output_dir",
                           "report_paths", "trace_paths", "warnings", "errors"}
    assert answer["status"] == "completed" and answer["coverage_summary"] == {"answered": 2}
    assert [a["requirement_id"] for a in answer["answers"]] == ["REQ-001", "REQ-002"]
    for a in answer["answers"]:
        # each answer names its reports by id; report_paths says where each one's page is
        assert a["status"] == "answered" and a["answer"] and a["reports"]
        assert all(Path(answer["report_paths"][r]).is_file() for r in a["reports"])
    assert (Path(answer["output_dir"]) / "run.json").is_file()
    # no vertical keyword lists, schemas or full reports: a few kB, not the whole state
    assert len(content.text) < 4000, len(content.text)

"""Work shared between concurrent callers: one load for all, writes grouped while one is in flight."""

import asyncio

import pytest

from graph_agents.concurrency import GroupWrites, Once


async def test_once_shares_one_load_and_forgets_a_failure():
    once, calls = Once(), []

    async def load():
        calls.append(1)
        await asyncio.sleep(0.01)
        if len(calls) == 1:
            raise ConnectionError("store unreachable")
        return len(calls)

    results = await asyncio.gather(*(once.get("k", load) for _ in range(5)), return_exceptions=True)
    assert len(calls) == 1 and all(isinstance(r, ConnectionError) for r in results)  # one load, every caller told
    assert await asyncio.gather(*(once.get("k", load) for _ in range(5))) == [2] * 5  # tried again, once
    assert await once.get("k", load) == 2 and len(calls) == 2
    once.known("other", "given")
    assert await once.get("other", load) == "given" and len(calls) == 2


async def test_once_survives_a_cancelled_caller():
    once = Once()
    started = asyncio.Event()

    async def load():
        started.set()
        await asyncio.sleep(0.02)
        return "done"

    first = asyncio.ensure_future(once.get("k", load))
    await started.wait()
    first.cancel()
    assert await once.get("k", load) == "done"  # the load the cancelled caller started goes on for the others


async def test_group_writes_batches_what_arrives_during_a_write():
    flushed = []

    async def flush(items):
        flushed.append(list(items))
        await asyncio.sleep(0.01)

    writes = GroupWrites(flush)
    first = asyncio.ensure_future(writes.add([1]))
    await asyncio.sleep(0)  # the first write is in flight
    await asyncio.gather(first, *(writes.add([i]) for i in range(2, 6)))
    assert flushed == [[1], [2, 3, 4, 5]]
    await writes.idle()


async def test_group_writes_fails_only_the_callers_in_a_failed_write():
    async def flush(items):
        if "bad" in items:
            raise ValueError("rejected")

    writes = GroupWrites(flush)
    outcomes = await asyncio.gather(writes.add(["ok", "bad"]), writes.add(["also"]), return_exceptions=True)
    assert all(isinstance(o, ValueError) for o in outcomes)  # written together, failed together
    assert await writes.add(["fine"]) is None  # the next write is a new one
    with pytest.raises(ValueError):
        await writes.add(["bad"])


async def test_a_runs_reports_load_a_graph_once(tmp_path):
    import networkx as nx

    from graph_agents.context import Context
    from graph_agents.stores import from_networkx

    store = from_networkx(nx.karate_club_graph(), results_dir=tmp_path)
    loads = []
    real = store.load_graph

    async def counting(*args, **kwargs):
        loads.append(args)
        return await real(*args, **kwargs)

    store.load_graph = counting
    ctx = Context(store=store)
    graphs = await asyncio.gather(*(ctx.load_graph(["nodes"], ["edges"]) for _ in range(5)))
    assert len(loads) == 1 and all(g is graphs[0] for g in graphs) and len(graphs[0].ids) == 34


def test_the_cpu_lane_runs_one_job_at_a_time_by_priority_and_lets_a_waiting_job_step_out():
    import threading

    from graph_agents.concurrency import CpuLane

    lane, order, inside = CpuLane(), [], []
    release_first = threading.Event()

    def job(name, priority, wait=None):
        with lane.held(priority):
            inside.append(name)
            assert len(inside) == 1  # alone in the lane
            order.append(name)
            if wait is not None:
                inside.remove(name)
                with lane.outside():  # waiting on another process: the lane is free meanwhile
                    wait.wait()
                inside.append(name)
            inside.remove(name)

    first = threading.Thread(target=job, args=("first", 1, release_first))
    first.start()
    while not order:
        threading.Event().wait(0.001)
    # "first" stepped out: the others run now, in priority order, though they arrive together
    with lane.held():
        threads = [threading.Thread(target=job, args=(name, p)) for name, p in (("long", 2), ("short", 1), ("worker", 0))]
        for t in threads:
            t.start()
        while len(lane._waiting) < 3:
            threading.Event().wait(0.001)
    for t in threads:
        t.join()
    release_first.set()
    first.join()
    assert order == ["first", "worker", "short", "long"]
    assert not lane._busy and not lane._waiting

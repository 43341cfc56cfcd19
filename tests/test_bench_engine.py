"""The engine benchmark's own machinery: networkx in a child process with a time limit, the
agreement metrics, and one small run of every algorithm that must agree with networkx."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from bench import engine  # bench/ is a namespace package at the repository root


def test_a_reference_that_does_not_finish_is_said_so_and_stopped():
    blocked = threading.Event()  # never set: the child waits for ever, deterministically
    assert engine.in_child(lambda: blocked.wait() or {}, timeout=0.5) == {"networkx": "did not finish in 0.5 s"}
    assert engine.in_child(lambda: {"networkx_s": 0.1, "agree": True}, timeout=30) == {"networkx_s": 0.1, "agree": True}
    failed = engine.in_child(lambda: 1 / 0, timeout=30)
    assert failed["networkx"] == "failed" and "ZeroDivisionError" in failed["networkx_error"]


def test_nmi_and_rank_correlation():
    assert engine.nmi(["a", "a", "b", "b"], [1, 1, 2, 2]) == 1.0  # the same partition, other labels
    assert engine.nmi(["a", "a", "b", "b"], [1, 2, 1, 2]) == 0.0  # independent
    assert 0 < engine.nmi(["a", "a", "a", "b"], [1, 1, 2, 2]) < 1
    x = np.arange(200, dtype=float)
    assert engine.rank_correlation(x, x ** 2) == 1.0 and engine.rank_correlation(x, -x) == -1.0


@pytest.fixture(scope="module")
def small_bench():
    import networkx as nx

    data = engine.power_law_graph(300, 1500, seed=1)
    G = nx.DiGraph()
    G.add_nodes_from(data.ids)
    G.add_edges_from((data.ids[u], data.ids[v]) for u, v in data.edges.tolist())
    U = nx.Graph(G.to_undirected(as_view=True))
    return engine.Bench(data, G, U, seed=0, nx_timeout=60)


@pytest.mark.parametrize("name", [n for n in engine.RUNS if n not in ("simple_cycles",)])
def test_every_algorithm_agrees_with_networkx_on_a_small_graph(small_bench, name):
    line = engine.RUNS[name](small_bench)
    assert line["engine_s"] >= 0 and line["engine_warm_s"] >= 0
    assert line["agree"] is True, line


def test_cycles_agree_when_networkx_finishes(small_bench):
    line = engine.RUNS["simple_cycles"](small_bench)
    assert line["agree"] is True and line["cycles"] == line["networkx_cycles"] > 0, line
    assert 0 < line["defaults_cycles"] <= 1000 and line["defaults_warm_s"] >= 0, line

"""Modularity communities on the local engine: Louvain and Leiden (igraph).

Both run on the simple undirected graph (parallel edges collapsed, self loops dropped), with
igraph's ``community_multilevel`` and ``community_leiden(objective_function="modularity")`` and
the catalog's ``resolution`` (and Leiden's ``iterations``). Each vertex's value is the smallest
vertex id of its community, as for connected components. Both visit vertices in a random order:
igraph draws it from the Python random generator it is given, here one seeded from the
engine's seed, so a run is reproducible.
"""

from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING, Any, Callable

import igraph as ig
import numpy as np

from ..stores.base import VertexValues

if TYPE_CHECKING:
    from .local import _Graph

# igraph's random generator is process-wide: one seeded run at a time
_RNG_LOCK = threading.Lock()


def _seeded(rng: np.random.Generator, run: Callable[[], Any]) -> Any:
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(int(rng.integers(2**63))))
        try:
            return run()
        finally:
            ig.set_random_number_generator(random)


def _partition(g: "_Graph", membership: list[int]) -> VertexValues:
    from .local import _label_by_smallest_id  # the local engine's labelling, shared with components

    return _label_by_smallest_id(g, np.asarray(membership, dtype=np.int64))


def louvain(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    gu = g.simple_undirected
    clusters = _seeded(rng, lambda: gu.community_multilevel(resolution=p["resolution"]))
    return _partition(g, clusters.membership)


def leiden(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    gu = g.simple_undirected
    clusters = _seeded(rng, lambda: gu.community_leiden(
        objective_function="modularity", resolution=p["resolution"], n_iterations=p["iterations"]
    ))
    return _partition(g, clusters.membership)


ALGORITHMS = {"louvain": louvain, "leiden": leiden}

"""The algorithm catalog: every algorithm the engines run, with GAE's parameter names and defaults.

The catalog is the single source of truth used to map requirements to algorithms, to choose and
validate parameters (an LLM proposal outside a range is rejected), and to read results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Param:
    type: type
    default: Any
    description: str
    min: float | None = None
    max: float | None = None

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to the parameter's type, or raise ValueError."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise ValueError(f"expected a boolean, got {value!r}")
            return value
        if self.type is str:
            if not isinstance(value, str):
                raise ValueError(f"expected a string, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number, got {value!r}")
        if self.type is int and float(value) != int(value):
            raise ValueError(f"expected an integer, got {value!r}")
        value = self.type(value)
        if self.min is not None and value < self.min:
            raise ValueError(f"{value} is below the minimum {self.min}")
        if self.max is not None and value > self.max:
            raise ValueError(f"{value} is above the maximum {self.max}")
        return value


@dataclass(frozen=True)
class Algorithm:
    name: str
    title: str
    kind: Literal["score", "partition"]
    result_field: str
    gae_endpoint: str
    description: str
    # words in a requirement that this algorithm answers, with a weight each
    intents: dict[str, float]
    params: dict[str, Param] = field(default_factory=dict)
    # partitions are only meaningful on the core business entities; scores use the whole graph
    core_only: bool = False
    directed: bool = True

    def defaults(self) -> dict[str, Any]:
        return {k: p.default for k, p in self.params.items()}

    def validate_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``params``; unknown names or out-of-range values raise ValueError."""
        unknown = set(params) - set(self.params)
        if unknown:
            raise ValueError(f"unknown parameter(s) for {self.name}: {sorted(unknown)}")
        out = self.defaults()
        for key, value in params.items():
            try:
                out[key] = self.params[key].validate(value)
            except ValueError as exc:
                raise ValueError(f"{self.name}.{key}: {exc}") from None
        return out


_SUPERSTEPS = Param(int, 100, "cap on iterations; every iterative algorithm needs one", 1, 10_000)

CATALOG: dict[str, Algorithm] = {
    a.name: a
    for a in [
        Algorithm(
            name="pagerank",
            title="PageRank",
            kind="score",
            result_field="rank",
            gae_endpoint="pagerank",
            description="Importance of each vertex from the importance of those linking to it.",
            intents={
                "influen": 3, "important": 3, "importance": 3, "central": 2, "rank": 2,
                "popular": 2, "key": 1, "top": 1, "best-sell": 2, "bestsell": 2, "hub": 2,
                "authority": 2, "most connected": 2, "leader": 2,
            },
            params={
                "damping_factor": Param(float, 0.85, "probability of following a link", 0.5, 0.99),
                "maximum_supersteps": _SUPERSTEPS,
            },
        ),
        Algorithm(
            name="betweenness",
            title="Betweenness centrality",
            kind="score",
            result_field="centrality",
            gae_endpoint="betweennesscentrality",
            description="How often a vertex lies on shortest paths between others: brokers and bottlenecks.",
            intents={
                "broker": 3, "bridge": 3, "bottleneck": 3, "intermediar": 3, "betweenness": 3,
                "gatekeeper": 2, "choke": 2, "single point": 3, "between communities": 3,
                "connect": 1, "flow": 1,
            },
            params={
                "k": Param(int, 0, "sampled source vertices (0 = exact)", 0, 100_000),
                "normalized": Param(bool, True, "divide by the number of vertex pairs"),
            },
            directed=False,
        ),
        Algorithm(
            name="label_propagation",
            title="Label propagation communities",
            kind="partition",
            result_field="community",
            gae_endpoint="labelpropagation",
            description="Communities of densely connected vertices.",
            intents={
                "communit": 3, "segment": 3, "cluster": 3, "group": 2, "co-purchas": 2,
                "cohort": 2, "audience": 2, "together": 1, "similar": 1, "affinity": 2,
            },
            params={
                "start_label_attribute": Param(str, "_key", "attribute that seeds each label"),
                "synchronous": Param(bool, False, "update all labels at once per superstep"),
                "random_tiebreak": Param(bool, False, "break ties between labels at random"),
                "maximum_supersteps": _SUPERSTEPS,
            },
            core_only=True,
            directed=False,
        ),
        Algorithm(
            name="wcc",
            title="Weakly connected components",
            kind="partition",
            result_field="component",
            gae_endpoint="wcc",
            description="Groups of vertices linked by any path, ignoring direction.",
            intents={
                "ring": 3, "linked account": 3, "shared device": 3, "sharing": 2, "share": 1,
                "connected component": 3, "component": 2, "identity": 2, "household": 2,
                "resolution": 1, "island": 2, "fragment": 2, "isolated": 2, "collusion": 2,
            },
            core_only=True,
            directed=False,
        ),
        Algorithm(
            name="scc",
            title="Strongly connected components",
            kind="partition",
            result_field="component",
            gae_endpoint="scc",
            description="Groups where every vertex reaches every other along edge direction: cycles.",
            intents={
                "cycle": 3, "circular": 3, "loop": 3, "round-trip": 3, "round trip": 3,
                "wash": 2, "laundering": 2, "carousel": 3, "feedback": 2, "mutual": 1,
            },
            core_only=True,
        ),
        Algorithm(
            name="attribute_propagation",
            title="Attribute propagation",
            kind="partition",
            result_field="labels",
            gae_endpoint="attributepropagation",
            description="Spreads a known label (e.g. a fraud flag) to the vertices around it.",
            intents={"propagat": 3, "spread": 2, "contagion": 3, "exposure": 2, "guilt by": 3, "taint": 3},
            params={
                "start_label_attribute": Param(str, "label", "attribute holding the seed labels"),
                "synchronous": Param(bool, False, "update all labels at once per superstep"),
                "backwards": Param(bool, False, "propagate against edge direction"),
                "maximum_supersteps": _SUPERSTEPS,
            },
        ),
    ]
}


def get(name: str) -> Algorithm:
    try:
        return CATALOG[name]
    except KeyError:
        raise ValueError(f"unknown algorithm {name!r}; known: {sorted(CATALOG)}") from None


def match(text: str) -> list[tuple[str, float]]:
    """Algorithms whose intents appear in ``text``, best first, with their scores."""
    low = text.lower()
    scores = {
        a.name: sum(w for word, w in a.intents.items() if word in low) for a in CATALOG.values()
    }
    return sorted(((n, s) for n, s in scores.items() if s > 0), key=lambda x: (-x[1], x[0]))

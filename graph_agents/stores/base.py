"""The GraphStore protocol: where graphs live and where results are written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..errors import InputError
from ..models import DegreeStats, EdgeDefinition


@dataclass
class CollectionMeta:
    name: str
    type: str  # "document" | "edge"
    count: int


@dataclass
class GraphData:
    """A graph in memory for a local engine: vertex ids, edges as index pairs, vertex attributes."""

    ids: list[str]
    edges: list[tuple[int, int]]
    attributes: dict[str, list[Any]] = field(default_factory=dict)  # attribute -> value per vertex

    @property
    def index(self) -> dict[str, int]:
        return {v: i for i, v in enumerate(self.ids)}


class StoreError(InputError):
    """A graph could not be read (missing directory, bad file, unknown collection)."""


@runtime_checkable
class GraphStore(Protocol):
    """Read access to a graph and a place to put per-run, per-template results."""

    kind: str

    def describe(self) -> dict[str, Any]:
        """Plain data that identifies the store (kind, path or database) without secrets."""

    async def list_collections(self) -> list[CollectionMeta]:
        """Non-system, non-result collections in scope, with their types and counts."""

    async def named_graph(self) -> tuple[str | None, list[EdgeDefinition]]:
        """The named graph in scope and its edge definitions, or (None, []) when there is none."""

    async def sample(self, collection: str, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` documents of ``collection``."""

    async def degree_stats(self, edge_collections: list[str]) -> DegreeStats:
        """Degree distribution (in + out) of the vertices touched by ``edge_collections``."""

    async def load_graph(
        self,
        vertex_collections: list[str],
        edge_collections: list[str],
        attributes: tuple[str, ...] = (),
    ) -> GraphData:
        """Vertices of ``vertex_collections`` and the edges between them."""

    async def write_results(
        self, run_id: str, template_id: str, result_field: str, values: dict[str, Any]
    ) -> str:
        """Store ``{vertex id: value}`` for one run and template; return where it went."""

    async def read_results(self, location: str) -> dict[str, Any]:
        """The ``{vertex id: value}`` mapping written at ``location``."""

    async def display_names(self, ids: list[str]) -> dict[str, str]:
        """A human name per vertex id, where the documents carry a name-like attribute."""

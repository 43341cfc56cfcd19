"""The GraphStore protocol: where graphs live and where results are written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Protocol, runtime_checkable

import numpy as np
import orjson

from ..errors import InputError
from ..models import DegreeStats, EdgeDefinition


@dataclass
class CollectionMeta:
    name: str
    type: str  # "document" | "edge"
    count: int


@dataclass
class GraphData:
    """A graph in memory for a local engine: vertex ids, edges as index pairs (a list of pairs or an
    ``(m, 2)`` integer array), vertex attributes."""

    ids: list[str]
    edges: Any  # list[tuple[int, int]] | np.ndarray of shape (m, 2)
    attributes: dict[str, list[Any]] = field(default_factory=dict)  # attribute -> value per vertex

    def edge_array(self) -> np.ndarray:
        """The edges as an ``(m, 2)`` int64 array (no copy when they already are one)."""
        if isinstance(self.edges, np.ndarray):
            return self.edges.astype(np.int64, copy=False).reshape(-1, 2)
        return np.asarray(self.edges, dtype=np.int64).reshape(-1, 2)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GraphData):
            return NotImplemented
        return (self.ids == other.ids and np.array_equal(self.edge_array(), other.edge_array())
                and self.attributes == other.attributes)

    @property
    def index(self) -> dict[str, int]:
        return {v: i for i, v in enumerate(self.ids)}


class VertexValues(Mapping[str, Any]):
    """An analysis result as arrays, vertex index -> value, read like ``{vertex id: value}``.

    One of three forms: ``scores`` (a float array), a partition (``codes``, an integer array, into
    ``labels``; code -1 is no label), or ``objects`` (a list, e.g. a list of labels per vertex).
    Mapping access builds an id index on first use; facts, files and write-backs use the arrays.
    """

    def __init__(
        self,
        ids: list[str],
        *,
        scores: np.ndarray | None = None,
        codes: np.ndarray | None = None,
        labels: list[Any] | None = None,
        objects: list[Any] | None = None,
    ) -> None:
        given = [x is not None for x in (scores, codes, objects)]
        if sum(given) != 1 or (codes is not None) != (labels is not None):
            raise ValueError("VertexValues needs scores, codes with labels, or objects")
        self.ids = ids
        self.scores = None if scores is None else np.asarray(scores, dtype=np.float64)
        self.codes = None if codes is None else np.asarray(codes, dtype=np.int64)
        self.labels = labels
        self.objects = objects
        size = len(self.scores if scores is not None else self.codes if codes is not None else objects)
        if size != len(ids):
            raise ValueError(f"{size} values for {len(ids)} vertices")
        self._index: dict[str, int] | None = None

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> "VertexValues":
        """``values`` as arrays (itself when it already is): numbers become scores, strings a
        partition, anything else objects."""
        if isinstance(values, VertexValues):
            return values
        ids = list(values)
        vals = list(values.values())
        if all(type(v) in (float, int) for v in vals):
            return cls(ids, scores=np.asarray(vals, dtype=np.float64))
        if all(type(v) is str for v in vals):
            labels: dict[str, int] = {}
            codes = np.fromiter((labels.setdefault(v, len(labels)) for v in vals), dtype=np.int64, count=len(vals))
            return cls(ids, codes=codes, labels=list(labels))
        return cls(ids, objects=vals)

    @classmethod
    def partition(cls, values: Mapping[str, Any]) -> "VertexValues":
        """``values`` read as a partition: each value a label (as a string), None for none; a list
        of labels per vertex stays objects."""
        if isinstance(values, VertexValues) and values.scores is None:
            return values
        ids = list(values)
        vals = values.column() if isinstance(values, VertexValues) else list(values.values())
        if any(isinstance(v, (list, tuple)) for v in vals):
            return cls(ids, objects=vals)
        labels: dict[str, int] = {}
        codes = np.fromiter((-1 if v is None else labels.setdefault(str(v), len(labels)) for v in vals),
                            dtype=np.int64, count=len(vals))
        return cls(ids, codes=codes, labels=list(labels))

    @property
    def kind(self) -> str:
        return "scores" if self.scores is not None else "partition" if self.codes is not None else "objects"

    def column(self) -> list[Any]:
        """The value of every vertex, in vertex order."""
        if self.scores is not None:
            return self.scores.tolist()
        if self.codes is not None:
            labels = [*self.labels, None]  # code -1 picks the None at the end
            return [labels[c] for c in self.codes.tolist()]
        return list(self.objects)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __getitem__(self, vid: str) -> Any:
        if self._index is None:
            self._index = {v: i for i, v in enumerate(self.ids)}
        i = self._index[vid]
        if self.scores is not None:
            return float(self.scores[i])
        if self.codes is not None:
            c = int(self.codes[i])
            return None if c < 0 else self.labels[c]
        return self.objects[i]

    def items(self) -> Any:  # a lazy stream of (id, value): no dict per vertex
        return zip(self.ids, self.column())

    def to_json(self, result_field: str) -> bytes:
        """One JSON object of columns: ``{"field", "ids", "scores" | "codes"+"labels" | "values"}``."""
        doc: dict[str, Any] = {"field": result_field, "ids": self.ids}
        if self.scores is not None:
            doc["scores"] = self.scores
        elif self.codes is not None:
            doc["codes"], doc["labels"] = self.codes, self.labels
        else:
            doc["values"] = self.objects
        return orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY)

    @classmethod
    def from_json(cls, data: bytes) -> "VertexValues":
        doc = orjson.loads(data)
        if "scores" in doc:
            return cls(doc["ids"], scores=np.asarray(doc["scores"], dtype=np.float64))
        if "codes" in doc:
            return cls(doc["ids"], codes=np.asarray(doc["codes"], dtype=np.int64), labels=doc["labels"])
        return cls(doc["ids"], objects=doc["values"])


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
        self, run_id: str, template_id: str, result_field: str, values: Mapping[str, Any]
    ) -> str:
        """Store ``{vertex id: value}`` (often :class:`VertexValues`) for one run and template;
        return where it went."""

    async def read_results(self, location: str) -> Mapping[str, Any]:
        """The ``{vertex id: value}`` mapping written at ``location``."""

    async def display_names(self, ids: list[str]) -> dict[str, str]:
        """A human name per vertex id, where the documents carry a name-like attribute."""

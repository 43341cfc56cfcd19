"""The analytics catalog's storage protocol: documents by kind, and lineage edges between them.

The catalog logic (epochs, lineage, comparisons) sits on top of these few primitives, so SQLite
and ArangoDB backends only store and fetch. Every write is an idempotent upsert: a resumed run
that records the same entity again leaves one entry. Writes come in batches (``write``): the
catalog gathers what many analyses record at once into one round trip.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, Sequence, runtime_checkable

Doc = tuple[str, str, dict[str, Any]]  # (kind, key, document)

KINDS = ("epochs", "runs", "requirements", "use_cases", "templates", "executions", "reports")


def node_id(kind: str, key: str) -> str:
    """The lineage address of an entity: ``kind/key`` (ArangoDB's ``_id`` shape)."""
    if kind not in KINDS:
        raise ValueError(f"unknown catalog kind {kind!r}")
    return f"{kind}/{key}"


def split_node(node: str) -> tuple[str, str]:
    """``(kind, key)`` of a lineage address, checked."""
    kind, _, key = node.partition("/")
    node_id(kind, key)
    return kind, key


@runtime_checkable
class CatalogBackend(Protocol):
    async def write(self, docs: Sequence[Doc], links: Sequence[tuple[str, str]] = ()) -> None:
        """Insert or replace each ``(kind, key, document)``, and idempotently add each lineage
        edge ``(source, target)`` (both ``kind/key``): together, in one transaction where the
        store has them."""

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The document, or None."""

    async def find(self, kind: str, **equals: Any) -> list[dict[str, Any]]:
        """Documents of ``kind`` whose top-level fields equal the given values, in insertion order."""

    async def distinct(self, kind: str, field: str, **equals: Any) -> list[Any]:
        """The distinct values of the top-level ``field`` among the documents ``find`` would return."""

    async def neighbors(self, node: str, direction: Literal["out", "in"]) -> list[str]:
        """Nodes one lineage edge away from ``node``."""

    async def aclose(self) -> None:
        """Release connections."""

"""The analytics catalog's storage protocol: documents by kind, and lineage edges between them.

The catalog logic (epochs, lineage, comparisons) sits on top of these few primitives, so SQLite
and ArangoDB backends only store and fetch. Every write is an idempotent upsert: a resumed run
that records the same entity again leaves one entry.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

KINDS = ("epochs", "runs", "requirements", "use_cases", "templates", "executions", "reports")


def node_id(kind: str, key: str) -> str:
    """The lineage address of an entity: ``kind/key`` (ArangoDB's ``_id`` shape)."""
    if kind not in KINDS:
        raise ValueError(f"unknown catalog kind {kind!r}")
    return f"{kind}/{key}"


@runtime_checkable
class CatalogBackend(Protocol):
    async def put(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        """Insert or replace the document ``key`` of ``kind``."""

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The document, or None."""

    async def find(self, kind: str, **equals: Any) -> list[dict[str, Any]]:
        """Documents of ``kind`` whose top-level fields equal the given values, in insertion order."""

    async def link(self, source: str, target: str) -> None:
        """Idempotently add the lineage edge ``source -> target`` (both ``kind/key``)."""

    async def neighbors(self, node: str, direction: Literal["out", "in"]) -> list[str]:
        """Nodes one lineage edge away from ``node``."""

    async def aclose(self) -> None:
        """Release connections."""

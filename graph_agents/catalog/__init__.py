"""Epochs and lineage: the analytics catalog and its storage backends."""

from __future__ import annotations

from pathlib import Path

from .base import KINDS, CatalogBackend, node_id
from .catalog import AnalyticsCatalog
from .sqlite import SQLiteCatalogBackend

CATALOG_FILE = "catalog.sqlite"


def open_catalog(workspace: str | Path, *, epoch: str | None = None, parent_epoch: str | None = None) -> AnalyticsCatalog:
    """The default catalog: SQLite, one file in the workspace."""
    return AnalyticsCatalog(SQLiteCatalogBackend(Path(workspace) / CATALOG_FILE), epoch=epoch, parent_epoch=parent_epoch)


__all__ = ["KINDS", "AnalyticsCatalog", "CatalogBackend", "SQLiteCatalogBackend", "node_id", "open_catalog"]

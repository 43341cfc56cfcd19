"""Epochs and lineage: the analytics catalog and its storage backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import KINDS, CatalogBackend, node_id
from .catalog import AnalyticsCatalog
from .sqlite import SQLiteCatalogBackend

CATALOG_FILE = "catalog.sqlite"


def open_catalog(
    workspace: str | Path, *, settings: Any = None, epoch: str | None = None, parent_epoch: str | None = None
) -> AnalyticsCatalog:
    """The run's catalog: ArangoDB collections and a named graph when ``settings`` configure
    ArangoDB, otherwise SQLite, one file in the workspace."""
    backend: CatalogBackend | None = None
    if settings is not None and settings.arango_configured:
        from ..backends import make_catalog_backend

        backend = make_catalog_backend(settings)
    backend = backend or SQLiteCatalogBackend(Path(workspace) / CATALOG_FILE)
    return AnalyticsCatalog(backend, epoch=epoch, parent_epoch=parent_epoch)


__all__ = ["KINDS", "AnalyticsCatalog", "CatalogBackend", "SQLiteCatalogBackend", "node_id", "open_catalog"]

"""Where graphs live: the GraphStore protocol and its backends."""

from .base import CollectionMeta, GraphData, GraphStore, StoreError
from .local import LocalGraphStore

from_directory = LocalGraphStore.from_directory
from_networkx = LocalGraphStore.from_networkx

__all__ = [
    "CollectionMeta",
    "GraphData",
    "GraphStore",
    "LocalGraphStore",
    "StoreError",
    "from_directory",
    "from_networkx",
]

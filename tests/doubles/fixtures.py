"""pytest fixtures that start the protocol doubles (import them into a test module to use them)."""

from __future__ import annotations

import pytest

from graph_agents.settings import Settings
from graph_agents.stores import LocalGraphStore

from .arango_server import ArangoDouble
from .gae_server import GAEDouble, IAMDouble

PASSWORD = "pw"


@pytest.fixture
async def arango():
    server = ArangoDouble(password=PASSWORD)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def demo_arango(arango, demo_dir):
    arango.load_store(LocalGraphStore.from_directory(demo_dir / "data"))
    return arango


@pytest.fixture
async def iam():
    server = IAMDouble()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def gae(arango, iam):
    server = GAEDouble(arango, iam=iam)
    await server.start()
    yield server
    await server.stop()


def arango_settings(server: ArangoDouble, **extra) -> Settings:
    """Settings for the double, from keyword arguments only (the test's environment is ignored)."""
    values = {"ARANGO_URL": server.url, "ARANGO_PASSWORD": PASSWORD, "ARANGO_BATCH_SIZE": 500, **extra}
    return Settings(_env_file=None, **values)

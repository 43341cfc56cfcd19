"""What every protocol double shares: an aiohttp app served on 127.0.0.1, on a free port."""

from __future__ import annotations

from aiohttp import web


class LoopbackServer:
    shutdown_timeout = 0.5

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.url = ""

    def app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app(), shutdown_timeout=self.shutdown_timeout)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{self.port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

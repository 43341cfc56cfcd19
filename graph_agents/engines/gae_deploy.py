"""Where a Graph Analytics Engine comes from, and the authenticated HTTP calls to reach it.

* ``ExistingEngine``: an engine someone else started (``GAE_ENGINE_URL``); never stopped by us.
* ``PlatformDeployment``: the ArangoDB platform starts an engine as a service
  (``POST <url><service path>/graphanalytics``); its API is ``<url>/gral/<service id postfix>/v1``;
  stopping it deletes the service. The service path prefix differs between releases, so it is a
  setting (``GAE_SERVICE_PATH``).
* ``AMPDeployment``: ArangoGraph's management API (engine sizes, engines), authenticated with an
  API key id/secret; each engine has its own endpoint.

The engine API itself is authenticated with the database's JWT (``/_open/auth``), refreshed when
the engine answers 401.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from ..settings import Settings
from .base import EngineError

MANAGEMENT_PATH = "/graph-analytics/api/graphanalytics/v1"


class GAEHTTPError(EngineError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class TokenSource:
    """A bearer token that can be fetched again when the server says it expired."""

    def __init__(self, fetch: Any = None, fixed: str | None = None) -> None:
        self._fetch = fetch
        self._token = fixed
        self._lock: asyncio.Lock | None = None
        self.refreshes = 0

    async def get(self, session: aiohttp.ClientSession) -> str:
        if self._token is None:
            await self.refresh(session, None)
        return self._token  # type: ignore[return-value]

    async def refresh(self, session: aiohttp.ClientSession, stale: str | None) -> None:
        if self._fetch is None:
            raise EngineError("the engine rejected the configured token (401) and it cannot be refreshed")
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token is not None and self._token != stale:
                return  # another request refreshed it while we waited
            self._token = await self._fetch(session)
            self.refreshes += 1


def database_token(settings: Settings) -> TokenSource:
    """The ArangoDB JWT: the configured one, or fetched from ``/_open/auth`` with user/password."""
    if settings.arango_jwt is not None:
        return TokenSource(fixed=settings.arango_jwt.get_secret_value())

    async def fetch(session: aiohttp.ClientSession) -> str:
        body = {
            "username": settings.arango_username,
            "password": settings.arango_password.get_secret_value() if settings.arango_password else "",
        }
        data = await _json(session, "POST", f"{settings.arango_url.rstrip('/')}/_open/auth", None, body, settings)
        return str(data["jwt"])

    return TokenSource(fetch)


def amp_token(settings: Settings) -> TokenSource:
    """An ArangoGraph API token from the API key id and secret."""
    if not settings.gae_amp_key_id or settings.gae_amp_key_secret is None:
        raise EngineError("GAE_DEPLOYMENT=amp needs GAE_AMP_KEY_ID and GAE_AMP_KEY_SECRET")
    key_id = settings.gae_amp_key_id

    async def fetch(session: aiohttp.ClientSession) -> str:
        url = f"{settings.gae_amp_api_url.rstrip('/')}/api/iam/v1/apikeys/{key_id}/authenticate"
        body = {"id": key_id, "secret": settings.gae_amp_key_secret.get_secret_value()}  # type: ignore[union-attr]
        data = await _json(session, "POST", url, None, body, settings)
        return str(data["token"])

    return TokenSource(fetch)


async def _json(
    session: aiohttp.ClientSession, method: str, url: str, token: str | None, body: Any, settings: Settings
) -> Any:
    headers = {"Authorization": f"bearer {token}"} if token else {}
    try:
        async with session.request(
            method,
            url,
            json=body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=settings.gae_timeout_s),
            ssl=None if settings.arango_verify_tls else False,
        ) as resp:
            text = await resp.text()
            if resp.status >= 400:
                raise GAEHTTPError(resp.status, f"{method} {url.split('?')[0]}: HTTP {resp.status}: {_message(text)}")
            if not text:
                return {}
            try:
                return await resp.json(content_type=None)
            except ValueError:
                raise GAEHTTPError(resp.status, f"{method} {url}: not JSON: {text[:200]}") from None
    except asyncio.TimeoutError:
        raise GAEHTTPError(0, f"{method} {url}: no answer within {settings.gae_timeout_s:g} s") from None
    except aiohttp.ClientError as exc:
        raise GAEHTTPError(0, f"{method} {url}: {type(exc).__name__}: {exc}") from None


def _message(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, dict):
        for key in ("error_message", "errorMessage", "message", "error"):
            if isinstance(data.get(key), str):
                return data[key]
    return text[:300]


class Authorized:
    """JSON calls with a bearer token; one refresh and retry on 401."""

    def __init__(self, session: aiohttp.ClientSession, token: TokenSource, settings: Settings) -> None:
        self.session, self.token, self.settings = session, token, settings

    async def call(self, method: str, url: str, body: Any = None) -> Any:
        token = await self.token.get(self.session)
        try:
            return await _json(self.session, method, url, token, body, self.settings)
        except GAEHTTPError as exc:
            if exc.status != 401:
                raise
        await self.token.refresh(self.session, token)
        return await _json(self.session, method, url, await self.token.get(self.session), body, self.settings)


@dataclass
class EngineHandle:
    url: str  # the engine API base, ending in /v1
    started_by_us: bool
    id: str | None = None
    started_at: float = 0.0


class Deployment(Protocol):
    kind: str

    async def start(self, session: aiohttp.ClientSession, size_bytes: int) -> EngineHandle: ...

    async def stop(self, session: aiohttp.ClientSession, handle: EngineHandle) -> None: ...


class ExistingEngine:
    kind = "existing"

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        if not self.url.endswith("/v1"):
            self.url += "/v1"

    async def start(self, session: aiohttp.ClientSession, size_bytes: int) -> EngineHandle:
        return EngineHandle(self.url, started_by_us=False, started_at=time.monotonic())

    async def stop(self, session: aiohttp.ClientSession, handle: EngineHandle) -> None:
        return None  # not ours to stop


class PlatformDeployment:
    kind = "platform"

    def __init__(self, settings: Settings) -> None:
        base = settings.gae_platform_url or settings.arango_url
        if not base:
            raise EngineError("GAE_DEPLOYMENT=platform needs GAE_PLATFORM_URL or ARANGO_URL")
        self.base = base.rstrip("/")
        self.service = "/" + settings.gae_service_path.strip("/")
        self.settings = settings
        self.token = database_token(settings)

    async def start(self, session: aiohttp.ClientSession, size_bytes: int) -> EngineHandle:
        http = Authorized(session, self.token, self.settings)
        data = await http.call("POST", f"{self.base}{self.service}/graphanalytics", {})
        service_id = str((data.get("serviceInfo") or {}).get("serviceId") or "")
        if not service_id:
            raise EngineError(f"the platform did not return a service id: {data!r}")
        postfix = service_id.rsplit("-", 1)[-1]
        return EngineHandle(f"{self.base}/gral/{postfix}/v1", started_by_us=True, id=service_id,
                            started_at=time.monotonic())

    async def stop(self, session: aiohttp.ClientSession, handle: EngineHandle) -> None:
        if handle.started_by_us and handle.id:
            await Authorized(session, self.token, self.settings).call(
                "DELETE", f"{self.base}{self.service}/service/{handle.id}"
            )


def choose_size(sizes: list[dict[str, Any]], size_bytes: int) -> str:
    """The smallest engine size whose memory holds the graph with room for computing (x4)."""
    ranked = sorted(sizes, key=lambda s: float(s.get("memory_in_gb") or 0))
    if not ranked:
        raise EngineError("ArangoGraph offered no engine sizes")
    need_gb = 4 * size_bytes / 1e9
    for s in ranked:
        if float(s.get("memory_in_gb") or 0) >= need_gb:
            return str(s["id"])
    return str(ranked[-1]["id"])


class AMPDeployment:
    kind = "amp"

    def __init__(self, settings: Settings) -> None:
        if not settings.gae_amp_deployment_id:
            raise EngineError("GAE_DEPLOYMENT=amp needs GAE_AMP_DEPLOYMENT_ID")
        self.api = settings.gae_amp_api_url.rstrip("/") + MANAGEMENT_PATH
        self.settings = settings
        self.mgmt_token = amp_token(settings)
        self.chosen_size: str | None = None

    async def start(self, session: aiohttp.ClientSession, size_bytes: int) -> EngineHandle:
        http = Authorized(session, self.mgmt_token, self.settings)
        size = self.settings.gae_engine_size
        if not size:
            data = await http.call("GET", f"{self.api}/engine-sizes")
            size = choose_size(list(data.get("items") or []), size_bytes)
        self.chosen_size = size
        body = {"name": "graph-agents", "type_id": "gral", "size_id": size,
                "deployment_id": self.settings.gae_amp_deployment_id}
        engine = await http.call("POST", f"{self.api}/engines", body)
        engine_id = str(engine["id"])
        handle = EngineHandle("", started_by_us=True, id=engine_id, started_at=time.monotonic())
        try:
            deadline = time.monotonic() + self.settings.gae_startup_grace_s
            delay = self.settings.gae_poll_initial_s
            while True:
                status = engine.get("status") or {}
                if status.get("endpoint") and status.get("succeeded"):
                    handle.url = str(status["endpoint"]).rstrip("/") + "/v1"
                    handle.started_at = time.monotonic()
                    return handle
                if status.get("failed"):
                    raise EngineError(f"ArangoGraph could not start engine {engine_id}: {status.get('message', status)}")
                if time.monotonic() > deadline:
                    raise EngineError(f"engine {engine_id} did not become ready within {self.settings.gae_startup_grace_s:g} s")
                await asyncio.sleep(delay)
                delay = min(delay * 1.5, self.settings.gae_poll_max_s)
                engine = await http.call("GET", f"{self.api}/engines/{engine_id}")
        except BaseException:
            await asyncio.shield(self.stop(session, handle))  # never leave a half-started engine running
            raise

    async def stop(self, session: aiohttp.ClientSession, handle: EngineHandle) -> None:
        if handle.started_by_us and handle.id:
            await Authorized(session, self.mgmt_token, self.settings).call("DELETE", f"{self.api}/engines/{handle.id}")


def make_deployment(settings: Settings) -> Deployment:
    if settings.gae_engine_url:
        return ExistingEngine(settings.gae_engine_url)
    kind = settings.gae_deployment.strip().lower()
    if kind == "platform":
        return PlatformDeployment(settings)
    if kind in ("amp", "arangograph"):
        return AMPDeployment(settings)
    raise EngineError(f"GAE_DEPLOYMENT must be 'platform' or 'amp', not {settings.gae_deployment!r}")

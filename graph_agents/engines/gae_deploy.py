"""Where a Graph Analytics Engine comes from, and the authenticated HTTP calls to reach it.

* ``ExistingEngine``: an engine someone else started (``GAE_ENGINE_URL``); never stopped by us.
* ``PlatformDeployment``: the ArangoDB platform starts an engine as a service
  (``POST <url><service path>/graphanalytics``, empty body); its API is
  ``<url>/gral/<service id postfix>/v1``; stopping it deletes the service, and a service that is
  already gone (404, or 500 with a "not found" body) counts as stopped. The service path prefix
  differs between releases (``/_platform/acp/v1``, ``/gen-ai/v1``), so it is a setting.
* ``AMPDeployment``: ArangoGraph. Two hosts: the IAM API (``GAE_AMP_IAM_URL``) turns the API key
  into an access token; the graph-analytics management API (``GAE_AMP_MANAGEMENT_URL``, the
  deployment's endpoint on port 8829) lists ``enginesizes`` and deploys ``{type_id, size_id}``;
  an engine is ready when ``status.is_started && status.succeeded``, at ``status.endpoint``.

Every fact used here, with its source, is listed in ``docs/gae-protocol.md``. The engine API itself
is authenticated with the database's JWT (``/_open/auth``), refreshed when the engine answers 401.
Waiting goes through a ``Clock`` so tests replace time instead of sleeping against deadlines.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import aiohttp

from ..settings import Settings
from .base import EngineError

MANAGEMENT_PATH = "/graph-analytics/api/graphanalytics/v1"
MANAGEMENT_PORT = 8829  # "The port is always :8829 for the Management API"


class GAEHTTPError(EngineError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Clock:
    """Monotonic time and sleeping, replaceable in tests."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def poll(self, attempt: Any, *, timeout_s: float, initial_s: float, max_s: float, timed_out: Any) -> Any:
        """``await attempt()`` until it returns something other than None, sleeping between tries
        a delay that grows 1.5x from ``initial_s`` up to ``max_s``; raises ``timed_out()`` when the
        next try would come after ``timeout_s``. The one back-off of the GAE client."""
        deadline = self.now() + timeout_s
        delay = initial_s
        while True:
            result = await attempt()
            if result is not None:
                return result
            if self.now() + delay > deadline:
                raise timed_out()
            await self.sleep(delay)
            delay = min(delay * 1.5, max_s)


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
    """An ArangoGraph access token: ``POST <IAM>/api/iam/v1/apikeys/{id}/authenticate`` with the
    secret as a query parameter and no body (``AuthenticateAPIKey`` in arangodb-managed/apis
    ``iam/v1/iam.proto``: its HTTP rule has no ``body``, so the remaining fields are query fields)."""
    if not settings.gae_amp_key_id or settings.gae_amp_key_secret is None:
        raise EngineError("GAE_DEPLOYMENT=amp needs GAE_AMP_KEY_ID and GAE_AMP_KEY_SECRET")
    key_id = settings.gae_amp_key_id

    async def fetch(session: aiohttp.ClientSession) -> str:
        url = f"{settings.gae_amp_iam_url.rstrip('/')}/api/iam/v1/apikeys/{quote(key_id, safe='')}/authenticate"
        secret = settings.gae_amp_key_secret.get_secret_value()  # type: ignore[union-attr]
        data = await _json(session, "POST", url, None, None, settings, params={"secret": secret})
        return str(data["token"])

    return TokenSource(fetch)


async def _json(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    token: str | None,
    body: Any,
    settings: Settings,
    params: dict[str, str] | None = None,
) -> Any:
    """One JSON call. Errors name the method and URL (never its query, which may hold a secret) and
    the server's own message."""
    headers = {"Authorization": f"bearer {token}"} if token else {}
    where = f"{method} {url}"
    try:
        async with session.request(
            method,
            url,
            json=body,
            params=params,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=settings.gae_timeout_s),
            ssl=None if settings.arango_verify_tls else False,
        ) as resp:
            text = await resp.text()
            if resp.status >= 400:
                raise GAEHTTPError(resp.status, f"{where}: HTTP {resp.status}: {_message(text)}")
            if not text:
                return {}
            try:
                return json.loads(text)
            except ValueError:
                raise GAEHTTPError(resp.status, f"{where}: not JSON: {text[:200]}") from None
    except asyncio.TimeoutError:
        raise GAEHTTPError(0, f"{where}: no answer within {settings.gae_timeout_s:g} s") from None
    except aiohttp.ClientError as exc:
        raise GAEHTTPError(0, f"{where}: {type(exc).__name__}: {_no_query(str(exc))}") from None


def _no_query(text: str) -> str:
    return re.sub(r"\?[^\s'\"]*", "", text)


def _message(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:300]
    if isinstance(data, dict):
        for key in ("error_message", "errorMessage", "message", "error"):
            if isinstance(data.get(key), str) and data[key]:
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


class Deployment(Protocol):
    kind: str
    engine_token: TokenSource | None  # the engine API's token when it is not the database's JWT

    async def start(self, session: aiohttp.ClientSession, size_bytes: int) -> EngineHandle: ...

    async def stop(self, session: aiohttp.ClientSession, handle: EngineHandle) -> None: ...


def _api_base(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


class ExistingEngine:
    kind = "existing"
    engine_token = None

    def __init__(self, url: str) -> None:
        self.url = _api_base(url)

    async def start(self, session: aiohttp.ClientSession, size_bytes: int) -> EngineHandle:
        return EngineHandle(self.url, started_by_us=False)

    async def stop(self, session: aiohttp.ClientSession, handle: EngineHandle) -> None:
        return None  # not ours to stop


def already_gone(exc: GAEHTTPError) -> bool:
    """A stop whose target no longer exists: 404, or the platform's 500 with a NOT_FOUND payload
    (seen when the service's Helm release is already deleted)."""
    text = str(exc).lower()
    return exc.status == 404 or (exc.status == 500 and ("not found" in text or "not_found" in text))


async def delete_engine(http: Authorized, handle: EngineHandle, url: str) -> None:
    """Stop an engine this run started; one that is already gone counts as stopped."""
    if not (handle.started_by_us and handle.id):
        return
    try:
        await http.call("DELETE", url)
    except GAEHTTPError as exc:
        if not already_gone(exc):
            raise


class PlatformDeployment:
    kind = "platform"
    engine_token = None

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
        return EngineHandle(f"{self.base}/gral/{postfix}/v1", started_by_us=True, id=service_id)

    async def stop(self, session: aiohttp.ClientSession, handle: EngineHandle) -> None:
        http = Authorized(session, self.token, self.settings)
        await delete_engine(http, handle, f"{self.base}{self.service}/service/{handle.id}")


def _memory_gb(size: dict[str, Any]) -> float:
    """An engine size's memory: a numeric field when the API gives one, else the documented id
    scheme (``e4`` = 4 GiB, ``e32`` = 32 GiB)."""
    for key in ("memory_in_gb", "memory_gb", "memory"):
        if isinstance(size.get(key), (int, float)) and not isinstance(size.get(key), bool):
            return float(size[key])
    match = re.fullmatch(r"e(\d+)", str(size.get("id", "")))
    return float(match.group(1)) if match else 0.0


def choose_size(sizes: list[dict[str, Any]], size_bytes: int) -> str:
    """The smallest engine size whose memory holds the graph with room for computing (x4)."""
    ranked = sorted((s for s in sizes if s.get("id")), key=_memory_gb)
    if not ranked:
        raise EngineError("ArangoGraph offered no engine sizes")
    need_gb = 4 * size_bytes / 1e9
    for s in ranked:
        if _memory_gb(s) >= need_gb:
            return str(s["id"])
    return str(ranked[-1]["id"])


def management_url(settings: Settings) -> str:
    """The graph-analytics management API: ``GAE_AMP_MANAGEMENT_URL``, or the deployment's endpoint
    (``ARANGO_URL``'s host) on port 8829, with the API path."""
    base = settings.gae_amp_management_url
    if not base:
        if not settings.arango_url:
            raise EngineError("GAE_DEPLOYMENT=amp needs GAE_AMP_MANAGEMENT_URL or ARANGO_URL")
        parts = urlsplit(settings.arango_url)
        base = f"{parts.scheme}://{parts.hostname}:{MANAGEMENT_PORT}"
    base = base.rstrip("/")
    return base if base.endswith(MANAGEMENT_PATH) else base + MANAGEMENT_PATH


class AMPDeployment:
    kind = "amp"

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.api = management_url(settings)
        self.settings = settings
        self.clock = clock or Clock()
        self.mgmt_token = amp_token(settings)
        auth = settings.gae_amp_engine_auth.strip().lower()
        if auth not in ("jwt", "amp"):
            raise EngineError(f"GAE_AMP_ENGINE_AUTH must be 'jwt' or 'amp', not {settings.gae_amp_engine_auth!r}")
        # with "auto login to database UI" the platform accepts the AMP token on the engine API too
        self.engine_token = self.mgmt_token if auth == "amp" else None
        self.chosen_size: str | None = None

    async def start(self, session: aiohttp.ClientSession, size_bytes: int) -> EngineHandle:
        http = Authorized(session, self.mgmt_token, self.settings)
        size = self.settings.gae_engine_size
        if not size:
            data = await http.call("GET", f"{self.api}/enginesizes")
            size = choose_size(list(data.get("items") or []), size_bytes)
        self.chosen_size = size
        engine = await http.call("POST", f"{self.api}/engines", {"type_id": "gral", "size_id": size})
        engine_id = str(engine.get("id") or "")
        if not engine_id:
            raise EngineError(f"ArangoGraph did not return an engine id: {engine!r}")
        handle = EngineHandle("", started_by_us=True, id=engine_id)
        answers = [engine]  # the creation's answer is the first status; later ones are asked for

        async def started() -> str | None:
            if not answers:
                answers.append(await http.call("GET", f"{self.api}/engines/{engine_id}"))
            status = answers.pop().get("status") or {}
            last[0] = status
            if status.get("is_started") and status.get("succeeded") and status.get("endpoint"):
                return _api_base(str(status["endpoint"]))
            return None

        last: list[Any] = [None]
        try:
            handle.url = await self.clock.poll(
                started, timeout_s=self.settings.gae_startup_grace_s, initial_s=self.settings.gae_poll_initial_s,
                max_s=self.settings.gae_poll_max_s,
                timed_out=lambda: EngineError(
                    f"ArangoGraph engine {engine_id} at {self.api} was not started within "
                    f"{self.settings.gae_startup_grace_s:g} s (last status {last[0]!r})"))
            return handle
        except BaseException:
            await asyncio.shield(self.stop(session, handle))  # never leave a half-started engine running
            raise

    async def stop(self, session: aiohttp.ClientSession, handle: EngineHandle) -> None:
        await delete_engine(Authorized(session, self.mgmt_token, self.settings), handle, f"{self.api}/engines/{handle.id}")


def make_deployment(settings: Settings, clock: Clock | None = None) -> Deployment:
    if settings.gae_engine_url:
        return ExistingEngine(settings.gae_engine_url)
    kind = settings.gae_deployment.strip().lower()
    if kind == "platform":
        return PlatformDeployment(settings)
    if kind in ("amp", "arangograph"):
        return AMPDeployment(settings, clock)
    raise EngineError(f"GAE_DEPLOYMENT must be 'platform' or 'amp', not {settings.gae_deployment!r}")

"""The process's secrets, and scrubbing them out of everything it prints or stores.

Secrets are removed by value, not only by shape: every :class:`~graph_agents.settings.Settings`
registers what it holds (SecretStr fields, the ArangoDB/GAE key id, the user:password part of any
URL setting) when it is created, and the environment adds secret-named variables and credentials
inside any URL it holds. A server that echoes an API key back in an error body is scrubbed even
when the key has no recognisable shape. Key-shaped strings (``sk-...``, JWTs, bearer tokens) are
removed too, for secrets the process was never told about.
"""

from __future__ import annotations

import base64
import functools
import os
import re
import threading
from typing import Any
from urllib.parse import quote, unquote, urlsplit

REDACTED = "***"
MIN_LENGTH = 4  # shorter values are not scrubbed: "abc" would garble every output

_SECRET_KEY = re.compile(r"(^|[_-])(api[_-]?key|apikey|password|passwd|secret|token|jwt|authorization|credentials?)$", re.I)
_SECRET_ENV = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|JWT|CREDENTIAL)", re.I)
_URL_CREDENTIALS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/\s@]+)@")
_PATTERNS = [
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"\blsv2_[A-Za-z0-9_]{8,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{8,}"),
    re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/=]{8,}"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
]

_BYTE_PATTERNS = [re.compile(p.pattern.encode(), p.flags & re.I) for p in _PATTERNS]

_lock = threading.Lock()
_registered: set[str] = set()


def _url_secrets(text: str) -> set[str]:
    """The ``user:password`` parts of the URLs in ``text``: the pair and the password alone,
    as written (percent-encoded) and decoded."""
    found = set()
    for userinfo in _URL_CREDENTIALS.findall(text):
        user, _, password = userinfo.partition(":")
        parts = [userinfo, unquote(userinfo)] + ([password, unquote(password)] if password else [])
        found.update(parts)
    return found


def _forms(value: str) -> set[str]:
    """A secret as it may appear: raw, percent-encoded, base64 (alone or as Basic auth)."""
    forms = {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}
    return {f for f in forms if len(f) >= MIN_LENGTH}


def register(*values: Any) -> None:
    """Make ``values`` (strings, or SecretStr) secrets of this process from now on."""
    new = set()
    for value in values:
        if value is None:
            continue
        text = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
        if len(text) >= MIN_LENGTH:
            new |= _forms(text)
        new |= {f for s in _url_secrets(text) for f in _forms(s)}
    with _lock:
        _registered.update(new)


def register_settings(settings: Any) -> None:
    """Every secret a settings object holds: SecretStr fields, key ids, URL credentials."""
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name, None)
        if hasattr(value, "get_secret_value"):
            values.append(value)
        elif isinstance(value, str) and ("://" in value and "@" in value):
            values.extend(_url_secrets(value))
        elif isinstance(value, str) and name.endswith("key_id"):
            values.append(value)
    password = getattr(settings, "arango_password", None)
    if password is not None:  # the pair an Authorization: Basic header carries
        values.append(f"{getattr(settings, 'arango_username', 'root')}:{password.get_secret_value()}")
    register(*values)


def known() -> list[str]:
    """Every secret this process knows, longest first (so no partial leftovers are left).

    Built once per (registered secrets, environment): it runs for every scrubbed table cell,
    error and record, and rebuilding the encoded forms each time cost ~70 µs a call."""
    with _lock:
        registered = frozenset(_registered)
    return _known(registered, tuple(os.environ.items()))


@functools.lru_cache(maxsize=8)
def _known(registered: frozenset[str], environ: tuple[tuple[str, str], ...]) -> list[str]:
    values = set(registered)
    for key, value in environ:
        if _SECRET_ENV.search(key) and len(value) >= 8:
            values |= _forms(value)
        if "://" in value and "@" in value:
            values |= {f for s in _url_secrets(value) for f in _forms(s)}
    return sorted(values, key=len, reverse=True)


def scrub_text(text: str, values: list[str] | None = None) -> str:
    for value in known() if values is None else values:
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def scrub(obj: Any, values: list[str] | None = None) -> Any:
    """A copy of ``obj`` (JSON-like data) with secrets removed and secret-named fields masked."""
    values = known() if values is None else values
    if isinstance(obj, str):
        return scrub_text(obj, values)
    if hasattr(obj, "get_secret_value"):
        return REDACTED
    if isinstance(obj, dict):
        return {k: REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else scrub(v, values)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [scrub(v, values) for v in obj]
    return obj


def mask_bytes(data: bytes, values: list[str] | None = None) -> bytes:
    """``data`` with each known secret overwritten by as many ``*`` as it has bytes: serialised
    data (msgpack, length-prefixed) keeps its framing."""
    for value in known() if values is None else values:
        raw = value.encode()
        if raw in data:
            data = data.replace(raw, b"*" * len(raw))
    for pattern in _BYTE_PATTERNS:
        data = pattern.sub(lambda m: b"*" * len(m.group()), data)
    return data


class Scrubber:
    """A scrubber with the secrets known when it was made (one scan of the environment)."""

    def __init__(self, settings: Any = None) -> None:
        if settings is not None:
            register_settings(settings)
        self.values = known()

    def text(self, s: str) -> str:
        return scrub_text(s, self.values)

    def __call__(self, obj: Any) -> Any:
        return scrub(obj, self.values)


class ScrubbingSerde:
    """A checkpoint serializer that masks known secrets in what it writes (same-length masks,
    so the serialised framing stays valid); reading is the wrapped serializer's."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        kind, data = self.inner.dumps_typed(obj)
        return kind, mask_bytes(data)

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        return self.inner.loads_typed(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

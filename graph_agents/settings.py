"""Configuration from the environment and `.env` (pydantic-settings). Secrets are SecretStr."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import secrets
from .errors import InputError


class Settings(BaseSettings):
    # NaN and infinity are no timeout, rate or price anyone means
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", allow_inf_nan=False)

    # where checkpoints, the catalog, the LLM cache and local results live
    home: Path = Field(default=Path(".graph_agents"), alias="GRAPH_AGENTS_HOME")

    # LLM: any OpenAI-compatible endpoint
    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    llm_model: str = Field(default="gpt-4o-mini", alias="GRAPH_AGENTS_LLM_MODEL")
    llm_temperature: float = Field(default=0.0, alias="GRAPH_AGENTS_LLM_TEMPERATURE", ge=0, le=2)
    llm_timeout_s: float = Field(default=60.0, alias="GRAPH_AGENTS_LLM_TIMEOUT", gt=0)
    llm_max_retries: int = Field(default=4, alias="GRAPH_AGENTS_LLM_MAX_RETRIES", ge=0, le=100)
    llm_max_concurrency: int = Field(default=8, alias="GRAPH_AGENTS_LLM_MAX_CONCURRENCY", ge=1)
    llm_requests_per_second: float = Field(default=5.0, alias="GRAPH_AGENTS_LLM_RPS", gt=0)
    llm_cache: bool = Field(default=True, alias="GRAPH_AGENTS_LLM_CACHE")
    llm_backoff_s: float = Field(default=0.5, alias="GRAPH_AGENTS_LLM_BACKOFF", ge=0)  # first retry wait; doubles
    # a timed-out request is retried this often before the next structured-output method is tried
    llm_timeout_retries: int = Field(default=1, alias="GRAPH_AGENTS_LLM_TIMEOUT_RETRIES", ge=0)
    # the run-level LLM budget: wall time spent waiting on the model and tokens; past either, agents
    # keep their deterministic result (0 = no limit)
    llm_budget_s: float = Field(default=150.0, alias="GRAPH_AGENTS_LLM_BUDGET_S", ge=0)
    llm_budget_tokens: int = Field(default=200_000, alias="GRAPH_AGENTS_LLM_BUDGET_TOKENS", ge=0)
    # the most an answer may be, whatever its schema allows
    llm_max_output_tokens: int = Field(default=1024, alias="GRAPH_AGENTS_LLM_MAX_OUTPUT_TOKENS", ge=16)
    # the model's context window in tokens; documents are trimmed to fit (0 = unknown: large)
    llm_context_tokens: int = Field(default=0, alias="GRAPH_AGENTS_LLM_CONTEXT", ge=0)
    # structured-output methods in the order to try (comma-separated; empty: what worked last on
    # this endpoint and model, then json_schema, function_calling, json_mode)
    llm_methods: str = Field(default="", alias="GRAPH_AGENTS_LLM_METHODS")

    # ArangoDB
    arango_url: str | None = Field(default=None, alias="ARANGO_URL")
    arango_database: str = Field(default="_system", alias="ARANGO_DATABASE")
    arango_username: str = Field(default="root", alias="ARANGO_USERNAME")
    arango_password: SecretStr | None = Field(default=None, alias="ARANGO_PASSWORD")
    arango_jwt: SecretStr | None = Field(default=None, alias="ARANGO_JWT")
    arango_verify_tls: bool = Field(default=True, alias="ARANGO_VERIFY_TLS")
    arango_timeout_s: float = Field(default=60.0, alias="ARANGO_TIMEOUT", gt=0)
    # comma-separated collections to analyse when no named graph is given (empty: all user collections)
    arango_collections: str = Field(default="", alias="ARANGO_COLLECTIONS")
    arango_graph: str | None = Field(default=None, alias="ARANGO_GRAPH")
    arango_batch_size: int = Field(default=10_000, alias="ARANGO_BATCH_SIZE", ge=1)
    arango_max_parallel: int = Field(default=8, alias="ARANGO_MAX_PARALLEL", ge=1)

    # Graph Analytics Engine: "platform" (ArangoDB platform service), "amp" (ArangoGraph), or
    # "" (off: the local engine runs on the graph streamed out of ArangoDB)
    gae_deployment: str = Field(default="", alias="GAE_DEPLOYMENT")
    gae_engine_url: str | None = Field(default=None, alias="GAE_ENGINE_URL")  # an engine already running
    gae_platform_url: str | None = Field(default=None, alias="GAE_PLATFORM_URL")  # default: ARANGO_URL
    gae_service_path: str = Field(default="/_platform/acp/v1", alias="GAE_SERVICE_PATH")
    # ArangoGraph: the IAM API (API key -> access token) and the deployment's graph-analytics
    # management API (default: ARANGO_URL's host on port 8829) are two hosts
    gae_amp_iam_url: str = Field(default="https://api.cloud.arangodb.com", alias="GAE_AMP_IAM_URL")
    gae_amp_management_url: str | None = Field(default=None, alias="GAE_AMP_MANAGEMENT_URL")
    gae_amp_key_id: str | None = Field(default=None, alias="GAE_AMP_KEY_ID")
    gae_amp_key_secret: SecretStr | None = Field(default=None, alias="GAE_AMP_KEY_SECRET")
    # the engine API's token on ArangoGraph: "jwt" (the database's, works without auto login) or
    # "amp" (the API key's access token, for deployments with "auto login to database UI")
    gae_amp_engine_auth: str = Field(default="jwt", alias="GAE_AMP_ENGINE_AUTH")
    gae_engine_size: str | None = Field(default=None, alias="GAE_ENGINE_SIZE")
    gae_timeout_s: float = Field(default=60.0, alias="GAE_TIMEOUT", gt=0)
    gae_job_timeout_s: float = Field(default=3600.0, alias="GAE_JOB_TIMEOUT", gt=0)
    # how long a new engine may answer 503/404/connection errors on /v1/version before its analyses fail
    gae_startup_grace_s: float = Field(default=120.0, alias="GAE_STARTUP_GRACE", ge=0)
    gae_poll_initial_s: float = Field(default=0.5, alias="GAE_POLL_INITIAL", gt=0)
    gae_poll_max_s: float = Field(default=5.0, alias="GAE_POLL_MAX", gt=0)

    # execution
    max_concurrency: int = Field(default=8, alias="GRAPH_AGENTS_MAX_CONCURRENCY", ge=1)

    # tracing: a JSON or TOML price table {model: {"input": USD, "output": USD}} per 1M tokens
    prices_file: Path | None = Field(default=None, alias="GRAPH_AGENTS_PRICES")

    @field_validator("arango_url", "openai_base_url", "gae_engine_url", "gae_platform_url", "gae_amp_iam_url",
                     "gae_amp_management_url")
    @classmethod
    def _http_urls(cls, value: str | None) -> str | None:
        """http(s)://host[:port][/path], each of a comma-separated list (ArangoDB takes several)."""
        if not value:
            return value
        for url in value.split(","):
            try:
                parts = urlsplit(url.strip())
                parts.port  # noqa: B018 - raises on a port that is not a number
            except ValueError as exc:
                raise ValueError(f"not a URL ({exc})") from None
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("expected http://host:port or https://host:port")
        return value

    def model_post_init(self, __context: Any) -> None:
        secrets.register_settings(self)  # from now on they are scrubbed from every output

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None

    @property
    def arango_configured(self) -> bool:
        return bool(self.arango_url)

    @property
    def gae_configured(self) -> bool:
        return self.arango_configured and (bool(self.gae_deployment) or bool(self.gae_engine_url))


def load_settings(**updates: Any) -> Settings:
    """The settings from the environment and ``.env``; a bad value is an :class:`InputError`
    naming the variable (never echoing a secret's value)."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = str(problem["loc"][0]) if problem.get("loc") else "?"
        names = {f.alias or n: f for n, f in Settings.model_fields.items()}
        secret = field in names and "SecretStr" in str(names[field].annotation)
        value = str(problem.get("input", ""))
        shown = "" if secret or "@" in value or "input" not in problem else f" (got {value[:60]!r})"
        message = problem["msg"].removeprefix("Value error, ")
        more = f"; and {len(exc.errors()) - 1} more" if len(exc.errors()) > 1 else ""
        raise InputError(f"setting {field}: {message}{shown}{more}") from None
    if settings.prices_file is not None:  # read now, not when the first trace is made
        from .tracing import PriceTable

        if not settings.prices_file.is_file():
            raise InputError(f"setting GRAPH_AGENTS_PRICES: {settings.prices_file} is not a file")
        try:
            PriceTable.load(settings.prices_file)
        except Exception as exc:  # noqa: BLE001 - missing, unreadable, or not a price table
            raise InputError(f"setting GRAPH_AGENTS_PRICES: {settings.prices_file} is not a readable price table "
                             f"({type(exc).__name__}: {exc})"[:300]) from None
    return settings.model_copy(update=updates) if updates else settings

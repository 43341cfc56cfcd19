"""Configuration from the environment and `.env` (pydantic-settings). Secrets are SecretStr."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# report formats written when none are named (the CLI's --format, export_reports)
DEFAULT_FORMATS = ("markdown", "json", "html")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # where checkpoints, the catalog, the LLM cache and local results live
    home: Path = Field(default=Path(".graph_agents"), alias="GRAPH_AGENTS_HOME")

    # LLM: any OpenAI-compatible endpoint
    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    llm_model: str = Field(default="gpt-4o-mini", alias="GRAPH_AGENTS_LLM_MODEL")
    llm_temperature: float = Field(default=0.0, alias="GRAPH_AGENTS_LLM_TEMPERATURE")
    llm_timeout_s: float = Field(default=60.0, alias="GRAPH_AGENTS_LLM_TIMEOUT")
    llm_max_retries: int = Field(default=4, alias="GRAPH_AGENTS_LLM_MAX_RETRIES")
    llm_max_concurrency: int = Field(default=8, alias="GRAPH_AGENTS_LLM_MAX_CONCURRENCY")
    llm_requests_per_second: float = Field(default=5.0, alias="GRAPH_AGENTS_LLM_RPS")
    llm_cache: bool = Field(default=True, alias="GRAPH_AGENTS_LLM_CACHE")
    llm_backoff_s: float = Field(default=0.5, alias="GRAPH_AGENTS_LLM_BACKOFF")  # first retry wait; doubles
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
    arango_timeout_s: float = Field(default=60.0, alias="ARANGO_TIMEOUT")
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
    max_concurrency: int = Field(default=8, alias="GRAPH_AGENTS_MAX_CONCURRENCY")

    # tracing: a JSON or TOML price table {model: {"input": USD, "output": USD}} per 1M tokens
    prices_file: Path | None = Field(default=None, alias="GRAPH_AGENTS_PRICES")

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None

    @property
    def arango_configured(self) -> bool:
        return bool(self.arango_url)

    @property
    def gae_configured(self) -> bool:
        return self.arango_configured and (bool(self.gae_deployment) or bool(self.gae_engine_url))

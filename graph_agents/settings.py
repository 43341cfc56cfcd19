"""Configuration from the environment and `.env` (pydantic-settings). Secrets are SecretStr."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    # ArangoDB
    arango_url: str | None = Field(default=None, alias="ARANGO_URL")
    arango_database: str = Field(default="_system", alias="ARANGO_DATABASE")
    arango_username: str = Field(default="root", alias="ARANGO_USERNAME")
    arango_password: SecretStr | None = Field(default=None, alias="ARANGO_PASSWORD")
    arango_jwt: SecretStr | None = Field(default=None, alias="ARANGO_JWT")
    arango_verify_tls: bool = Field(default=True, alias="ARANGO_VERIFY_TLS")
    arango_timeout_s: float = Field(default=60.0, alias="ARANGO_TIMEOUT")

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

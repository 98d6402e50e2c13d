"""Orchestrall settings: one place, read from ``ORCHESTRALL_*`` variables or a ``.env`` file.

Settings travel explicitly (``get_settings()`` at the edges, then passed down);
nothing per run is written back into the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


def _default_data_dir() -> Path:
    return Path.cwd() / ".orchestrall"


class Settings(BaseSettings):
    """Runtime configuration. Every field maps to ``ORCHESTRALL_<FIELD>``."""

    model_config = SettingsConfigDict(
        env_prefix="ORCHESTRALL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default_factory=_default_data_dir, description="Where local data lives.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; unset means a SQLite file in the data dir."
    )
    broker_url: str | None = Field(
        default=None, description="Celery broker URL; unset means runs execute in-process."
    )
    chroma_url: str | None = Field(
        default=None,
        description="Chroma server URL (http://host:port, from `chroma run`); unset = embedded "
        "Chroma in <data_dir>/chroma, owned by one process. Required with Celery workers.",
    )
    embedding_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible embeddings endpoint (…/v1); unset = the bundled "
        "all-MiniLM-L6-v2 on CPU, offline.",
    )
    embedding_model: str = Field(
        default="text-embedding-3-small", description="Model at embedding_base_url."
    )
    embedding_api_key_secret: str | None = Field(
        default=None,
        description="Name of the secret holding the embeddings endpoint's key; unset = "
        "ORCHESTRALL_OPENAI_API_KEY, if any.",
    )
    max_document_bytes: int = Field(
        default=20_000_000, ge=1, description="Largest document a knowledge base accepts."
    )

    # Model provider defaults, used when a spec's model leaves them out.
    default_provider: str = Field(default="demo", description="Default model provider.")
    default_model: str = Field(default="orchestrall-demo", description="Default model name.")
    default_base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL; unset = the built-in demo model."
    )
    openai_api_key: SecretStr | None = Field(default=None, description="Default OpenAI key.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Fernet key that encrypts stored secrets; unset = <data_dir>/secret.key "
        "(created on first start). See docs/secrets.md.",
    )

    user_name: str = Field(
        default="you",
        min_length=1,
        max_length=80,
        description="Who uses this instance: the author of the templates it publishes and "
        "of its reviews in the marketplace.",
    )
    serve_catalogue: bool = Field(
        default=False,
        description="Serve this instance's public template catalogue as read-only JSON at "
        "/api/marketplace/v1 for other instances to browse (off by default).",
    )

    redis_url: str | None = Field(
        default=None,
        description="Redis URL for counters shared by several app workers (API rate limits); "
        "unset = the broker if it is Redis, else this process's memory.",
    )
    api_requests_per_minute: int = Field(
        default=60, ge=1, description="Default requests per minute of an API key."
    )
    api_concurrent_runs: int = Field(
        default=4, ge=1, description="Default number of runs an API key may have going at once."
    )

    model_server_port: int = Field(default=8765, description="Port of the offline demo model.")
    model_script: Path | None = Field(default=None, description="Script for the demo model.")

    def resolved_database_url(self) -> str:
        """The database URL in force: the configured one or the SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'orchestrall.db'}"

    def chroma_path(self) -> Path:
        """Where embedded Chroma keeps its files (unused when ``chroma_url`` is set)."""
        return self.data_dir / "chroma"

    def ensure_data_dir(self) -> Path:
        """Create the data dir if missing and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process, read once. Tests build ``Settings(...)`` directly."""
    return Settings()

"""How executors behave: concurrency, heartbeats, the reaper, live-event retention.

Read from ``ORCHESTRALL_*`` variables (or ``.env``) at the edge, like ``Settings``,
then passed down explicitly; a Celery worker reads the same variables.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ExecutorOptions"]


class ExecutorOptions(BaseSettings):
    """Executor tuning. Every field maps to ``ORCHESTRALL_<FIELD>``."""

    model_config = SettingsConfigDict(
        env_prefix="ORCHESTRALL_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    max_concurrent_runs: int = Field(
        default=4, ge=1, le=1024, description="Runs the in-process executor executes at once."
    )
    heartbeat_interval: float = Field(
        default=5.0, gt=0, le=300, description="Seconds between heartbeats of an active run."
    )
    stale_run_after: float = Field(
        default=30.0,
        gt=0,
        description="A running run with no heartbeat for this long is failed (worker_lost).",
    )
    reap_interval: float = Field(
        default=30.0, gt=0, description="Seconds between two looks for stale runs."
    )
    subscribe_poll_interval: float = Field(
        default=1.0, gt=0, le=60, description="A subscriber checks the store after this quiet."
    )
    broker_visibility_timeout: int = Field(
        default=3600,
        ge=1,
        description="Seconds before Redis hands an unacknowledged run to another worker.",
    )
    live_ttl: int = Field(
        default=86_400, ge=60, description="Seconds Redis keeps a run's live-event replay."
    )

    @model_validator(mode="after")
    def _heartbeats_fit(self) -> ExecutorOptions:
        if self.stale_run_after < 2 * self.heartbeat_interval:
            raise ValueError(
                "stale_run_after must be at least twice heartbeat_interval, "
                "or live runs would be taken for dead ones"
            )
        return self

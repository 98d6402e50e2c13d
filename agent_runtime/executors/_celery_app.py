"""The Celery app both sides build: JSON only, late acks, one task at a time per child."""

from __future__ import annotations

from celery import Celery

from agent_runtime.executors._options import ExecutorOptions

__all__ = ["QUEUE", "TASK_NAME", "create_celery_app"]

TASK_NAME = "orchestrall.execute_run"
QUEUE = "orchestrall"


def create_celery_app(broker_url: str, options: ExecutorOptions, *, main: bool = False) -> Celery:
    """A Celery app on ``broker_url``. Messages are JSON (never pickle); a task is
    acknowledged after it ran, and handed to another worker if its worker dies."""
    app = Celery("orchestrall", broker=broker_url, set_as_current=main)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=QUEUE,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": options.broker_visibility_timeout},
        enable_utc=True,
    )
    return app

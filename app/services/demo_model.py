"""The offline demo model served by the app's backend, so a fresh install can run agents.

The app starts the scripted model server on ``ORCHESTRALL_MODEL_SERVER_PORT``
for its whole lifespan. With several backend workers, the first one to bind the
port serves it and the others use that one.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from agent_runtime.errors import ModelServerError
from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.settings import get_settings

__all__ = ["demo_model_base_url", "demo_model_lifespan"]

logger = logging.getLogger("orchestrall.app")


def demo_model_base_url() -> str:
    """The OpenAI base URL of this installation's demo model."""
    return f"http://127.0.0.1:{get_settings().model_server_port}/v1"


@contextlib.asynccontextmanager
async def demo_model_lifespan() -> AsyncIterator[None]:
    """Serve the demo model while the app runs (a Reflex lifespan task)."""
    settings = get_settings()
    server = ScriptedModelServer(script=settings.model_script, port=settings.model_server_port)
    try:
        server.start()
    except ModelServerError as exc:
        logger.warning("Demo model not started here (%s); using the one already serving.", exc)
        server = None
    else:
        logger.info("Demo model (offline, scripted) at %s", server.base_url)
    try:
        yield
    finally:
        if server is not None:
            server.stop()

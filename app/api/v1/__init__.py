"""The HTTP API for running graphs: REST at ``/api/v1`` and OpenAI-compatible at ``/v1``.

    Mount(REST_PREFIX, app=rest_app())        # /api/v1/graphs…, /api/v1/runs…, /docs
    Mount(OPENAI_PREFIX, app=openai_app())    # /v1/chat/completions, /v1/models

Both need an API key on every route and share its limits; see docs/api.md.
"""

from app.api.v1._app import REST_PREFIX, rest_app
from app.api.v1._openai import OPENAI_PREFIX, openai_app

__all__ = ["OPENAI_PREFIX", "REST_PREFIX", "openai_app", "rest_app"]

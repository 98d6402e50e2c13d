"""The Reflex app; its pages come from the route table in ``app/routes.py``.

The theme is configured in ``rxconfig.py`` (``RadixThemesPlugin``). The backend
also serves the offline demo model for its whole lifespan, and at its start removes
the memories of graphs deleted before. Its own HTTP API (``app/api``: the public
template catalogue at ``/api/marketplace/v1``) sits in front of Reflex's routes.
"""

import reflex as rx

from app.api import build_api
from app.routes import add_routes
from app.services.demo_model import demo_model_lifespan
from app.services.knowledge import memory_prune_lifespan

app = rx.App(
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    api_transformer=build_api(),
)
add_routes(app)
app.register_lifespan_task(demo_model_lifespan)
app.register_lifespan_task(memory_prune_lifespan)

"""The Reflex app; its pages come from the route table in ``app/routes.py``.

The theme is configured in ``rxconfig.py`` (``RadixThemesPlugin``).
"""

import reflex as rx

from app.routes import add_routes

app = rx.App(
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)
add_routes(app)

"""Reflex configuration for the Orchestrall UI (the app lives in ``app/app.py``).

Persistence belongs to ``agent_runtime.store`` (``ORCHESTRALL_DATABASE_URL``),
so Reflex gets no ``db_url``. Any field here can be overridden per run with a
``REFLEX_<FIELD>`` environment variable, e.g. ``REFLEX_STATE_MANAGER_MODE=redis``
with ``REFLEX_REDIS_URL`` to share UI state between several backend workers.
"""

import reflex as rx

config = rx.Config(
    app_name="app",
    frontend_port=3000,
    backend_port=8000,
    telemetry_enabled=False,
    # Embedded default (ARCHITECTURE.md "Where things run"): UI state in memory.
    state_manager_mode="memory",
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="violet", gray_color="slate", radius="large"),
        ),
    ],
    # A local-first tool has no public pages to index.
    disable_plugins=[rx.plugins.SitemapPlugin],
)

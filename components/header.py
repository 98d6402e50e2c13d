"""The app header: the Orchestrall name and mark, page actions, Marketplace, Runs, Settings."""

from __future__ import annotations

import reflex as rx

APP_NAME = "Orchestrall"
SETTINGS_HREF = "/settings"  # the settings page's route: ``app.pages.settings.SETTINGS``


def settings_link() -> rx.Component:
    """A quiet link to the settings page (model providers and secrets)."""
    return rx.link(
        rx.hstack(rx.icon("settings", size=16), rx.text("Settings", size="2"), spacing="1"),
        href=SETTINGS_HREF,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        display="flex",
        align_items="center",
        data_testid="settings-link",
    )


def header(*actions: rx.Component) -> rx.Component:
    """A top bar with the app's name on the left, ``actions`` and Settings on the right."""
    brand = rx.link(
        rx.hstack(
            rx.center(
                rx.icon("workflow", size=18, color="white"),
                width="32px",
                height="32px",
                border_radius="var(--radius-3)",
                background="linear-gradient(135deg, var(--accent-9), var(--accent-11))",
            ),
            rx.heading(APP_NAME, size="5", weight="bold", trim="both"),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        color="inherit",
        aria_label=f"{APP_NAME} home",
        data_testid="app-name",
    )
    return rx.el.header(
        rx.hstack(
            brand,
            rx.spacer(),
            *actions,
            rx.link(
                rx.hstack(rx.icon("store", size=16), rx.text("Marketplace", size="2"), spacing="1"),
                href="/marketplace",  # ``app.paths.MARKETPLACE``
                underline="none",
                color_scheme="gray",
                high_contrast=True,
                display="flex",
                align_items="center",
                data_testid="marketplace-link",
            ),
            rx.link(
                rx.hstack(rx.icon("history", size=16), rx.text("Runs", size="2"), spacing="1"),
                href="/runs",  # ``app.paths.RUNS``
                underline="none",
                color_scheme="gray",
                high_contrast=True,
                display="flex",
                align_items="center",
                data_testid="runs-link",
            ),
            settings_link(),
            align="center",
            width="100%",
            max_width="1136px",
            margin_x="auto",
            padding_x="24px",
        ),
        display="flex",
        align_items="center",
        height="60px",
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
        data_testid="app-header",
    )

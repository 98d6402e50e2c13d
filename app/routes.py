"""The route table: every page of the app, registered in one loop by ``add_routes``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from app import paths
from app.pages.builder import builder_page
from app.pages.builder_publish_state import PublishState
from app.pages.builder_run_state import BuilderRunState
from app.pages.builder_state import BuilderState
from app.pages.home import home_page
from app.pages.home_state import HomeState
from app.pages.knowledge import knowledge_page
from app.pages.knowledge_state import KnowledgeState
from app.pages.marketplace import marketplace_page
from app.pages.marketplace_detail import template_page
from app.pages.marketplace_detail_state import TemplateState
from app.pages.marketplace_state import MarketplaceState
from app.pages.run_compare import run_compare_page
from app.pages.run_compare_state import RunCompareState
from app.pages.run_detail import run_detail_page
from app.pages.run_detail_state import RunDetailState
from app.pages.runs import runs_page
from app.pages.runs_state import RunsState
from app.pages.settings import SETTINGS, settings_page
from app.pages.settings_state import SettingsState


@dataclasses.dataclass(frozen=True)
class Route:
    """One page: its path, its browser title, the page function and its on-load event."""

    path: str
    title: str
    page: Callable[[], rx.Component]
    on_load: Any = None


ROUTES: tuple[Route, ...] = (
    Route(paths.HOME, "Graphs · Orchestrall", home_page, on_load=HomeState.load_graphs),
    Route(
        paths.BUILDER,
        "Builder · Orchestrall",
        builder_page,
        on_load=[BuilderState.load_graph, BuilderRunState.load_panel, PublishState.close_dialog],
    ),
    Route(SETTINGS, "Settings · Orchestrall", settings_page, on_load=SettingsState.load_settings),
    Route(paths.RUNS, "Runs · Orchestrall", runs_page, on_load=RunsState.load_runs),
    Route(paths.GRAPH_RUNS, "Runs · Orchestrall", runs_page, on_load=RunsState.load_runs),
    Route(
        paths.KNOWLEDGE,
        "Knowledge · Orchestrall",
        knowledge_page,
        on_load=KnowledgeState.load_knowledge,
    ),
    Route(paths.RUN, "Run · Orchestrall", run_detail_page, on_load=RunDetailState.load_run),
    Route(
        paths.COMPARE,
        "Compare runs · Orchestrall",
        run_compare_page,
        on_load=RunCompareState.load_comparison,
    ),
    Route(
        paths.MARKETPLACE,
        "Marketplace · Orchestrall",
        marketplace_page,
        on_load=MarketplaceState.load_marketplace,
    ),
    Route(
        paths.TEMPLATE, "Template · Orchestrall", template_page, on_load=TemplateState.load_template
    ),
)


def add_routes(app: rx.App, routes: Sequence[Route] = ROUTES) -> None:
    """Register every route of ``routes`` on ``app``."""
    for route in routes:
        app.add_page(route.page, route=route.path, title=route.title, on_load=route.on_load)

"""The route table: unique, well-formed paths, each registered on the app."""

from __future__ import annotations

from collections import Counter

import reflex as rx
from reflex.utils.format import format_route

from app.routes import ROUTES, Route, add_routes


def duplicate_paths(routes: tuple[Route, ...]) -> list[str]:
    """Paths that more than one route resolves to, as Reflex normalises them."""
    counts = Counter(format_route(route.path) for route in routes)
    return sorted(path for path, n in counts.items() if n > 1)


def test_route_paths_are_unique() -> None:
    assert duplicate_paths(ROUTES) == []


def test_duplicate_check_sees_paths_that_differ_only_in_slashes() -> None:
    first = ROUTES[0]
    again = Route(first.path.rstrip("/") + "/", "Again", first.page)
    assert duplicate_paths((*ROUTES, again)) == [format_route(first.path)]


def test_routes_are_absolute_with_titles() -> None:
    for route in ROUTES:
        assert route.path.startswith("/"), route
        assert route.title.strip(), route


def test_every_route_is_added_to_the_app() -> None:
    app = rx.App()
    add_routes(app)
    registered = set(app._unevaluated_pages)
    assert registered == {format_route(route.path) for route in ROUTES}

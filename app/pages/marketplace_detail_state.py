"""State of a template's page (``/marketplace/[slug]``): show it, install it, rate it,
download its bundle.

With ``?source=<url>`` the template is another instance's (a remembered source): it
is shown from that catalogue, has no reviews or bundle download here, and using it
fetches, checks and copies it here (``marketplace_sources.remote_install``).

Loading, installing, rating and downloading call the services in background events
(the first marketplace call of the process stores the bundled catalogue, which takes
seconds; a remote source is asked over HTTP).
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.paths import builder_path
from app.services import marketplace, marketplace_bundles, marketplace_sources
from app.services.marketplace import ReviewView, StarBar, TemplateCardView, VersionView

EMPTY_CARD = TemplateCardView(
    slug="",
    title="",
    summary="",
    category="",
    tags=[],
    author="",
    version="",
    backends=[],
    installs=0,
    installs_text="",
    rating_text="",
    ratings_text="",
    origin="",
)
EMPTY_GRAPH: dict[str, list[dict[str, Any]]] = {"nodes": [], "edges": []}


class TemplateState(rx.State):
    """The template named by the route's ``slug``."""

    shown_slug: str = ""  # the template shown (the route var is ``slug``)
    shown_source: str = ""  # the URL of the instance it is at ("": this one)
    source_name: str = ""
    card: TemplateCardView = EMPTY_CARD
    readme: str = ""
    canvas: dict[str, list[dict[str, Any]]] = EMPTY_GRAPH
    canvas_revision: int = 0
    node_count: int = 0
    versions: list[VersionView] = []
    secrets: list[str] = []
    rating_summary: str = ""
    star_bars: list[StarBar] = []
    reviews: list[ReviewView] = []
    updated: str = ""
    loaded: bool = False
    load_error: str = ""

    install_version: str = ""
    installing: bool = False
    downloading: bool = False

    my_stars: int = 0  # my saved rating (0: none yet)
    draft_stars: int = 0  # the stars chosen in the form
    draft_text: str = ""
    review_key: int = 0  # remounts the review text area when the saved review changes
    rating_error: str = ""
    saving_review: bool = False

    @rx.var
    def is_remote(self) -> bool:
        return self.shown_source != ""

    @rx.var
    def version_choices(self) -> list[str]:
        return [v.version for v in self.versions]

    @rx.var
    def has_secrets(self) -> bool:
        return len(self.secrets) > 0

    @rx.var
    def has_reviews(self) -> bool:
        return len(self.reviews) > 0

    @rx.var
    def install_label(self) -> str:
        latest = self.versions[0].version if self.versions else ""
        if self.install_version and self.install_version != latest:
            return f"Use version {self.install_version}"
        return "Use this template"

    @rx.event
    def load_template(self):
        """On page load: the template of the URL."""
        # ``slug`` is the dynamic route var Reflex adds for ``/marketplace/[slug]``.
        slug = str(self.slug)
        source = str(self.router.url.query_parameters.get("source", "") or "")
        if (slug, source) != (self.shown_slug, self.shown_source):
            self.card, self.readme, self.versions, self.reviews = EMPTY_CARD, "", [], []
            self.canvas, self.node_count, self.secrets = EMPTY_GRAPH, 0, []
            self.loaded, self.install_version, self.source_name = False, "", ""
        self.shown_slug, self.shown_source = slug, source
        self.load_error, self.rating_error = "", ""
        self.installing, self.downloading = False, False
        return TemplateState.fetch

    def _show(self, view: marketplace.TemplateView) -> None:
        self.card, self.readme = view.card, view.readme
        self.canvas, self.node_count = view.canvas, view.node_count
        self.canvas_revision += 1
        self.versions, self.secrets = view.versions, view.secrets
        self.rating_summary, self.star_bars, self.reviews = (
            view.rating_summary,
            view.star_bars,
            view.reviews,
        )
        self.updated = view.updated
        if self.install_version not in self.version_choices:
            self.install_version = view.card.version
        self.my_stars, self.draft_stars, self.draft_text = (
            view.my_stars,
            view.my_stars,
            view.my_text,
        )
        self.review_key += 1
        self.loaded = True

    @rx.event(background=True)
    async def fetch(self):
        async with self:
            slug, source = self.shown_slug, self.shown_source
        name = ""
        try:
            if source:
                known = await asyncio.to_thread(marketplace_sources.remembered_source, source)
                name = known.name
                view = await asyncio.to_thread(marketplace_sources.remote_template, source, slug)
            else:
                view = await asyncio.to_thread(marketplace.template, slug)
        except OrchestrallError as exc:
            async with self:
                if (self.shown_slug, self.shown_source) == (slug, source):
                    self.loaded, self.source_name = True, name
                    self.load_error = (
                        f"There is no template “{slug}”"
                        + (f" at {name}" if name else "")
                        + ": it may have been removed."
                        if exc.code in ("template_not_found", "remote_not_found")
                        else f"Could not open this template: {exc.message}"
                    )
            return
        async with self:
            if (self.shown_slug, self.shown_source) == (slug, source):
                self.source_name = name
                self._show(view)

    @rx.event
    def choose_version(self, version: str):
        self.install_version = version

    @rx.event(background=True)
    async def install(self):
        """A copy of the chosen version as a new graph, opened in the builder."""
        async with self:
            if self.installing or not self.shown_slug:
                return None
            self.installing = True
            slug, version, source = self.shown_slug, self.install_version, self.shown_source
        try:
            if source:
                graph_id = await asyncio.to_thread(
                    marketplace_sources.remote_install, source, slug, version or None
                )
            else:
                graph_id = await asyncio.to_thread(marketplace.install, slug, version)
        except OrchestrallError as exc:
            async with self:
                self.installing = False
            return rx.toast.error(f"Could not install the template: {exc.message}")
        return rx.redirect(builder_path(graph_id))

    @rx.event(background=True)
    async def download_bundle(self):
        """The template with all its versions, as one .json file the browser saves."""
        async with self:
            if self.downloading or not self.shown_slug or self.shown_source:
                return None
            self.downloading, slug = True, self.shown_slug
        try:
            file = await asyncio.to_thread(marketplace_bundles.bundle_file, slug)
        except OrchestrallError as exc:
            async with self:
                self.downloading = False
            return rx.toast.error(f"Could not download the bundle: {exc.message}")
        async with self:
            self.downloading = False
        return rx.download(data=file.data, filename=file.filename, mime_type="application/json")

    # -- my rating --------------------------------------------------------------------

    @rx.event
    def choose_stars(self, stars: int):
        self.draft_stars, self.rating_error = int(stars), ""

    @rx.event(background=True)
    async def save_review(self, form: dict[str, Any]):
        """Save my stars and review (replacing my earlier one)."""
        async with self:
            if self.draft_stars < 1:
                self.rating_error = "Choose 1 to 5 stars first."
                return None
            slug, stars = self.shown_slug, self.draft_stars
            text = str(form.get("review", "") or "")
            self.draft_text, self.saving_review, self.rating_error = text, True, ""
            again = self.my_stars > 0
        try:
            await asyncio.to_thread(marketplace.rate, slug, stars, text)
            view = await asyncio.to_thread(marketplace.template, slug)
        except OrchestrallError as exc:
            async with self:
                self.saving_review, self.rating_error = False, exc.message
            return None
        async with self:
            self.saving_review = False
            if self.shown_slug == slug:
                self._show(view)
        return rx.toast.success("Your review is updated." if again else "Thanks for your review.")

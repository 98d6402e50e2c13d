"""``Marketplace``: browse, search, install, publish, version and rate templates.

    market = Marketplace(store, user="ada")
    market.seed_bundled()                                  # the bundled catalogue, once
    page = market.search("support", category="Customer support", sort="rating")
    detail = market.get("customer-support")
    graph = market.install("customer-support")             # a new graph linked to 1.0.0
    market.publish(graph.id, meta=..., version="1.1.0", changelog="...", readme="...")
    market.rate("customer-support", 5, "Saved me a day")   # one review per person, editable

Blocking calls (publishing compiles the spec on each backend): call them from a
thread in async code. Search runs on an in-memory index of the catalogue, rebuilt
when the catalogue changes (checked by a one-row query per search), so a search
costs the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from agent_runtime.errors import ConflictError, NotFoundError, TemplateError
from agent_runtime.spec import canonical_json
from agent_runtime.store import GraphSummary, Store
from agent_runtime.store._tables import utcnow
from marketplace import _bundle, _remote
from marketplace._catalogue import bundled_templates
from marketplace._model import Derived, Release, TemplateMeta, derive, slugify, version_key
from marketplace._records import (
    SORTS,
    ReleaseInfo,
    Review,
    SearchPage,
    TemplateCard,
    TemplateDetail,
)
from marketplace._search import Document, SearchIndex
from marketplace._share import find_secrets, make_bundle
from marketplace._tables import REVIEWS, TEMPLATES, VERSIONS

__all__ = ["PER_PAGE", "Marketplace"]

PER_PAGE = 24
MAX_REVIEW_CHARS = 1_000
_ORIGINS = ("bundled", "published", "imported", "remote")


_DERIVED: dict[str, Derived] = {}
_DERIVED_LOCK = threading.Lock()


def _derive(spec: dict[str, Any]) -> Derived:
    """``derive``, remembered per spec text in this process (it compiles on every backend)."""
    key = canonical_json(spec)
    with _DERIVED_LOCK:
        found = _DERIVED.get(key)
    if found is None:
        found = derive(spec)
        with _DERIVED_LOCK:
            if len(_DERIVED) > 512:
                _DERIVED.clear()
            _DERIVED[key] = found
    return found


def _card(row: Mapping[str, Any]) -> TemplateCard:
    count = int(row["rating_count"])
    return TemplateCard(
        slug=row["slug"],
        title=row["title"],
        summary=row["summary"],
        category=row["category"],
        tags=tuple(row["tags"] or ()),
        author=row["author"],
        latest_version=row["latest_version"],
        backends=tuple(row["backends"] or ()),
        installs=int(row["installs"]),
        rating=round(row["rating_sum"] / count, 1) if count else None,
        rating_count=count,
        origin=row["origin"],
        publisher=row["publisher"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _release_info(row: Mapping[str, Any]) -> ReleaseInfo:
    return ReleaseInfo(
        version=row["version"],
        changelog=row["changelog"],
        content_hash=row["content_hash"],
        backends=tuple(row["backends"]),
        secrets=tuple(row["secrets"]),
        created_at=row["created_at"],
    )


class Marketplace:
    """The template catalogue in a store's database, for one person (``user``)."""

    def __init__(
        self,
        store: Store,
        *,
        user: str = "you",
        known_secrets: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.user = user.strip() or "you"
        self._known_secrets = dict(known_secrets or {})
        self._db = store.database
        self._index: tuple[tuple[Any, ...], SearchIndex] | None = None
        self._cards: tuple[tuple[Any, ...], dict[str, TemplateCard]] | None = None
        self._index_lock = threading.Lock()

    # -- the catalogue ---------------------------------------------------------------

    def seed_bundled(self) -> int:
        """Store the bundled templates (and newer bundled versions) not stored yet; how many."""
        with self._db.read() as s:
            stored = {
                tuple(row) for row in s.execute(sa.select(VERSIONS.c.slug, VERSIONS.c.version))
            }
        added = 0
        for bundled in bundled_templates():
            if (bundled.meta.slug, bundled.release.version) in stored:
                continue  # known already: no need to compile it on every backend again
            try:
                self.add_release(bundled.meta, bundled.release, origin="bundled")
            except ConflictError:
                continue  # this version is stored already
            added += 1
        return added

    def add_release(
        self,
        meta: TemplateMeta,
        release: Release,
        *,
        origin: str,
        publisher: str | None = None,
        derived: Derived | None = None,
    ) -> ReleaseInfo:
        """Store ``release`` of ``meta.slug``: a new template, or a newer version of it.

        ``ConflictError`` if that version (or a later one) is stored already.
        """
        assert origin in _ORIGINS
        facts = derived or _derive(release.spec)
        now = utcnow()
        with self._db.write() as s:
            row = (
                s.execute(
                    sa.select(TEMPLATES).where(TEMPLATES.c.slug == meta.slug).with_for_update()
                )
                .mappings()
                .first()
            )
            fields = {
                "title": meta.title,
                "summary": meta.summary,
                "category": meta.category,
                "tags": list(meta.tags),
                "author": meta.author,
                "latest_version": release.version,
                "backends": list(facts.backends),
                "updated_at": now,
            }
            if row is None:
                s.execute(
                    TEMPLATES.insert().values(
                        slug=meta.slug,
                        origin=origin,
                        publisher=publisher,
                        installs=0,
                        rating_sum=0,
                        rating_count=0,
                        created_at=now,
                        **fields,
                    )
                )
            else:
                latest = row["latest_version"]
                if version_key(release.version) <= version_key(latest):
                    raise ConflictError(
                        f"Template {meta.slug} already has version {latest}; a new version must "
                        f"be higher than {latest} (for example {_next_minor(latest)}).",
                        code="version_not_newer",
                    )
                s.execute(TEMPLATES.update().where(TEMPLATES.c.slug == meta.slug).values(**fields))
            s.execute(
                VERSIONS.insert().values(
                    slug=meta.slug,
                    version=release.version,
                    changelog=release.changelog,
                    readme=release.readme,
                    spec=release.spec,
                    content_hash=facts.content_hash,
                    backends=list(facts.backends),
                    secrets=list(facts.secrets),
                    created_at=now,
                )
            )
        return ReleaseInfo(
            release.version, release.changelog, facts.content_hash, facts.backends,
            facts.secrets, now,
        )  # fmt: skip

    def _catalogue(self) -> tuple[SearchIndex, dict[str, TemplateCard]]:
        """The search index and the cards, each reloaded only when what it holds changed.

        The index (titles, summaries, tags, latest readmes) changes with releases; the
        cards (installs, ratings) change far more often and are cheap to reload.
        """
        with self._db.read() as s:
            cards_at = tuple(
                s.execute(sa.select(sa.func.count(), sa.func.max(TEMPLATES.c.updated_at))).one()
            )
            texts_at = tuple(
                s.execute(sa.select(sa.func.count(), sa.func.max(VERSIONS.c.created_at))).one()
            )
        with self._index_lock:
            if self._cards is None or self._cards[0] != cards_at:
                with self._db.read() as s:
                    rows = s.execute(sa.select(TEMPLATES)).mappings().all()
                self._cards = (cards_at, {row["slug"]: _card(row) for row in rows})
            if self._index is None or self._index[0] != texts_at:
                with self._db.read() as s:
                    rows = s.execute(
                        sa.select(
                            TEMPLATES.c.slug, TEMPLATES.c.title, TEMPLATES.c.summary,
                            TEMPLATES.c.tags, VERSIONS.c.readme,
                        ).join(
                            VERSIONS,
                            (VERSIONS.c.slug == TEMPLATES.c.slug)
                            & (VERSIONS.c.version == TEMPLATES.c.latest_version),
                        )
                    ).mappings().all()  # fmt: skip
                index = SearchIndex(
                    Document(r["slug"], r["title"], r["summary"], tuple(r["tags"]), r["readme"])
                    for r in rows
                )
                self._index = (texts_at, index)
            return self._index[1], self._cards[1]

    def search(
        self,
        query: str = "",
        *,
        category: str | None = None,
        backend: str | None = None,
        tag: str | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = PER_PAGE,
    ) -> SearchPage:
        """A page of templates matching ``query`` (every word) and the filters.

        ``sort``: ``relevance`` (with a query; else like ``rating``), ``rating``
        (average, then number of ratings), ``installs`` or ``newest``.
        """
        if sort not in SORTS:
            raise TemplateError(f"Unknown sort {sort!r}; choose one of {', '.join(SORTS)}.")
        index, cards = self._catalogue()
        scores = index.scores(query) if query.strip() else None
        found = [
            card
            for slug, card in cards.items()
            if (scores is None or slug in scores)
            and (not category or card.category == category)
            and (not backend or backend in card.backends)
            and (not tag or tag in card.tags)
        ]
        by_rating = lambda c: (-(c.rating or 0.0), -c.rating_count, -c.installs, c.title)  # noqa: E731
        if sort == "relevance" and scores is not None:
            found.sort(key=lambda c: (-scores[c.slug], c.title))
        elif sort == "installs":
            found.sort(key=lambda c: (-c.installs, c.title))
        elif sort == "newest":
            found.sort(key=lambda c: (-c.created_at.timestamp(), c.title))
        else:
            found.sort(key=by_rating)
        per_page = max(1, min(per_page, 100))
        pages = max(1, math.ceil(len(found) / per_page))
        page = min(max(1, page), pages)
        items = tuple(found[(page - 1) * per_page : page * per_page])
        return SearchPage(items, len(found), page, pages, per_page)

    def facets(self) -> dict[str, list[tuple[str, int]]]:
        """Categories, backends and tags in the catalogue, each with how many templates."""
        _, cards = self._catalogue()
        counts: dict[str, dict[str, int]] = {"category": {}, "backend": {}, "tag": {}}
        for card in cards.values():
            counts["category"][card.category] = counts["category"].get(card.category, 0) + 1
            for backend in card.backends:
                counts["backend"][backend] = counts["backend"].get(backend, 0) + 1
            for tag in card.tags:
                counts["tag"][tag] = counts["tag"].get(tag, 0) + 1
        return {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0])) for k, v in counts.items()}

    # -- one template --------------------------------------------------------------

    def card(self, slug: str) -> TemplateCard:
        with self._db.read() as s:
            row = s.execute(sa.select(TEMPLATES).where(TEMPLATES.c.slug == slug)).mappings().first()
        if row is None:
            raise NotFoundError(f"There is no template {slug!r}.", code="template_not_found")
        return _card(row)

    def get(self, slug: str) -> TemplateDetail:
        """Everything a template's page shows."""
        card = self.card(slug)
        with self._db.read() as s:
            versions = s.execute(sa.select(VERSIONS).where(VERSIONS.c.slug == slug)).mappings()
            ordered = sorted(versions, key=lambda r: version_key(r["version"]), reverse=True)
            reviews = s.execute(
                sa.select(REVIEWS)
                .where(REVIEWS.c.slug == slug)
                .order_by(REVIEWS.c.updated_at.desc(), REVIEWS.c.reviewer)
            ).mappings()
            review_list = tuple(
                Review(r["reviewer"], r["stars"], r["text"], r["updated_at"]) for r in reviews
            )
        latest = ordered[0]
        mine = next((r for r in review_list if r.reviewer == self.user), None)
        return TemplateDetail(
            card=card,
            readme=latest["readme"],
            spec=dict(latest["spec"]),
            versions=tuple(_release_info(r) for r in ordered),
            reviews=review_list,
            my_review=mine,
        )

    def release(self, slug: str, version: str | None = None) -> tuple[ReleaseInfo, Release]:
        """One version (default: the latest) with its readme and spec."""
        version = version or self.card(slug).latest_version
        with self._db.read() as s:
            row = (
                s.execute(
                    sa.select(VERSIONS).where(
                        (VERSIONS.c.slug == slug) & (VERSIONS.c.version == version)
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            raise NotFoundError(
                f"Template {slug!r} has no version {version}.", code="template_version_not_found"
            )
        release = Release(
            version=row["version"], changelog=row["changelog"], readme=row["readme"],
            spec=dict(row["spec"]),
        )  # fmt: skip
        return _release_info(row), release

    def meta(self, slug: str) -> TemplateMeta:
        card = self.card(slug)
        return TemplateMeta(
            slug=card.slug, title=card.title, summary=card.summary, category=card.category,
            tags=list(card.tags), author=card.author,
        )  # fmt: skip

    def bundle(self, slug: str) -> dict[str, Any]:
        """The template with every version, oldest first, as a shareable bundle."""
        meta = self.meta(slug)
        with self._db.read() as s:
            rows = s.execute(sa.select(VERSIONS).where(VERSIONS.c.slug == slug)).mappings().all()
        rows = sorted(rows, key=lambda r: version_key(r["version"]))
        releases = [
            (
                Release(version=r["version"], changelog=r["changelog"], readme=r["readme"],
                        spec=dict(r["spec"])),
                r["content_hash"],
            )
            for r in rows
        ]  # fmt: skip
        return make_bundle(meta, releases)

    def install(
        self, slug: str, version: str | None = None, *, name: str | None = None
    ) -> GraphSummary:
        """A new graph from the template (its own id; linked to the template and version)."""
        info, release = self.release(slug, version)
        card = self.card(slug)
        graph = self.store.create_graph(
            name or card.title,
            card.summary,
            release.spec,
            template=(slug, info.version),
        )
        with self._db.write() as s:
            s.execute(
                TEMPLATES.update()
                .where(TEMPLATES.c.slug == slug)
                .values(installs=TEMPLATES.c.installs + 1, updated_at=utcnow())
            )
        return graph

    # -- publishing ----------------------------------------------------------------

    def mine(self) -> list[TemplateCard]:
        """Templates this user published here (the ones they may add versions to)."""
        with self._db.read() as s:
            rows = s.execute(
                sa.select(TEMPLATES)
                .where((TEMPLATES.c.origin == "published") & (TEMPLATES.c.publisher == self.user))
                .order_by(TEMPLATES.c.title)
            ).mappings()
            return [_card(r) for r in rows]

    def _publication(
        self, graph_id: str, meta: Mapping[str, Any], release: Mapping[str, Any]
    ) -> tuple[TemplateMeta, Release]:
        """The template and release to publish from a graph's current spec, checked."""
        try:
            template = TemplateMeta(**{**meta, "author": meta.get("author") or self.user})
            spec = self.store.get_spec(graph_id)
            shared = Release(**{**release, "spec": spec})
        except (ValueError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
            raise TemplateError(f"The template is not complete: {exc}") from exc
        found = find_secrets({"template": template.model_dump(), "release": shared.model_dump()},
                             known=self._known_secrets)  # fmt: skip
        if found:
            raise TemplateError(
                "Refusing to share what looks like a secret: " + "; ".join(found[:5]) + ". "
                "Refer to secrets by name (Settings → Secrets) instead.",
                code="secret_in_template",
            )
        return template, shared

    def preview(
        self, graph_id: str, meta: Mapping[str, Any], release: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Exactly what publishing would share: the bundle of this one release."""
        template, shared = self._publication(graph_id, meta, release)
        facts = _derive(shared.spec)
        return make_bundle(template, [(shared, facts.content_hash)])

    def publish(
        self, graph_id: str, meta: Mapping[str, Any], release: Mapping[str, Any]
    ) -> TemplateDetail:
        """Publish the graph's current spec: a new template, or a new version of one of mine.

        ``meta``: slug, title, summary, category, tags (author defaults to the user);
        ``release``: version, changelog, readme. A slug that exists must be a template
        this user published, and the version must be higher than its latest.
        """
        template, shared = self._publication(graph_id, meta, release)
        try:
            existing = self.card(template.slug)
        except NotFoundError:
            existing = None
        if existing is not None and (
            existing.origin != "published" or existing.publisher != self.user
        ):
            raise TemplateError(
                f"A template {template.slug!r} exists already and was not published by you; "
                "choose another name.",
                code="slug_taken",
                field="slug",
            )
        self.add_release(template, shared, origin="published", publisher=self.user)
        self.store.link_template(graph_id, template.slug, shared.version)
        return self.get(template.slug)

    def free_slug(self, title: str) -> str:
        """A slug for ``title`` not used yet (``-2``, ``-3`` ... appended when needed)."""
        base = slugify(title)
        with self._db.read() as s:
            taken = set(
                s.execute(sa.select(TEMPLATES.c.slug).where(TEMPLATES.c.slug.like(f"{base}%")))
                .scalars()
                .all()
            )
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base[:60]}-{n}"
        return slug

    # -- ratings -------------------------------------------------------------------

    def rate(self, slug: str, stars: int, text: str = "") -> Review:
        """This user's rating (1 to 5) and short review of a template; a second one replaces it."""
        if not isinstance(stars, int) or not 1 <= stars <= 5:
            raise TemplateError("A rating is 1 to 5 stars.", code="bad_rating", field="stars")
        text = text.strip()
        if len(text) > MAX_REVIEW_CHARS:
            raise TemplateError(
                f"A review is at most {MAX_REVIEW_CHARS} characters.", code="bad_review",
                field="text",
            )  # fmt: skip
        self.card(slug)
        now = utcnow()
        with self._db.write() as s:
            old = s.execute(
                sa.select(REVIEWS.c.stars).where(
                    (REVIEWS.c.slug == slug) & (REVIEWS.c.reviewer == self.user)
                )
            ).scalar()
            if old is None:
                s.execute(
                    REVIEWS.insert().values(
                        slug=slug, reviewer=self.user, stars=stars, text=text,
                        created_at=now, updated_at=now,
                    )
                )  # fmt: skip
                change = {"rating_sum": TEMPLATES.c.rating_sum + stars,
                          "rating_count": TEMPLATES.c.rating_count + 1}  # fmt: skip
            else:
                s.execute(
                    REVIEWS.update()
                    .where((REVIEWS.c.slug == slug) & (REVIEWS.c.reviewer == self.user))
                    .values(stars=stars, text=text, updated_at=now)
                )
                change = {"rating_sum": TEMPLATES.c.rating_sum + (stars - old)}
            s.execute(
                TEMPLATES.update().where(TEMPLATES.c.slug == slug).values(**change, updated_at=now)
            )
        return Review(self.user, stars, text, now)

    # -- sharing between instances (``_bundle``, ``_remote``) ----------------------

    def export_bundle(self, slug: str) -> bytes:
        """The template with every version as a bundle file (pretty UTF-8 JSON)."""
        return _bundle.export_bundle(self, slug)

    def import_bundle(self, data: bytes, origin: str = "imported") -> str:
        """Store a bundle file's template (or its newer versions), fully checked; its slug."""
        return _bundle.import_bundle(self, data, origin=origin)

    def sources(self) -> list[_remote.TemplateSource]:
        """The other instances whose catalogues this one browses."""
        return _remote.list_sources(self)

    def add_source(self, url: str, name: str | None = None) -> _remote.TemplateSource:
        return _remote.add_source(self, url, name)

    def remove_source(self, url: str) -> None:
        _remote.remove_source(self, url)

    def install_remote(self, url: str, slug: str, version: str | None = None) -> GraphSummary:
        """A new graph here from a template of another instance's catalogue."""
        return _remote.install_remote(self, url, slug, version)


def _next_minor(version: str) -> str:
    from marketplace._model import parse_version

    major, minor, _, _ = parse_version(version)
    return f"{major}.{minor + 1}.0"

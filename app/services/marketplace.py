"""The marketplace as its pages show it: browse, a template's page, install, rate, publish.

    page = browse("support", category="Customer support", sort="rating")   # BrowsePage
    view = template("support-triage")               # readme, canvas, versions, reviews
    graph_id = install("support-triage", "1.0.0")   # a new graph (its own id) to open
    rate("support-triage", 5, "Saved me a day")     # mine, replacing my earlier one
    start = publish_defaults(graph_id)              # the publish dialog's first values
    check_form(graph_id, start.form)                # {field: message}; {} when it can go
    text = preview(graph_id, start.form)            # exactly the JSON publishing shares
    done = publish(graph_id, start.form)            # PublishedView: slug, title, version

One ``Marketplace`` per process (and store), made on first use for ``get_settings()``'s
``user_name``; that first use stores the bundled catalogue, which compiles every
template on every backend (seconds): every call here blocks, so states call them in a
thread. Each failure is an ``OrchestrallError`` whose message can be shown as is;
``error_field`` says which field of the publish form it belongs to.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import threading
from typing import Any

from pydantic import ValidationError

from agent_runtime.errors import NotFoundError, OrchestrallError, TemplateError
from agent_runtime.secrets import SecretStore, load_secret_key
from agent_runtime.settings import get_settings
from agent_runtime.spec import validate
from app.services.builder import to_canvas
from app.services.graphs import get_store
from app.services.settings import run_secrets
from marketplace import (
    CATEGORIES,
    SORTS,
    Marketplace,
    Release,
    TemplateCard,
    TemplateDetail,
    TemplateMeta,
    find_secrets,
    parse_version,
    slugify,
    version_key,
)

__all__ = [
    "BACKEND_LABELS",
    "CATEGORIES",
    "SORTS",
    "SORT_LABELS",
    "BrowsePage",
    "FacetOption",
    "MineOption",
    "PublishDefaults",
    "PublishForm",
    "PublishedView",
    "ReviewView",
    "StarBar",
    "TemplateCardView",
    "TemplateView",
    "VersionView",
    "browse",
    "browse_summary",
    "card_view",
    "check_form",
    "close_marketplace",
    "error_field",
    "exporting_market",
    "form_for_version",
    "install",
    "next_minor",
    "preview",
    "publish",
    "publish_defaults",
    "rate",
    "shared_market",
    "template",
    "template_view",
]

BACKEND_LABELS = {"langgraph": "LangGraph", "crewai": "CrewAI", "autogen": "AutoGen"}
ORIGIN_LABELS = {
    "bundled": "Bundled",
    "published": "Published here",
    "imported": "Imported",
    "remote": "From another instance",
}
SORT_LABELS = {
    "relevance": "Relevance",
    "rating": "Rating",
    "installs": "Installs",
    "newest": "Newest",
}
DEFAULT_CATEGORY = "Productivity"
_KEY_LIKE_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.I)
_FIELD_OF_CODE = {"version_not_newer": "version", "bad_version": "version", "slug_taken": "title"}
_FORM_FIELDS = ("title", "summary", "category", "tags", "version", "changelog", "readme")

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_market: Marketplace | None = None
_seed_problem = ""


def _get() -> Marketplace:
    """This process's marketplace on the app's store, the bundled catalogue stored."""
    global _market, _seed_problem
    store = get_store()
    with _lock:
        if _market is None or _market.store is not store:
            market = Marketplace(store, user=get_settings().user_name)
            try:
                market.seed_bundled()
                _seed_problem = ""
            except OrchestrallError as exc:  # a broken bundled template must not hide the rest
                logger.warning("Bundled templates not (all) stored: %s", exc)
                _seed_problem = f"Some bundled templates could not be loaded: {exc.message}"
            _market = market
        return _market


def shared_market() -> Marketplace:
    """This process's marketplace on the app's store, the bundled catalogue stored."""
    return _get()


def close_marketplace() -> None:
    """Forget this process's marketplace; the next call makes it anew (tests)."""
    global _market
    with _lock:
        _market = None


def _known_secrets() -> dict[str, str]:
    """Secret values publishing must never share: the stored ones, and key-like env vars."""
    settings = get_settings()
    names = set(SecretStore(get_store(), load_secret_key(settings)).names())
    secrets = run_secrets()
    names |= {name for name in secrets if _KEY_LIKE_NAME.search(name)}
    known = {}
    for name in sorted(names):
        try:
            known[name] = secrets[name]
        except (KeyError, OrchestrallError):
            continue  # gone meanwhile, or saved under another secret key
    return known


# -- views -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TemplateCardView:
    """One template of the browse page's grid."""

    slug: str
    title: str
    summary: str
    category: str
    tags: list[str]
    author: str
    version: str
    backends: list[str]  # labels: LangGraph, CrewAI, AutoGen
    installs: int
    installs_text: str  # "1 install", "12 installs"
    rating_text: str  # "4.5", or "" when not rated yet
    ratings_text: str  # "(2)", or "Not rated yet"
    origin: str  # Bundled | Published here | Imported


@dataclasses.dataclass(frozen=True)
class FacetOption:
    """One choice of a filter: its value, and its label with how many templates have it."""

    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class BrowsePage:
    cards: list[TemplateCardView]
    total: int
    page: int
    pages: int
    summary: str  # "15 templates", "2 templates match “support”"
    categories: list[FacetOption]
    backends: list[FacetOption]
    tags: list[FacetOption]
    notice: str  # why some bundled templates are missing ("" normally)


@dataclasses.dataclass(frozen=True)
class VersionView:
    version: str
    changelog: str
    date: str  # "2025-01-31"
    backends: list[str]
    secrets: list[str]
    latest: bool


@dataclasses.dataclass(frozen=True)
class ReviewView:
    reviewer: str
    stars: int
    stars_text: str  # "★★★★☆"
    text: str
    date: str
    mine: bool


@dataclasses.dataclass(frozen=True)
class StarBar:
    """One row of the ratings summary: how many gave ``stars``, as a percentage of all."""

    stars: int
    count: int
    percent: int


@dataclasses.dataclass(frozen=True)
class TemplateView:
    """Everything a template's page shows (the latest version's readme, graph and secrets)."""

    card: TemplateCardView
    readme: str
    canvas: dict[str, list[dict[str, Any]]]
    node_count: int
    versions: list[VersionView]  # newest first
    secrets: list[str]
    rating_summary: str  # "4.5 out of 5 from 2 ratings" / "No ratings yet"
    star_bars: list[StarBar]  # 5 stars first
    reviews: list[ReviewView]  # most recent first
    my_stars: int  # 0: not rated by me yet
    my_text: str
    updated: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _stars(n: int) -> str:
    return "★" * n + "☆" * (5 - n)


def card_view(card: TemplateCard) -> TemplateCardView:
    """A card as the grid shows it (local or remote)."""
    return TemplateCardView(
        slug=card.slug,
        title=card.title,
        summary=card.summary,
        category=card.category,
        tags=list(card.tags),
        author=card.author,
        version=card.latest_version,
        backends=[BACKEND_LABELS.get(b, b) for b in card.backends],
        installs=card.installs,
        installs_text=_plural(card.installs, "install"),
        rating_text=f"{card.rating:.1f}" if card.rating is not None else "",
        ratings_text=f"({card.rating_count})" if card.rating_count else "Not rated yet",
        origin=ORIGIN_LABELS.get(card.origin, card.origin.capitalize()),
    )


# -- browse ----------------------------------------------------------------------------------


def _options(
    counts: list[tuple[str, int]], labels: dict[str, str] | None = None
) -> list[FacetOption]:
    return [FacetOption(v, f"{(labels or {}).get(v, v)} ({n})") for v, n in counts]


def browse_summary(total: int, query: str, *, filtered: bool) -> str:
    """The result count: ``15 templates``, ``2 templates match “support”``, ``1 template
    matches the filters``."""
    match = "matches" if total == 1 else "match"
    if query.strip():
        return f"{_plural(total, 'template')} {match} “{query.strip()}”"
    if filtered:
        return f"{_plural(total, 'template')} {match} the filters"
    return _plural(total, "template")


def browse(
    query: str = "",
    *,
    category: str = "",
    backend: str = "",
    tag: str = "",
    sort: str = "relevance",
    page: int = 1,
) -> BrowsePage:
    """A page (24 cards) of the templates matching ``query`` and the filters ("" for any)."""
    market = _get()
    found = market.search(
        query,
        category=category or None,
        backend=backend or None,
        tag=tag or None,
        sort=sort,
        page=page,
    )
    facets = market.facets()
    summary = browse_summary(found.total, query, filtered=bool(category or backend or tag))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    categories = sorted(facets["category"], key=lambda kv: order.get(kv[0], len(order)))
    return BrowsePage(
        cards=[card_view(c) for c in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
        summary=summary,
        categories=_options(categories),
        backends=_options(facets["backend"], BACKEND_LABELS),
        tags=_options(facets["tag"]),
        notice=_seed_problem,
    )


# -- one template -----------------------------------------------------------------------------


def template(slug: str) -> TemplateView:
    """A template's page; ``NotFoundError`` (``template_not_found``) for an unknown slug."""
    return template_view(_get().get(slug))


def template_view(detail: TemplateDetail) -> TemplateView:
    """A template's page from its detail (here, or another instance's: no reviews then)."""
    canvas = to_canvas(detail.spec, [])
    counts = {n: 0 for n in range(1, 6)}
    for review in detail.reviews:
        counts[review.stars] = counts.get(review.stars, 0) + 1
    total = len(detail.reviews)
    card = detail.card
    summary = (
        f"{card.rating:.1f} out of 5 from {_plural(card.rating_count, 'rating')}"
        if card.rating is not None
        else "No ratings yet"
    )
    mine = detail.my_review
    return TemplateView(
        card=card_view(card),
        readme=detail.readme,
        canvas=canvas,
        node_count=len(canvas["nodes"]),
        versions=[
            VersionView(
                version=v.version,
                changelog=v.changelog,
                date=v.created_at.strftime("%Y-%m-%d"),
                backends=[BACKEND_LABELS.get(b, b) for b in v.backends],
                secrets=list(v.secrets),
                latest=i == 0,
            )
            for i, v in enumerate(detail.versions)
        ],
        secrets=list(detail.latest.secrets),
        rating_summary=summary,
        star_bars=[
            StarBar(n, counts[n], round(100 * counts[n] / total) if total else 0)
            for n in range(5, 0, -1)
        ],
        reviews=[
            ReviewView(
                reviewer=r.reviewer,
                stars=r.stars,
                stars_text=_stars(r.stars),
                text=r.text,
                date=r.updated_at.strftime("%Y-%m-%d"),
                mine=mine is not None and r.reviewer == mine.reviewer,
            )
            for r in detail.reviews
        ],
        my_stars=mine.stars if mine else 0,
        my_text=mine.text if mine else "",
        updated=card.updated_at.strftime("%Y-%m-%d"),
    )


def install(slug: str, version: str = "") -> str:
    """Install ``version`` (default: the latest) as a new graph; the new graph's id."""
    return _get().install(slug, version or None).id


def rate(slug: str, stars: int, text: str = "") -> None:
    """My rating (1-5 stars) and short review; a second one replaces the first."""
    _get().rate(slug, int(stars), text)


# -- publish ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PublishForm:
    """The publish dialog's fields. ``mode``: ``new`` template or new ``version`` of ``slug``."""

    mode: str = "new"
    slug: str = ""  # the template of mine a new version goes to (mode "version")
    title: str = ""
    summary: str = ""
    category: str = DEFAULT_CATEGORY
    tags: str = ""  # comma-separated
    version: str = "1.0.0"
    changelog: str = ""
    readme: str = ""


@dataclasses.dataclass(frozen=True)
class MineOption:
    """A template I published, which a new version can go to."""

    slug: str
    label: str  # "Title (1.2.0)"


@dataclasses.dataclass(frozen=True)
class PublishDefaults:
    form: PublishForm
    mine: list[MineOption]
    source: str  # "Installed from Research crew 1.0.0", or ""


@dataclasses.dataclass(frozen=True)
class PublishedView:
    slug: str
    title: str
    version: str


def next_minor(version: str) -> str:
    """The next minor version: 1.0.0 -> 1.1.0, 2.3.1 -> 2.4.0 (1.0.0 for a bad version)."""
    try:
        major, minor, _, _ = parse_version(version)
    except TemplateError:
        return "1.0.0"
    return f"{major}.{minor + 1}.0"


def _readme(name: str, description: str, spec: dict[str, Any]) -> str:
    """A starting readme for a graph published for the first time."""
    nodes = [n for n in spec.get("nodes") or [] if isinstance(n, dict)]
    steps = "\n".join(
        f"- **{n.get('name') or n.get('label') or n.get('id')}** ({n.get('kind', 'node')})"
        for n in nodes
    )
    about = description.strip() or f"{name}: an agent graph made with Orchestrall."
    return f"# {name}\n\n{about}\n\n## What it does\n\n{steps}\n\n## How to use it\n\n" + (
        "Install it, open it in the builder, and run it from the Run tab.\n"
    )


def form_for_version(slug: str) -> PublishForm:
    """The form for a new version of my template ``slug``: its metadata, the next minor."""
    market = _get()
    meta = market.meta(slug)
    info, release = market.release(slug)
    return PublishForm(
        mode="version",
        slug=slug,
        title=meta.title,
        summary=meta.summary,
        category=meta.category,
        tags=", ".join(meta.tags),
        version=next_minor(info.version),
        changelog="",
        readme=release.readme,
    )


def publish_defaults(graph_id: str) -> PublishDefaults:
    """The dialog's first values for a graph: a new version of my template it came from,
    else a new template (1.0.0, or the next minor of the template it was installed from)."""
    market = _get()
    store = get_store()
    graph = store.get_graph(graph_id)
    mine = [MineOption(c.slug, f"{c.title} ({c.latest_version})") for c in market.mine()]
    source, card = "", None
    if graph.template_slug:
        try:
            card = market.card(graph.template_slug)
            source = f"Installed from {card.title} {graph.template_version}"
        except NotFoundError:
            card = None
    if card is not None and any(m.slug == card.slug for m in mine):
        return PublishDefaults(form_for_version(card.slug), mine, source)
    readme = ""
    if card is not None:
        try:
            readme = market.release(card.slug, graph.template_version)[1].readme
        except NotFoundError:
            readme = ""
    spec = store.get_spec(graph_id)
    summary = graph.description.strip() or (card.summary if card else "")
    if len(summary) < 10:
        summary = f"{graph.name}: an agent graph made with Orchestrall."
    form = PublishForm(
        mode="new",
        title=graph.name,
        summary=summary[:280],
        category=card.category if card else DEFAULT_CATEGORY,
        tags=", ".join(card.tags) if card else "",
        version=next_minor(graph.template_version) if graph.template_version else "1.0.0",
        readme=readme or _readme(graph.name, graph.description, spec),
    )
    return PublishDefaults(form, mine, source)


def _tags(text: str) -> list[str]:
    return [t.strip().lower() for t in text.split(",") if t.strip()]


def _meta(form: PublishForm, slug: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": form.title,
        "summary": form.summary,
        "category": form.category,
        "tags": _tags(form.tags),
    }


def _release(form: PublishForm) -> dict[str, Any]:
    return {"version": form.version.strip(), "changelog": form.changelog, "readme": form.readme}


def _slug(form: PublishForm) -> str:
    return form.slug if form.mode == "version" else _get().free_slug(form.title)


def _pydantic_problems(exc: ValidationError, problems: dict[str, str]) -> None:
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "title"
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.setdefault(field, message[:1].upper() + message[1:] + ".")


def check_form(graph_id: str, form: PublishForm) -> dict[str, str]:
    """What is wrong with the form, by field (``graph`` for the graph itself); {} if nothing.

    Quick checks (no compile): fields, version order, secrets, the graph's problems.
    """
    problems: dict[str, str] = {}
    market = _get()
    user = get_settings().user_name
    slug = form.slug if form.mode == "version" else slugify(form.title)
    try:
        TemplateMeta(**_meta(form, slug), author=user)
    except ValidationError as exc:
        _pydantic_problems(exc, problems)
    try:
        parse_version(form.version)
    except TemplateError as exc:
        problems["version"] = exc.message
    try:
        Release(**{**_release(form), "version": "1.0.0"}, spec={})
    except ValidationError as exc:
        _pydantic_problems(exc, problems)
    if form.mode == "version":
        if form.slug not in {c.slug for c in market.mine()}:
            problems["slug"] = "Choose one of your templates for the new version."
        elif "version" not in problems:
            latest = market.card(form.slug).latest_version
            if version_key(form.version) <= version_key(latest):
                problems["version"] = (
                    f"{form.title or form.slug} already has version {latest}: a new version "
                    f"must be higher (for example {next_minor(latest)})."
                )
    known = _known_secrets()
    shared = {"template": _meta(form, slug), "release": _release(form)}
    for line in find_secrets(shared, known=known):
        field = line.split(" ", 1)[0].split(".")[2].split("[")[0]
        problems.setdefault(field, f"This looks like a secret: {line}. Remove it.")
    spec = get_store().get_spec(graph_id)
    spec_problems = validate(spec)
    if spec_problems:
        problems["graph"] = (
            f"The graph has {_plural(len(spec_problems), 'problem')}: fix "
            f"{'it' if len(spec_problems) == 1 else 'them'} in the builder (see the problems "
            "list) before publishing."
        )
    elif found := find_secrets(spec, known=known):
        problems["graph"] = (
            "The graph holds what looks like a secret: " + "; ".join(found[:3]) + ". "
            "Refer to secrets by name (Settings → Secrets) instead."
        )
    return problems


def _publisher() -> Marketplace:
    """A marketplace that knows this instance's secret values now (to refuse sharing them)."""
    return Marketplace(get_store(), user=get_settings().user_name, known_secrets=_known_secrets())


def exporting_market() -> Marketplace:
    """A marketplace that refuses to write this instance's secret values into a bundle."""
    return _publisher()


def preview(graph_id: str, form: PublishForm) -> str:
    """Exactly what publishing shares: the one-release bundle, as indented JSON."""
    bundle = _publisher().preview(graph_id, _meta(form, _slug(form)), _release(form))
    return json.dumps(bundle, indent=2, ensure_ascii=False)


def publish(graph_id: str, form: PublishForm) -> PublishedView:
    """Publish the graph's saved spec as a new template or a new version of mine."""
    detail = _publisher().publish(graph_id, _meta(form, _slug(form)), _release(form))
    return PublishedView(detail.card.slug, detail.card.title, detail.latest.version)


def error_field(exc: OrchestrallError, mode: str = "new") -> str:
    """The publish form's field an error belongs to ("" when it is about the whole)."""
    field = getattr(exc, "field", None) or _FIELD_OF_CODE.get(exc.code, "")
    if field == "slug" and mode == "new":
        return "title"  # a new template's slug comes from its title
    return field if field in (*_FORM_FIELDS, "slug") else ""

"""The marketplace pages' service on a real store in a fresh data dir: the bundled
catalogue on first use, browsing, a template's page, install, ratings and publishing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.errors import ConflictError, NotFoundError, OrchestrallError, TemplateError
from app.services import marketplace as service
from app.services.graphs import get_store
from app.services.settings import set_secret
from marketplace import Marketplace, Release, TemplateMeta, bundled_templates
from tests.agent_runtime.conformance._graphs import agent, linear
from tests.app.conftest import save_graph

ROOT = Path(__file__).resolve().parents[2]
TAG = "svc-test"  # on every template these tests add, to tell them from bundled ones


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text())


def bundled_count() -> int:
    """How many bundled templates load now (the catalogue may be in progress: 0 if broken)."""
    try:
        return len(bundled_templates())
    except OrchestrallError:
        return 0


def add(
    slug: str,
    title: str,
    *,
    spec: str = "research_crew",
    version: str = "1.0.0",
    category: str = "Research",
    tags: tuple[str, ...] = (TAG,),
    readme: str = "# Readme\n\nWhat it does.",
    user: str = "bundler",
) -> None:
    """A template stored like a bundled one (not mine)."""
    meta = TemplateMeta(
        slug=slug, title=title, summary=f"{title}: a template for the service tests.",
        category=category, tags=list(tags), author="Bundler",
    )  # fmt: skip
    release = Release(
        version=version, changelog=f"Changes of {version}.", readme=readme, spec=example(spec)
    )
    Marketplace(get_store(), user=user).add_release(meta, release, origin="bundled")


@pytest.fixture
def market(data_dir: Path) -> Iterator[None]:
    """The service's marketplace made anew on this test's store."""
    service.close_marketplace()
    yield
    service.close_marketplace()


def test_first_use_stores_the_bundled_catalogue_once(market: None) -> None:
    first = service.browse()
    assert first.total == bundled_count()
    if bundled_count():
        assert first.notice == ""
    else:  # the catalogue is being written: what is wrong is said, the page still works
        assert first.notice.startswith("Some bundled templates could not be loaded") or (
            first.total == 0
        )
    assert first.summary == f"{first.total} template" + ("" if first.total == 1 else "s")
    service.close_marketplace()
    assert service.browse().total == first.total  # seeding again adds nothing


def test_cards_say_what_a_person_compares(market: None) -> None:
    add("field-notes", "Field notes researcher", tags=(TAG, "notes"))
    (card,) = service.browse("field notes").cards
    assert (card.slug, card.title, card.category, card.version) == (
        "field-notes", "Field notes researcher", "Research", "1.0.0",
    )  # fmt: skip
    assert card.backends == ["LangGraph", "CrewAI", "AutoGen"]
    assert card.tags == [TAG, "notes"]
    assert (card.installs_text, card.rating_text, card.ratings_text) == (
        "0 installs", "", "Not rated yet",
    )  # fmt: skip
    assert card.origin == "Bundled"
    service.rate("field-notes", 4)
    service.install("field-notes")
    (card,) = service.browse("field notes").cards
    assert (card.installs_text, card.rating_text, card.ratings_text) == ("1 install", "4.0", "(1)")


def test_search_filters_sorts_and_pages(market: None) -> None:
    add("alpha-support", "Alpha support desk", spec="support_triage", category="Customer support")
    add("beta-research", "Beta research crew")
    add("gamma-approval", "Gamma approval flow", spec="content_approval", category="Content")
    service.install("gamma-approval")

    page = service.browse(tag=TAG)
    assert page.total == 3 and page.summary == "3 templates match the filters"
    assert service.browse("gamma approval").summary == "1 template matches “gamma approval”"
    only = service.browse(tag=TAG, category="Content")
    assert [c.slug for c in only.cards] == ["gamma-approval"]
    assert service.browse(tag=TAG, backend="crewai").total == 3
    assert service.browse(tag=TAG, backend="nonesuch").total == 0
    assert service.browse(tag=TAG, sort="installs").cards[0].slug == "gamma-approval"
    assert service.browse(tag=TAG, sort="newest").cards[0].slug == "gamma-approval"

    labels = {o.value: o.label for o in page.backends}
    assert labels["langgraph"].startswith("LangGraph (")
    assert f"{TAG} (3)" in [o.label for o in page.tags]
    assert "Customer support" in [o.value for o in page.categories]
    with pytest.raises(TemplateError):
        service.browse(sort="loudest")


def test_twenty_four_cards_a_page(market: None) -> None:
    for n in range(26):
        add(f"many-{n:02d}", f"Many number {n:02d}")
    first = service.browse(tag=TAG, sort="newest")
    second = service.browse(tag=TAG, sort="newest", page=2)
    assert (first.total, first.pages, len(first.cards), len(second.cards)) == (26, 2, 24, 2)
    assert second.page == 2
    assert service.browse(tag=TAG, page=9).page == 2  # clamped to the last page


def test_a_templates_page_shows_its_graph_versions_secrets_and_reviews(market: None) -> None:
    add("crew", "Research crew copy", readme="# Crew\n\nThree agents **write** a report.")
    add("crew", "Research crew copy", version="1.1.0", readme="# Crew 1.1\n\nBetter.")
    view = service.template("crew")
    assert view.readme == "# Crew 1.1\n\nBetter."
    assert view.node_count == len(example("research_crew")["nodes"]) == 5
    assert {n["id"] for n in view.canvas["nodes"]} >= {"researcher", "writer", "editor"}
    assert len(view.canvas["edges"]) == 4
    assert [(v.version, v.changelog, v.latest) for v in view.versions] == [
        ("1.1.0", "Changes of 1.1.0.", True),
        ("1.0.0", "Changes of 1.0.0.", False),
    ]
    assert view.secrets == ["OPENAI_API_KEY"]
    assert view.card.backends == ["LangGraph", "CrewAI", "AutoGen"]
    assert (view.rating_summary, view.reviews, view.my_stars) == ("No ratings yet", [], 0)
    assert [b.stars for b in view.star_bars] == [5, 4, 3, 2, 1]

    with pytest.raises(NotFoundError) as missing:
        service.template("no-such-template")
    assert missing.value.code == "template_not_found"


def test_install_makes_a_new_graph_linked_to_the_version(market: None) -> None:
    add("crew", "Research crew copy")
    add("crew", "Research crew copy", version="1.1.0")
    latest = service.install("crew")
    older = service.install("crew", "1.0.0")
    store = get_store()
    assert latest != older
    assert (store.get_graph(latest).template_slug, store.get_graph(latest).template_version) == (
        "crew", "1.1.0",
    )  # fmt: skip
    assert store.get_graph(older).template_version == "1.0.0"
    assert store.get_graph(latest).name == "Research crew copy"
    assert service.template("crew").card.installs_text == "2 installs"
    with pytest.raises(NotFoundError):
        service.install("crew", "9.9.9")


def test_one_review_per_person_editable(market: None) -> None:
    add("crew", "Research crew copy")
    service.rate("crew", 4, "Good start")
    view = service.template("crew")
    assert (view.my_stars, view.my_text) == (4, "Good start")
    service.rate("crew", 5, "  Even better now  ")
    Marketplace(get_store(), user="bob").rate("crew", 4, "Fine")
    view = service.template("crew")
    assert (view.my_stars, view.my_text) == (5, "Even better now")
    assert view.rating_summary == "4.5 out of 5 from 2 ratings"
    assert [(r.reviewer, r.stars_text, r.mine) for r in view.reviews] == [
        ("bob", "★★★★☆", False),
        ("you", "★★★★★", True),
    ]
    assert [(b.stars, b.count, b.percent) for b in view.star_bars][:2] == [(5, 1, 50), (4, 1, 50)]
    with pytest.raises(TemplateError) as bad:
        service.rate("crew", 0)
    assert bad.value.field == "stars"


def test_publish_defaults_for_a_new_graph(market: None) -> None:
    graph_id = save_graph(linear("Greeting desk", agent("greeter", "Greeter")))
    start = service.publish_defaults(graph_id)
    form = start.form
    assert (form.mode, form.version, form.title, form.category) == (
        "new", "1.0.0", "Greeting desk", "Productivity",
    )  # fmt: skip
    assert len(form.summary) >= 10
    assert form.readme.startswith("# Greeting desk\n") and "**Greeter** (agent)" in form.readme
    assert (start.mine, start.source) == ([], "")
    assert service.check_form(graph_id, form) == {}


def test_publish_defaults_for_an_installed_graph_then_for_mine(market: None) -> None:
    add("crew", "Research crew copy", tags=(TAG, "writing"), readme="# Crew\n\nThe readme.")
    graph_id = service.install("crew")
    start = service.publish_defaults(graph_id)
    assert start.source == "Installed from Research crew copy 1.0.0"
    form = start.form
    assert (form.mode, form.version, form.category, form.tags) == (
        "new", "1.1.0", "Research", f"{TAG}, writing",
    )  # fmt: skip
    assert form.readme == "# Crew\n\nThe readme."

    done = service.publish(graph_id, form)
    assert (done.slug, done.title, done.version) == ("research-crew-copy", form.title, "1.1.0")
    again = service.install(done.slug)
    start = service.publish_defaults(again)
    assert start.mine == [service.MineOption(done.slug, f"{form.title} (1.1.0)")]
    assert (start.form.mode, start.form.slug, start.form.version) == ("version", done.slug, "1.2.0")
    assert start.form.readme == form.readme


def test_problems_are_reported_at_their_fields(market: None) -> None:
    graph_id = save_graph(linear("Greeting desk", agent("greeter", "Greeter")))
    form = service.publish_defaults(graph_id).form
    bad = service.PublishForm(
        title="Hi", summary="Short", category="Gardening", tags="Not A Tag, ok",
        version="one", changelog="", readme="  ",
    )  # fmt: skip
    problems = service.check_form(graph_id, bad)
    assert set(problems) == {"title", "summary", "category", "tags", "version", "readme"}
    assert "at least 3 characters" in problems["title"]
    assert "semantic version" in problems["version"]

    leaky = service.PublishForm(**{**vars(form), "readme": "Key: sk-abcdefghijklmnopqrstuvwxyz123"})
    assert "OpenAI key" in service.check_form(graph_id, leaky)["readme"]
    set_secret("SHOP_API_TOKEN", "shop-token-4711")
    leaky = service.PublishForm(**{**vars(form), "changelog": "Tested with shop-token-4711."})
    assert "SHOP_API_TOKEN" in service.check_form(graph_id, leaky)["changelog"]

    draft = save_graph(linear("Draft", agent("a", "")))
    assert "fix it in the builder" in service.check_form(draft, form)["graph"]


def test_a_new_version_must_be_newer_and_of_mine(market: None) -> None:
    graph_id = save_graph(linear("Greeting desk", agent("greeter", "Greeter")))
    done = service.publish(graph_id, service.publish_defaults(graph_id).form)
    form = service.form_for_version(done.slug)
    assert (form.mode, form.version) == ("version", "1.1.0")
    older = service.PublishForm(**{**vars(form), "version": "1.0.0"})
    assert "must be higher (for example 1.1.0)" in service.check_form(graph_id, older)["version"]
    with pytest.raises(ConflictError) as conflict:
        service.publish(graph_id, older)
    assert service.error_field(conflict.value, "version") == "version"

    add("theirs", "Someone else's template")
    theirs = service.PublishForm(**{**vars(form), "slug": "theirs"})
    assert "slug" in service.check_form(graph_id, theirs)
    assert service.publish_defaults(graph_id).mine[0].slug == done.slug


def test_the_preview_is_exactly_what_is_shared(market: None) -> None:
    graph_id = save_graph(linear("Greeting desk", agent("greeter", "Greeter")))
    form = service.PublishForm(
        **{**vars(service.publish_defaults(graph_id).form), "tags": "Greeting, demo"}
    )
    shown = json.loads(service.preview(graph_id, form))
    assert shown["template"]["slug"] == "greeting-desk"
    assert shown["template"]["tags"] == ["greeting", "demo"]
    assert shown["template"]["author"] == "you"
    assert shown["releases"][0]["spec"] == get_store().get_spec(graph_id)
    done = service.publish(graph_id, form)
    shared = Marketplace(get_store()).bundle(done.slug)
    assert shared == shown
    assert service.browse("greeting desk").cards[0].origin == "Published here"


def test_next_minor_and_error_fields() -> None:
    assert [service.next_minor(v) for v in ("1.0.0", "2.3.1", "0.9.0-beta.1", "bad")] == [
        "1.1.0", "2.4.0", "0.10.0", "1.0.0",
    ]  # fmt: skip
    taken = TemplateError("taken", code="slug_taken", field="slug")
    assert (service.error_field(taken, "new"), service.error_field(taken, "version")) == (
        "title", "slug",
    )  # fmt: skip
    assert service.error_field(TemplateError("secret", code="secret_in_template")) == ""

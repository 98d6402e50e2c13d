"""The marketplace on a real store (SQLite and PostgreSQL): catalogue, search ranking,
filters and sorts, versioning rules, install, publish and ratings."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.errors import ConflictError, NotFoundError, SpecValidationError, TemplateError
from agent_runtime.spec import spec_hash
from agent_runtime.store import Store
from marketplace import Marketplace, Release, TemplateMeta, find_secrets, version_key

ROOT = Path(__file__).resolve().parents[2]


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text())


def meta(slug: str, title: str, **fields: Any) -> TemplateMeta:
    base = {
        "summary": f"{title}: a template for the tests.",
        "category": "Productivity",
        "tags": [],
        "author": "Tester",
    }
    return TemplateMeta(slug=slug, title=title, **{**base, **fields})


def release(version: str, spec: dict[str, Any], readme: str = "# Readme\n\nText.") -> Release:
    return Release(version=version, changelog=f"Changes of {version}.", readme=readme, spec=spec)


@pytest.fixture
def market(store: Store) -> Marketplace:
    return Marketplace(store, user="ada")


@pytest.fixture
def filled(market: Marketplace) -> Marketplace:
    """Four templates whose words and numbers make ranking, filters and sorts checkable."""
    triage, research, approval = (
        example("support_triage"),
        example("research_crew"),
        example("content_approval"),
    )
    market.add_release(
        meta("support-triage", "Support triage", category="Customer support",
             tags=["support", "router"], summary="Routes support tickets to specialists."),
        release("1.0.0", triage, "# Support triage\n\nLooks up orders and answers customers."),
        origin="bundled",
    )  # fmt: skip
    market.add_release(
        meta("research-crew", "Research crew", category="Research", tags=["research", "writing"],
             summary="A researcher, a writer and an editor write a report."),
        release("1.0.0", research, "# Research\n\nWrites reports. Mentions support once."),
        origin="bundled",
    )  # fmt: skip
    market.add_release(
        meta("content-approval", "Content approval", category="Content", tags=["writing"],
             summary="A writer drafts, a person approves before publishing."),
        release("1.0.0", approval, "# Approval\n\nHuman approval of drafts."),
        origin="bundled",
    )  # fmt: skip
    market.add_release(
        meta("notes", "Meeting notes summariser", tags=["meetings"],
             summary="Summaries of meetings with action items."),
        release("1.0.0", approval, "# Notes\n\nSummarises meeting notes."),
        origin="bundled",
    )  # fmt: skip
    return market


def test_search_ranks_title_and_tag_matches_above_readme_mentions(filled: Marketplace) -> None:
    page = filled.search("support")
    assert [c.slug for c in page.items] == ["support-triage", "research-crew"]
    assert page.total == 2 and page.pages == 1
    assert [c.slug for c in filled.search("meeting summaries").items] == ["notes"]
    assert [c.slug for c in filled.search("summar").items] == ["notes"]  # as you type
    assert [c.slug for c in filled.search("writ report").items] == ["research-crew"]
    assert filled.search("support zebra").items == ()  # every word must match
    assert filled.search("").total == 4


def test_filters_by_category_backend_and_tag(filled: Marketplace) -> None:
    assert [c.slug for c in filled.search(category="Research").items] == ["research-crew"]
    assert {c.slug for c in filled.search(tag="writing").items} == {
        "research-crew",
        "content-approval",
    }
    assert filled.search(backend="crewai").total == 4  # every example runs on every backend
    assert filled.search(backend="nonesuch").total == 0
    assert filled.search("writing", category="Content").items[0].slug == "content-approval"
    facets = filled.facets()
    assert ("writing", 2) in facets["tag"]
    assert dict(facets["category"])["Customer support"] == 1
    assert {b for b, _ in facets["backend"]} == {"langgraph", "crewai", "autogen"}


def test_sorts_by_rating_installs_and_newest(filled: Marketplace, store: Store) -> None:
    filled.rate("notes", 5)
    Marketplace(store, user="bob").rate("notes", 3)  # 4.0 from two
    filled.rate("research-crew", 4)  # 4.0 from one
    filled.install("content-approval")
    filled.install("content-approval")
    filled.install("support-triage")

    by_rating = [c.slug for c in filled.search(sort="rating").items]
    assert by_rating[:2] == ["notes", "research-crew"]  # same average: more ratings first
    assert [c.slug for c in filled.search(sort="installs").items][:2] == [
        "content-approval",
        "support-triage",
    ]
    assert filled.search(sort="newest").items[0].slug == "notes"
    with pytest.raises(TemplateError):
        filled.search(sort="loudest")


def test_paging_is_stable_and_clamped(filled: Marketplace) -> None:
    first = filled.search(sort="newest", per_page=3)
    second = filled.search(sort="newest", per_page=3, page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (4, 2, 3, 1)
    assert {c.slug for c in first.items} | {c.slug for c in second.items} == {
        "support-triage", "research-crew", "content-approval", "notes",
    }  # fmt: skip
    assert filled.search(per_page=3, page=99).page == 2


def test_derived_facts_and_versions(filled: Marketplace) -> None:
    detail = filled.get("support-triage")
    assert detail.card.backends == ("langgraph", "crewai", "autogen")
    assert detail.latest.secrets == ("SHOP_API_TOKEN",)
    assert detail.latest.content_hash == spec_hash(example("support_triage"))
    spec = copy.deepcopy(example("support_triage"))
    spec["description"] = "Now with a longer description."

    with pytest.raises(ConflictError) as same:
        filled.add_release(filled.meta("support-triage"), release("1.0.0", spec), origin="bundled")
    assert same.value.code == "version_not_newer" and "1.1.0" in same.value.message
    with pytest.raises(ConflictError):
        filled.add_release(filled.meta("support-triage"), release("0.9.9", spec), origin="bundled")
    filled.add_release(filled.meta("support-triage"), release("1.0.1", spec), origin="bundled")

    versions = [v.version for v in filled.get("support-triage").versions]
    assert versions == ["1.0.1", "1.0.0"]
    assert filled.card("support-triage").latest_version == "1.0.1"
    assert filled.release("support-triage", "1.0.0")[1].spec == example("support_triage")
    with pytest.raises(NotFoundError):
        filled.release("support-triage", "2.0.0")
    with pytest.raises(NotFoundError):
        filled.get("nonesuch")


def test_semantic_versions_order_and_bad_versions() -> None:
    ordered = ["0.9.0", "1.0.0-alpha", "1.0.0-beta.2", "1.0.0-beta.10", "1.0.0", "1.2.0", "1.10.0"]
    assert sorted(reversed(ordered), key=version_key) == ordered
    for bad in ("1.0", "v1.0.0", "01.0.0", "1.0.0+build", ""):
        with pytest.raises(TemplateError) as caught:
            version_key(bad)
        assert caught.value.code == "bad_version"


def test_install_makes_a_linked_graph_of_its_own(filled: Marketplace, store: Store) -> None:
    graph = filled.install("research-crew")
    again = filled.install("research-crew")
    assert graph.id != again.id
    assert (graph.template_slug, graph.template_version) == ("research-crew", "1.0.0")
    assert store.get_graph(graph.id).template_slug == "research-crew"
    assert store.get_spec(graph.id)["nodes"] == example("research_crew")["nodes"]
    assert graph.name == "Research crew"
    assert filled.card("research-crew").installs == 2


def test_publish_a_new_template_then_a_new_version(market: Marketplace, store: Store) -> None:
    graph = store.create_graph("My support bot", spec=example("support_triage"))
    about = {"slug": "my-support", "title": "My support bot", "summary": "Answers my customers.",
             "category": "Customer support", "tags": ["support"]}  # fmt: skip
    first = {"version": "1.0.0", "changelog": "First.", "readme": "# Mine\n\nHello."}

    preview = market.preview(graph.id, about, first)
    assert preview["template"]["author"] == "ada"
    assert [r["version"] for r in preview["releases"]] == ["1.0.0"]
    assert preview["releases"][0]["spec"] == store.get_spec(graph.id)
    assert preview["releases"][0]["content_hash"] == spec_hash(store.get_spec(graph.id))

    detail = market.publish(graph.id, about, first)
    assert (detail.card.origin, detail.card.publisher) == ("published", "ada")
    linked = store.get_graph(graph.id)  # the graph is now that template's 1.0.0
    assert (linked.template_slug, linked.template_version) == ("my-support", "1.0.0")
    assert [c.slug for c in market.mine()] == ["my-support"]

    with pytest.raises(ConflictError):
        market.publish(graph.id, about, first)  # the same version again
    store.rename_graph(graph.id, "My support bot, improved")
    newer = market.publish(graph.id, about, {**first, "version": "1.1.0", "changelog": "Better."})
    assert [v.version for v in newer.versions] == ["1.1.0", "1.0.0"]
    assert newer.versions[0].changelog == "Better."
    assert market.release("my-support")[1].spec["name"] == "My support bot, improved"

    bob = Marketplace(store, user="bob")
    with pytest.raises(TemplateError) as taken:
        bob.publish(graph.id, about, {**first, "version": "2.0.0"})
    assert taken.value.code == "slug_taken"
    assert bob.mine() == []
    assert market.free_slug("My support bot") == "my-support-bot"
    assert market.free_slug("My support") == "my-support-2"


def test_publishing_refuses_invalid_graphs_and_secrets(market: Marketplace, store: Store) -> None:
    about = {"slug": "leaky", "title": "Leaky", "summary": "Shares too much, maybe.",
             "category": "Operations"}  # fmt: skip
    first = {"version": "1.0.0", "changelog": "", "readme": "# Leaky"}
    spec = example("support_triage")
    spec["nodes"][1]["instructions"] = "Use the key sk-proj-abcdefghijklmnopqrstuvwxyz0123 always."
    leaky = store.create_graph("Leaky", spec=spec)
    with pytest.raises(TemplateError) as caught:
        market.publish(leaky.id, about, first)
    assert caught.value.code == "secret_in_template"
    assert "sk-proj" not in caught.value.message  # the message names where, not the value
    assert "instructions" in caught.value.message

    mine = Marketplace(store, user="ada", known_secrets={"SHOP_API_TOKEN": "tok-123456789"})
    spec = example("support_triage")
    spec["description"] = "Token tok-123456789 for the shop"
    pasted = store.create_graph("Pasted", spec=spec)
    with pytest.raises(TemplateError) as known:
        mine.publish(pasted.id, about, first)
    assert "value of the secret SHOP_API_TOKEN" in known.value.message

    broken = store.create_graph("Broken", spec={**example("research_crew"), "edges": []})
    with pytest.raises(SpecValidationError):
        market.publish(broken.id, about, first)
    with pytest.raises(TemplateError):
        market.publish(broken.id, {**about, "category": "Astrology"}, first)
    with pytest.raises(NotFoundError):
        market.card("leaky")  # nothing was stored


def test_find_secrets_names_what_and_where_never_the_value() -> None:
    spec = {
        "models": [{"id": "m", "api_key_secret": "OPENAI_API_KEY", "base_url": "https://u:p@x.io"}],
        "tools": [{"headers": {"Authorization": "Bearer abcdefghijklmnopqrstuvwxyz"},
                   "header_secrets": {"Authorization": "CRM_TOKEN"}}],
        "notes": "AKIAABCDEFGHIJKLMNOP",
    }  # fmt: skip
    found = find_secrets(spec)
    assert any("a password in a URL" in f for f in found)
    assert any("$.tools[0].headers.Authorization" in f and "bearer" in f for f in found)
    assert any("AWS" in f for f in found)
    assert not any("api_key_secret" in f or "header_secrets" in f for f in found)
    assert all("abcdefghij" not in f and "AKIA" not in f for f in found)
    assert find_secrets({"models": [{"api_key_secret": "OPENAI_API_KEY"}]}) == []


def test_ratings_are_one_per_person_and_editable(filled: Marketplace, store: Store) -> None:
    filled.rate("notes", 2, "Meh.")
    filled.rate("notes", 5, "  Grew on me.  ")
    Marketplace(store, user="bob").rate("notes", 4)
    detail = filled.get("notes")
    assert (detail.card.rating, detail.card.rating_count) == (4.5, 2)
    assert detail.my_review is not None and detail.my_review.text == "Grew on me."
    assert {(r.reviewer, r.stars) for r in detail.reviews} == {("ada", 5), ("bob", 4)}
    for stars in (0, 6):
        with pytest.raises(TemplateError):
            filled.rate("notes", stars)
    with pytest.raises(TemplateError):
        filled.rate("notes", 3, "x" * 1001)
    with pytest.raises(NotFoundError):
        filled.rate("nonesuch", 3)
    assert filled.get("notes").card.rating == 4.5


def test_the_search_index_follows_changes(filled: Marketplace, store: Store) -> None:
    assert filled.search("zeppelin").total == 0
    other = Marketplace(store, user="bob")  # another process's view of the same database
    other.add_release(
        meta("zeppelin", "Zeppelin planner", summary="Plans airship trips."),
        release("1.0.0", example("content_approval")),
        origin="imported",
    )
    assert [c.slug for c in filled.search("zeppelin").items] == ["zeppelin"]

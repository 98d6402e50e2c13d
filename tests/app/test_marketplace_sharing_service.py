"""Sharing from the marketplace pages, on real stores: a template's bundle downloaded on one
instance and uploaded on another, refusals with their messages (tampered, taken, nothing
new, not JSON), remembered sources added and removed, and another instance's catalogue
browsed over real HTTP on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from agent_runtime.errors import NotFoundError, TemplateError
from agent_runtime.settings import get_settings
from app.api import build_api
from app.services import graphs
from app.services import marketplace as service
from app.services import marketplace_bundles as bundles
from app.services import marketplace_sources as sources
from app.services.graphs import get_store
from app.services.settings import set_secret
from marketplace import Marketplace, Release, TemplateMeta

ROOT = Path(__file__).resolve().parents[2]
SLUG = "sharing-field-notes"
TITLE = "Sharing field notes"


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text())


def add(slug: str = SLUG, title: str = TITLE, versions: tuple[str, ...] = ("1.0.0", "1.1.0"),
        spec: dict[str, Any] | None = None) -> None:  # fmt: skip
    """A template stored on this instance like a bundled one, with ``versions``."""
    meta = TemplateMeta(
        slug=slug, title=title, summary=f"{title}: a template for the sharing tests.",
        category="Research", tags=["sharing-test"], author="Bundler",
    )  # fmt: skip
    market = Marketplace(get_store(), user="bundler")
    for version in versions:
        body = spec or example("research_crew")
        body = {**body, "description": f"Version {version}."}
        release = Release(version=version, changelog=f"Changes of {version}.", readme="# Hi",
                          spec=body)  # fmt: skip
        market.add_release(meta, release, origin="bundled")


def use_data_dir(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the app's services at another data dir: another instance."""
    monkeypatch.setenv("ORCHESTRALL_DATA_DIR", str(path))
    monkeypatch.setenv("ORCHESTRALL_DATABASE_URL", f"sqlite:///{path / 'orchestrall.db'}")
    graphs.close_store()
    get_settings.cache_clear()
    service.close_marketplace()


@pytest.fixture
def market(data_dir: Path) -> Iterator[None]:
    """The service's marketplace made anew on this test's store."""
    service.close_marketplace()
    yield
    service.close_marketplace()


@pytest.fixture
def other_instance(market: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Call it to move the services to a second, empty instance (data dir)."""
    yield lambda: use_data_dir(tmp_path / "other", monkeypatch)


def refusal(filename: str, data: bytes) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        bundles.import_bundle_file(filename, data)
    return caught.value


# -- bundles ---------------------------------------------------------------------------------


def test_a_downloaded_bundle_uploads_on_another_instance(other_instance: Any) -> None:
    add()
    file = bundles.bundle_file(SLUG)
    assert file.filename == f"{SLUG}.orchestrall-template.json"
    bundle = json.loads(file.data)
    assert bundle["template"]["slug"] == SLUG
    assert [r["version"] for r in bundle["releases"]] == ["1.0.0", "1.1.0"]

    other_instance()
    with pytest.raises(NotFoundError):
        service.template(SLUG)
    done = bundles.import_bundle_file(file.filename, file.data)
    assert (done.slug, done.title, done.versions) == (SLUG, TITLE, ["1.0.0", "1.1.0"])
    assert done.message == f"Imported {TITLE} (2 versions)."
    view = service.template(SLUG)
    assert view.card.origin == "Imported"
    assert [v.version for v in view.versions] == ["1.1.0", "1.0.0"]
    assert bundles.bundle_file(SLUG).data == file.data  # the same bundle, byte for byte

    again = refusal(file.filename, file.data)
    assert again.code == "bundle_nothing_new"
    assert again.message.startswith(f"Nothing new: this instance has {SLUG} 1.1.0 already")


def test_a_newer_version_uploads_onto_an_imported_template(other_instance: Any) -> None:
    add(versions=("1.0.0",))
    first = bundles.bundle_file(SLUG)
    add(versions=("1.1.0",))
    second = bundles.bundle_file(SLUG)
    other_instance()
    assert bundles.import_bundle_file("a.json", first.data).versions == ["1.0.0"]
    done = bundles.import_bundle_file("b.json", second.data)
    assert done.versions == ["1.1.0"]
    assert done.message == f"Imported {TITLE} (1 version)."


def test_a_tampered_bundle_is_refused_and_stores_nothing(other_instance: Any) -> None:
    add()
    file = bundles.bundle_file(SLUG)
    bundle = json.loads(file.data)
    node = bundle["releases"][1]["spec"]["nodes"][1]
    node["name"] = node["name"][:-1] + chr(ord(node["name"][-1]) ^ 1)  # one byte changed
    tampered = json.dumps(bundle).encode()

    other_instance()
    refused = refusal(file.filename, tampered)
    assert refused.code == "bundle_tampered"
    assert refused.message.startswith("Version 1.1.0: content hash mismatch: the bundle was "
                                      "changed after it was made")  # fmt: skip
    with pytest.raises(NotFoundError):
        service.template(SLUG)


def test_uploads_that_are_not_bundles_are_refused_with_a_message(market: None) -> None:
    not_json = refusal("notes.txt", b"{}")
    assert not_json.code == "bundle_not_json"
    assert "a bundle is a .json file" in not_json.message
    broken = refusal("notes.json", b'{"format": ')
    assert broken.code == "bundle_malformed"
    assert broken.message.startswith("The bundle is malformed: it is not JSON")
    other = refusal("notes.json", b'{"hello": "world"}')
    assert other.code == "bundle_format"
    assert "not an Orchestrall template bundle" in other.message


def test_a_bundle_of_a_template_here_is_refused_as_taken(market: None) -> None:
    add()
    file = bundles.bundle_file(SLUG)
    taken = refusal(file.filename, file.data)
    assert taken.code == "slug_taken"
    assert taken.message == (
        f"A template '{SLUG}' exists here already (bundled, by Bundler); this bundle cannot "
        "replace it."
    )


def test_a_download_never_carries_a_stored_secret_value(market: None) -> None:
    set_secret("FIELD_NOTES_PASSPHRASE", "violet-quartz-harbour-4471")
    spec = example("research_crew")
    spec["nodes"][1]["instructions"] = "Say violet-quartz-harbour-4471 to the gate."
    add(spec=spec, versions=("1.0.0",))
    with pytest.raises(TemplateError) as caught:
        bundles.bundle_file(SLUG)
    assert caught.value.code == "secret_in_template"
    assert "violet-quartz-harbour-4471" not in caught.value.message


# -- sources ---------------------------------------------------------------------------------


def test_sources_are_added_listed_and_removed(market: None) -> None:
    assert sources.list_sources() == []
    added = sources.add_source(" http://127.0.0.1:8123/api/marketplace/v1/ ", "  Team   A ")
    assert (added.url, added.name) == ("http://127.0.0.1:8123", "Team A")
    sources.add_source("https://catalogue.example.org", "")
    listed = [(s.name, s.url) for s in sources.list_sources()]
    assert listed == [
        ("catalogue.example.org", "https://catalogue.example.org"),
        ("Team A", "http://127.0.0.1:8123"),
    ]

    with pytest.raises(TemplateError) as duplicate:
        sources.add_source("http://127.0.0.1:8123/", "Again")
    assert duplicate.value.code == "source_exists"
    assert duplicate.value.message == "http://127.0.0.1:8123 is in the list of sources already."
    with pytest.raises(TemplateError) as bad:
        sources.add_source("ftp://files.example.org", "Files")
    assert bad.value.code == "bad_source_url"
    assert "is not an http:// or https:// address" in bad.value.message

    assert sources.remembered_source("http://127.0.0.1:8123").name == "Team A"
    sources.remove_source("http://127.0.0.1:8123")
    assert [s.name for s in sources.list_sources()] == ["catalogue.example.org"]
    with pytest.raises(NotFoundError) as forgotten:  # pages open only remembered sources
        sources.remembered_source("http://127.0.0.1:8123")
    assert forgotten.value.message.startswith(
        "http://127.0.0.1:8123 is not one of your template sources"
    )
    with pytest.raises(NotFoundError) as gone:
        sources.remove_source("http://127.0.0.1:8123")
    assert gone.value.code == "source_not_found"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_source_says_so(market: None) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(TemplateError) as caught:
        sources.remote_browse(url, "notes")
    assert caught.value.code == "remote_unavailable"
    assert caught.value.message.startswith(f"The catalogue at {url} cannot be reached")


@pytest.fixture
def loopback(market: None) -> Iterator[str]:
    """This instance's public catalogue served over HTTP (the API the backend mounts)."""
    server = uvicorn.Server(
        uvicorn.Config(
            build_api(serve_catalogue=lambda: True), host="127.0.0.1", port=free_port(),
            log_level="warning", lifespan="off", ws="none",
        )
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the catalogue did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_remote_catalogue_is_browsed_shown_and_installed(loopback: str) -> None:
    add()
    found = sources.remote_browse(loopback, "sharing field")
    assert found.summary == "1 template matches “sharing field”"
    card = found.cards[0]
    assert (card.slug, card.title, card.version) == (SLUG, TITLE, "1.1.0")
    assert card.origin == "From another instance"
    assert "Research" in [c.value for c in found.categories]
    assert [t.value for t in found.tags] == ["sharing-test"]
    filtered = sources.remote_browse(loopback, "", category="Research", tag="sharing-test")
    assert filtered.summary == "1 template matches the filters"

    view = sources.remote_template(loopback, SLUG)
    assert view.readme == "# Hi"
    assert [v.version for v in view.versions] == ["1.1.0", "1.0.0"]
    assert view.node_count == len(view.canvas["nodes"]) > 0
    assert view.reviews == []

    graph_id = sources.remote_install(loopback, SLUG)
    graph = get_store().get_graph(graph_id)
    assert (graph.template_slug, graph.template_version) == (SLUG, "1.1.0")

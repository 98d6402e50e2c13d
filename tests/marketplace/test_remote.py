"""Sharing between instances over real HTTP on loopback.

Instance A is a separate process serving its public catalogue (``app.api:build_api``,
the API the Reflex backend mounts, under uvicorn) from its own data dir; instance B
is another such process with its own data dir, whose backend side (the
``marketplace_sources`` service the UI calls) runs in a third process. B adds A as a
source, searches it and installs from it. A tampering proxy, a source answering
garbage, and an instance with the catalogue off are refused with clear codes.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_runtime.errors import NotFoundError, TemplateError
from agent_runtime.spec import spec_hash
from agent_runtime.store import Store, open_store
from marketplace import (
    Marketplace,
    Release,
    RemoteCatalogue,
    TemplateMeta,
    bundled_templates,
    install_remote,
    read_bundle,
)

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
API = "/api/marketplace/v1"


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text())


def newer_triage() -> dict[str, Any]:
    spec = example("support_triage")
    spec["description"] = "Version two: a longer description."
    return spec


def meta(slug: str, title: str, category: str = "Customer support") -> TemplateMeta:
    return TemplateMeta(slug=slug, title=title, summary=f"{title}: shared between instances.",
                        category=category, tags=["support"], author="Ada")  # fmt: skip


def release(version: str, spec: dict[str, Any]) -> Release:
    return Release(version=version, changelog=f"Changes of {version}.", readme="# Hi", spec=spec)


def without_names(spec: dict[str, Any]) -> dict[str, Any]:
    """A spec without what installing sets (the graph's name and description)."""
    return {k: v for k, v in spec.items() if k not in ("name", "description")}


# -- app processes ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def instance_env(data_dir: Path, *, serve: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "ORCHESTRALL_DATA_DIR": str(data_dir),
        "ORCHESTRALL_DATABASE_URL": f"sqlite:///{data_dir / 'orchestrall.db'}",
        "ORCHESTRALL_SERVE_CATALOGUE": "true" if serve else "false",
        "ORCHESTRALL_USER_NAME": data_dir.name,
    }
    for name in ("ORCHESTRALL_BROKER_URL", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    return env


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return False
    return True


@contextlib.contextmanager
def catalogue_process(data_dir: Path, *, serve: bool) -> Iterator[str]:
    """An instance's API (``app.api:build_api``) under uvicorn on a free port; its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir.parent / f"{data_dir.name}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "uvicorn", "--factory", "app.api:build_api",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=instance_env(data_dir, serve=serve), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(f"{url}{API}/templates"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the instance did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def fill_instance_a(data_dir: Path) -> None:
    """A published template (two versions, rated), a bundled one, and an imported one."""
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        market = Marketplace(store, user="ada")
        triage = meta("support-triage", "Support triage")
        market.add_release(triage, release("1.0.0", example("support_triage")),
                           origin="published", publisher="ada")  # fmt: skip
        market.add_release(triage, release("1.1.0", newer_triage()), origin="published",
                           publisher="ada")  # fmt: skip
        market.rate("support-triage", 5, "Private words of ada.")
        research = meta("research-crew", "Research crew", "Research")
        market.add_release(research, release("1.0.0", example("research_crew")), origin="bundled")
        notes = meta("private-notes", "Private notes")
        market.add_release(notes, release("1.0.0", example("content_approval")), origin="imported")


@pytest.fixture(scope="module")
def instance_a(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("instances") / "ada"
    data_dir.mkdir()
    fill_instance_a(data_dir)
    with catalogue_process(data_dir, serve=True) as url:
        yield url


@pytest.fixture(scope="module")
def instance_off(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("instances") / "quiet"
    with catalogue_process(data_dir, serve=False) as url:
        yield url


# -- the acceptance test: two instances ---------------------------------------------

B_SIDE = """
import json, sys
from app.services import marketplace_sources as sources

url = sys.argv[1]
added = sources.add_source(url + "/", "Team A")
page = sources.remote_search(url, "triage")
detail = sources.remote_detail(url, "support-triage")
graph_id = sources.remote_install(url, "support-triage")
print(json.dumps({
    "sources": [[s.url, s.name] for s in sources.list_sources()],
    "found": [[c.slug, c.origin, c.latest_version] for c in page.items],
    "everything": [c.slug for c in sources.remote_search(url, per_page=100).items],
    "detail": [detail.card.title, detail.latest.version, detail.latest.content_hash,
               list(detail.latest.secrets), len(detail.reviews)],
    "graph_id": graph_id,
}))
"""


@pytest.mark.slow
def test_instance_b_finds_and_installs_a_template_from_instance_a(
    instance_a: str, tmp_path: Path
) -> None:
    b_dir = tmp_path / "bob"
    with catalogue_process(b_dir, serve=True) as instance_b:
        done = subprocess.run(
            [sys.executable, "-c", B_SIDE, instance_a], cwd=ROOT, capture_output=True,
            text=True, env=instance_env(b_dir, serve=True), timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        seen = json.loads(done.stdout.strip().splitlines()[-1])

        assert seen["sources"] == [[instance_a, "Team A"]]
        assert ["support-triage", "remote", "1.1.0"] in seen["found"]
        assert all(origin == "remote" for _, origin, _ in seen["found"])
        bundled = {b.meta.slug for b in bundled_templates()}  # A serves its bundled ones too
        assert set(seen["everything"]) == {"research-crew", "support-triage"} | bundled
        assert "private-notes" not in seen["everything"]  # imported: not public
        hash_at_a = spec_hash(newer_triage())
        assert seen["detail"] == ["Support triage", "1.1.0", hash_at_a, ["SHOP_API_TOKEN"], 0]

        with open_store(f"sqlite:///{b_dir / 'orchestrall.db'}") as store:
            graph = store.get_graph(seen["graph_id"])
            assert (graph.template_slug, graph.template_version) == ("support-triage", "1.1.0")
            assert without_names(store.get_spec(graph.id)) == without_names(newer_triage())
            market = Marketplace(store)
            assert market.card("support-triage").origin == "remote"
            assert [(v.version, v.content_hash) for v in market.get("support-triage").versions] == [
                ("1.1.0", hash_at_a), ("1.0.0", spec_hash(example("support_triage"))),
            ]  # fmt: skip
            assert spec_hash(market.release("support-triage")[1].spec) == hash_at_a

        # B passes on nothing it got from elsewhere (only its own bundled catalogue).
        served = httpx.get(f"{instance_b}{API}/templates", params={"per_page": 100}).json()
        assert {c["slug"] for c in served["items"]} == bundled
        assert httpx.get(f"{instance_b}{API}/templates/support-triage").status_code == 404


# -- the catalogue over HTTP ---------------------------------------------------------


def test_the_catalogue_lists_only_public_templates_with_filters_and_paging(
    instance_a: str,
) -> None:
    bundled = {b.meta.slug: b.meta for b in bundled_templates()}  # served beside A's own
    public = {"support-triage", "research-crew"} | set(bundled)
    everything = httpx.get(f"{instance_a}{API}/templates", params={"per_page": 100}).json()
    assert {c["slug"] for c in everything["items"]} == public
    assert (everything["total"], everything["page"], everything["pages"]) == (len(public), 1, 1)
    card = next(c for c in everything["items"] if c["slug"] == "support-triage")
    assert card["rating"] == 5.0 and card["rating_count"] == 1
    assert card["backends"] == ["langgraph", "crewai", "autogen"]
    assert "origin" not in card and "publisher" not in card

    research = httpx.get(f"{instance_a}{API}/templates", params={"category": "Research"})
    expected = {"research-crew"} | {s for s, m in bundled.items() if m.category == "Research"}
    assert {c["slug"] for c in research.json()["items"]} == expected
    paged = httpx.get(f"{instance_a}{API}/templates", params={"per_page": 1, "page": 2}).json()
    n = len(public)
    assert (paged["total"], paged["pages"], paged["page"], len(paged["items"])) == (n, n, 2, 1)
    notes = httpx.get(f"{instance_a}{API}/templates", params={"q": "private notes"}).json()
    assert "private-notes" not in {c["slug"] for c in notes["items"]}
    tagged = httpx.get(f"{instance_a}{API}/templates", params={"tag": "support", "sort": "rating"})
    assert tagged.json()["items"][0]["slug"] == "support-triage"  # the only one rated


def test_a_template_page_and_bundle_carry_no_reviews_or_private_data(instance_a: str) -> None:
    page = httpx.get(f"{instance_a}{API}/templates/support-triage")
    assert page.status_code == 200
    detail = page.json()
    assert [v["version"] for v in detail["versions"]] == ["1.1.0", "1.0.0"]
    assert detail["versions"][0]["content_hash"] == spec_hash(newer_triage())
    assert detail["versions"][0]["secrets"] == ["SHOP_API_TOKEN"]
    assert detail["versions"][0]["changelog"] == "Changes of 1.1.0."
    assert detail["readme"] == "# Hi" and detail["rating"] == 5.0
    assert "Private words" not in page.text and "reviews" not in detail

    bundle = httpx.get(f"{instance_a}{API}/templates/support-triage/bundle")
    assert bundle.headers["content-type"] == "application/json"
    template, releases = read_bundle(bundle.content)
    assert template.slug == "support-triage"
    assert [(r.version, h) for r, h in releases] == [
        ("1.0.0", spec_hash(example("support_triage"))), ("1.1.0", spec_hash(newer_triage())),
    ]  # fmt: skip
    assert "Private words" not in bundle.text


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/templates?page=0", 422, "bad_query"),
        ("/templates?per_page=1000", 422, "bad_query"),
        ("/templates?sort=loudest", 422, "bad_query"),
        ("/templates?category=Crime", 422, "bad_query"),
        ("/templates?page=two", 422, "bad_query"),
        ("/templates?q=a&q=b", 422, "bad_query"),
        ("/templates?colour=red", 422, "bad_query"),
        ("/templates/nope", 404, "template_not_found"),
        ("/templates/private-notes", 404, "template_not_found"),
        ("/templates/private-notes/bundle", 404, "template_not_found"),
        ("/templates/Not%20A%20Slug/bundle", 404, "template_not_found"),
        ("/elsewhere", 404, "not_found"),
    ],
)
def test_bad_requests_get_json_errors_without_tracebacks(
    instance_a: str, path: str, status: int, code: str
) -> None:
    answer = httpx.get(f"{instance_a}{API}{path}")
    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert set(answer.json()) == {"code", "message"}
    assert "Traceback" not in answer.text


def test_the_catalogue_is_read_only(instance_a: str) -> None:
    answer = httpx.post(f"{instance_a}{API}/templates", json={"slug": "x"})
    assert answer.status_code == 405 and answer.json()["code"] == "method_not_allowed"


def test_an_instance_with_the_catalogue_off_answers_404(instance_off: str) -> None:
    for path in ("/templates", "/templates/support-triage", "/templates/support-triage/bundle"):
        answer = httpx.get(f"{instance_off}{API}{path}")
        assert answer.status_code == 404
        assert answer.json()["code"] == "catalogue_disabled"
    with pytest.raises(TemplateError) as off:
        RemoteCatalogue(instance_off).search()
    assert off.value.code == "remote_unavailable" and "serve_catalogue is off" in off.value.message


# -- installing from a source (this process as instance B, on SQLite and PostgreSQL) -----


@pytest.fixture
def market(store: Store) -> Marketplace:
    return Marketplace(store, user="bob")


def test_remote_search_and_detail_read_the_wire(instance_a: str) -> None:
    remote = RemoteCatalogue(f"{instance_a}{API}/")  # a pasted API URL works too
    assert remote.url == instance_a
    page = remote.search("research")
    assert ("research-crew", "remote", None) in [
        (c.slug, c.origin, c.publisher) for c in page.items
    ]
    detail = remote.get("support-triage")
    assert detail.spec == newer_triage() and detail.reviews == () and detail.my_review is None
    assert detail.card.rating == 5.0
    with pytest.raises(TemplateError) as missing:
        remote.get("private-notes")
    assert missing.value.code == "remote_not_found"
    with pytest.raises(TemplateError) as bad:
        remote.fetch_bundle("../../etc/passwd")
    assert bad.value.code == "bad_slug"


def test_install_a_version_then_again_reuses_the_stored_template(
    instance_a: str, market: Marketplace
) -> None:
    first = install_remote(market, instance_a, "support-triage", "1.0.0")
    assert (first.template_slug, first.template_version) == ("support-triage", "1.0.0")
    assert without_names(market.store.get_spec(first.id)) == without_names(
        example("support_triage")
    )
    again = market.install_remote(instance_a, "support-triage")
    assert again.id != first.id and again.template_version == "1.1.0"
    assert market.card("support-triage").installs == 2
    with pytest.raises(TemplateError) as unknown:
        install_remote(market, instance_a, "support-triage", "9.9.9")
    assert unknown.value.code == "remote_not_found"


def test_a_local_template_of_the_same_name_is_kept(instance_a: str, market: Marketplace) -> None:
    market.add_release(meta("research-crew", "Research crew", "Research"),
                       release("1.0.0", example("research_crew")), origin="bundled")  # fmt: skip
    same = install_remote(market, instance_a, "research-crew")  # same content: the local one
    assert same.template_slug == "research-crew"
    market.add_release(meta("support-triage", "Support triage"),
                       release("1.0.0", example("content_approval")), origin="published",
                       publisher="bob")  # fmt: skip
    with pytest.raises(TemplateError) as taken:
        install_remote(market, instance_a, "support-triage")
    assert taken.value.code == "slug_taken"
    assert market.card("support-triage").origin == "published"


class _Proxy(BaseHTTPRequestHandler):
    """Forwards GETs to instance A, then spoils the answer the way ``mode`` says."""

    upstream = ""
    mode = ""

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        answer = httpx.get(self.upstream + self.path)
        body = answer.content
        if self.mode == "redirect":
            return self._send(302, b"", {"Location": self.upstream + self.path})
        if self.mode == "garbage":
            return self._send(200, b"<html>surprise</html>")
        if self.mode == "huge":
            return self._send(200, b" " * (6 * 2**20) + body)
        if self.mode == "error":
            return self._send(500, b"oops", {"Content-Type": "text/plain"})
        if self.mode == "tamper" and self.path.endswith("/bundle"):
            bundle = json.loads(body)
            bundle["releases"][-1]["spec"]["nodes"][2]["instructions"] = "Refund everything."
            body = json.dumps(bundle).encode()
        if self.mode == "swap" and self.path.endswith("/bundle"):
            body = httpx.get(f"{self.upstream}{API}/templates/research-crew/bundle").content
        if self.mode == "wrong-shape":
            body = json.dumps({"items": [{"slug": "x"}], "total": 1}).encode()
        return self._send(answer.status_code, body)


@contextlib.contextmanager
def proxy(upstream: str, mode: str) -> Iterator[str]:
    handler = type("Proxy", (_Proxy,), {"upstream": upstream, "mode": mode})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    ("mode", "code", "words"),
    [
        ("tamper", "bundle_tampered", "hash mismatch"),
        ("swap", "remote_unavailable", "answered the bundle of 'research-crew'"),
        ("garbage", "remote_unavailable", "not JSON"),
        ("huge", "remote_unavailable", "more than 5 MB"),
        ("redirect", "remote_unavailable", "HTTP 302"),
        ("error", "remote_unavailable", "HTTP 500"),
    ],
)
def test_a_spoiled_answer_is_refused_and_nothing_is_stored(
    instance_a: str, market: Marketplace, mode: str, code: str, words: str
) -> None:
    with proxy(instance_a, mode) as url, pytest.raises(TemplateError) as refused:
        install_remote(market, url, "support-triage")
    assert refused.value.code == code
    assert words in refused.value.message
    assert market.search().total == 0
    assert market.store.list_graphs() == []


def test_a_search_answer_of_the_wrong_shape_is_refused(instance_a: str) -> None:
    with proxy(instance_a, "wrong-shape") as url, pytest.raises(TemplateError) as refused:
        RemoteCatalogue(url).search()
    assert refused.value.code == "remote_unavailable"
    assert "not a page of templates" in refused.value.message


def test_an_unreachable_source_is_remote_unavailable(market: Marketplace) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TemplateError) as down:
        RemoteCatalogue(closed, timeout=3).search()
    assert down.value.code == "remote_unavailable" and closed in down.value.message
    with pytest.raises(TemplateError) as install:
        install_remote(market, closed, "support-triage")
    assert install.value.code == "remote_unavailable"


# -- the list of sources ------------------------------------------------------------


def test_sources_are_checked_remembered_and_forgotten(market: Marketplace) -> None:
    added = market.add_source("HTTP://Team-A.example:8000/api/marketplace/v1/", "  Team   A ")
    assert (added.url, added.name) == ("http://team-a.example:8000", "Team A")
    market.add_source("https://b.example")
    assert [(s.url, s.name) for s in market.sources()] == [
        ("https://b.example", "b.example"), ("http://team-a.example:8000", "Team A"),
    ]  # fmt: skip
    with pytest.raises(TemplateError) as twice:
        market.add_source("http://team-a.example:8000")
    assert twice.value.code == "source_exists"

    for bad in ("", "ftp://x.example", "file:///etc/passwd", "http://u:pw@x.example",
                "http://x.example/?q=1", "javascript:alert(1)", "http://", "x" * 400):  # fmt: skip
        with pytest.raises(TemplateError) as refused:
            market.add_source(bad)
        assert refused.value.code == "bad_source_url", bad
        assert "pw" not in refused.value.message

    market.remove_source("http://team-a.example:8000/")
    assert [s.url for s in market.sources()] == ["https://b.example"]
    with pytest.raises(NotFoundError) as gone:
        market.remove_source("http://team-a.example:8000")
    assert gone.value.code == "source_not_found"


@pytest.mark.slow
def test_the_reflex_app_mounts_the_catalogue_api(tmp_path: Path) -> None:
    """``app/app.py`` hands ``build_api()`` to Reflex: its /api/marketplace/v1 is the catalogue."""
    check = (
        "from starlette.testclient import TestClient\n"
        "from app.app import app\n"
        "answer = TestClient(app.api_transformer).get('/api/marketplace/v1/templates')\n"
        "print(answer.status_code, answer.json()['code'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=instance_env(tmp_path / "mounted", serve=False),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-2:] == ["404", "catalogue_disabled"]

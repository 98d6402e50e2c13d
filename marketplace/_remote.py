"""Other instances' catalogues: browse them over HTTP, install from them, remember them.

    remote = RemoteCatalogue("http://10.0.0.5:8000")      # another Orchestrall's backend
    page = remote.search("support")                        # TemplateCards, origin "remote"
    detail = remote.get("customer-support")
    graph = install_remote(market, remote.url, "customer-support")   # a graph here
    add_source(market, "http://10.0.0.5:8000", "Team A")   # remembered in template_source

Only ``http``/``https`` URLs, no credentials in them, no redirects followed,
10 s timeouts and answers limited to ``MAX_BUNDLE_BYTES``. When the other side
cannot be reached or answers what is not a catalogue, ``TemplateError`` with code
``remote_unavailable``; a slug it does not have is ``remote_not_found``. A
fetched bundle goes through ``read_bundle`` like any file: remote or not, nothing
in it is trusted or run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import sqlalchemy as sa

from agent_runtime.errors import ConflictError, NotFoundError, TemplateError
from agent_runtime.store import GraphSummary
from agent_runtime.store._tables import utcnow
from marketplace._bundle import MAX_BUNDLE_BYTES, import_bundle, read_bundle
from marketplace._model import SLUG_PATTERN
from marketplace._records import SearchPage, TemplateDetail
from marketplace._tables import SOURCES
from marketplace._wire import WIRE_VERSION, detail_from_wire, page_from_wire

if TYPE_CHECKING:  # pragma: no cover
    from marketplace._market import Marketplace

__all__ = [
    "API_PREFIX",
    "REMOTE_TIMEOUT_S",
    "RemoteCatalogue",
    "TemplateSource",
    "add_source",
    "install_remote",
    "list_sources",
    "normalise_source_url",
    "remove_source",
]

API_PREFIX = f"/api/marketplace/{WIRE_VERSION}"
REMOTE_TIMEOUT_S = 10.0
MAX_URL_CHARS = 300
_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True)
class TemplateSource:
    """Another instance whose catalogue this one browses."""

    url: str
    name: str
    added_at: datetime


def _bad_url(message: str) -> TemplateError:
    return TemplateError(message, code="bad_source_url", field="url")


def normalise_source_url(url: str) -> str:
    """``scheme://host[:port][/path]`` without a trailing slash or the API prefix; checked.

    Accepts what people paste: the instance's backend URL, with or without
    ``/api/marketplace/v1``. Refuses other schemes, credentials, queries and fragments.
    """
    text = (url or "").strip()
    if not text:
        raise _bad_url("Enter the address of another Orchestrall, such as http://host:8000.")
    if len(text) > MAX_URL_CHARS:
        raise _bad_url(f"The address is longer than {MAX_URL_CHARS} characters.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise _bad_url(f"{text!r} is not a valid address ({exc}).") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _bad_url(f"{text!r} is not an http:// or https:// address.")
    if not parts.hostname:
        raise _bad_url(f"{text!r} has no host name.")
    if parts.username is not None or parts.password is not None:
        raise _bad_url("The address must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise _bad_url("The address must not contain a query (?…) or fragment (#…).")
    path = parts.path.rstrip("/")
    path = path.removesuffix(API_PREFIX).rstrip("/")
    host = parts.hostname.lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


def _unavailable(url: str, why: str) -> TemplateError:
    return TemplateError(f"The catalogue at {url} {why}", code="remote_unavailable")


class RemoteCatalogue:
    """The public catalogue of another Orchestrall (read-only, over HTTP)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = REMOTE_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = normalise_source_url(base_url)
        self._timeout = timeout
        self._transport = transport

    def __repr__(self) -> str:
        return f"RemoteCatalogue({self.url!r})"

    # -- HTTP ----------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        """The body of a 200 answer to GET ``path``; a ``TemplateError`` for anything else."""
        url = f"{self.url}{API_PREFIX}{path}"
        try:
            with (
                httpx.Client(
                    timeout=self._timeout, follow_redirects=False, transport=self._transport,
                    headers={"Accept": "application/json", "User-Agent": "orchestrall"},
                ) as client,
                client.stream("GET", url, params=params) as response,
            ):  # fmt: skip
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_BUNDLE_BYTES:
                        raise _unavailable(
                            self.url, f"answered more than {MAX_BUNDLE_BYTES // 2**20} MB."
                        )
                status, kind = response.status_code, response.headers.get("content-type", "")
        except httpx.TimeoutException:
            raise _unavailable(self.url, f"did not answer within {self._timeout:g} s.") from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise _unavailable(self.url, f"cannot be reached ({reason}).") from None
        if status == 200 and kind.startswith("application/json"):
            return bytes(body)
        raise self._refusal(status, bytes(body))

    def _refusal(self, status: int, body: bytes) -> TemplateError:
        try:
            error = json.loads(body)
            code, message = str(error["code"]), str(error["message"])[:300]
        except (ValueError, TypeError, KeyError):
            code, message = "", ""
        if status == 404 and code == "template_not_found":
            return TemplateError(f"{self.url}: {message}", code="remote_not_found")
        if status == 404 and code == "catalogue_disabled":
            return _unavailable(self.url, "does not share its templates (serve_catalogue is off).")
        if 400 <= status < 500 and code and status != 404:
            return TemplateError(
                f"{self.url} refused the request: {message}", code="remote_rejected"
            )
        if status == 200:
            return _unavailable(self.url, "answered something that is not JSON.")
        return _unavailable(self.url, f"is not an Orchestrall catalogue (HTTP {status}).")

    def _json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return json.loads(self._get(path, params))
        except (ValueError, RecursionError):
            raise _unavailable(self.url, "answered something that is not JSON.") from None

    @staticmethod
    def _slug(slug: str) -> str:
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise TemplateError(f"{slug!r} is not a template slug.", code="bad_slug", field="slug")
        return slug

    # -- the catalogue ---------------------------------------------------------------

    def search(
        self,
        query: str = "",
        *,
        category: str | None = None,
        backend: str | None = None,
        tag: str | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 24,
    ) -> SearchPage:
        """A page of the other instance's public templates (cards with origin ``remote``)."""
        params: dict[str, Any] = {
            "q": query, "category": category, "backend": backend, "tag": tag, "sort": sort,
            "page": page, "per_page": per_page,
        }  # fmt: skip
        given = {k: v for k, v in params.items() if v not in (None, "")}
        return page_from_wire(self._json("/templates", given))

    def get(self, slug: str) -> TemplateDetail:
        """One public template's page: card, readme, latest spec and versions (no reviews)."""
        return detail_from_wire(self._json(f"/templates/{self._slug(slug)}"))

    def fetch_bundle(self, slug: str) -> bytes:
        """The template's bundle, as sent (check it with ``read_bundle`` before use)."""
        data = self._get(f"/templates/{self._slug(slug)}/bundle")
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError):
            raise _unavailable(self.url, "answered something that is not JSON.") from None
        if not isinstance(parsed, dict):
            raise _unavailable(self.url, "answered JSON that is not a bundle (not an object).")
        return data


def install_remote(
    market: Marketplace,
    base_url: str,
    slug: str,
    version: str | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
) -> GraphSummary:
    """A new graph here from ``slug`` at another instance (its latest version by default).

    The bundle is fetched, fully checked (``read_bundle``: format, specs, content
    hashes, secrets), imported with origin ``remote`` (or reused when stored already)
    and installed. The graph's spec is the one whose hash the bundle names.
    """
    remote = RemoteCatalogue(base_url, transport=transport)
    data = remote.fetch_bundle(slug)
    meta, releases = read_bundle(data)
    if meta.slug != slug:
        raise _unavailable(remote.url, f"answered the bundle of {meta.slug!r} for {slug!r}.")
    wanted = version or releases[-1][0].version
    content_hash = next((h for r, h in releases if r.version == wanted), None)
    if content_hash is None:
        raise TemplateError(
            f"{remote.url}: template {slug!r} has no version {wanted}.", code="remote_not_found"
        )
    try:
        import_bundle(market, data, origin="remote")
    except TemplateError as exc:
        if exc.code not in ("bundle_nothing_new", "slug_taken"):
            raise
        if exc.code == "slug_taken" and _stored_hash(market, slug, wanted) != content_hash:
            raise  # another template by that name: keep it, install nothing
    stored = _stored_hash(market, slug, wanted)
    if stored != content_hash:
        raise TemplateError(
            f"Version {wanted} of {slug!r} here differs from the one at {remote.url} (content "
            "hash); a published version must never change, so nothing was installed.",
            code="remote_version_differs",
        )
    return market.install(slug, wanted)


def _stored_hash(market: Marketplace, slug: str, version: str) -> str | None:
    try:
        info, _ = market.release(slug, version)
    except NotFoundError:
        return None
    return info.content_hash


# -- the list of sources -------------------------------------------------------------


def list_sources(market: Marketplace) -> list[TemplateSource]:
    """The remembered sources, by name."""
    with market.store.database.read() as s:
        rows = s.execute(sa.select(SOURCES)).mappings().all()
    found = [TemplateSource(r["url"], r["name"], r["added_at"]) for r in rows]
    return sorted(found, key=lambda source: (source.name.casefold(), source.url))


def add_source(market: Marketplace, url: str, name: str | None = None) -> TemplateSource:
    """Remember another instance's catalogue (its URL checked; a URL at most once)."""
    clean = normalise_source_url(url)
    label = " ".join((name or "").split()) or (urlsplit(clean).netloc)
    if len(label) > 80:
        raise TemplateError("A source's name is at most 80 characters.", code="bad_source_name",
                            field="name")  # fmt: skip
    source = TemplateSource(clean, label, utcnow())
    duplicate = False
    try:
        with market.store.database.write() as s:
            if s.execute(sa.select(SOURCES.c.url).where(SOURCES.c.url == clean)).first():
                duplicate = True
            else:
                s.execute(SOURCES.insert().values(url=clean, name=label, added_at=source.added_at))
    except ConflictError:  # added by someone else meanwhile
        duplicate = True
    if duplicate:
        raise TemplateError(f"{clean} is in the list of sources already.", code="source_exists",
                            field="url")  # fmt: skip
    return source


def remove_source(market: Marketplace, url: str) -> None:
    """Forget a source (what was installed from it stays)."""
    try:
        clean = normalise_source_url(url)
    except TemplateError:
        clean = url
    with market.store.database.write() as s:
        gone = s.execute(SOURCES.delete().where(SOURCES.c.url == clean)).rowcount
    if not gone:
        raise NotFoundError(f"{url} is not in the list of sources.", code="source_not_found")

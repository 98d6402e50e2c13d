"""HTTP calls made by tools: spec HTTP tools and the ``http_request`` built-in.

Both go through ``send_request``, which keeps these rules:

- http and https only; the host of every URL, after placeholders are filled and
  on every redirect hop, must be in the tool's ``allowed_hosts`` (exact,
  case-insensitive), or nothing is sent to it;
- redirects are followed by hand, at most ``MAX_REDIRECTS``, each to an allowed
  host; secret headers are dropped when a redirect leaves the origin;
- one timeout bounds the connect, every read and the whole call;
- at most ``MAX_RESPONSE_BYTES`` of body is read (streamed), and the result is
  cut to ``MAX_RESULT_CHARS``;
- secret values appear in no result or error text (a server echoing one gets
  ``[secret NAME]``) and are never logged.

Failures come back as text starting with ``error:``; 4xx and 5xx are results.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from agent_runtime.tools._results import cut_result

if TYPE_CHECKING:  # pragma: no cover
    from agent_runtime.spec import HttpToolSpec

Invoke = Callable[[dict[str, Any]], Awaitable[str]]

MAX_RESPONSE_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
DEFAULT_TIMEOUT_SECONDS = 20.0
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_TEXTUAL = ("text/", "json", "xml", "javascript", "yaml", "csv", "x-www-form-urlencoded")


class _Refused(Exception):
    """Internal: the call must not (or could not) go on; the message is for the agent."""


async def send_request(
    method: str,
    url: str,
    *,
    tool: str,
    allowed_hosts: Collection[str],
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    json_body: Any = None,
    content: str | None = None,
    secrets: Mapping[str, str] | None = None,
) -> str:
    """Send a request under the rules above: ``HTTP <status>\\n<body>`` or ``error: ...``.

    ``secrets`` maps secret names to the values used in ``headers``; every value is
    replaced by ``[secret NAME]`` in what comes back.
    """
    allowed = {host.lower().strip("[]") for host in allowed_hosts}
    body = {"json": json_body} if json_body is not None else {"content": content}
    secrets = secrets or {}
    host, answered = "", False
    try:
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL:
            raise _Refused("the URL is not valid") from None
        if params:  # merged into the URL's own query (``params=`` would replace it)
            target = target.copy_merge_params(params)
        host = _allowed_host(target, allowed, tool)
        request = httpx.Request(method, target, headers=headers, **body)
        async with (
            asyncio.timeout(timeout),
            httpx.AsyncClient(timeout=timeout, verify=_tls(), follow_redirects=False) as client,
        ):
            for hop in range(MAX_REDIRECTS + 1):
                answered = False
                response = await _send(client, request, host, timeout)
                answered = True
                try:
                    location = response.headers.get("location")
                    if response.status_code not in _REDIRECT_STATUSES or not location:
                        text = await _result_text(response, host, timeout)
                        break
                finally:
                    await response.aclose()
                if hop == MAX_REDIRECTS:
                    raise _Refused(f"{host} redirected more than {MAX_REDIRECTS} times")
                request = _redirected(
                    request, response.status_code, location, headers, body, secrets
                )
                host = _allowed_host(request.url, allowed, tool, redirect_from=host)
    except _Refused as refused:
        text = f"error: {refused}"
    except TimeoutError:  # the deadline of the whole call
        doing = "finish answering" if answered else "answer"
        text = f"error: {host} did not {doing} within {timeout:g} s"
    return _redact(text, secrets)


def http_tool_invoke(spec: HttpToolSpec, secrets: Mapping[str, str]) -> Invoke:
    """The ``invoke`` of a spec HTTP tool; ``secrets`` fills its secret-named headers."""
    properties = spec.parameters.get("properties") or {}
    in_url = set(_PLACEHOLDER.findall(spec.url))
    needed = [*dict.fromkeys([*spec.parameters.get("required", []), *sorted(in_url)])]

    async def invoke(arguments: dict[str, Any]) -> str:
        missing = [name for name in needed if arguments.get(name) is None]
        if missing:
            return f"error: missing argument {', '.join(missing)} for tool {spec.id}"
        headers: dict[str, str] = {}
        for header, name in spec.header_secrets.items():
            value = secrets.get(name)
            if not value:
                return f"error: secret {name} is not set"
            if not (value.isascii() and value.isprintable()):
                return f"error: secret {name} is not a valid header value (printable ASCII only)"
            if not _HEADER_NAME.match(header):
                return f"error: '{header}' is not a valid HTTP header name"
            headers[header] = value
        url = _PLACEHOLDER.sub(lambda m: quote(_as_text(arguments[m[1]]), safe=""), spec.url)
        rest = {
            k: v
            for k, v in arguments.items()
            if k in properties and k not in in_url and v is not None
        }
        sends_body = spec.method in ("POST", "PUT", "PATCH")
        return await send_request(
            spec.method,
            url,
            tool=spec.id,
            allowed_hosts=spec.allowed_hosts,
            timeout=spec.timeout_seconds,
            headers=headers,
            params=None if sends_body else {k: _query_value(v) for k, v in rest.items()},
            json_body=rest if sends_body else None,
            secrets={name: secrets[name] for name in spec.header_secrets.values()},
        )

    return invoke


# ----------------------------------------------------------------- helpers ---


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every call (building one costs ~30 ms); safe to share."""
    return httpx.create_ssl_context()


def _allowed_host(url: httpx.URL, allowed: set[str], tool: str, redirect_from: str = "") -> str:
    if url.scheme not in ("http", "https"):
        raise _Refused("only absolute http:// and https:// URLs are allowed")
    host = url.host.lower()
    if not host:
        raise _Refused("the URL has no host")
    if host not in allowed:
        if redirect_from:
            raise _Refused(f"{redirect_from} redirected to host {host}, which is not allowed")
        raise _Refused(f"host {host} is not allowed for tool {tool}")
    return host


async def _send(
    client: httpx.AsyncClient, request: httpx.Request, host: str, timeout: float
) -> httpx.Response:
    try:
        return await client.send(request, stream=True)
    except httpx.ConnectTimeout:
        raise _Refused(f"could not connect to {host} within {timeout:g} s") from None
    except httpx.TimeoutException:
        raise _Refused(f"{host} did not answer within {timeout:g} s") from None
    except httpx.ConnectError as exc:
        raise _Refused(f"could not connect to {host}: {_connect_problem(exc)}") from None
    except httpx.RemoteProtocolError:
        raise _Refused(f"{host} closed the connection without a valid HTTP answer") from None
    except httpx.HTTPError as exc:  # the message may quote what was sent: name the type only
        raise _Refused(f"the request to {host} failed ({type(exc).__name__})") from None


def _connect_problem(exc: BaseException) -> str:
    seen: list[BaseException] = [exc]
    while seen:
        err = seen.pop()
        if isinstance(err, ConnectionRefusedError):
            return "the connection was refused (nothing is listening there)"
        if isinstance(err, socket.gaierror):
            return "the host name could not be resolved"
        if isinstance(err, ssl.SSLError):
            return "the secure (TLS) connection could not be set up"
        if isinstance(err, BaseExceptionGroup):
            seen.extend(err.exceptions)
        seen.extend(e for e in (err.__cause__, err.__context__) if e is not None)
    return "the connection failed"


async def _result_text(response: httpx.Response, host: str, timeout: float) -> str:
    chunks: list[bytes] = []
    size, cut = 0, False
    try:
        async for chunk in response.aiter_bytes():
            room = MAX_RESPONSE_BYTES - size
            chunks.append(chunk[:room])
            size += min(len(chunk), room)
            if len(chunk) > room:
                cut = True
                break
    except httpx.TimeoutException:
        raise _Refused(f"{host} stopped sending its answer (no data for {timeout:g} s)") from None
    except httpx.HTTPError:
        raise _Refused(f"{host} broke off its answer") from None
    data = b"".join(chunks)
    content_type = response.headers.get("content-type", "").lower()
    head = f"HTTP {response.status_code}\n"
    if content_type and not any(kind in content_type for kind in _TEXTUAL):
        amount = "more than 1 MiB" if cut else f"{size} bytes"
        return f"{head}[binary content ({content_type.split(';')[0]}), {amount}, not shown]"
    try:
        text = data.decode(response.charset_encoding or "utf-8", errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    incomplete = "response larger than 1 MiB; only the first 1 MiB was read" if cut else ""
    return cut_result(head + text, incomplete=incomplete)


def _redirected(
    request: httpx.Request,
    status: int,
    location: str,
    headers: Mapping[str, str] | None,
    body: dict[str, Any],
    secrets: Mapping[str, str],
) -> httpx.Request:
    try:
        url = request.url.join(location)
    except httpx.InvalidURL:
        raise _Refused(f"{request.url.host} redirected to an invalid URL") from None
    method = request.method
    if status == 303 or (status in (301, 302) and method == "POST"):
        method, body = "GET", {}  # as browsers do
    origin = (request.url.scheme, request.url.host, request.url.port)
    same_origin = (url.scheme, url.host, url.port) == origin
    secret_values = set(secrets.values())
    kept = {k: v for k, v in (headers or {}).items() if same_origin or v not in secret_values}
    return httpx.Request(method, url, headers=kept, **body)


def _redact(text: str, secrets: Mapping[str, str]) -> str:
    for name, value in sorted(secrets.items(), key=lambda item: -len(item[1] or "")):
        for form in filter(None, {value, json.dumps(value)[1:-1]}):  # as is, and JSON-escaped
            text = text.replace(form, f"[secret {name}]")
    return text


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _query_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return _as_text(value)

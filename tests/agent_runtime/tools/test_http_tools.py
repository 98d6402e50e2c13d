"""HTTP tools and the http_request built-in, against a real local HTTP site.

What a user (and the agent) sees: ``HTTP <status>\\n<body>`` results, ``error: ...``
texts for everything that went wrong, nothing sent to hosts that are not
allowed, and secret values nowhere but in the request headers.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from agent_runtime.errors import ToolError
from agent_runtime.spec import BuiltinToolSpec, HttpToolSpec
from agent_runtime.tools import ResolvedTool, resolve_tool
from agent_runtime.tools._results import MAX_RESULT_CHARS

SECRET = "s3cr3t-Value-9f8e7d"
SECRETS = {"CRM_TOKEN": SECRET}


def http_tool(url: str, **fields: Any) -> HttpToolSpec:
    fields.setdefault("allowed_hosts", ["127.0.0.1"])
    fields.setdefault("description", "A test tool.")
    return HttpToolSpec(id=fields.pop("id", "crm"), url=url, **fields)


def params(*names: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": "string"} for name in names},
        "required": list(required),
    }


def body_of(result: str) -> dict[str, Any]:
    status, _, body = result.partition("\n")
    assert status == "HTTP 200", result
    return json.loads(body)


def resolve(spec: HttpToolSpec | BuiltinToolSpec, secrets=SECRETS) -> ResolvedTool:
    return resolve_tool(spec, secrets)


# ------------------------------------------------------------ requests ---


async def test_placeholders_are_percent_encoded_and_the_rest_goes_to_the_query(site):
    tool = resolve(
        http_tool(
            site.url("/echo/orders/{order_id}?v=1"),
            parameters=params("order_id", "expand", "tags", required=("order_id",)),
        )
    )
    result = await tool.invoke(
        {"order_id": "a/b c?&#é", "expand": True, "tags": ["x", "y"], "undeclared": "dropped"}
    )
    echoed = body_of(result)
    assert echoed["method"] == "GET"
    assert echoed["raw_path"] == "/echo/orders/a%2Fb%20c%3F%26%23%C3%A9"
    assert site.seen[0].query == "v=1&expand=true&tags=x&tags=y"
    assert echoed["body"] == ""
    assert (tool.name, tool.description) == ("crm", "A test tool.")
    assert tool.parameters["required"] == ["order_id"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
async def test_body_methods_send_the_other_parameters_as_json(site, method):
    tool = resolve(
        http_tool(site.url("/echo/items/{item}"), method=method, parameters=params("item", "name"))
    )
    echoed = body_of(await tool.invoke({"item": "7", "name": "Widget", "other": 1}))
    assert echoed["method"] == method
    assert echoed["raw_path"] == "/echo/items/7"
    assert echoed["query"] == {}
    assert json.loads(echoed["body"]) == {"name": "Widget"}
    assert echoed["headers"]["content-type"] == "application/json"


async def test_delete_uses_the_query_string(site):
    tool = resolve(http_tool(site.url("/echo/x"), method="DELETE", parameters=params("id")))
    echoed = body_of(await tool.invoke({"id": "42"}))
    assert (echoed["method"], echoed["query"], echoed["body"]) == ("DELETE", {"id": "42"}, "")


async def test_missing_arguments_are_reported_without_a_request(site):
    tool = resolve(
        http_tool(site.url("/echo/{a}/{b}"), parameters=params("a", "b", "c", required=("c",)))
    )
    result = await tool.invoke({"a": "1"})
    assert result == "error: missing argument c, b for tool crm"
    assert site.seen == []


@pytest.mark.parametrize("code", [404, 500])
async def test_error_statuses_are_results(site, code):
    tool = resolve(http_tool(site.url(f"/status/{code}")))
    assert await tool.invoke({}) == f"HTTP {code}\nstatus {code} body"


async def test_binary_bodies_are_described_not_dumped(site):
    result = await resolve(http_tool(site.url("/binary"))).invoke({})
    assert result == "HTTP 200\n[binary content (image/png), 108 bytes, not shown]"


# ------------------------------------------------------------- secrets ---


@pytest.mark.parametrize("secret", [SECRET, 'Bearer q"uo\\ted-9f8e7d'])
async def test_secret_header_is_sent_but_never_echoed(site, caplog, secret):
    caplog.set_level(logging.DEBUG)
    tool = resolve(
        http_tool(site.url("/echo/me"), header_secrets={"Authorization": "CRM_TOKEN"}),
        {"CRM_TOKEN": secret},
    )
    result = await tool.invoke({})
    assert site.seen[0].headers["authorization"] == secret
    assert body_of(result)["headers"]["authorization"] == "[secret CRM_TOKEN]"
    assert secret not in result and json.dumps(secret)[1:-1] not in result
    assert secret not in caplog.text


async def test_secret_never_appears_in_error_texts(site, closed_port, caplog):
    caplog.set_level(logging.DEBUG)
    secret_headers = {"header_secrets": {"X-Api-Key": "CRM_TOKEN"}}
    specs = [
        http_tool(f"http://127.0.0.1:{closed_port}/x", **secret_headers),
        http_tool(site.url("/x", host="localhost"), **secret_headers),
        http_tool(site.url("/slow"), timeout_seconds=0.2, **secret_headers),
        http_tool(site.url("/redirect?to=http://localhost/"), **secret_headers),
        http_tool(site.url("/loop"), **secret_headers),
    ]
    for spec in specs:
        result = await resolve(spec).invoke({})
        assert result.startswith("error: "), result
        assert SECRET not in result
    assert SECRET not in caplog.text


async def test_missing_or_unusable_secrets_stop_the_call(site):
    tool = http_tool(site.url("/echo/x"), header_secrets={"Authorization": "CRM_TOKEN"})
    assert await resolve(tool, {}).invoke({}) == "error: secret CRM_TOKEN is not set"
    bad = "line1\r\nX-Injected: " + SECRET
    result = await resolve(tool, {"CRM_TOKEN": bad}).invoke({})
    assert result == "error: secret CRM_TOKEN is not a valid header value (printable ASCII only)"
    assert site.seen == []


# -------------------------------------------------------- allow-listing ---


async def test_disallowed_host_is_refused_before_any_request(site):
    tool = resolve(http_tool(site.url("/echo/x", host="LOCALHOST")))
    assert await tool.invoke({}) == "error: host localhost is not allowed for tool crm"
    assert site.seen == []


async def test_allowed_hosts_match_case_insensitively(site):
    tool = resolve(http_tool(site.url("/echo/x"), allowed_hosts=["LocalHost", "127.0.0.1"]))
    assert (await tool.invoke({})).startswith("HTTP 200\n")
    tool = resolve(http_tool(site.url("/echo/x", host="LOCALHOST"), allowed_hosts=["localhost"]))
    assert (await tool.invoke({})).startswith("HTTP 200\n")


async def test_redirect_to_an_allowed_host_is_followed(site):
    target = site.url("/echo/landed", host="localhost")
    tool = resolve(
        http_tool(
            site.url(f"/redirect?to={target}"),
            allowed_hosts=["127.0.0.1", "localhost"],
            header_secrets={"Authorization": "CRM_TOKEN"},
        )
    )
    echoed = body_of(await tool.invoke({}))
    assert echoed["raw_path"] == "/echo/landed"
    assert [s.path for s in site.seen] == ["/redirect", "/echo/landed"]
    # another origin: the secret header stays behind
    assert site.seen[0].headers["authorization"] == SECRET
    assert "authorization" not in site.seen[1].headers


async def test_same_origin_redirect_keeps_method_body_and_secret_on_307(site):
    tool = resolve(
        http_tool(
            site.url("/redirect?code=307&to=/echo/again"),
            method="POST",
            parameters=params("name"),
            header_secrets={"Authorization": "CRM_TOKEN"},
        )
    )
    echoed = body_of(await tool.invoke({"name": "n"}))
    assert (echoed["method"], json.loads(echoed["body"])) == ("POST", {"name": "n"})
    assert site.seen[1].headers["authorization"] == SECRET


async def test_303_turns_into_a_get_without_body(site):
    tool = resolve(
        http_tool(
            site.url("/redirect?code=303&to=/echo/done"), method="POST", parameters=params("a")
        )
    )
    echoed = body_of(await tool.invoke({"a": "1"}))
    assert (echoed["method"], echoed["body"]) == ("GET", "")


async def test_redirect_to_a_disallowed_host_is_refused(site):
    target = site.url("/echo/elsewhere", host="localhost")
    tool = resolve(http_tool(site.url(f"/redirect?to={target}")))
    result = await tool.invoke({})
    assert result == "error: 127.0.0.1 redirected to host localhost, which is not allowed"
    assert [s.path for s in site.seen] == ["/redirect"]


async def test_redirects_stop_after_three_hops(site):
    result = await resolve(http_tool(site.url("/loop"))).invoke({})
    assert result == "error: 127.0.0.1 redirected more than 3 times"
    assert len(site.seen) == 4


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x"])
async def test_redirect_to_other_schemes_is_refused(site, target):
    result = await resolve(http_tool(site.url(f"/redirect?to={target}"))).invoke({})
    assert result == "error: only absolute http:// and https:// URLs are allowed"


# ------------------------------------------------- time, size, network ---


async def test_slow_server_times_out(site):
    started = time.monotonic()
    result = await resolve(http_tool(site.url("/slow"), timeout_seconds=0.2)).invoke({})
    assert result == "error: 127.0.0.1 did not answer within 0.2 s"
    assert time.monotonic() - started < 0.9


async def test_timeout_bounds_the_whole_call_not_just_each_read(site):
    # Each byte comes 0.1 s after the last, so only a bound on the whole call can stop
    # the 10 s answer; on a loaded machine even the headers may miss the second.
    result = await resolve(http_tool(site.url("/drip"), timeout_seconds=1)).invoke({})
    assert result in (
        "error: 127.0.0.1 did not finish answering within 1 s",
        "error: 127.0.0.1 did not answer within 1 s",
    )


async def test_bodies_over_one_mib_are_cut_while_streaming(site):
    result = await resolve(http_tool(site.url(f"/big?size={5 * 1024 * 1024}"))).invoke({})
    assert result.startswith("HTTP 200\naaaa")
    assert len(result) == MAX_RESULT_CHARS
    assert result.endswith(
        "[... response larger than 1 MiB; only the first 1 MiB was read; "
        f"cut at {MAX_RESULT_CHARS} characters]"
    )


async def test_long_results_are_cut_to_the_result_limit(site):
    result = await resolve(http_tool(site.url("/big?size=30000"))).invoke({})
    assert len(result) == MAX_RESULT_CHARS
    assert result.endswith(f"\n[... cut at {MAX_RESULT_CHARS} characters]")


async def test_connection_refused_is_an_error_text(closed_port):
    result = await resolve(http_tool(f"http://127.0.0.1:{closed_port}/x")).invoke({})
    assert result == (
        "error: could not connect to 127.0.0.1: the connection was refused "
        "(nothing is listening there)"
    )


# --------------------------------------------------- http_request built-in ---


def web_tool(*hosts: str) -> ResolvedTool:
    spec = BuiltinToolSpec(id="web", name="http_request", allowed_hosts=list(hosts))
    return resolve_tool(spec, {})


async def test_http_request_builtin_get_and_post(site):
    tool = web_tool("127.0.0.1")
    assert tool.name == "web" and tool.parameters["required"] == ["url"]
    echoed = body_of(await tool.invoke({"url": site.url("/echo/q?x=1")}))
    assert (echoed["method"], echoed["query"]) == ("GET", {"x": "1"})

    echoed = body_of(
        await tool.invoke({"url": site.url("/echo/p"), "method": "post", "body": {"k": [1, 2]}})
    )
    assert (echoed["method"], json.loads(echoed["body"])) == ("POST", {"k": [1, 2]})

    echoed = body_of(
        await tool.invoke({"url": site.url("/echo/p"), "method": "PUT", "body": '{"a": 1}'})
    )
    assert echoed["headers"]["content-type"] == "application/json"
    echoed = body_of(
        await tool.invoke({"url": site.url("/echo/p"), "method": "PATCH", "body": "hi"})
    )
    assert (echoed["body"], echoed["headers"]["content-type"]) == ("hi", "text/plain")


async def test_http_request_builtin_keeps_to_its_allowed_hosts(site):
    tool = web_tool("127.0.0.1")
    result = await tool.invoke({"url": site.url("/echo/x", host="localhost")})
    assert result == "error: host localhost is not allowed for tool http_request"
    target = site.url("/echo/x", host="localhost")
    result = await tool.invoke({"url": site.url(f"/redirect?to={target}")})
    assert result == "error: 127.0.0.1 redirected to host localhost, which is not allowed"
    assert [s.path for s in site.seen] == ["/redirect"]


LOCAL = "http://127.0.0.1/"
NOT_HTTP = "error: only absolute http:// and https:// URLs are allowed"


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({}, "error: missing argument(s) url for web"),
        ({"url": ""}, "error: url must be a non-empty string"),
        ({"url": "/echo/x"}, NOT_HTTP),
        ({"url": "file:///etc/passwd"}, NOT_HTTP),
        ({"url": "http://[::1/"}, "error: the URL is not valid"),
        ({"url": LOCAL, "method": "TRACE"},
         "error: method must be one of GET, POST, PUT, PATCH, DELETE"),
        ({"url": LOCAL, "body": "x"},
         "error: a GET request takes no body; use POST, PUT, PATCH or DELETE"),
        ({"url": LOCAL, "method": "POST", "body": 3},
         "error: body must be a string or a JSON object"),
    ],
)  # fmt: skip
async def test_http_request_builtin_bad_arguments(site, arguments, error):
    assert await web_tool("127.0.0.1").invoke(arguments) == error
    assert site.seen == []


def test_unknown_builtin_is_a_tool_error():
    with pytest.raises(ToolError) as caught:
        resolve_tool(BuiltinToolSpec(id="x", name="nope"), {})
    assert caught.value.code == "unknown_tool"

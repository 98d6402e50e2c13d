"""Checking chat-completions requests, and OpenAI-style errors for bad ones."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ApiError", "ChatRequest", "parse_chat_request"]

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")


class ApiError(Exception):
    """An OpenAI-style error response: ``{"error": {message, type, param, code}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def _missing(param: str) -> ApiError:
    return ApiError(
        400,
        f"Missing required parameter: '{param}'.",
        param=param,
        code="missing_required_parameter",
    )


def _bad_type(param: str, expected: str) -> ApiError:
    return ApiError(
        400, f"Invalid type for '{param}': expected {expected}.", param=param, code="invalid_type"
    )


@dataclass(frozen=True)
class ChatRequest:
    """A checked chat-completions request."""

    model: str
    messages: list[dict[str, Any]]
    offered_tools: frozenset[str]
    tools_disabled: bool
    stream: bool
    include_usage: bool
    tools: tuple[dict[str, Any], ...] = ()
    """The offered tool definitions as sent (for the request log)."""

    def digest(self) -> str:
        """A stable hash of the request, used for deterministic ids."""
        raw = json.dumps([self.model, self.messages, sorted(self.offered_tools)], sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()


def _check_message(i: int, msg: Any) -> None:
    where = f"messages[{i}]"
    if not isinstance(msg, dict):
        raise _bad_type(where, "an object")
    role = msg.get("role")
    if role is None:
        raise _missing(f"{where}.role")
    if role not in _ROLES:
        raise ApiError(
            400,
            f"Invalid value: {role!r}. Supported values are: "
            + ", ".join(f"'{r}'" for r in _ROLES)
            + ".",
            param=f"{where}.role",
            code="invalid_value",
        )
    content = msg.get("content")
    if content is not None and not isinstance(content, str | list):
        raise _bad_type(f"{where}.content", "a string or an array of content parts")
    if isinstance(content, list) and not all(isinstance(p, dict) for p in content):
        raise _bad_type(f"{where}.content", "an array of content part objects")
    calls = msg.get("tool_calls")
    if role == "assistant" and calls is not None:
        if not isinstance(calls, list):
            raise _bad_type(f"{where}.tool_calls", "an array")
        for j, call in enumerate(calls):
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                raise _missing(f"{where}.tool_calls[{j}].function.name")
    elif content is None and role in ("system", "developer", "user", "tool"):
        raise _missing(f"{where}.content")
    if role == "tool" and not isinstance(msg.get("tool_call_id"), str):
        raise _missing(f"{where}.tool_call_id")


def _tool_names(tools: Any) -> frozenset[str]:
    if tools is None:
        return frozenset()
    if not isinstance(tools, list):
        raise _bad_type("tools", "an array")
    names = set()
    for i, tool in enumerate(tools):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise _missing(f"tools[{i}].function.name")
        names.add(fn["name"])
    return frozenset(names)


def parse_chat_request(body: Any, models: Sequence[str]) -> ChatRequest:
    """Check a decoded JSON body; raise :class:`ApiError` like OpenAI would."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.", code="invalid_json")
    model = body.get("model")
    if model is None:
        raise _missing("model")
    if not isinstance(model, str):
        raise _bad_type("model", "a string")
    if model not in models:
        raise ApiError(
            404,
            f"The model '{model}' does not exist. This offline demo model"
            f" server serves: {', '.join(models)}.",
            param="model",
            code="model_not_found",
        )
    messages = body.get("messages")
    if messages is None:
        raise _missing("messages")
    if not isinstance(messages, list):
        raise _bad_type("messages", "an array")
    if not messages:
        raise ApiError(
            400,
            "'messages' must contain at least one message.",
            param="messages",
            code="empty_array",
        )
    for i, msg in enumerate(messages):
        _check_message(i, msg)
    offered = _tool_names(body.get("tools"))
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        offered = offered & {choice["function"].get("name")}
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise _bad_type("stream", "a boolean")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise _bad_type("stream_options", "an object")
    n = body.get("n")
    if n is not None and n != 1:
        raise ApiError(
            422, "The offline demo model only supports n=1.", param="n", code="unsupported_value"
        )
    return ChatRequest(
        model=model,
        messages=messages,
        offered_tools=offered,
        tools_disabled=choice == "none",
        stream=bool(stream),
        include_usage=bool(options and options.get("include_usage")),
        tools=tuple(body.get("tools") or ()),
    )

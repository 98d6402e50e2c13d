"""Building ``chat.completion`` bodies, ``chat.completion.chunk`` streams and usage.

Token counts are deterministic and simple: a "token" is a run of letters,
digits and underscores, or one other non-space character (``\\w+|[^\\w\\s]``).
``prompt_tokens`` counts the text of every message (content, tool-call names
and arguments); ``completion_tokens`` counts the reply's content, or its
tool-call names and arguments. Ids are hashes of the request, so they are
deterministic too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ._engine import Reply, message_text, tool_calls_of
from ._request import ChatRequest

__all__ = ["completion_body", "completion_chunks", "count_tokens", "usage"]

_TOKEN = re.compile(r"\w+|[^\w\s]")
_PIECE = re.compile(r"\S+\s*|\s+")
_ARG_PIECE = 24
FINGERPRINT = "fp_orchestrall_demo"


def count_tokens(text: str) -> int:
    """Deterministic token count: words and single punctuation marks."""
    return len(_TOKEN.findall(text))


def _message_tokens(msg: Mapping[str, Any]) -> int:
    parts = [message_text(msg)]
    for call in tool_calls_of(msg):
        parts += [str(call.get("name", "")), str(call.get("arguments", ""))]
    return sum(count_tokens(p) for p in parts)


def usage(req: ChatRequest, reply: Reply) -> dict[str, int]:
    prompt = sum(_message_tokens(m) for m in req.messages)
    if reply.content is not None:
        completion = count_tokens(reply.content)
    else:
        completion = sum(count_tokens(c.name) + count_tokens(c.arguments) for c in reply.tool_calls)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _call_id(digest: str, index: int) -> str:
    return "call_" + hashlib.sha256(f"{digest}:{index}".encode()).hexdigest()[:24]


def _envelope(req: ChatRequest, created: int, obj: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-" + req.digest()[:24],
        "object": obj,
        "created": created,
        "model": req.model,
        "system_fingerprint": FINGERPRINT,
    }


def completion_body(req: ChatRequest, reply: Reply, created: int) -> dict[str, Any]:
    """A ``chat.completion`` object."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.content,
        "refusal": None,
        "annotations": [],
    }
    if reply.tool_calls:
        digest = req.digest()
        message["tool_calls"] = [
            {
                "id": _call_id(digest, i),
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments},
            }
            for i, c in enumerate(reply.tool_calls)
        ]
    return {
        **_envelope(req, created, "chat.completion"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            }
        ],
        "usage": usage(req, reply),
    }


def completion_chunks(req: ChatRequest, reply: Reply, created: int) -> Iterator[dict[str, Any]]:
    """``chat.completion.chunk`` objects: role, content or tool-call deltas, finish, usage."""
    head = _envelope(req, created, "chat.completion.chunk")
    if req.include_usage:
        head["usage"] = None

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "choices": [choice]}

    if reply.tool_calls:
        yield chunk({"role": "assistant", "content": None})
        digest = req.digest()
        for i, call in enumerate(reply.tool_calls):
            yield chunk(
                {
                    "tool_calls": [
                        {
                            "index": i,
                            "id": _call_id(digest, i),
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                }
            )
            for start in range(0, len(call.arguments), _ARG_PIECE):
                piece = call.arguments[start : start + _ARG_PIECE]
                yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
        yield chunk({}, "tool_calls")
    else:
        yield chunk({"role": "assistant", "content": "", "refusal": None})
        for piece in _PIECE.findall(reply.content or ""):
            yield chunk({"content": piece})
        yield chunk({}, "stop")
    if req.include_usage:
        yield {**head, "choices": [], "usage": usage(req, reply)}

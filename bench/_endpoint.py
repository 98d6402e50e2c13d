"""A zero-latency OpenAI-compatible endpoint for benchmarks: fixed answers, no parsing."""

from __future__ import annotations

import json
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

ANSWER = "The answer is 42."
COMPLETION = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 0,
    "model": "orchestrall-demo",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": ANSWER}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
}


def _chunks() -> list[bytes]:
    base = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "orchestrall-demo",
    }
    parts = [
        {
            **base,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": word}, "finish_reason": None}
            ],
        }
        for word in ("The answer ", "is 42.")
    ]
    parts.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    parts.append({**base, "choices": [], "usage": COMPLETION["usage"]})
    return [f"data: {json.dumps(p)}\n\n".encode() for p in parts] + [b"data: [DONE]\n\n"]


CHUNKS = _chunks()


async def completions(request: Request):
    body = await request.json()
    if body.get("stream"):

        async def gen():
            for chunk in CHUNKS:
                yield chunk

        return StreamingResponse(gen(), media_type="text/event-stream")
    return JSONResponse(COMPLETION)


class ZeroLatencyEndpoint:
    """``with ZeroLatencyEndpoint() as url:`` — an OpenAI base URL answering instantly."""

    def __enter__(self) -> str:
        app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        threading.Thread(target=self.server.run, daemon=True).start()
        while not self.server.started:
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True

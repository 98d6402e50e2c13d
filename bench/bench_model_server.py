"""The scripted model server's cost per request, against a bare OpenAI-shaped endpoint.

    .venv/bin/python bench/bench_model_server.py [--requests 300]

Both servers run in this process on uvicorn threads and are called through the
same real ``openai`` client over HTTP. The baseline returns a fixed completion
without parsing anything; the ratio is what script matching, validation and
usage counting add per request.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import openai
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from agent_runtime.model_server import DEMO_MODEL, ScriptedModelServer

FIXED = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 0,
    "model": DEMO_MODEL,
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}
SCRIPT = {
    "version": 1,
    "rules": [
        {"when": {"system": {"contains": f"agent {i}."}}, "content": f"answer {i}"}
        for i in range(20)
    ],
}
MESSAGES = [
    {"role": "system", "content": "You are agent 19. Answer briefly."},
    {"role": "user", "content": "What is the capital of France? " * 5},
]


def _baseline_server() -> tuple[uvicorn.Server, int]:
    async def completions(request):
        await request.body()
        return JSONResponse(FIXED)

    app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, port


def _median_ms(client: openai.OpenAI, n: int, stream: bool = False) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        if stream:
            for _chunk in client.chat.completions.create(
                model=DEMO_MODEL, messages=MESSAGES, stream=True
            ):
                pass
        else:
            client.chat.completions.create(model=DEMO_MODEL, messages=MESSAGES)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    baseline_server, port = _baseline_server()
    try:
        with ScriptedModelServer(script=SCRIPT) as scripted:
            base = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x")
            ours = openai.OpenAI(base_url=scripted.base_url, api_key="x")
            assert (
                ours.chat.completions.create(model=DEMO_MODEL, messages=MESSAGES)
                .choices[0]
                .message.content
                == "answer 19"
            )
            _median_ms(base, 20)  # warm up both
            _median_ms(ours, 20)
            raw = _median_ms(base, args.requests)
            scripted_ms = _median_ms(ours, args.requests)
            streamed = _median_ms(ours, args.requests // 3, stream=True)
    finally:
        baseline_server.should_exit = True
    print(f"requests={args.requests} rules=20 (last rule matches)")
    print(f"bare fixed endpoint:        {raw:6.2f} ms/request")
    print(f"scripted model server:      {scripted_ms:6.2f} ms/request")
    print(f"scripted, streaming:        {streamed:6.2f} ms/request")
    print(f"ratio scripted/bare:        {scripted_ms / raw:6.2f}x")


if __name__ == "__main__":
    main()

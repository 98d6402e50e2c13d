"""One "app worker" process for ``test_shared_limits.py``: a ``RateLimiter`` of its own.

    python _limiter_worker.py <storage_url> <hits|runs> <key id> <limit> <tries>

Prints ``ready`` once set up, waits for a line on stdin (the go), then makes ``tries``
requests (``hits``) or takes ``tries`` run slots without releasing them (``runs``),
and prints one JSON line: ``{"allowed": n, "tokens": [...]}``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from agent_runtime.access import ApiKey, RateLimiter
from agent_runtime.errors import RateLimitedError


def main(storage_url: str, mode: str, key_id: str, limit: int, tries: int) -> None:
    key = ApiKey(
        id=key_id,
        name=key_id,
        prefix=f"orch_{key_id[:8]}",
        graph_ids=None,
        per_minute=limit,
        concurrent_runs=limit,
        created_at=datetime.now(UTC),
        expires_at=None,
        revoked_at=None,
        last_used_at=None,
    )
    limiter = RateLimiter(storage_url=storage_url)
    print("ready", flush=True)
    sys.stdin.readline()
    allowed, tokens = 0, []
    for _ in range(tries):
        try:
            if mode == "hits":
                limiter.hit(key)
            else:
                tokens.append(limiter.acquire_run(key))
            allowed += 1
        except RateLimitedError:
            pass
    print(json.dumps({"allowed": allowed, "tokens": tokens}), flush=True)


if __name__ == "__main__":
    url, mode, key_id, limit, tries = sys.argv[1:]
    main(url, mode, key_id, int(limit), int(tries))

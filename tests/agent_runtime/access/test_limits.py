"""``RateLimiter`` in memory and on a real Redis: requests per minute (moving window) and
concurrent-run slots per key, ``RateLimitedError`` with a Retry-After, dead slots freed.

Two limiters on one Redis share their counters (as two app workers would); two in
memory do not. ``test_shared_limits.py`` shows the same across real processes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from agent_runtime.access import ApiKey, RateLimiter
from agent_runtime.access import _limits as limits_module
from agent_runtime.errors import ConfigurationError, RateLimitedError
from agent_runtime.settings import Settings


def _key(key_id: str = "k1", *, per_minute: int | None = None, runs: int | None = None):
    return ApiKey(
        id=key_id,
        name=key_id,
        prefix=f"orch_{key_id}",
        graph_ids=None,
        per_minute=per_minute,
        concurrent_runs=runs,
        created_at=datetime.now(UTC),
        expires_at=None,
        revoked_at=None,
        last_used_at=None,
    )


@pytest.fixture(params=["memory", "redis"])
def storage_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
    else:
        yield request.getfixturevalue("redis_url")


@pytest.fixture
def limiter(storage_url: str) -> RateLimiter:
    return RateLimiter(storage_url=storage_url, per_minute=3, concurrent_runs=2)


def _allowed(limiter: RateLimiter, key: ApiKey, tries: int) -> int:
    allowed = 0
    for _ in range(tries):
        try:
            limiter.hit(key)
            allowed += 1
        except RateLimitedError:
            pass
    return allowed


# ------------------------------------------------------ requests a minute ---


def test_requests_over_the_limit_get_a_retry_after(limiter: RateLimiter) -> None:
    key = _key()
    for _ in range(3):
        limiter.hit(key)

    with pytest.raises(RateLimitedError) as err:
        limiter.hit(key)

    assert err.value.code == "rate_limited"
    assert 1 <= err.value.retry_after <= 60
    assert err.value.message.startswith("This API key may make 3 requests a minute")


def test_a_key_s_own_limit_wins_over_the_default(limiter: RateLimiter) -> None:
    assert _allowed(limiter, _key("generous", per_minute=10), 15) == 10
    assert _allowed(limiter, _key("strict", per_minute=1), 5) == 1


def test_keys_are_counted_apart(limiter: RateLimiter) -> None:
    assert _allowed(limiter, _key("a"), 5) == 3
    assert _allowed(limiter, _key("b"), 5) == 3


def test_threads_together_get_exactly_the_limit(limiter: RateLimiter) -> None:
    key = _key("busy", per_minute=40)
    counts: list[int] = []

    def worker() -> None:
        counts.append(_allowed(limiter, key, 20))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(counts) == 40


def test_two_limiters_share_counts_only_on_redis(storage_url: str) -> None:
    first = RateLimiter(storage_url=storage_url, per_minute=4)
    second = RateLimiter(storage_url=storage_url, per_minute=4)
    key = _key("two-workers")

    together = _allowed(first, key, 3) + _allowed(second, key, 3)

    assert first.shared is (storage_url != "memory://")
    # On Redis the two share one window (4 in all); in memory each has its own (3 + 3).
    assert together == (4 if first.shared else 6)


# ---------------------------------------------------------- running runs ---


def test_run_slots_are_limited_and_freed(limiter: RateLimiter) -> None:
    key = _key()
    one, two = limiter.acquire_run(key), limiter.acquire_run(key)

    with pytest.raises(RateLimitedError) as err:
        limiter.acquire_run(key)
    assert err.value.code == "too_many_runs" and err.value.retry_after == 5
    assert "2 run(s) going at once" in err.value.message

    limiter.release_run(key, one)
    three = limiter.acquire_run(key)
    limiter.release_run(key, two)
    limiter.release_run(key, three)
    limiter.release_run(key, three)  # twice is harmless
    assert {limiter.acquire_run(key), limiter.acquire_run(key)}


def test_a_run_slot_is_released_when_the_run_fails(limiter: RateLimiter) -> None:
    key = _key(runs=1)

    with pytest.raises(ValueError), limiter.run_slot(key):
        with pytest.raises(RateLimitedError):
            limiter.acquire_run(key)
        raise ValueError("the run failed")

    with limiter.run_slot(key):
        pass


def test_slots_of_keys_are_apart_and_a_key_s_own_limit_wins(limiter: RateLimiter) -> None:
    wide, narrow = _key("wide", runs=3), _key("narrow", runs=1)

    for _ in range(3):
        limiter.acquire_run(wide)
    limiter.acquire_run(narrow)

    with pytest.raises(RateLimitedError):
        limiter.acquire_run(wide)
    with pytest.raises(RateLimitedError):
        limiter.acquire_run(narrow)


def test_a_slot_never_released_frees_itself(
    limiter: RateLimiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that died holding a slot cannot block the key past ``SLOT_TTL_S``."""
    monkeypatch.setattr(limits_module, "SLOT_TTL_S", 1)
    key = _key(runs=1)
    limiter.acquire_run(key)  # never released
    with pytest.raises(RateLimitedError):
        limiter.acquire_run(key)

    time.sleep(1.2)

    limiter.acquire_run(key)


# --------------------------------------------------------- configuration ---


def test_memory_by_default_and_redis_when_configured(tmp_path, monkeypatch) -> None:
    for name in ("ORCHESTRALL_REDIS_URL", "ORCHESTRALL_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    base = Settings(data_dir=tmp_path, _env_file=None)
    assert base.redis_url is None
    default = RateLimiter.from_settings(base)
    assert default.storage_url == "memory://" and not default.shared
    assert (default.per_minute, default.concurrent_runs) == (60, 4)

    redis_url = "redis://127.0.0.1:6379/9"
    configured = base.model_copy(
        update={"redis_url": redis_url, "api_requests_per_minute": 9, "api_concurrent_runs": 2}
    )
    limiter = RateLimiter.from_settings(configured)
    assert limiter.storage_url == redis_url and limiter.shared
    assert (limiter.per_minute, limiter.concurrent_runs) == (9, 2)

    broker = base.model_copy(update={"broker_url": "redis://127.0.0.1:6379/8"})
    assert RateLimiter.from_settings(broker).storage_url == "redis://127.0.0.1:6379/8"
    amqp = base.model_copy(update={"broker_url": "amqp://guest@127.0.0.1//"})
    assert RateLimiter.from_settings(amqp).storage_url == "memory://"


def test_an_unusable_storage_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as err:
        RateLimiter(storage_url="nosuchscheme://127.0.0.1:1/0")

    assert err.value.code == "bad_rate_limit_storage"
    assert "unknown storage scheme" in err.value.message


def test_an_unusable_storage_url_does_not_show_its_password() -> None:
    with pytest.raises(ConfigurationError) as err:
        RateLimiter(storage_url="nosuchscheme://user:hunter2@example.com:1/0")

    assert "hunter2" not in err.value.message
    assert "nosuchscheme://example.com:1/0" in err.value.message


def test_redis_down_is_a_clear_error_without_the_password() -> None:
    from agent_runtime.errors import StoreError

    limiter = RateLimiter(storage_url="redis://:hunter2@127.0.0.1:1/0")  # nothing listens
    key = _key(per_minute=5)
    for call in (lambda: limiter.hit(key), lambda: limiter.acquire_run(key)):
        with pytest.raises(StoreError) as err:
            call()
        assert err.value.code == "rate_limiter_unavailable"
        assert "hunter2" not in err.value.message

"""The flag counters counted together (survey.counters) count exactly as limits counts them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import cast

import pytest
import redis
from limits import parse
from limits.storage import RedisStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from survey.abuse import LocalCounts
from survey.counters import Hit, hit_all
from tests.conftest import require
from tests.survey.test_abuse import REDIS, redis_reachable

ADDRESS, DEVICE = parse("2/hour"), parse("3/day")


@pytest.fixture
def redis_storage() -> Iterator[RedisStorage]:
    """limits' Redis storage; this test's counters deleted after."""
    require(redis_reachable(), f"Redis at {REDIS}")
    storage = storage_from_string(REDIS)
    assert isinstance(storage, RedisStorage)
    yield storage
    connection = client(storage)
    for key in connection.scan_iter("LIMITS:LIMITER/yiti-counters-*"):
        connection.delete(key)


def client(storage: RedisStorage) -> redis.Redis:
    """The storage's Redis client, typed as redis-py's (limits types it as a protocol)."""
    return cast(redis.Redis, storage.get_connection())


def counters(prefix: str) -> list[Hit]:
    """The two flag counters of one submission, under a prefix of the test's own."""
    return [(ADDRESS, (prefix, "flag-ip", "a")), (DEVICE, (prefix, "flag-device", "d"))]


def test_counted_together_as_limits_counts_one_at_a_time(redis_storage: RedisStorage) -> None:
    strategy = FixedWindowRateLimiter(redis_storage)
    together, alone = (f"yiti-counters-{uuid.uuid4().hex[:8]}" for _ in range(2))
    batched = [hit_all(strategy, counters(together)) for _ in range(5)]
    single = [[strategy.hit(item, *ids) for item, ids in counters(alone)] for _ in range(5)]
    assert (
        batched
        == single
        == [[True, True], [True, True], [False, True], [False, False], [False, False]]
    )
    connection = client(redis_storage)
    for item, ids in counters(together):
        key = redis_storage.prefixed_key(item.key_for(*ids))
        assert connection.get(key) == b"5"
        # The window's expiry is set once, when it opens, as limits sets it.
        ttl = connection.ttl(key)
        assert isinstance(ttl, int) and 0 < ttl <= item.get_expiry()
    # limits' own view of the window sees the counts made together.
    stats = strategy.get_window_stats(ADDRESS, together, "flag-ip", "a")
    assert stats.remaining == 0


def test_all_counters_take_one_round_trip(
    redis_storage: RedisStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    strategy = FixedWindowRateLimiter(redis_storage)
    connection = client(redis_storage)
    sent: list[object] = []
    execute = connection.execute_command

    def counted(*args: object, **options: object) -> object:
        sent.append(args[0])
        return execute(*args, **options)  # type: ignore[no-untyped-call]

    prefix = f"yiti-counters-{uuid.uuid4().hex[:8]}"
    hit_all(strategy, counters(prefix))  # a fresh Redis is sent the script on its first use
    monkeypatch.setattr(connection, "execute_command", counted)
    assert hit_all(strategy, counters(prefix)) == [True, True]
    assert sent == ["EVALSHA"]


def test_other_stores_and_strategies_count_one_hit_at_a_time(
    redis_storage: RedisStorage,
) -> None:
    for strategy in (
        FixedWindowRateLimiter(LocalCounts()),
        MovingWindowRateLimiter(redis_storage),
    ):
        prefix = f"yiti-counters-{uuid.uuid4().hex[:8]}"
        results = [hit_all(strategy, counters(prefix)) for _ in range(4)]
        assert results == [[True, True], [True, True], [False, True], [False, False]]

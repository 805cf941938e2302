"""Several fixed-window counters counted in one Redis round trip (the flag counters, issue 17).

limits' fixed window counts a hit with one Lua script per counter (INCRBY, then EXPIRE when the
count is the hit's own, i.e. the window is new). A submission counts two flag counters (address
and device); with Redis each script is a round trip of about 0.13 ms of the worker's CPU. Here
the same script runs over all of a submission's counters at once: the same keys (limits' own
`key_for` under the storage's prefix), the same window start and expiry, the same comparison
(count ≤ amount), so the counts are shared with, and indistinguishable from, limits' own hits.
A storage this does not know (memory, cluster, other strategies) is counted by limits, one hit
at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from limits import RateLimitItem
from limits.storage import RedisClusterStorage, RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

if TYPE_CHECKING:  # redis itself is imported only by a Redis storage: memory:// never loads it
    from redis.commands.core import Script

# limits' resources/redis/lua_scripts/incr_expire.lua, once per key; ARGV[i] is key i's expiry.
INCR_EXPIRE_ALL = b"""
local counts = {}
for i, key in ipairs(KEYS) do
    local current = redis.call("incrby", key, 1)
    if tonumber(current) == 1 then
        redis.call("expire", key, ARGV[i])
    end
    counts[i] = current
end
return counts
"""
# One registered script per storage: redis-py keeps its SHA and reloads it after a flush.
SCRIPTS: WeakKeyDictionary[Storage, Script] = WeakKeyDictionary()

Hit = tuple[RateLimitItem, Sequence[str]]  # a limit and the identifiers of its counter


def hit_all(strategy: RateLimiter, hits: Sequence[Hit]) -> list[bool]:
    """Count one hit on each counter; for each, whether it is still within its limit.

    One round trip for a fixed window in (non-cluster) Redis: a cluster would refuse keys of
    different slots in one script, so it is counted as limits counts it.
    """
    storage = strategy.storage
    batched = isinstance(strategy, FixedWindowRateLimiter) and _plain_redis(storage)
    if not batched or not hits:
        return [strategy.hit(item, *identifiers) for item, identifiers in hits]
    assert isinstance(storage, RedisStorage)
    keys = [storage.prefixed_key(item.key_for(*identifiers)) for item, identifiers in hits]
    expiries = [item.get_expiry() for item, _ in hits]
    counts = _script(storage)(keys, expiries)
    return [int(count) <= item.amount for count, (item, _) in zip(counts, hits, strict=True)]


def _plain_redis(storage: Storage) -> bool:
    return isinstance(storage, RedisStorage) and not isinstance(storage, RedisClusterStorage)


def _script(storage: RedisStorage) -> Script:
    """The storage's registered script, registered on first use (its SHA computed once)."""
    script = SCRIPTS.get(storage)
    if script is None:
        script = storage.get_connection().register_script(INCR_EXPIRE_ALL)
        SCRIPTS[storage] = script
    return script

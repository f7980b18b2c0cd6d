"""A backend in Redis (or Valkey), so processes and hosts share one context.

Layout of a namespace ``ns`` (the ``{ns}`` hash tag keeps it in one cluster slot)::

    agent_baton:{ns}:e:<key>   string: JSON of every ContextEntry field, PEXPIRE ttl
    agent_baton:{ns}:order     sorted set: key -> put sequence (oldest first)
    agent_baton:{ns}:stamps    sorted set: key -> entry timestamp (finds expired entries)
    agent_baton:{ns}:sizes     hash: key -> size_bytes (enforces max_bytes)

Every operation is one Lua script, so a put (its eviction included) is atomic across every
process. Expiry is decided against the ``now`` the context passes, exactly as in memory; the
PEXPIRE only lets Redis reclaim memory, and members whose value it reclaimed are dropped.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from typing import TYPE_CHECKING, Any

from agent_baton.backends.base import Backend, BackendUnavailableError
from agent_baton.entry import ContextEntry

if TYPE_CHECKING:
    from redis import Redis
    from redis.commands.core import Script

DEFAULT_URL = "redis://localhost:6379/0"
_NAMESPACE = re.compile(r"[A-Za-z0-9_.-]{1,128}")

# Each script's KEYS are the order, stamps and sizes sets, then (for one key) its value key.
# Numbers go to redis.call as '%.17g' strings: a bare Lua number would lose its fraction.
_LUA_DROP = """
local function drop(m)
  redis.call('DEL', prefix .. m)
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZREM', KEYS[2], m)
  redis.call('HDEL', KEYS[3], m)
end
"""

# ARGV: key, value, timestamp, now, ttl seconds or '', ttl ms or '', max_entries, prefix,
# size in bytes, max_bytes or ''.
_PUT = (
    """
local key, prefix = ARGV[1], ARGV[8]
local now, ttl, max = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[7])
local size, max_bytes = tonumber(ARGV[9]), tonumber(ARGV[10])
"""
    + _LUA_DROP
    + """
local function drop_reclaimed()
  for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if redis.call('EXISTS', prefix .. m) == 0 then drop(m) end
  end
end
local function drop_expired()
  if ttl then
    local near = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf',
                            string.format('%.17g', now - ttl + 1), 'WITHSCORES')
    for i = 1, #near, 2 do
      if now - tonumber(near[i + 1]) >= ttl then drop(near[i]) end
    end
  end
end
if redis.call('EXISTS', KEYS[4]) == 0 then
  -- A new key makes room: expired entries first (the same test as in Python) ...
  drop_expired()
  if redis.call('ZCARD', KEYS[1]) >= max then
    -- ... then members whose value Redis already reclaimed, then the oldest live ones.
    drop_reclaimed()
    while redis.call('ZCARD', KEYS[1]) >= max do
      drop(redis.call('ZRANGE', KEYS[1], 0, 0)[1])
    end
  end
end
if max_bytes then
  -- The byte bound holds for updates too: the others' sizes plus this one must fit.
  local function others()
    local total = 0
    local sizes = redis.call('HGETALL', KEYS[3])
    for i = 1, #sizes, 2 do
      if sizes[i] ~= key then total = total + tonumber(sizes[i + 1]) end
    end
    return total
  end
  if others() + size > max_bytes then
    drop_expired()
    drop_reclaimed()
    while others() + size > max_bytes do
      local oldest = redis.call('ZRANGE', KEYS[1], 0, 1)
      local victim = oldest[1] ~= key and oldest[1] or oldest[2]
      if not victim then break end
      drop(victim)
    end
  end
end
local index_pttl = redis.call('PTTL', KEYS[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local seq = last[2] and tonumber(last[2]) + 1 or 1
redis.call('ZADD', KEYS[1], string.format('%.17g', seq), key)
redis.call('ZADD', KEYS[2], ARGV[3], key)
redis.call('HSET', KEYS[3], key, ARGV[9])
if ttl then
  redis.call('SET', KEYS[4], ARGV[2], 'PX', ARGV[6])
  -- The sets must outlive every value they list, so their expiry only ever grows.
  if index_pttl == -2 or (index_pttl >= 0 and index_pttl < tonumber(ARGV[6])) then
    for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[6]) end
  end
else
  redis.call('SET', KEYS[4], ARGV[2])
  for i = 1, 3 do redis.call('PERSIST', KEYS[i]) end
end
return 1
"""
)

# ARGV: key, now, ttl seconds or ''. The value, or nil when missing or expired (then dropped).
_GET = """
local value, ttl = redis.call('GET', KEYS[4]), tonumber(ARGV[3])
if value and ttl then
  local stamp = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if stamp and tonumber(ARGV[2]) - tonumber(stamp) >= ttl then
    redis.call('DEL', KEYS[4])
    value = false
  end
end
if not value then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
end
return value
"""

# ARGV: now, ttl seconds or '', prefix. A JSON array of the live values, oldest first
# (one reply parses far faster than one per entry); reclaimed members are dropped.
_ENTRIES = (
    """
local now, ttl, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
"""
    + _LUA_DROP
    + """
local stamps, live = {}, {}
if ttl then
  local scored = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  for i = 1, #scored, 2 do stamps[scored[i]] = tonumber(scored[i + 1]) end
end
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local value = redis.call('GET', prefix .. m)
  if not value then
    drop(m)
  elseif not ttl or now - stamps[m] < ttl then
    live[#live + 1] = value
  end
end
return '[' .. table.concat(live, ',') .. ']'
"""
)

# ARGV: key. 1 when its value was there.
_DELETE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return redis.call('DEL', KEYS[4])
"""

# ARGV: prefix. Deletes exactly the listed members' values: no pattern a key could widen.
_CLEAR = """
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  redis.call('DEL', ARGV[1] .. m)
end
return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
"""


class RedisBackend(Backend):
    """Entries in Redis under one namespace, shared by every process that opens it.

    ``url`` defaults to ``$REDIS_URL``, then ``redis://localhost:6379/0``; credentials and TLS
    (``rediss://``) come from it and go to redis-py as they are. ``namespace`` (letters,
    digits, ``_``, ``.``, ``-``) isolates one workflow from another. A call that cannot reach
    Redis within ``timeout`` seconds raises :class:`BackendUnavailableError`.
    """

    def __init__(self, url: str | None = None, *, namespace: str, timeout: float = 2.0) -> None:
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError as exc:
            raise ImportError(
                "RedisBackend needs redis-py: pip install 'agent-baton[redis]'"
            ) from exc
        if not isinstance(namespace, str) or not _NAMESPACE.fullmatch(namespace):
            raise ValueError(
                f"namespace must be 1-128 letters, digits, '_', '.' or '-', not {namespace!r}"
            )
        if isinstance(timeout, bool) or not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        url = url or os.environ.get("REDIS_URL") or DEFAULT_URL
        # The URL may hold a password, so no message here repeats it.
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("Redis URL must start with redis://, rediss:// or unix://")
        try:
            # One immediate retry on a connection error reconnects a pooled socket that a
            # Redis restart closed; none on a timeout, so a call fails within ``timeout``.
            self._client: Redis = redis.Redis.from_url(
                url,
                socket_connect_timeout=timeout,
                socket_timeout=timeout,
                retry=Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)),
            )
        except ValueError:
            raise ValueError("invalid Redis URL (not shown: it may hold credentials)") from None
        self.namespace = namespace
        # InvalidResponse: something that is not Redis answers at that address.
        self._unavailable = (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
            redis.exceptions.InvalidResponse,
        )
        base = f"agent_baton:{{{namespace}}}:".encode()
        self._prefix = base + b"e:"
        self._sets = [base + b"order", base + b"stamps", base + b"sizes"]
        self._put, self._get, self._entries, self._delete, self._clear = (
            self._client.register_script(s) for s in (_PUT, _GET, _ENTRIES, _DELETE, _CLEAR)
        )

    def put(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float,
        max_bytes: int | None = None,
    ) -> None:
        """Store ``entry`` atomically, evicting expired then oldest entries as needed.

        As in memory: a new key at ``max_entries`` makes room; any put that would take the
        namespace over ``max_bytes`` evicts too.
        """
        member = _encode(entry.key)
        ttl_ms = "" if ttl is None else str(max(1, math.ceil(ttl * 1000)))
        value = _encode(json.dumps(dataclasses.asdict(entry), ensure_ascii=False))
        args = [member, value, _num(entry.timestamp), _num(now), _ttl(ttl), ttl_ms]
        limits = [max_entries, self._prefix, entry.size_bytes, max_bytes or ""]
        self._run(self._put, [*self._sets, self._prefix + member], [*args, *limits])

    def get(self, key: str, *, ttl: float | None, now: float) -> ContextEntry | None:
        """The live entry under ``key``; an expired one is dropped on the way."""
        member = _encode(key)
        keys = [*self._sets, self._prefix + member]
        raw = self._run(self._get, keys, [member, _num(now), _ttl(ttl)])
        return None if raw is None else ContextEntry(**_load(raw))

    def entries(self, *, ttl: float | None, now: float) -> list[ContextEntry]:
        """All live entries of this namespace, oldest first."""
        raw = self._run(self._entries, self._sets, [_num(now), _ttl(ttl), self._prefix])
        return [ContextEntry(**fields) for fields in _load(raw)]

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""
        member = _encode(key)
        return bool(self._run(self._delete, [*self._sets, self._prefix + member], [member]))

    def clear(self) -> None:
        """Remove every entry of this namespace, and nothing else."""
        self._run(self._clear, self._sets, [self._prefix])

    def close(self) -> None:
        """Close the connections to Redis; a later call opens new ones."""
        self._client.close()

    def __repr__(self) -> str:
        return f"RedisBackend(namespace={self.namespace!r})"  # never the URL: credentials

    def _run(self, script: Script, keys: list[bytes], args: list[Any]) -> Any:
        try:
            return script(keys=keys, args=args)
        except self._unavailable as exc:
            raise BackendUnavailableError(
                f"Redis unavailable for namespace {self.namespace!r}: {exc}"
            ) from exc


def _encode(text: str) -> bytes:
    # Keys are arbitrary str, lone surrogates included; Redis keys are bytes.
    return text.encode("utf-8", "surrogatepass")


def _load(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8", "surrogatepass"))


def _num(value: float) -> str:
    return repr(float(value))  # round-trips exactly, so Lua compares the same doubles


def _ttl(ttl: float | None) -> str:
    return "" if ttl is None else _num(ttl)

r"""A backend in Redis, Valkey or Redis Cluster, so processes and hosts share one context.

A namespace ``ns`` is one hash, ``agent_baton:{ns}`` (the ``{ns}`` hash tag names its
cluster slot), with these fields per entry key ``k``::

    m:k   "<sequence> <put time> <size>", a line break, then JSON of the entry's small fields
    o:k   the original, UTF-8
    c:k   the compressed form, UTF-8 (absent when it is the original)
    #seq  the last sequence number (the order entries were put in)
    s:<n> "<size> <key>" for the entry put with sequence number n: the order, which lets a
          put expire and evict from its head without reading the namespace
    #n #b #h  the entries in the order, their sizes' total, the lowest number it may hold
    d:<p> "<first>\x1f<last>": the ends of the list of the keys (after ``p``) of the scope
          whose prefix is ``p`` (``""``: the root; keys never hold ``\x1f``)
    l:k   "<previous>\x1f<next>": k's neighbours in its scope's list ("" at an end); so a
          scope lists its entries without reading the namespace, and a put links one key
    #d    present once every entry is in its scope's list

One key per namespace means Redis evicts, expires and deletes a namespace whole: there is no
bookkeeping that eviction could tear from the values it lists, and ``clear()`` is one
``UNLINK``. Every operation is one Lua script, so a put and its evictions are atomic across
every process. Age is judged by Redis's own clock (``TIME`` in the scripts) unless the
context injects a clock, so hosts whose clocks disagree agree on what expired. A put carries
a deadline on that clock, checked when its script starts and again before it writes: a put
its caller saw fail (a timeout while Redis was paused, or while it read a large namespace)
refuses to land.

A put expires entries lazily, from the head of the order, and stops at the first live one:
with a clock that goes back, an expired entry behind it waits for a read to drop it (a read
checks every entry it lists), counted meanwhile by the bounds.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import time
from typing import TYPE_CHECKING, Any

from agent_baton.backends.base import (
    Backend,
    BackendError,
    BackendUnavailableError,
    CorruptEntryError,
)
from agent_baton.entry import ContextEntry

if TYPE_CHECKING:
    from redis import Redis
    from redis.cluster import RedisCluster
    from redis.commands.core import Script

logger = logging.getLogger(__name__)

DEFAULT_URL = "redis://localhost:6379/0"
_NAMESPACE = re.compile(r"[A-Za-z0-9_.-]{1,128}")
# After this many timeouts in a row, calls fail at once for BREAKER_SECONDS_PER_TIMEOUT
# times the timeout, then one call tries again.
BREAKER_TIMEOUTS = 3
BREAKER_SECONDS_PER_TIMEOUT = 5.0
# Share of the timeout by which a put must have reached Redis's clock, leaving the rest for
# its answer to come back before the caller gives up.
_DEADLINE_SHARE = 0.75
_CLOCK_REFRESH_SECONDS = 60.0

# Helpers shared by the scripts. KEYS[1] is the namespace hash. Numbers go to redis.call as
# '%.17g' strings: a bare Lua number would lose its fraction.
_COMMON = """
local h = KEYS[1]
local function clock(injected)
  if injected ~= '' then return tonumber(injected) end
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
-- Parses a meta field's header; an unreadable one reads as the oldest entry, never expired
-- (the client reports it; a bound evicts it first).
local function header(meta, now)
  local seq, stamp, size = string.match(meta, '^(%d+) ([-+.%deE]+) (%d+)\\n')
  if not seq then return 0, now, 0 end
  return tonumber(seq), tonumber(stamp), tonumber(size)
end
-- A member's scope prefix (up to its last \\31) and its key in that scope.
local function split(m)
  local cut, at = 0, string.find(m, '\\31', 1, true)
  while at do
    cut = at
    at = string.find(m, '\\31', at + 1, true)
  end
  return string.sub(m, 1, cut), string.sub(m, cut + 1)
end
-- The position of member m (meta: its meta field) in the order, or nil.
local function position(m, meta)
  local seq = header(meta, 0)
  local v = redis.call('HGET', h, 's:' .. seq)
  if v and string.sub(v, string.find(v, ' ') + 1) == m then return seq end
end
-- Each scope's keys are a list linked through the fields 'l:<member>' = '<previous key>\\31
-- <next key>' ('' at an end), from 'd:<scope prefix>' = '<first key>\\31<last key>': a put
-- or a drop changes a few fields, whatever the scope holds. A field's two names, or nil.
local function pair(f)
  local v = redis.call('HGET', h, f)
  if not v then return nil end
  local cut = string.find(v, '\\31', 1, true)
  return string.sub(v, 1, cut - 1), string.sub(v, cut + 1)
end
local function link(f, a, b)
  redis.call('HSET', h, f, a .. '\\31' .. b)
end
-- Adds new member m at the end of its scope's list.
local function enlist(m)
  local scope, name = split(m)
  local first, last = pair('d:' .. scope)
  if first then
    local before = pair('l:' .. scope .. last)
    link('l:' .. scope .. last, before, name)
    link('l:' .. m, last, '')
    link('d:' .. scope, first, name)
  else
    link('l:' .. m, '', '')
    link('d:' .. scope, name, name)
  end
end
-- Takes member m out of its scope's list (nothing when it is not in one).
local function unlist(m)
  local prev, nxt = pair('l:' .. m)
  if not prev then return end
  local scope = split(m)
  redis.call('HDEL', h, 'l:' .. m)
  local first, last = pair('d:' .. scope)
  if prev == '' then
    first = nxt
  else
    local before = pair('l:' .. scope .. prev)
    link('l:' .. scope .. prev, before, nxt)
  end
  if nxt == '' then
    last = prev
  else
    local _, after = pair('l:' .. scope .. nxt)
    link('l:' .. scope .. nxt, prev, after)
  end
  if first == '' then redis.call('HDEL', h, 'd:' .. scope) else link('d:' .. scope, first, last) end
end
-- Each scope's share of the order, for the bounds to find the scope holding the most,
-- kept once '#u' exists (a put makes it) wherever '#n' and '#b' change: 'u:<prefix>' =
-- '<entries> <bytes>'; and two heaps of the scopes holding entries, 'e' by entries and 'y'
-- by bytes, the one holding the most at the top (among equals, the one whose oldest entry
-- is oldest): slot i of heap f is 'x<f>:<i>' = '<value> <its oldest position> <prefix>', for
-- i up to '#x<f>', and 'p<f>:<prefix>' = i. A change costs a few fields per level.
local function usage(scope)
  local v = redis.call('HGET', h, 'u:' .. scope)
  if not v then return 0, 0 end
  local n, b = string.match(v, '^(%d+) (%d+)$')
  return tonumber(n), tonumber(b)
end
local function slot(f, i)
  local v = redis.call('HGET', h, 'x' .. f .. ':' .. i)
  local value, oldest, scope = string.match(v, '^(%d+) (%-?%d+) (.*)$')
  return tonumber(value), tonumber(oldest), scope, v
end
local function place(f, i, v, scope)
  redis.call('HSET', h, 'x' .. f .. ':' .. i, v, 'p' .. f .. ':' .. scope, i)
end
-- Whether a scope holding value, with its oldest entry at position oldest, ranks above.
local function above(value, oldest, other_value, other_oldest)
  return value > other_value or (value == other_value and oldest < other_oldest)
end
-- Moves slot i of heap f up or down to where its rank puts it.
local function sift(f, i)
  local size = tonumber(redis.call('HGET', h, '#x' .. f))
  local value, oldest, scope, v = slot(f, i)
  while i > 1 do
    local up = math.floor(i / 2)
    local uv, uo, us, uraw = slot(f, up)
    if not above(value, oldest, uv, uo) then break end
    place(f, i, uraw, us)
    i = up
  end
  while 2 * i <= size do
    local down = 2 * i
    local dv, dold, ds, draw = slot(f, down)
    if down < size then
      local ov, oo, os, oraw = slot(f, down + 1)
      if above(ov, oo, dv, dold) then down, dv, dold, ds, draw = down + 1, ov, oo, os, oraw end
    end
    if not above(dv, dold, value, oldest) then break end
    place(f, i, draw, ds)
    i = down
  end
  place(f, i, v, scope)
end
local function rank(f, scope, value, oldest)
  local i = redis.call('HGET', h, 'p' .. f .. ':' .. scope)
  if not i then i = redis.call('HINCRBY', h, '#x' .. f, 1) end
  redis.call('HSET', h, 'x' .. f .. ':' .. i, value .. ' ' .. oldest .. ' ' .. scope)
  sift(f, tonumber(i))
end
local function unrank(f, scope)
  local i = redis.call('HGET', h, 'p' .. f .. ':' .. scope)
  if not i then return end
  local last = redis.call('HGET', h, '#x' .. f)
  redis.call('HDEL', h, 'p' .. f .. ':' .. scope)
  if i ~= last then
    local _, _, moved, raw = slot(f, last)
    place(f, i, raw, moved)
  end
  redis.call('HDEL', h, 'x' .. f .. ':' .. last)
  redis.call('HINCRBY', h, '#x' .. f, -1)
  if i ~= last then sift(f, tonumber(i)) end
end
-- The position of a scope's oldest entry: its list's head's (the list is in put order).
local function oldest_of(scope)
  local name = pair('d:' .. scope)
  local meta = name and redis.call('HGET', h, 'm:' .. scope .. name)
  return meta and header(meta, 0) or 0
end
-- Sets a scope's share after a change of its entries (its list already changed).
local function reshare(scope, n, b)
  if n <= 0 then
    redis.call('HDEL', h, 'u:' .. scope)
    unrank('e', scope)
    unrank('y', scope)
    return
  end
  redis.call('HSET', h, 'u:' .. scope, n .. ' ' .. math.max(b, 0))
  local oldest = oldest_of(scope)
  rank('e', scope, n, oldest)
  rank('y', scope, math.max(b, 0), oldest)
end
local function charge(m, entries, bytes)
  if redis.call('HEXISTS', h, '#u') == 0 then return end
  local scope = split(m)
  local n, b = usage(scope)
  reshare(scope, n + entries, b + bytes)
end
-- Removes position at from the order, with its share of the count and the bytes.
local function unindex(at)
  local v = redis.call('HGET', h, 's:' .. at)
  if not v then return end
  local size = tonumber(string.match(v, '^(%d+) '))
  redis.call('HDEL', h, 's:' .. at)
  redis.call('HINCRBY', h, '#n', -1)
  redis.call('HINCRBY', h, '#b', -size)
  charge(string.sub(v, string.find(v, ' ') + 1), -1, -size)
end
local dropped = {}
-- Drops member m; at is its position when known.
local function drop(m, meta, at)
  meta = meta or redis.call('HGET', h, 'm:' .. m)
  at = at or (meta and position(m, meta))
  unlist(m)  -- first: the scope's share is set from its list
  if at then unindex(at) end
  redis.call('HDEL', h, 'm:' .. m, 'o:' .. m, 'c:' .. m)
  dropped[#dropped + 1] = m
end
-- The members whose name starts with prefix (every member for ''), read from the fields.
local function members_under(prefix)
  local members = {}
  local head = 'm:' .. (prefix or '')
  for _, f in ipairs(redis.call('HKEYS', h)) do
    if string.sub(f, 1, #head) == head then members[#members + 1] = string.sub(f, 3) end
  end
  return members
end
-- The live entries among members, oldest first, as {member, seq, size, meta}; expired ones
-- are dropped, and listed ones without fields taken out of their directory.
local function live_of(members, now, ttl)
  local out = {}
  -- In batches: unpack() of more than a few thousand values overflows Lua's stack.
  for start = 1, #members, 1000 do
    local fields = {}
    for i = start, math.min(start + 999, #members) do fields[#fields + 1] = 'm:' .. members[i] end
    local metas = redis.call('HMGET', h, unpack(fields))
    for j = 1, #fields do
      local m, meta = members[start + j - 1], metas[j]
      if not meta then
        unlist(m)
      else
        local seq, stamp, size = header(meta, now)
        if ttl and now - stamp >= ttl then
          drop(m, meta)
        else
          out[#out + 1] = {m, seq, size, meta}
        end
      end
    end
  end
  table.sort(out, function(a, b) return a[2] < b[2] end)
  return out
end
local function live(now, ttl, prefix)
  return live_of(members_under(prefix), now, ttl)
end
-- The members of the scope prefix itself, from its list. Never more than the namespace
-- holds: a list that loops (it cannot) would not hold Redis.
local function listed(prefix)
  local members, name = {}, pair('d:' .. prefix)
  local most = tonumber(redis.call('HGET', h, '#n') or 0)
  while name and name ~= '' and #members <= most do
    members[#members + 1] = prefix .. name
    local _, nxt = pair('l:' .. prefix .. name)
    name = nxt
  end
  return members
end
-- What a read returns of live entries: member, meta, original and compressed text of each.
local function with_texts(entries)
  local out = {}
  for _, e in ipairs(entries) do
    local m = e[1]
    local texts = redis.call('HMGET', h, 'o:' .. m, 'c:' .. m)
    out[#out + 1] = m
    out[#out + 1] = e[4]
    out[#out + 1] = texts[1]
    out[#out + 1] = texts[2]
  end
  return out
end
"""

# The order: what lets a put evict without reading the namespace. KEYS[1] holds, beside the
# entries, 's:<position>' = '<size> <member>' per entry in the order they were put, '#n' and
# '#b' their count and bytes, '#h' the lowest position that may still be held. A namespace
# written before the order existed gets it once, from live().
_ORDER = """
local function count()
  return tonumber(redis.call('HGET', h, '#n') or 0), tonumber(redis.call('HGET', h, '#b') or 0)
end
local function ensure_order(now, ttl)
  if redis.call('HEXISTS', h, '#n') == 1 or redis.call('HEXISTS', h, '#seq') == 0 then return end
  local es, unreadable = live(now, ttl), 0
  for _, e in ipairs(es) do
    if e[2] == 0 then unreadable = unreadable + 1 end
  end
  -- Unreadable entries sort first; they take the positions below 0.
  local n, bytes, below = 0, 0, -unreadable
  for _, e in ipairs(es) do
    local at = e[2]
    if at == 0 then
      at = below
      below = below + 1
    end
    redis.call('HSET', h, 's:' .. at, e[3] .. ' ' .. e[1])
    n, bytes = n + 1, bytes + e[3]
  end
  local last = tonumber(redis.call('HGET', h, '#seq'))
  if es[1] and es[#es][2] > last then last = es[#es][2] end  -- new positions must be new
  local first = last + 1
  if unreadable > 0 then first = -unreadable elseif es[1] then first = es[1][2] end
  redis.call('HSET', h, '#n', n, '#b', bytes, '#h', first, '#seq', last)
end
-- Puts every entry in its scope's list, once: a namespace written before the lists existed
-- is read whole for it (as for the order).
local function ensure_directories()
  if redis.call('HEXISTS', h, '#d') == 1 then return end
  for _, m in ipairs(members_under('')) do enlist(m) end
  redis.call('HSET', h, '#d', 1)
end
-- Counts each scope's share of the order, once: a namespace written before the shares
-- existed has its order read for it (its members are not read).
local function ensure_shares()
  if redis.call('HEXISTS', h, '#u') == 1 then return end
  local shares, scopes = {}, {}
  local last = tonumber(redis.call('HGET', h, '#seq') or 0)
  for at = tonumber(redis.call('HGET', h, '#h') or 1), last do
    local v = redis.call('HGET', h, 's:' .. at)
    if v then
      local size, m = string.match(v, '^(%d+) (.*)$')
      local scope = split(m)
      local share = shares[scope]
      if not share then
        share = {0, 0}
        shares[scope] = share
        scopes[#scopes + 1] = scope
      end
      share[1], share[2] = share[1] + 1, share[2] + tonumber(size)
    end
  end
  redis.call('HSET', h, '#u', 1, '#xe', 0, '#xy', 0)
  for _, scope in ipairs(scopes) do reshare(scope, shares[scope][1], shares[scope][2]) end
end
-- The oldest member of the scope that holds the most of f ('e' entries, 'y' bytes) once
-- scope (the writer's) holds adding more; nil when no scope lists one.
local function busiest(scope, adding, f)
  local victim = nil
  if tonumber(redis.call('HGET', h, '#x' .. f) or 0) > 0 then
    local value, oldest, top = slot(f, 1)
    victim = top
    local n, b = usage(scope)
    if top ~= scope and n > 0 then
      local mine = (f == 'e' and n or b) + adding
      if above(mine, oldest_of(scope), value, oldest) then victim = scope end
    end
  end
  local name = victim and pair('d:' .. victim)
  if name then return victim .. name end
end
-- The oldest entry in the order other than skip: position, member, meta; nil when none.
-- Positions whose entry was replaced or deleted are cleared on the way.
local function oldest(skip)
  local last = tonumber(redis.call('HGET', h, '#seq') or 0)
  local start = tonumber(redis.call('HGET', h, '#h') or 1)
  local at, found = start, nil
  while at <= last do
    local v = redis.call('HGET', h, 's:' .. at)
    if v then
      local m = string.sub(v, string.find(v, ' ') + 1)
      local meta = redis.call('HGET', h, 'm:' .. m)
      local seq = meta and header(meta, 0)
      if meta and m ~= skip and (seq == 0 or seq == at) then
        found = {at, m, meta}
        break
      end
      unindex(at)
    end
    at = at + 1
  end
  -- Written only when it moved: a write would create a missing hash before its PTTL is read.
  if at ~= start then redis.call('HSET', h, '#h', at) end
  if found then return found[1], found[2], found[3] end
end
"""

# ARGV: key, meta JSON, original, compressed, '1' when the compressed form is stored, ttl
# seconds or '', ttl ms or '' (the hash never expires), max_entries, size, max_bytes or '',
# deadline ms or '', injected now or '', '1' to store only if no live entry holds the key. 1
# then the keys
# dropped (expired or evicted) when stored; 0 when past the deadline, 2 when the key is held
# (nothing stored).
_PUT = (
    _COMMON
    + _ORDER
    + """
local key, ttl, max = ARGV[1], tonumber(ARGV[6]), tonumber(ARGV[8])
local size, max_bytes, deadline = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local function late()
  if not deadline then return false end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000 > deadline
end
if late() then return 0 end
local now = clock(ARGV[12])
ensure_order(now, ttl)
-- Read before anything here writes: a write creates a missing hash, without an expiry. The
-- hash never empties after this (its counters stay), so it holds until the write below.
local pttl = redis.call('PTTL', h)
ensure_directories()
ensure_shares()
-- Ordering a namespace of the old layout reads it whole (100,000 entries: 2 s): a caller
-- that gave up meanwhile was told the put failed, so it stops here, before writing.
if late() then return 0 end
local held, replacing = redis.call('HGET', h, 'm:' .. key), false
if held then
  local _, stamp = header(held, now)
  if ttl and now - stamp >= ttl then
    drop(key, held)
  elseif ARGV[13] == '1' then
    return {2}
  else
    replacing = true
    local at = position(key, held)
    unlist(key)  -- listed again at its scope's end: a scope's list is in put order
    if at then unindex(at) end
  end
end
-- Expired entries go from the head of the order: put times grow with positions.
while ttl do
  local at, m, meta = oldest(key)
  if not at then break end
  local _, stamp = header(meta, now)
  if now - stamp < ttl then break end
  drop(m, meta, at)
end
-- Evicts the oldest member of the scope holding the most; the oldest in the order if no
-- scope lists one (positions of replaced entries not yet cleared): true when it dropped.
local scope = split(key)
local function evict(adding, f)
  local m = busiest(scope, adding, f)
  if m then
    drop(m)
    return true
  end
  local at, oldest_m, meta = oldest(key)
  if at then drop(oldest_m, meta, at) end
  return at
end
-- A new key makes room under max_entries; the byte bound holds for replacements too.
if not replacing then
  while count() >= max and evict(1, 'e') do end
end
if max_bytes then
  while true do
    local n, bytes = count()
    if n == 0 or bytes + size <= max_bytes or not evict(size, 'y') then break end
  end
end
local seq = redis.call('HINCRBY', h, '#seq', 1)
local head = seq .. ' ' .. string.format('%.17g', now) .. ' ' .. ARGV[9] .. '\\n'
redis.call('HSET', h, 'm:' .. key, head .. ARGV[2], 'o:' .. key, ARGV[3])
redis.call('HSET', h, 's:' .. seq, ARGV[9] .. ' ' .. key)
enlist(key)
redis.call('HINCRBY', h, '#n', 1)
redis.call('HINCRBY', h, '#b', size)
charge(key, 1, size)
if ARGV[5] == '1' then
  redis.call('HSET', h, 'c:' .. key, ARGV[4])
else
  redis.call('HDEL', h, 'c:' .. key)
end
if ARGV[7] ~= '' then
  -- The hash outlives every entry in it: its expiry only ever grows.
  if pttl == -2 or (pttl >= 0 and pttl < tonumber(ARGV[7])) then
    redis.call('PEXPIRE', h, ARGV[7])
  end
else
  redis.call('PERSIST', h)
end
local out = {1}
for _, m in ipairs(dropped) do out[#out + 1] = m end
return out
"""
)

# ARGV: key, ttl seconds or '', injected now or ''. {meta, original, compressed or nil}, or
# nil when missing or expired (then dropped).
_GET = (
    _COMMON
    + """
local key, ttl = ARGV[1], tonumber(ARGV[2])
local got = redis.call('HMGET', h, 'm:' .. key, 'o:' .. key, 'c:' .. key)
if not got[1] then return false end
local _, stamp = header(got[1], 0)
if ttl and clock(ARGV[3]) - stamp >= ttl then
  drop(key, got[1])
  return false
end
return got
"""
)

# ARGV: ttl seconds or '', injected now or '', key prefix. member, meta, original, compressed
# or nil for each live entry under the prefix, oldest first.
_ENTRIES = (
    _COMMON
    + """
return with_texts(live(clock(ARGV[2]), tonumber(ARGV[1]), ARGV[3]))
"""
)

# ARGV: ttl seconds or '', injected now or '', scope prefix. As _ENTRIES, for the entries of
# that scope itself, from its directory; from the fields in a namespace without directories.
_SCOPE = (
    _COMMON
    + """
local now, ttl, prefix = clock(ARGV[2]), tonumber(ARGV[1]), ARGV[3]
local members
if redis.call('HEXISTS', h, '#d') == 1 then
  members = listed(prefix)
else
  members = {}
  for _, m in ipairs(members_under(prefix)) do
    if not string.find(m, '\\31', #prefix + 1, true) then members[#members + 1] = m end
  end
end
return with_texts(live_of(members, now, ttl))
"""
)

# ARGV: key. 1 when it was there.
_DELETE = (
    _COMMON
    + """
local had = redis.call('HEXISTS', h, 'm:' .. ARGV[1])
drop(ARGV[1])
return had
"""
)

_CLEAR = "return redis.call('UNLINK', KEYS[1])"

# Redis's clock, from the node that holds the namespace.
_TIME = "return redis.call('TIME')"

_META_FIELDS = {
    "agent": (str, type(None)),
    "original_tokens": (int,),
    "compressed_tokens": (int,),
    "transforms": (list,),
    "timestamp": (int, float),
}


class RedisBackend(Backend):
    """Entries in Redis under one namespace, shared by every process that opens it.

    ``url`` defaults to ``$REDIS_URL``, then ``redis://localhost:6379/0``; credentials and TLS
    (``rediss://``) come from it and go to redis-py as they are. ``cluster=True`` opens it as
    Redis Cluster; ``client`` takes a ready ``redis.Redis`` or ``redis.cluster.RedisCluster``
    instead of a URL (its own timeouts then apply). ``namespace`` (letters, digits, ``_``,
    ``.``, ``-``) isolates one workflow from another. A call that cannot reach Redis within
    ``timeout`` seconds raises :class:`BackendUnavailableError`; after
    ``BREAKER_TIMEOUTS`` timeouts in a row, calls fail at once for ``5 * timeout`` seconds.
    ``check=True`` pings Redis now, so a dead or misconfigured server fails here. Other
    refusals (out of memory under ``noeviction``, a missing ACL permission) raise
    :class:`BackendError`; an entry that cannot be read raises :class:`CorruptEntryError`
    for its key, and listings skip it with a warning.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        namespace: str,
        timeout: float = 2.0,
        cluster: bool = False,
        client: Redis | RedisCluster | None = None,
        check: bool = False,
    ) -> None:
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.cluster import RedisCluster
            from redis.retry import Retry
        except ImportError as exc:
            raise ImportError(
                # The requirement itself: agent-baton is not on an index, 'agent-baton[redis]'
                # installs nothing (or someone else's package).
                "RedisBackend needs redis-py, agent-baton's redis extra: pip install 'redis>=5'"
            ) from exc
        if not isinstance(namespace, str) or not _NAMESPACE.fullmatch(namespace):
            raise ValueError(
                f"namespace must be 1-128 letters, digits, '_', '.' or '-', not {namespace!r}"
            )
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.namespace = namespace
        self.timeout = float(timeout)
        self._redis = redis
        self._lock = threading.Lock()
        self._timeouts = 0  # in a row
        self._open_until = 0.0  # monotonic time until which calls fail fast
        self._clock_offset: float | None = None  # Redis TIME minus local monotonic, at most
        self._clock_read_at = 0.0
        if client is not None:
            if url is not None:
                raise ValueError("give a Redis URL or a client, not both")
            self._client: Redis | RedisCluster = client
        else:
            url = url or os.environ.get("REDIS_URL") or DEFAULT_URL
            # The URL may hold a password, so no message here repeats it.
            if not url.startswith(("redis://", "rediss://", "unix://")):
                raise ValueError("Redis URL must start with redis://, rediss:// or unix://")
            options: dict[str, Any] = {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
            }
            try:
                if cluster:
                    # A cluster client reads the slot map now: an unreachable one fails here.
                    self._client = self._call(
                        lambda: RedisCluster.from_url(url, retry=Retry(NoBackoff(), 0), **options)
                    )
                else:
                    # One immediate retry on a connection error reconnects a pooled socket that
                    # a Redis restart closed; none on a timeout, so a call fails in ``timeout``.
                    retry = Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,))
                    self._client = redis.Redis.from_url(url, retry=retry, **options)
            except ValueError:
                raise ValueError("invalid Redis URL (not shown: it may hold credentials)") from None
        self._key = f"agent_baton:{{{namespace}}}".encode()
        scripts = (_PUT, _GET, _ENTRIES, _SCOPE, _DELETE, _CLEAR, _TIME)
        self._put, self._get, self._entries, self._scope, self._delete, self._clear, self._time = (
            self._client.register_script(s) for s in scripts
        )
        if check:
            self.ping()

    def ping(self) -> None:
        """Check that Redis answers and runs this backend's scripts; raise if not."""
        self._read_server_clock()

    def put(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float | None,
        max_bytes: int | None = None,
    ) -> list[str]:
        """Store ``entry`` atomically, evicting expired then oldest entries as needed.

        As in memory: a new key at ``max_entries`` makes room; any put that would take the
        namespace over ``max_bytes`` evicts too. Raises :class:`BackendUnavailableError` when
        Redis does not answer in time; such a put is never stored, not even later.
        """
        dropped = self._put_entry(entry, ttl, max_entries, now, max_bytes, only_new=False)
        assert dropped is not None  # only a put_new is turned down for a held key
        return dropped

    def put_new(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float | None,
        max_bytes: int | None = None,
    ) -> list[str] | None:
        """:meth:`put` unless a live entry holds the key (``None``), in the same one script."""
        return self._put_entry(entry, ttl, max_entries, now, max_bytes, only_new=True)

    def _put_entry(
        self,
        entry: ContextEntry,
        ttl: float | None,
        max_entries: int,
        now: float | None,
        max_bytes: int | None,
        *,
        only_new: bool,
    ) -> list[str] | None:
        original = _encode(entry.original)
        differs = entry.compressed is not entry.original and entry.compressed != entry.original
        compressed = _encode(entry.compressed) if differs else b""
        meta = json.dumps({name: getattr(entry, name) for name in _META_FIELDS}, ensure_ascii=False)
        # A ttl past what PEXPIRE takes (1e300 s) leaves the hash without an expiry, as None.
        ms = None if ttl is None else ttl * 1000
        ttl_ms = "" if ms is None or ms > _FOREVER_MS else str(max(1, math.ceil(ms)))
        size = _held(entry.key, meta, original, compressed)
        deadline = self._server_clock() + self.timeout * _DEADLINE_SHARE
        args: list[Any] = [_encode(entry.key), _encode(meta), original, compressed]
        args.append("1" if differs else "0")
        args += [_seconds(ttl), ttl_ms, max_entries, size, max_bytes or ""]
        args += [repr(math.floor(deadline * 1000)), _seconds(now), "1" if only_new else "0"]
        done = self._run(self._put, args)
        if done and done[0] == 2:
            return None
        if not done:
            raise BackendUnavailableError(
                f"Redis answered too late for namespace {self.namespace!r}: "
                "the put was refused, nothing was stored"
            )
        return [m.decode("utf-8", "surrogatepass") for m in done[1:]]

    def get(self, key: str, *, ttl: float | None, now: float | None) -> ContextEntry | None:
        """The live entry under ``key``; an expired one is dropped on the way."""
        member = _encode(key)
        raw = self._run(self._get, [member, _seconds(ttl), _seconds(now)])
        return None if raw is None else self._decode(member, *raw)

    def entries(self, *, ttl: float | None, now: float | None) -> list[ContextEntry]:
        """All live entries of this namespace, oldest first; unreadable ones are skipped."""
        return self.entries_under("", ttl=ttl, now=now)

    def entries_under(
        self, prefix: str, *, ttl: float | None, now: float | None
    ) -> list[ContextEntry]:
        """The live entries whose keys start with ``prefix``, chosen inside Redis.

        Only their fields cross the network: a scope's reader never receives another
        scope's texts.
        """
        return self._listing(self._entries, prefix, ttl, now)

    def entries_in(
        self, prefix: str, *, ttl: float | None, now: float | None
    ) -> list[ContextEntry]:
        """The live entries of the scope ``prefix`` itself, from its directory in Redis.

        Costs what the scope holds, whatever the size of the namespace around it.
        """
        return self._listing(self._scope, prefix, ttl, now)

    def _listing(
        self, script: Script, prefix: str, ttl: float | None, now: float | None
    ) -> list[ContextEntry]:
        raw = self._run(script, [_seconds(ttl), _seconds(now), _encode(prefix)])
        out = []
        for i in range(0, len(raw), 4):
            try:
                out.append(self._decode(*raw[i : i + 4]))
            except CorruptEntryError as exc:
                logger.warning("agent-baton: skipped an unreadable entry: %s", exc)
        return out

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""
        return bool(self._run(self._delete, [_encode(key)]))

    def clear(self) -> None:
        """Remove every entry of this namespace (its one key), and nothing else."""
        self._run(self._clear, [])

    def close(self) -> None:
        """Close the connections to Redis; a later call opens new ones."""
        self._client.close()

    def __repr__(self) -> str:
        return f"RedisBackend(namespace={self.namespace!r})"  # never the URL: credentials

    # -- internals -------------------------------------------------------------------------

    def _server_clock(self) -> float:
        """Redis's time now, in seconds, or slightly earlier: never later.

        Read with TIME once a minute; in between, local monotonic time plus the offset. The
        offset is taken at the answer's arrival, so it errs early by the round trip.
        """
        if (
            self._clock_offset is None
            or time.monotonic() - self._clock_read_at > _CLOCK_REFRESH_SECONDS
        ):
            self._read_server_clock()
        assert self._clock_offset is not None
        return time.monotonic() + self._clock_offset

    def _read_server_clock(self) -> None:
        seconds, micros = self._run(self._time, [])
        self._clock_read_at = time.monotonic()
        self._clock_offset = int(seconds) + int(micros) / 1e6 - self._clock_read_at

    def _run(self, script: Script, args: list[Any]) -> Any:
        return self._call(lambda: script(keys=[self._key], args=args))

    def _call(self, call: Any) -> Any:
        """``call()``, with every failure turned into a library error (and the breaker)."""
        errors = self._redis.exceptions
        with self._lock:
            wait = self._open_until - time.monotonic()
        if wait > 0:
            raise BackendUnavailableError(
                f"Redis timed out {BREAKER_TIMEOUTS} times in a row for namespace "
                f"{self.namespace!r}: failing fast for another {wait:.1f} s (circuit breaker)"
            )
        try:
            result = call()
        except errors.TimeoutError as exc:
            with self._lock:
                self._timeouts += 1
                if self._timeouts >= BREAKER_TIMEOUTS:
                    self._open_until = time.monotonic() + BREAKER_SECONDS_PER_TIMEOUT * self.timeout
            raise self._unavailable(exc) from exc
        except (
            errors.ConnectionError,
            errors.InvalidResponse,  # something that is not Redis answers at that address
            errors.ClusterError,  # a cluster that is down or moving the namespace's slot
            errors.RedisClusterException,
        ) as exc:
            raise self._unavailable(exc) from exc
        except errors.RedisError as exc:
            raise BackendError(self._refusal(exc)) from exc
        with self._lock:
            self._timeouts = 0
        return result

    def _unavailable(self, exc: Exception) -> BackendUnavailableError:
        return BackendUnavailableError(
            f"Redis unavailable for namespace {self.namespace!r}: {type(exc).__name__}: {exc}"
        )

    def _refusal(self, exc: Exception) -> str:
        errors = self._redis.exceptions
        where = f"namespace {self.namespace!r}"
        if isinstance(exc, errors.OutOfMemoryError):
            return (
                f"Redis is out of memory (maxmemory reached under maxmemory-policy noeviction); "
                f"nothing was stored in {where}. Raise maxmemory or use volatile-lru or "
                "allkeys-lru (see RedisBackend's documentation)"
            )
        if isinstance(exc, errors.NoPermissionError):
            return (
                f"the Redis user may not run what {where} needs ({exc}); grant it "
                f"{ACL_RULES} (see RedisBackend's documentation)"
            )
        if "WRONGTYPE" in str(exc):
            return (
                f"the key of {where} holds a value this library did not write; "
                "delete it or use another namespace"
            )
        return f"Redis refused a call for {where}: {type(exc).__name__}: {exc}"

    def _decode(
        self, member: bytes, meta: bytes, original: bytes, compressed: bytes | None
    ) -> ContextEntry:
        """The entry stored under ``member``; :class:`CorruptEntryError` when unreadable."""
        key = member.decode("utf-8", "surrogatepass")
        try:
            head, _, body = meta.partition(b"\n")
            size = int(head.split(b" ")[2])
            fields = json.loads(body.decode("utf-8", "surrogatepass"))
            if not isinstance(fields, dict) or set(fields) != set(_META_FIELDS):
                raise TypeError("fields")
            for name, kinds in _META_FIELDS.items():
                if not isinstance(fields[name], kinds) or isinstance(fields[name], bool):
                    raise TypeError(name)
            if not all(isinstance(t, str) for t in fields["transforms"]):
                raise TypeError("transforms")
            text = original.decode("utf-8", "surrogatepass")
            short = text if compressed is None else compressed.decode("utf-8", "surrogatepass")
        except (ValueError, TypeError, IndexError, AttributeError, RecursionError) as exc:
            # The type alone: a decoding error's message quotes the bytes.
            raise CorruptEntryError(
                f"entry {key!r} of namespace {self.namespace!r} cannot be read "
                f"({type(exc).__name__}); delete it or put it again"
            ) from None
        return ContextEntry(
            key,
            fields["agent"],
            text,
            short,
            fields["original_tokens"],
            fields["compressed_tokens"],
            fields["transforms"],
            float(fields["timestamp"]),
            size,
        )


# What a Redis ACL user needs: the scripts (EVALSHA, then SCRIPT LOAD on a server that lost
# them), the commands they run, PING for check=True, and the namespaces' keys.
ACL_RULES = (
    "~agent_baton:* +evalsha +script|load +ping +time +hkeys +hget +hmget +hset +hdel "
    "+hexists +hincrby +pttl +pexpire +persist +unlink"
)


# Expiries beyond this many milliseconds (285,000 years, exact in Lua's doubles) are none:
# PEXPIRE refuses one that overflows the server's clock.
_FOREVER_MS = 2**53


def _held(key: str, meta: str, original: bytes, compressed: bytes) -> int:
    """What Redis allocates for an entry's fields: what ``max_bytes`` bounds in Redis.

    Each field name and value is a string with a header of up to 9 bytes and a NUL, in a
    hash slot of 24 bytes; jemalloc rounds every allocation up to its size class.
    """
    name = len(_encode(key)) + 2
    values = [len(_encode(meta)) + 40, len(original)] + ([len(compressed)] if compressed else [])
    return sum(_allocation(n + 10) + _allocation(name + 10) + 24 for n in values)


def _allocation(size: int) -> int:
    """jemalloc's size class for ``size`` bytes: 16-byte steps, then four per doubling."""  # noqa: D403
    if size <= 128:
        return max(16, -(-size // 16) * 16)
    step = 1 << (size - 1).bit_length() - 3  # a quarter of the power of two below size
    return -(-size // step) * step


def _encode(text: str) -> bytes:
    # Keys are arbitrary str, lone surrogates included; Redis keys are bytes.
    return text.encode("utf-8", "surrogatepass")


def _seconds(value: float | None) -> str:
    # repr round-trips exactly, so Lua compares the same doubles.
    return "" if value is None else repr(float(value))

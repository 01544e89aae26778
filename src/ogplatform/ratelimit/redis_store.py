"""The shared limiter: sliding windows in Redis, checked and counted by one Lua script.

One sorted set per key holds request times (milliseconds, Redis's own clock, so every machine
agrees); the script prunes, counts every window and records the request in one atomic step.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any

from ogplatform.ratelimit.policy import Decision, Window, WindowState, decide

__all__ = ["RedisLimiter"]

# KEYS[1]: the sorted set. ARGV[1]: now in ms ("" = Redis TIME), ARGV[2]: a unique member,
# then (limit, window_ms) pairs. Returns {allowed, now, then count, oldest, freeing per window}
# with -1 for "none".
_SCRIPT = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local longest = 0
for i = 3, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i + 1])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local out = {0, now}
local allowed = 1
for i = 3, #ARGV, 2 do
  local limit, window = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local after = '(' .. (now - window)
  local count = redis.call('ZCOUNT', KEYS[1], after, '+inf')
  local oldest, freeing = -1, -1
  if count > 0 then
    oldest = redis.call('ZRANGEBYSCORE', KEYS[1], after, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)[2]
  end
  if count >= limit then
    allowed = 0
    freeing = redis.call('ZRANGEBYSCORE', KEYS[1], after, '+inf', 'WITHSCORES',
                         'LIMIT', count - limit, 1)[2]
  end
  table.insert(out, count)
  table.insert(out, oldest)
  table.insert(out, freeing)
end
if allowed == 1 then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], longest)
end
out[1] = allowed
return out
"""


class RedisLimiter:
    """Limits shared by every process and machine that uses the same Redis and prefix."""

    __slots__ = ("_client", "_prefix", "_script")

    def __init__(self, client: Any, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}rl:"
        self._script = client.register_script(_SCRIPT)

    async def hit(self, key: str, windows: Sequence[Window], now: float | None = None) -> Decision:
        """Check and count one request. ``now`` (seconds) is for tests; normally Redis's clock."""
        args: list[Any] = ["" if now is None else int(now * 1000), os.urandom(8).hex()]
        for window in windows:
            args += [window.limit, window.seconds * 1000]
        reply = await self._script(keys=[self._redis_key(key)], args=args)
        now_s = int(reply[1]) / 1000
        states = [
            WindowState(int(reply[i]), _seconds(reply[i + 1]), _seconds(reply[i + 2]))
            for i in range(2, len(reply), 3)
        ]
        decision = decide(windows, states, now_s)
        if decision.allowed != bool(int(reply[0])):  # pragma: no cover - script and Python agree
            raise RuntimeError("rate-limit script and decide() disagree")
        return decision

    def _redis_key(self, key: str) -> str:
        # Keys can hold API keys: store a digest, never the secret itself.
        return self._prefix + hashlib.sha256(key.encode()).hexdigest()[:32]

    async def close(self) -> None:
        """The client belongs to the runtime, which closes it."""


def _seconds(score: Any) -> float | None:
    value = float(score)
    return None if value < 0 else value / 1000

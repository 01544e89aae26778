"""Rate limits: several sliding windows per policy, per client address or API key.

The stores (:class:`MemoryLimiter`, :class:`RedisLimiter`) and the arithmetic import nothing
else of ogplatform; :mod:`ogplatform.ratelimit.middleware` connects them to requests.
"""

from ogplatform.ratelimit.fallback import FallbackLimiter, Limiter
from ogplatform.ratelimit.identity import ClientAddress, parse_networks
from ogplatform.ratelimit.memory import MemoryLimiter
from ogplatform.ratelimit.policy import Decision, Window, decide, parse_window
from ogplatform.ratelimit.redis_store import RedisLimiter

__all__ = [
    "ClientAddress",
    "Decision",
    "FallbackLimiter",
    "Limiter",
    "MemoryLimiter",
    "RedisLimiter",
    "Window",
    "decide",
    "parse_networks",
    "parse_window",
]

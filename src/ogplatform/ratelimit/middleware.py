"""Applies the rate-limit policy a route names (``opt={"ratelimit": "cards"}``) to its requests.

Routes opt in by naming a policy of ``[ratelimit.policies]``; a route that names none is not
limited. A refused request is an ``ApiError(429, code="RATE_LIMITED")``, so every API surface
renders it in its own format, with ``Retry-After`` and ``Cache-Control: no-store``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ogplatform.errors import ApiError
from ogplatform.ratelimit.fallback import FallbackLimiter, Limiter
from ogplatform.ratelimit.headers import policy_header, rate_limit_headers, raw_headers
from ogplatform.ratelimit.identity import ClientAddress, parse_networks
from ogplatform.ratelimit.memory import MemoryLimiter
from ogplatform.ratelimit.policy import Decision, Window, parse_window
from ogplatform.ratelimit.redis_store import RedisLimiter
from ogplatform.settings import RateLimitSettings, SettingsError

__all__ = [
    "OPT_POLICY",
    "OPT_PROBE",
    "RateLimitMiddleware",
    "RateLimiter",
    "check_route_policies",
]

OPT_POLICY = "ratelimit"  # route opt: the policy name
# Route opt: ``async (scope) -> bool``, True when the response will come from the render cache
# (used by policies with exempt_cache_hits).
OPT_PROBE = "ratelimit_probe"
CacheProbe = Callable[[Scope], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class _Policy:
    name: str
    windows: tuple[Window, ...]
    key: str
    exempt_cache_hits: bool
    header: str  # RateLimit-Policy, the same for every response of this policy


class RateLimiter:
    """The configured policies, the store, and how a request is turned into a key."""

    __slots__ = ("addresses", "allow", "policies", "store")

    def __init__(self, settings: RateLimitSettings, store: Limiter) -> None:
        self.store = store
        self.addresses = ClientAddress(
            parse_networks(settings.trusted_proxies),
            settings.client_ip_headers,
            settings.ipv6_prefix,
        )
        self.allow = parse_networks(settings.allow)
        self.policies = {}
        for name, policy in settings.policies.items():
            windows = tuple(sorted(map(parse_window, policy.windows), key=lambda w: w.seconds))
            self.policies[name] = _Policy(
                name, windows, policy.key, policy.exempt_cache_hits, policy_header(windows)
            )

    @classmethod
    def build(cls, settings: RateLimitSettings, redis: Any, redis_prefix: str) -> RateLimiter:
        """Memory store, or Redis with memory as its fallback, as ``[ratelimit] backend`` says."""
        use_redis = settings.backend == "redis" or (settings.backend == "auto" and redis)
        if settings.backend == "redis" and not redis:
            raise SettingsError("ratelimit.backend is 'redis' but [redis] url is not set")
        if not use_redis:
            return cls(settings, MemoryLimiter())
        store = FallbackLimiter(
            RedisLimiter(redis, redis_prefix),
            MemoryLimiter(),
            timeout=settings.redis_timeout_ms / 1000,
        )
        return cls(settings, store)

    async def check(self, policy: _Policy, scope: Scope) -> Decision | None:
        """Count the request; None when the client is on the allow-list."""
        key = _api_key(scope) if policy.key == "api_key" else None
        if key is None or self.allow:
            client_key = self._client_key(scope)
            if client_key is None:
                return None
            key = key or client_key
        return await self.store.hit(f"{policy.name}:{key}", policy.windows)

    def _client_key(self, scope: Scope) -> str | None:
        """``ip:<address>`` (or ``ip:<network>`` for IPv6); None if allow-listed."""
        client = scope.get("client")
        peer = client[0] if client else None
        if peer and not self.allow and not self.addresses.trusted and ":" not in peer:
            return f"ip:{peer}"  # an IPv4 socket peer, nothing to look up: the common case
        address = self.addresses.resolve(peer, scope["headers"])
        if address is None:
            return "ip:unknown"
        if any(address in network for network in self.allow):
            return None
        return self.addresses.key(address)


class RateLimitMiddleware(ASGIMiddleware):
    """Looks up the route's policy and lets the request through, with headers, or refuses it."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        name = handler.opt.get(OPT_POLICY) if handler is not None else None
        limiter: RateLimiter | None = scope["app"].state.runtime.limiter
        if not name or limiter is None:
            await next_app(scope, receive, send)
            return
        policy = limiter.policies[name]
        probe: CacheProbe | None = handler.opt.get(OPT_PROBE)
        if policy.exempt_cache_hits and probe is not None and await probe(scope):
            await next_app(scope, receive, send)
            return
        decision = await limiter.check(policy, scope)
        if decision is None:
            await next_app(scope, receive, send)
            return
        if not decision.allowed:
            window = decision.window
            raise ApiError(
                429,
                f"rate limit exceeded: {window.limit} requests per {window.name}; "
                f"retry in {decision.retry_after}s",
                code="RATE_LIMITED",
                headers=rate_limit_headers(decision, policy.header),
            )
        encoded = raw_headers(decision, policy.header.encode())

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *encoded]
            await send(message)

        await next_app(scope, receive, send_with_headers)


def check_route_policies(app: Litestar, settings: RateLimitSettings) -> None:
    """Fail at start-up when a route names a policy that litestar.toml does not define."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            name = handler.opt.get(OPT_POLICY)
            if name and name not in settings.policies:
                raise SettingsError(
                    f"route {route.path} uses rate-limit policy '{name}', which "
                    f"[ratelimit.policies] does not define (known: {', '.join(settings.policies)})"
                )


def _api_key(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                # A digest: the key itself never reaches the store or its logs.
                return "key:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return None

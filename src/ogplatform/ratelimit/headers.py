"""Response headers for a rate-limit decision: the de-facto ``X-RateLimit-*`` trio and the
IETF ``RateLimit-Policy`` / ``RateLimit`` fields (draft-ietf-httpapi-ratelimit-headers).

``X-RateLimit-Reset`` and ``Retry-After`` are whole seconds from now (not a timestamp). The
trio describes the binding window: the one with the least room left.
"""

from __future__ import annotations

from collections.abc import Sequence

from ogplatform.ratelimit.policy import Decision, Window

__all__ = ["policy_header", "rate_limit_headers", "raw_headers"]


def policy_header(windows: Sequence[Window]) -> str:
    """The ``RateLimit-Policy`` value: one item per window (it never changes for a policy)."""
    return ", ".join(f'"{w.name}";q={w.limit};w={w.seconds}' for w in windows)


def rate_limit_headers(decision: Decision, policy: str) -> dict[str, str]:
    """Headers for a limited response; on a refusal also ``Retry-After``."""
    window = decision.window
    headers = {
        "X-RateLimit-Limit": str(window.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
        "X-RateLimit-Reset": str(decision.reset),
        "RateLimit-Policy": policy,
        "RateLimit": f'"{window.name}";r={decision.remaining};t={decision.reset}',
    }
    if not decision.allowed:
        headers["Retry-After"] = str(decision.retry_after)
    return headers


def raw_headers(decision: Decision, policy: bytes) -> list[tuple[bytes, bytes]]:
    """The allowed-response headers, already encoded for ASGI (the hot path)."""
    window, remaining, reset = decision.window, decision.remaining, decision.reset
    return [
        (b"x-ratelimit-limit", b"%d" % window.limit),
        (b"x-ratelimit-remaining", b"%d" % remaining),
        (b"x-ratelimit-reset", b"%d" % reset),
        (b"ratelimit-policy", policy),
        (b"ratelimit", b'"%s";r=%d;t=%d' % (window.name.encode(), remaining, reset)),
    ]

"""Response headers for a rate-limit decision: the de-facto ``X-RateLimit-*`` trio and the
IETF ``RateLimit-Policy`` / ``RateLimit`` fields (draft-ietf-httpapi-ratelimit-headers)."""

from __future__ import annotations

from ogplatform.ratelimit.policy import Decision

__all__ = ["rate_limit_headers"]


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    """Headers for a limited response; on a refusal also ``Retry-After``.

    ``X-RateLimit-Reset`` and ``Retry-After`` are whole seconds from now (not a timestamp).
    The trio describes the binding window: the one with the least room left.
    """
    policies = ", ".join(
        f'"{window.name}";q={window.limit};w={window.seconds}' for window, _, _ in decision.windows
    )
    headers = {
        "X-RateLimit-Limit": str(decision.window.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
        "X-RateLimit-Reset": str(decision.reset),
        "RateLimit-Policy": policies,
        "RateLimit": f'"{decision.window.name}";r={decision.remaining};t={decision.reset}',
    }
    if not decision.allowed:
        headers["Retry-After"] = str(decision.retry_after)
    return headers

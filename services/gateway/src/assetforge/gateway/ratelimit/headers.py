"""``X-RateLimit-Limit``, ``-Remaining``, ``-Reset`` and, on a refusal, ``Retry-After``."""

from __future__ import annotations

from assetforge.gateway.ratelimit.windows import Decision

_LIMIT = b"x-ratelimit-limit"
_REMAINING = b"x-ratelimit-remaining"
_RESET = b"x-ratelimit-reset"
_RETRY_AFTER = b"retry-after"
# Header values for the numbers limits and windows usually take, encoded once.
_NUMBERS = tuple(str(n).encode() for n in range(4096))


def _number(n: int) -> bytes:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n).encode()


def rate_limit_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    headers = [
        (_LIMIT, _number(decision.limit)),
        (_REMAINING, _number(decision.remaining)),
        (_RESET, _number(decision.reset_s)),
    ]
    if not decision.allowed:
        headers.append((_RETRY_AFTER, _number(decision.retry_after_s)))
    return headers

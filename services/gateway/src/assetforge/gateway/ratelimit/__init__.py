"""Rate limits shared by every gateway process through NATS JetStream: sliding windows
(windows.py) of slot counters (store.py), checked by the limiter (limiter.py)."""

from assetforge.gateway.ratelimit.buckets import (
    AUDIO,
    AUTH_FAILURES,
    DEFAULT,
    GENERATION,
    OPT,
    BucketRules,
)
from assetforge.gateway.ratelimit.headers import rate_limit_headers
from assetforge.gateway.ratelimit.limiter import RateLimiter
from assetforge.gateway.ratelimit.metrics import RateLimitMetrics, make_rate_limit_metrics
from assetforge.gateway.ratelimit.outage import OUTAGE_RETRY_S
from assetforge.gateway.ratelimit.windows import Decision

__all__ = [
    "AUDIO",
    "AUTH_FAILURES",
    "DEFAULT",
    "GENERATION",
    "OPT",
    "OUTAGE_RETRY_S",
    "BucketRules",
    "Decision",
    "RateLimitMetrics",
    "RateLimiter",
    "make_rate_limit_metrics",
    "rate_limit_headers",
]

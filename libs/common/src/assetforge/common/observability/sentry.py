"""Error reporting to Sentry when SENTRY_DSN is set and the optional ``sentry-sdk`` is
installed (``pip install 'assetforge-gateway[sentry]'``). Errors reach it through the
logging integration: every unexpected error is logged once, with the request id and
trace id, and that log record becomes the Sentry event."""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)


def configure_sentry(dsn: str | None, *, service: str, environment: str, release: str) -> bool:
    if not dsn:
        return False
    try:
        sentry_sdk = importlib.import_module("sentry_sdk")
    except ImportError:
        log.warning("SENTRY_DSN is set but sentry-sdk is not installed; errors go to the logs only")
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=f"{service}@{release}",
        server_name=service,
        send_default_pii=False,
        traces_sample_rate=0.0,  # traces go to OpenTelemetry
    )
    return True

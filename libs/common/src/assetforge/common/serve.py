"""Run an ASGI app with uvicorn: uvloop, no access log, graceful on SIGTERM."""

from __future__ import annotations

import uvicorn

from assetforge.common.settings import HttpSettings


def serve(app: object, http: HttpSettings, *, graceful_timeout: float = 20.0) -> None:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=http.host,
        port=http.port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=int(graceful_timeout),
        server_header=False,
        # Client addresses come from the socket; the gateway reads X-Forwarded-For itself,
        # only from TRUSTED_PROXIES. uvicorn's default trusts it from any loopback peer.
        proxy_headers=False,
    )
    uvicorn.Server(config).run()

"""Which bucket a request counts against, as the gateway's own routes declare it."""

from __future__ import annotations

from typing import Annotated

import pytest
from litestar import Controller, Litestar, get, post
from litestar.params import PathParameter

from assetforge.gateway.ratelimit import AUDIO, DEFAULT, GENERATION, OPT, BucketRules
from tests.gateway.openapi_document import built_app

RULES = BucketRules.of_routes(built_app().app.routes)


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("GET", "/api/health", None),
        ("GET", "/api/health/live", None),
        ("GET", "/api/health/ready", None),
        ("GET", "/metrics", None),
        ("GET", "/swagger", None),
        ("GET", "/swagger/openapi.json", None),
        ("GET", "/swagger/assets/5.35.0/swagger-ui-bundle.js", None),
        ("GET", "/docs/asyncapi", None),
        ("GET", "/health/ready", None),
        ("GET", "/api/assets", DEFAULT),
        ("GET", "/api/assets/0191e0a2-0000-7000-8000-000000000000", DEFAULT),
        ("POST", "/api/assets", DEFAULT),
        ("GET", "/api/users/me", DEFAULT),
        ("POST", "/api/auth/logout", DEFAULT),
        # Paths no route serves count against the default bucket: a flood of 404s is limited.
        ("GET", "/api/healthcheck-lookalike", DEFAULT),
        ("GET", "/metrics/extra", DEFAULT),
        ("GET", "/api/nothing-here", DEFAULT),
        # Preflights carry no credentials and do no work.
        ("OPTIONS", "/api/users/me", None),
    ],
)
def test_the_gateway_routes_declare_their_buckets(method: str, path: str, bucket: str | None) -> None:
    assert RULES.bucket_for(method, path) == bucket


class _Generation(Controller):
    path = "/api/generation"

    @post("/pipeline", opt={OPT: GENERATION})
    async def submit(self) -> None: ...

    @post("/pipeline/{pipeline_id:str}/retry", opt={OPT: GENERATION})
    async def retry(self, pipeline_id: Annotated[str, PathParameter()]) -> None: ...

    @get("/pipeline/{pipeline_id:str}")
    async def status(self, pipeline_id: Annotated[str, PathParameter()]) -> None: ...


class _Audio(Controller):
    path = "/api/sfx"
    opt = {OPT: AUDIO}  # noqa: RUF012

    @post("/generate")
    async def generate(self) -> None: ...


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("POST", "/api/generation/pipeline", GENERATION),
        ("POST", "/api/generation/pipeline/abc/retry", GENERATION),
        ("GET", "/api/generation/pipeline/abc", DEFAULT),
        ("POST", "/api/sfx/generate", AUDIO),
        ("GET", "/api/sfx/generate", DEFAULT),
    ],
)
def test_a_route_or_its_controller_names_its_bucket(method: str, path: str, bucket: str | None) -> None:
    """How the generation and audio routes will declare their stricter buckets."""
    rules = BucketRules.of_routes(Litestar([_Generation, _Audio], openapi_config=None).routes)
    assert rules.bucket_for(method, path) == bucket

"""No file URL reaches anything but the object it names: every traversal form is the
API's 404, checked on the raw path (sent byte for byte) and after decoding."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from nats.aio.client import Client

from assetforge.common.blobs import GDD_ASSETS, IMAGES, TEMP_IMAGES, open_blob_store
from tests.gateway.media_support import new_asset, raw_get, sign_in
from tests.media import files
from tests.privy import FakePrivy
from tests.support import RunningService

# {pub} is a public asset holding thumb.png, {priv} a private one holding secret.png:
# a traversal that worked would reach the private file through the public asset.
TRAVERSALS = [
    "/gdd-assets/{pub}/../{priv}/secret.png",
    "/gdd-assets/{pub}/%2e%2e/{priv}/secret.png",
    "/gdd-assets/{pub}/%2E%2E/{priv}/secret.png",
    "/gdd-assets/{pub}/..%2f{priv}%2fsecret.png",
    "/gdd-assets/{pub}/%2e%2e%2f{priv}%2fsecret.png",
    "/gdd-assets/{pub}/%252e%252e/{priv}/secret.png",
    "/gdd-assets/{pub}/%252e%252e%252f{priv}%252fsecret.png",
    "/gdd-assets/{pub}/..\\{priv}\\secret.png",
    "/gdd-assets/{pub}/%5c..%5c{priv}%5csecret.png",
    "/gdd-assets/{pub}/%5C..%5C{priv}%5Csecret.png",
    "/gdd-assets/{pub}//{priv}/secret.png",
    "/gdd-assets/{pub}/x//thumb.png",
    "/gdd-assets/{pub}/thumb.png/",
    "/gdd-assets/{pub}/./thumb.png",
    "/gdd-assets/{pub}/thumb.png%00.txt",
    "/gdd-assets/{pub}/thumb.png%2500",
    "/gdd-assets/{pub}/.staging/anything",
    "/gdd-assets/{pub}/%2fetc%2fpasswd",
    "/gdd-assets/..%2f{priv}/secret.png",
    "/gdd-assets/%2e%2e/{priv}/secret.png",
    "/gdd-assets/{priv}%2f..%2f{pub}/thumb.png",
    "/images/../gdd-assets/{priv}/secret.png",
    "/images/%2e%2e/gdd-assets/{priv}/secret.png",
    "/images//etc/passwd",
    "/temp-images/..%2f..%2fetc%2fpasswd",
    "/temp-images/%2e%2e",
    "/temp-images/..",
    "/temp-images/a%00.png",
]


@pytest.fixture
async def paths(gateway: httpx.AsyncClient, privy: FakePrivy, nc: Client) -> dict[str, str]:
    owner = await sign_in(gateway, privy)
    pub, priv = await new_asset(nc, owner), await new_asset(nc, owner, visibility="private")
    store = await open_blob_store(nc.jetstream())

    async def one(data: bytes) -> AsyncIterator[bytes]:
        yield data

    await store.put(GDD_ASSETS, one(files.png(1)), name=f"{pub}/thumb.png")
    await store.put(GDD_ASSETS, one(files.png(2)), name=f"{priv}/secret.png")
    await store.put(IMAGES, one(files.png(3)), name="icons/ok.png")
    await store.put(TEMP_IMAGES, one(files.png(4)), name="ok.png")
    return {"pub": pub, "priv": priv}


async def test_the_plain_paths_are_served(stack: dict[str, RunningService], paths: dict[str, str]) -> None:
    """The control: the same requests, without a traversal, are answered 200."""
    base = stack["gateway"].url
    for path in ("/gdd-assets/{pub}/thumb.png", "/images/icons/ok.png", "/temp-images/ok.png"):
        assert (await raw_get(base, path.format(**paths))).status == 200, path


@pytest.mark.parametrize("template", TRAVERSALS)
async def test_every_traversal_form_is_a_404(
    stack: dict[str, RunningService], paths: dict[str, str], template: str
) -> None:
    response = await raw_get(stack["gateway"].url, template.format(**paths))

    assert response.status == 404, response.body[:200]
    body = response.json()
    assert body["error"] == "NOT_FOUND"
    assert body["requestId"] == response.headers["x-request-id"]

"""The CDN client on its own: how answers map to "refused" and "try later", that the
blob store's errors reach the mirror, and that readiness asks the CDN at most once a
period."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from assetforge.common.blobs import BlobCorrupt
from assetforge.media.cdn import HEALTH_REUSE_S, CdnClient, CdnRejected, CdnTarget, CdnUnavailable
from tests.media.conftest import CDN_KEY
from tests.media.fake_cdn import FakeCdn

TARGET = CdnTarget(directory="media", asset_id="abc", file_name="content.png")


async def chunks(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


async def opened(client: CdnClient) -> CdnClient:
    await client.open()
    return client


async def test_an_upload_streams_the_parts_the_cdn_expects(fake_cdn: FakeCdn) -> None:
    client = await opened(CdnClient(fake_cdn.url, CDN_KEY, upload_timeout_s=10))
    target = CdnTarget(directory="gdd-assets", asset_id="a1", file_name="models/x.glb")
    try:
        url = await client.upload(target, size=6, content_type="model/gltf-binary", chunks=chunks(b"glT", b"F!!"))
    finally:
        await client.close()
    assert url == f"{fake_cdn.url}/gdd-assets/a1/models/x.glb"
    received = fake_cdn.stored["gdd-assets/a1/models/x.glb"]
    assert (received.data, received.content_type) == (b"glTF!!", "model/gltf-binary")


@pytest.mark.parametrize(
    ("status", "error"), [(400, CdnRejected), (413, CdnRejected), (408, CdnUnavailable), (429, CdnUnavailable)]
)
async def test_answers_map_to_refused_or_try_later(fake_cdn: FakeCdn, status: int, error: type[Exception]) -> None:
    target = CdnTarget(directory="media", asset_id=f"status-{status}", file_name="content.png")
    fake_cdn.failures[target.upload_name] = [status]
    client = await opened(CdnClient(fake_cdn.url, CDN_KEY, upload_timeout_s=10))
    try:
        with pytest.raises(error, match=str(status)):
            await client.upload(target, size=1, content_type="image/png", chunks=chunks(b"x"))
    finally:
        await client.close()


async def test_a_wrong_key_is_a_refusal(fake_cdn: FakeCdn) -> None:
    client = await opened(CdnClient(fake_cdn.url, "wrong", upload_timeout_s=10))
    try:
        with pytest.raises(CdnRejected, match="401"):
            await client.upload(TARGET, size=1, content_type="image/png", chunks=chunks(b"x"))
    finally:
        await client.close()


async def test_a_damaged_object_stops_the_upload_with_the_stores_error(fake_cdn: FakeCdn) -> None:
    async def damaged() -> AsyncIterator[bytes]:
        yield b"first"
        raise BlobCorrupt("digest mismatch")

    client = await opened(CdnClient(fake_cdn.url, CDN_KEY, upload_timeout_s=10))
    try:
        with pytest.raises(BlobCorrupt):
            await client.upload(TARGET, size=10, content_type="image/png", chunks=damaged())
    finally:
        await client.close()


async def test_a_name_that_cannot_be_quoted_is_refused_before_sending() -> None:
    client = await opened(CdnClient("http://127.0.0.1:9", CDN_KEY, upload_timeout_s=1))
    bad = CdnTarget(directory="media", asset_id="a", file_name='x".png')
    try:
        with pytest.raises(CdnRejected):
            await client.upload(bad, size=1, content_type="image/png", chunks=chunks(b"x"))
    finally:
        await client.close()


async def test_readiness_asks_the_cdn_at_most_once_a_period(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    statuses = iter([503, 200])

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.method)
        return httpx.Response(next(statuses))

    now = [1000.0]
    monkeypatch.setattr("assetforge.media.cdn.time.monotonic", lambda: now[0])
    client = await opened(
        CdnClient("https://cdn.example", CDN_KEY, upload_timeout_s=1, transport=httpx.MockTransport(answer))
    )
    try:
        assert [await client.reachable() for _ in range(5)] == [False] * 5
        now[0] += HEALTH_REUSE_S + 1
        assert [await client.reachable() for _ in range(5)] == [True] * 5
    finally:
        await client.close()
    assert asked == ["HEAD", "HEAD"]

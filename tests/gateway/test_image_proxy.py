"""GET /api/proxy/image: refuses every non-public destination, however it is spelled or
reached (redirects, DNS rebinding), and serves only real images, within size and time."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import struct
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpcore
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import PrivateFormat
from cryptography.x509.oid import NameOID

from assetforge.common.errors import ExternalServiceError, Forbidden
from assetforge.gateway.proxy.addresses import IPAddress
from assetforge.gateway.proxy.connect import PinnedBackend
from assetforge.gateway.proxy.fetch import ImageProxy
from assetforge.gateway.settings import ImageProxySettings
from tests.support import ServedApp, serve_asgi, start_service


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1x1, 8-bit RGBA
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG = _png()
MB = 1024 * 1024
CHUNK = b"\x00" * 65536
PNG_TYPE = (b"content-type", b"image/png")
# Path: status, body, headers.
ANSWERS: dict[str, tuple[int, bytes, list[tuple[bytes, bytes]]]] = {
    "/sword.png": (200, PNG, [PNG_TYPE, (b"content-length", b"%d" % len(PNG)), (b"set-cookie", b"tracker=1")]),
    "/fake.png": (200, b"<html><script>alert(1)</script></html>", [PNG_TYPE]),
    "/page": (200, b"<html></html>", [(b"content-type", b"text/html")]),
    "/icon.svg": (200, b"<svg xmlns='http://www.w3.org/2000/svg'/>", [(b"content-type", b"image/svg+xml")]),
    "/missing.png": (404, b"not here", [(b"content-type", b"text/plain")]),
    "/loop": (302, b"", [(b"location", b"/loop")]),
}


async def images(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A third-party image host, with every way an answer can go wrong."""
    path, query = scope["path"], parse_qs(scope["query_string"].decode())
    status, body, headers = ANSWERS.get(path, (404, b"", []))
    if path == "/redirect":
        status, headers = 302, [(b"location", query["to"][0].encode())]
    elif path == "/slow.png":
        await asyncio.sleep(3)
        status, body, headers = 200, PNG, [PNG_TYPE]
    elif path in {"/declared-big.png", "/endless.png"}:
        # 2 MB of "image": declared (refused before a byte is sent) or chunked (cut off).
        size = [(b"content-length", str(len(PNG) + 32 * len(CHUNK)).encode())] if path == "/declared-big.png" else []
        await send({"type": "http.response.start", "status": 200, "headers": [PNG_TYPE, *size]})
        for chunk in (PNG, *[CHUNK] * 32):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
async def image_host() -> AsyncIterator[ServedApp]:
    served = await serve_asgi(images)
    yield served
    await served.stop()


@pytest.fixture(scope="module")
async def allowing(environ: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway that may reach loopback (where the fake image host is), with a 1 MB cap and
    a 1 s deadline."""
    settings = {"IMAGE_PROXY_ALLOW": "127.0.0.1/32", "IMAGE_PROXY_MAX_MB": "1", "IMAGE_PROXY_TIMEOUT_S": "1"}
    gateway = await start_service("gateway", {**environ, **settings})
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        yield client
    await gateway.stop()


def _refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == code
    assert body["requestId"] == response.headers["x-request-id"]
    return body


# Loopback as the OS resolver reads it; the private, metadata and CGNAT ranges; IPv6; a name.
LOOPBACK = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1"]
PRIVATE = ["0.0.0.0", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1"]  # noqa: S104
REFUSED_HOSTS = [*LOOPBACK, *PRIVATE, "[::1]", "[::ffff:127.0.0.1]", "[fc00::1]", "localhost"]  # localhost: /etc/hosts


@pytest.mark.parametrize("host", REFUSED_HOSTS)
async def test_a_non_public_destination_is_refused_naming_url(gateway: httpx.AsyncClient, host: str) -> None:
    response = await gateway.get("/api/proxy/image", params={"url": f"http://{host}:8080/latest/meta-data"})
    body = _refused(response, 403, "FORBIDDEN")
    assert [field["field"] for field in body["fields"]] == ["url"]
    assert "non-public address" in body["message"]


@pytest.mark.parametrize(
    "url", [None, "", "/relative.png", "ftp://cdn.example/a.png", "http://me:pw@cdn.example/a.png", "http://a\x00b/"]
)
async def test_a_malformed_url_is_a_bad_request(gateway: httpx.AsyncClient, url: str | None) -> None:
    response = await gateway.get("/api/proxy/image", params={} if url is None else {"url": url})
    body = _refused(response, 400, "BAD_REQUEST")
    assert [field["field"] for field in body["fields"]] == ["url"]


async def test_a_url_over_2048_characters_is_a_bad_request(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/proxy/image", params={"url": "https://cdn.example/" + "a" * 2048})
    assert [field["field"] for field in _refused(response, 400, "BAD_REQUEST")["fields"]] == ["url"]


async def test_a_host_that_does_not_resolve_is_named(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/proxy/image", params={"url": "https://cdn.studio.example/sword.png"})
    body = _refused(response, 422, "VALIDATION_ERROR")
    assert body["fields"] == [{"field": "url", "message": "names a host that does not resolve: cdn.studio.example"}]


async def test_an_image_is_streamed_with_its_headers(allowing: httpx.AsyncClient, image_host: ServedApp) -> None:
    url = f"{image_host.url}/sword.png"
    response = await allowing.get("/api/proxy/image", params={"url": url})
    assert response.status_code == 200, response.text
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-proxied-from"] == url
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-length"] == str(len(PNG))  # the upstream's, checked against the cap
    assert "set-cookie" not in response.headers  # nothing of the upstream's but the image


async def test_redirects_are_followed_and_checked(allowing: httpx.AsyncClient, image_host: ServedApp) -> None:
    followed = await allowing.get("/api/proxy/image", params={"url": f"{image_host.url}/redirect?to=/sword.png"})
    assert followed.status_code == 200
    assert followed.content == PNG
    for target in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]:80/"):
        response = await allowing.get("/api/proxy/image", params={"url": f"{image_host.url}/redirect?to={target}"})
        body = _refused(response, 403, "FORBIDDEN")
        assert body["message"].startswith("url redirects to a non-public address"), body
    looping = await allowing.get("/api/proxy/image", params={"url": f"{image_host.url}/loop"})
    assert "redirected more than 3 times" in _refused(looping, 502, "EXTERNAL_SERVICE_ERROR")["message"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/fake.png", "not a PNG, JPEG, GIF, WebP, AVIF, BMP or ICO image"),
        ("/page", "text/html, not an image"),
        ("/icon.svg", "SVG images are not proxied"),
        ("/missing.png", "answered 404"),
        ("/declared-big.png", "larger than 1 MB"),
    ],
)
async def test_what_is_no_servable_image_is_a_bad_gateway(
    allowing: httpx.AsyncClient, image_host: ServedApp, path: str, reason: str
) -> None:
    response = await allowing.get("/api/proxy/image", params={"url": f"{image_host.url}{path}"})
    assert reason in _refused(response, 502, "EXTERNAL_SERVICE_ERROR")["message"]


async def test_an_unsized_image_over_the_cap_is_cut(allowing: httpx.AsyncClient, image_host: ServedApp) -> None:
    received: list[int] = []

    async def read() -> None:
        async with allowing.stream("GET", "/api/proxy/image", params={"url": f"{image_host.url}/endless.png"}) as reply:
            assert reply.status_code == 200
            async for chunk in reply.aiter_raw():
                received.append(len(chunk))  # noqa: PERF401 - counted as they come: the stream fails midway

    with pytest.raises(httpx.RemoteProtocolError):  # the connection drops: no truncated image passes for whole
        await read()
    assert 0 < sum(received) <= MB


async def test_a_slow_image_host_is_a_gateway_timeout(allowing: httpx.AsyncClient, image_host: ServedApp) -> None:
    started = asyncio.get_running_loop().time()
    response = await allowing.get("/api/proxy/image", params={"url": f"{image_host.url}/slow.png"})
    _refused(response, 504, "GATEWAY_TIMEOUT")
    assert asyncio.get_running_loop().time() - started < 2.5


class Recording(httpcore.AsyncNetworkBackend):
    """Records where it was asked to connect, and connects to the fake host instead (which
    plays whatever address was asked for)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.asked: list[str] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, **options: Any) -> httpcore.AsyncNetworkStream:
        self.asked.append(f"{host}:{port}")
        return await self._real.connect_tcp("127.0.0.1", self.port, timeout=options.get("timeout"))


async def test_dns_rebinding_cannot_move_the_connection(image_host: ServedApp) -> None:
    """The resolver answers public, then private: the proxy asks once per fetch, connects
    to the public address it checked, and refuses the fetch that resolves private."""
    answers: list[list[IPAddress]] = [[ipaddress.ip_address("93.184.216.34")], [ipaddress.ip_address("127.0.0.1")]]
    resolved: list[str] = []

    async def rebinding(host: str, port: int) -> list[IPAddress]:
        resolved.append(host)
        return answers[len(resolved) - 1]

    port = int(image_host.url.rsplit(":", 1)[1])
    connector = Recording(port)
    proxy = ImageProxy(ImageProxySettings(), resolver=rebinding, connector=connector)
    try:
        image = await proxy.fetch(f"http://rebind.example:{port}/sword.png")
        assert b"".join([chunk async for chunk in image.chunks()]) == PNG
        assert (resolved, connector.asked) == (["rebind.example"], [f"93.184.216.34:{port}"])
        with pytest.raises(Forbidden):
            await proxy.fetch(f"http://rebind.example:{port}/sword.png")
        assert connector.asked == [f"93.184.216.34:{port}"], "never connected to the private answer"
    finally:
        await proxy.aclose()


async def test_the_connector_never_connects_where_nothing_was_checked() -> None:
    connector = Recording(9)
    with pytest.raises(httpcore.ConnectError):
        await PinnedBackend(connector).connect_tcp("127.0.0.1", 80)
    assert connector.asked == []


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name``, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(tz=UTC)
    builder = x509.CertificateBuilder(subject, subject, key.public_key(), 1, now, now + timedelta(1))
    builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
    certificate = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    cert, key_file = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
    pem = serialization.Encoding.PEM
    key_file.write_bytes(key.private_bytes(pem, PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert, key_file


async def test_tls_is_checked_for_the_host_name_while_connecting_to_the_pinned_address(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path, "images.test")
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_side.sni_callback = lambda _socket, name, _context: names.append(name)  # type: ignore[assignment,func-returns-value]
    heads: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: %d\r\n\r\n%b" % (len(PNG), PNG))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_side)
    port = server.sockets[0].getsockname()[1]

    async def loopback(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    trusting = ssl.create_default_context(cafile=str(cert))
    settings = ImageProxySettings(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    proxy = ImageProxy(settings, resolver=loopback, ssl_context=trusting)
    try:
        image = await proxy.fetch(f"https://images.test:{port}/sword.png")
        assert b"".join([chunk async for chunk in image.chunks()]) == PNG
        assert names == ["images.test"]
        assert heads[0].startswith(b"GET /sword.png HTTP/1.1\r\n")
        assert f"Host: images.test:{port}\r\n".encode() in heads[0]
        with pytest.raises(ExternalServiceError):  # the certificate is not for this name
            await proxy.fetch(f"https://other.test:{port}/sword.png")
    finally:
        await proxy.aclose()
        server.close()

"""The image proxy's URL reading and address checks, as tables: what a browser or the OS
resolver would reach is what is checked."""

from __future__ import annotations

import ipaddress
import re

import pytest

from assetforge.common.errors import BadRequest, Forbidden
from assetforge.gateway.proxy.addresses import (
    URL_PATTERN,
    Allowed,
    check_addresses,
    parse_ipv4,
    parse_url,
    refusal,
)
from assetforge.gateway.proxy.sniff import sniff

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not one to bind
    ("0.1.2.3", "unspecified"),
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local (cloud metadata)"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.255", "carrier-grade NAT"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("192.0.0.8", "IETF protocol assignment"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fc00::1", "unique-local"),
    ("fd12:3456::1", "unique-local"),
    ("fe80::1", "link-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("100::1", "discard-only"),
    ("::ffff:127.0.0.1", "loopback, in IPv4-mapped form"),
    ("::ffff:169.254.169.254", "link-local (cloud metadata), in IPv4-mapped form"),
    ("::ffff:8.8.8.8", "IPv4-mapped"),  # never needed: connect to the IPv4 address itself
    ("::ffff:0:10.0.0.1", "private, in IPv4-translated form"),
    ("::127.0.0.1", "loopback, in IPv4-compatible form"),
    ("64:ff9b::10.1.2.3", "private, in NAT64 form"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("2002:7f00:1::", "loopback, in 6to4 form"),
    ("2002:a9fe:a9fe::1", "link-local (cloud metadata), in 6to4 form"),
    # Teredo: server 65.54.227.120, client 255.255.255.255 ^ 0x3fff_fdd2 obfuscated = 192.0.2.45.
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "documentation, in Teredo form"),
    ("2001::1", "unspecified, in Teredo form"),
    ("2001:2::1", "IETF protocol assignment"),
    ("4000::1", "reserved"),
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "2002:808:808::1"]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_a_non_public_address_is_refused_with_its_reason(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_passes(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_a_public_nat64_address_passes() -> None:
    assert refusal(ipaddress.ip_address("64:ff9b::808:808")) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.1", "127.0.0.1"),
        ("0", "0.0.0.0"),  # noqa: S104 - read, not bound
        ("0x", "0.0.0.0"),  # noqa: S104
        ("169.254.43518", "169.254.169.254"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("3232235777", "192.168.1.1"),
        ("127.0.0.1.", "127.0.0.1"),
    ],
)
def test_ipv4_is_read_in_every_form_inet_aton_accepts(host: str, address: str) -> None:
    assert parse_ipv4(host) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("host", ["256.0.0.1", "1.2.3.4.5", "4294967296", "1.16777216", "09.1", "1..1", "a.1"])
def test_what_is_not_ipv4_is_not_read_as_ipv4(host: str) -> None:
    assert parse_ipv4(host) is None


@pytest.mark.parametrize(
    ("url", "host", "address", "sent"),
    [
        ("http://2130706433/a.png", "127.0.0.1", "127.0.0.1", "http://127.0.0.1/a.png"),
        ("HTTP://0x7F.1:8080", "127.0.0.1", "127.0.0.1", "http://127.0.0.1:8080/"),
        ("http://[::FFFF:127.0.0.1]/", "::ffff:7f00:1", "::ffff:127.0.0.1", "http://[::ffff:7f00:1]/"),
        ("https://CDN.Example.com:443/x.png?s=1#frag", "cdn.example.com", None, "https://cdn.example.com/x.png?s=1"),
        ("https://bücher.example/ä.png", "xn--bcher-kva.example", None, "https://xn--bcher-kva.example/%C3%A4.png"),
        ("http://127\u30020\u30020\u30021/", "127.0.0.1", "127.0.0.1", "http://127.0.0.1/"),
        ("http://cdn.example?x", "cdn.example", None, "http://cdn.example/?x"),
    ],
)
def test_a_url_is_read_as_a_browser_reads_it(url: str, host: str, address: str | None, sent: str) -> None:
    target = parse_url(url)
    assert target.host == host
    assert target.address == (ipaddress.ip_address(address) if address else None)
    assert target.url == sent


@pytest.mark.parametrize(
    "url",
    [
        "",
        "/relative/image.png",
        "cdn.example.com/image.png",
        "ftp://cdn.example.com/image.png",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://user:secret@cdn.example.com/image.png",
        "http://cdn.example.com@127.0.0.1/",
        "http://a\x00b/",
        "http://cdn.example.com/a b.png",
        "http://cdn.example.com\\@127.0.0.1/",
        "http://cdn.example.com:0/",
        "http://cdn.example.com:65536/",
        "http://cdn.example.com:8o/",
        "http:///image.png",
        "http://[::1/",
        "http://[fe80::1%25eth0]/",
        "http://::1/",
        "http://exa%6dple.com/",
        "http://1.2.3.4.5/",
        "http://256.1.1.1/",
        "https://" + "a" * 2048,
    ],
)
def test_a_malformed_url_is_a_bad_request_naming_url(url: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_url(url)
    assert [field.field for field in refused.value.fields or []] == ["url"]


def test_every_address_of_a_host_must_pass() -> None:
    addresses = [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.7")]
    with pytest.raises(Forbidden) as refused:
        check_addresses("mixed.example", addresses, Allowed())
    assert refused.value.message == "url points to a non-public address (private): mixed.example (10.0.0.7)"
    assert [field.field for field in refused.value.fields or []] == ["url"]


def test_the_allow_list_lets_networks_and_hosts_through() -> None:
    loopback = ipaddress.ip_address("127.0.0.1")
    by_network = Allowed(networks=(ipaddress.ip_network("127.0.0.0/8"),))
    assert check_addresses("127.0.0.1", [loopback], by_network) == (loopback,)
    by_host = Allowed(hosts=frozenset({"images.internal"}))
    assert check_addresses("images.internal", [ipaddress.ip_address("10.1.1.1")], by_host)
    with pytest.raises(Forbidden):
        check_addresses("other.internal", [ipaddress.ip_address("10.1.1.1")], by_host)


@pytest.mark.parametrize(
    "url",
    [
        "http://a",
        "https://cdn.studio.example/renders/sword.png",
        "http://a-1.b2.example:65535/x?y=%20#z",
        "http://vm:1/",
    ],
)
def test_what_the_documented_pattern_matches_is_read_without_complaint(url: str) -> None:
    assert re.search(URL_PATTERN, url)
    parse_url(url)


@pytest.mark.parametrize("url", ["http://a\n", "http://127.0.0.1/", "http://a:0/", "http://a:65536/", "http://a.1/"])
def test_the_documented_pattern_leaves_out_ip_literals_and_bad_ports(url: str) -> None:
    assert not re.search(URL_PATTERN, url)


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "image/avif"),
        (b"\x00\x00\x00\x20ftypmif1\x00\x00\x00\x00mif1avifmiafMA1B", "image/avif"),
        (b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00", "image/bmp"),
        (b"\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00\x01\x00\x20\x00", "image/x-icon"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", None),
        (b"<!DOCTYPE html><html>", None),
        (b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2", None),
        (b"BMP is not enough", None),
        (b"", None),
    ],
)
def test_the_first_bytes_say_what_an_image_is(head: bytes, media_type: str | None) -> None:
    assert sniff(head) == media_type

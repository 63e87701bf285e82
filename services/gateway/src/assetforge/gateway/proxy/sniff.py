"""What an image's first bytes say it is: the type the proxy answers with, whatever the
upstream's Content-Type claimed (it must only have claimed some image/*)."""

from __future__ import annotations

from collections.abc import Callable

# Enough for every signature below, an AVIF's brand list included.
SNIFF_BYTES = 64
# SVG is not among them: it is a document that can carry script (see docs/decisions.md).
KINDS = "PNG, JPEG, GIF, WebP, AVIF, BMP or ICO"
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
# The sizes of the BMP info headers in use (BITMAPCOREHEADER to BITMAPV5HEADER).
_BMP_HEADERS = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def _avif(head: bytes) -> bool:
    # An ISO-BMFF "ftyp" box: size, "ftyp", major brand, minor version, compatible brands.
    if head[4:8] != b"ftyp":
        return False
    size = min(int.from_bytes(head[0:4], "big"), len(head))
    brands = [head[8:12], *(head[i : i + 4] for i in range(16, size - 3, 4))]
    return any(brand in _AVIF_BRANDS for brand in brands)


def _bmp(head: bytes) -> bool:
    return head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_HEADERS


def _ico(head: bytes) -> bool:
    return head[:4] == b"\x00\x00\x01\x00" and int.from_bytes(head[4:6], "little") > 0 and head[9:10] == b"\x00"


# Each format's signature test, in the order tried.
_SIGNATURES: tuple[tuple[Callable[[bytes], bool], str], ...] = (
    (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), "image/png"),
    (lambda head: head.startswith(b"\xff\xd8\xff"), "image/jpeg"),
    (lambda head: head[:6] in {b"GIF87a", b"GIF89a"}, "image/gif"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "image/webp"),
    (_avif, "image/avif"),
    (_bmp, "image/bmp"),
    (_ico, "image/x-icon"),
)


def sniff(head: bytes) -> str | None:
    """The media type of an image starting with ``head``, or None if it is none we serve."""
    return next((media_type for test, media_type in _SIGNATURES if test(head)), None)

"""Vendor Swagger UI (npm package ``swagger-ui-dist``) into the gateway package.

    python services/gateway/scripts/vendor_swagger_ui.py                   # re-fetch the pinned version
    python services/gateway/scripts/vendor_swagger_ui.py --version 5.36.0  # upgrade

The pin (version and the registry's sha512 integrity of its tarball) lives in
``static/swagger-ui.json`` beside the files, where the gateway reads the version for its
asset URLs. Without ``--version`` the tarball must match the pinned integrity, so a
re-run reproduces the committed files byte for byte. With ``--version`` the integrity
the registry publishes for that version is pinned instead. The tarball is unpacked by
this script, not ``npm install``: no package scripts run (the package depends on an
install-time analytics hook).
"""

# A command-line tool, not part of any package.
# ruff: noqa: INP001

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

PACKAGE = "swagger-ui-dist"
# What the page needs (bundle, standalone preset, stylesheet, favicon), with the licences:
# the package's own and those of the code bundled into each script. No source maps.
FILES = (
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-ui.css",
    "favicon-32x32.png",
    "LICENSE",
    "NOTICE",
    "swagger-ui-bundle.js.LICENSE.txt",
    "swagger-ui-standalone-preset.js.LICENSE.txt",
)
STATIC = Path(__file__).resolve().parent.parent / "src" / "assetforge" / "gateway" / "static"
TARGET = STATIC / "swagger-ui"
PIN = STATIC / "swagger-ui.json"
_TIMEOUT_S = 60


def _get(url: str) -> bytes:
    if not url.startswith("https://"):
        raise SystemExit(f"refusing a non-HTTPS URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:  # noqa: S310 - https checked above
            body: bytes = response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"GET {url}: HTTP {error.code}") from None
    return body


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _published(registry: str, version: str) -> tuple[str, str]:
    """The tarball URL and integrity the registry publishes for one version."""
    meta: dict[str, Any] = json.loads(_get(f"{registry}/{PACKAGE}/{version}"))
    if meta.get("version") != version:
        raise SystemExit(f"{PACKAGE}@{version}: the registry answered version {meta.get('version')!r}")
    dist: dict[str, str] = meta["dist"]
    return dist["tarball"], dist["integrity"]


def _unpack(tarball: bytes) -> dict[str, bytes]:
    """The wanted files, read by name (npm tarballs put everything under ``package/``)."""
    found: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for name in FILES:
            member = archive.getmember(f"package/{name}")
            extracted = archive.extractfile(member) if member.isfile() else None
            if extracted is None:
                raise SystemExit(f"package/{name} is not a regular file in the tarball")
            found[name] = extracted.read()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", help=f"pin this exact {PACKAGE} version (default: the pinned one)")
    parser.add_argument("--registry", default="https://registry.npmjs.org", help="npm registry base URL")
    args = parser.parse_args()
    registry: str = args.registry.rstrip("/")

    pinned: dict[str, str] = json.loads(PIN.read_text()) if PIN.exists() else {}
    version: str | None = args.version or pinned.get("version")
    if not version:
        raise SystemExit(f"no version pinned in {PIN.name}: pass --version")
    print(f"{PACKAGE}@{version}: looking it up on {registry}")
    url, published = _published(registry, version)
    expected = pinned["integrity"] if version == pinned.get("version") else published
    if expected != published:
        raise SystemExit(f"the registry's integrity {published} differs from the pinned {expected}")

    print(f"downloading {url}")
    tarball = _get(url)
    if _integrity(tarball) != expected:
        raise SystemExit(f"the tarball's integrity {_integrity(tarball)} is not {expected}")
    print(f"integrity verified: {expected}")

    files = _unpack(tarball)
    shutil.rmtree(TARGET, ignore_errors=True)
    TARGET.mkdir(parents=True)
    for name, data in files.items():
        (TARGET / name).write_bytes(data)
        print(f"  wrote {TARGET.relative_to(STATIC.parent)}/{name} ({len(data):,} bytes)")
    pin = {"package": PACKAGE, "version": version, "integrity": expected, "tarball": url}
    PIN.write_text(json.dumps(pin, indent=2) + "\n")
    print(f"pinned {PACKAGE}@{version} in {PIN.relative_to(STATIC.parent)}")


if __name__ == "__main__":
    main()

"""The Object Store's wire format: subjects and the meta message, as nats-py and the
Go client (and so the ``nats`` CLI) write them, plus the few headers of our own.

An object is one meta message on ``$O.<bucket>.M.<base64url(name)>`` (kept alone on its
subject by a rollup) naming a ``nuid``, and its bytes as chunk messages on
``$O.<bucket>.C.<nuid>``. Renaming an object is publishing a meta under the new name
with the same ``nuid``; the chunks never move.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assetforge.common.blobs.store import STAGING_PREFIX, BlobInfo

CHUNK_SIZE = 128 * 1024  # nats-py's and Go's default, so other clients read alike
DIGEST_PREFIX = "SHA-256="
ROLLUP = {"Nats-Rollup": "sub"}
EXPECTED_LAST_SUBJECT_SEQ = "Nats-Expected-Last-Subject-Sequence"
WRONG_LAST_SEQUENCE = 10071  # JetStream's error code when that expectation fails

# Object headers of our own, inside the meta JSON (Go's http.Header form: lists).
CONTENT_TYPE = "Content-Type"
STATE = "Assetforge-State"  # "writing": a put in progress; its chunks may be partial
SEQS = "Assetforge-Chunk-Seqs"  # where each chunk sits in the stream, see seq_runs
WRITING = "writing"


def stream_name(bucket: str) -> str:
    return f"OBJ_{bucket}"


def chunk_subject(bucket: str, nuid: str) -> str:
    return f"$O.{bucket}.C.{nuid}"


def meta_subject(bucket: str, name: str) -> str:
    # Padded base64url, as both nats-py and the Go client encode names.
    return f"$O.{bucket}.M.{base64.urlsafe_b64encode(name.encode()).decode()}"


def all_metas(bucket: str) -> str:
    return f"$O.{bucket}.M.>"


def staging_name(nuid: str) -> str:
    return f"{STAGING_PREFIX}{nuid}"


def digest_field(sha256_hex: str) -> str:
    return DIGEST_PREFIX + base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).decode()


def digest_hex(value: str | None) -> str:
    """The hex SHA-256 of a meta's ``digest`` field ("" when absent or unreadable)."""
    if not value or value[: len(DIGEST_PREFIX)].upper() != DIGEST_PREFIX:
        return ""
    encoded = value[len(DIGEST_PREFIX) :]
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).hex()
    except (binascii.Error, ValueError):
        return ""


@dataclass(slots=True)
class Meta:
    """One meta message, parsed. ``seq`` and ``time`` come from the stream."""

    bucket: str
    name: str
    nuid: str
    size: int = 0
    chunks: int = 0
    sha256: str = ""
    deleted: bool = False
    headers: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    chunk_size: int = CHUNK_SIZE
    seq: int = 0
    time: datetime | None = None

    @property
    def writing(self) -> bool:
        return header(self.headers, STATE) == WRITING

    @property
    def staging(self) -> bool:
        return self.name.startswith(STAGING_PREFIX)

    @property
    def live(self) -> bool:
        """A complete, not deleted object."""
        return not self.deleted and not self.writing

    def encode(self) -> bytes:
        """The meta JSON, field for field as nats-py's ``ObjectInfo.as_dict`` writes it."""
        body: dict[str, Any] = {
            "name": self.name,
            "bucket": self.bucket,
            "nuid": self.nuid,
            "size": self.size,
            # Always a real time, even when deleted (nats-py writes ""): the Go client,
            # and so the CLI, cannot parse an empty mtime.
            "mtime": _iso(self.time or datetime.now(UTC)),
            "chunks": self.chunks,
            "digest": digest_field(self.sha256) if self.sha256 else "",
            "deleted": self.deleted,
            "options": {"max_chunk_size": self.chunk_size},
        }
        if self.description is not None:
            body["description"] = self.description
        if self.headers:
            body["headers"] = self.headers
        return json.dumps(body, separators=(",", ":")).encode()

    def info(self) -> BlobInfo:
        return BlobInfo(
            bucket=self.bucket,
            name=self.name,
            size=self.size,
            sha256=self.sha256,
            content_type=header(self.headers, CONTENT_TYPE),
            modified_at=self.time or datetime.now(UTC),
        )


def decode(data: bytes | None, *, seq: int = 0, time: datetime | None = None) -> Meta | None:
    """Parse a meta message; None when it is not one (a corrupt or foreign message)."""
    try:
        body = json.loads(data or b"")
        options = body.get("options") or {}
        meta = Meta(
            bucket=str(body["bucket"]),
            name=str(body["name"]),
            nuid=str(body.get("nuid") or ""),
            size=int(body.get("size") or 0),
            chunks=int(body.get("chunks") or 0),
            sha256=digest_hex(body.get("digest")),
            deleted=bool(body.get("deleted")),
            headers=dict(body.get("headers") or {}),
            description=body.get("description"),
            chunk_size=int(options.get("max_chunk_size") or CHUNK_SIZE),
            seq=seq,
            time=time,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return meta


def header(headers: dict[str, Any], key: str) -> str | None:
    """A header's first value: Go writes lists, a hand-written meta may hold a string."""
    value = headers.get(key)
    if isinstance(value, list):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Where each chunk sits in the stream, as runs of consecutive sequences
# ("start:count,start:count"): a ranged read starts its consumer at the first chunk it
# needs instead of reading and dropping the ones before. Puts that run side by side
# interleave their chunks, so there may be a few runs; past MAX_RUNS the index is left
# out and a ranged read falls back to reading from the first chunk.
MAX_RUNS = 256


def append_seq(runs: list[list[int]], seq: int) -> None:
    if runs and runs[-1][0] + runs[-1][1] == seq:
        runs[-1][1] += 1
    else:
        runs.append([seq, 1])


def encode_runs(runs: list[list[int]]) -> str | None:
    if not runs or len(runs) > MAX_RUNS:
        return None
    return ",".join(f"{start}:{count}" for start, count in runs)


def chunk_seq(encoded: str | None, index: int) -> int | None:
    """The stream sequence of chunk ``index`` (from 0), when the index says."""
    if not encoded:
        return None
    try:
        for run in encoded.split(","):
            start, count = (int(part) for part in run.split(":"))
            if index < count:
                return start + index
            index -= count
    except ValueError:
        return None
    return None

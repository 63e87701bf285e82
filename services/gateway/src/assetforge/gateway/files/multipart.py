"""A ``multipart/form-data`` body read as it arrives: small text fields are kept, the
one file part is handed on chunk by chunk and never held whole, nor written to disk.

Litestar's own form parsing spools files into a temporary file, which the pods cannot
afford (read-only root, a small memory-backed /tmp). This uses the push parser of
``multipart`` (Litestar's own dependency), fed from ``request.stream()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from typing import Any

import multipart  # type: ignore[import-untyped] # typed, but ships no py.typed marker

from assetforge.common.errors import BadRequest

MAX_PARTS = 32
# The text fields an upload names are ids and kinds; anything longer is not one of them.
MAX_FIELD_BYTES = 1024
# Parts no route names are skipped, but not without end.
MAX_IGNORED_BYTES = 64 * 1024


def boundary_of(content_type: str) -> str | None:
    """The boundary of a ``multipart/form-data`` content type, or None for any other type."""
    kind, options = multipart.parse_options_header(content_type)
    if kind != "multipart/form-data":
        return None
    boundary: str | None = options.get("boundary") or None
    if boundary is None:
        raise BadRequest.of("body", "multipart/form-data needs a boundary")
    return boundary


class FormReader:
    """One form, read in order: ``open_file`` (the fields before the file), then
    ``file_chunks`` (its bytes), then ``finish`` (the fields after it)."""

    def __init__(
        self, chunks: AsyncIterator[bytes], boundary: str, fields: Collection[str], file_field: str = "file"
    ) -> None:
        try:
            self._parser = multipart.PushMultipartParser(boundary, max_segment_count=MAX_PARTS)
        except multipart.MultipartError as error:
            raise _malformed(error) from error
        self._chunks = chunks
        self._events = self._parse()
        self._names = frozenset(fields)
        self._file_field = file_field
        self.fields: dict[str, str] = {}
        self.file_name: str | None = None
        self.file_type: str | None = None
        self._file_seen = False

    async def open_file(self) -> bool:
        """Read up to the start of the file part's bytes; False if the form has none."""
        return await self._next_file()

    async def file_chunks(self) -> AsyncIterator[bytes]:
        """The file part's bytes, until the part ends."""
        async for event in self._events:
            if event is None:
                return
            yield event
        raise BadRequest.of("body", "ended inside the file part")

    async def finish(self) -> None:
        """Read the rest of the form (fields after the file); a second file is a 400."""
        if await self._next_file():
            raise BadRequest.of(self._file_field, "one file per request")

    async def _next_file(self) -> bool:
        async for event in self._events:
            if not isinstance(event, multipart.MultipartSegment):
                raise BadRequest.of("body", "is not valid multipart/form-data")
            if event.name == self._file_field:
                if self._file_seen:
                    raise BadRequest.of(self._file_field, "one file per request")
                self._file_seen = True
                self.file_name = event.filename
                self.file_type = event.content_type
                return True
            await self._field(event.name)
        return False

    async def _field(self, name: str) -> None:
        known = name in self._names
        limit = MAX_FIELD_BYTES if known else MAX_IGNORED_BYTES
        value = bytearray()
        async for event in self._events:
            if event is None:
                break
            value += event
            if len(value) > limit:
                raise BadRequest.of(name if known else "body", f"a form field may hold at most {limit} bytes")
        if known:
            try:
                text = value.decode()
            except UnicodeDecodeError:
                raise BadRequest.of(name, "is not valid UTF-8") from None
            if "\x00" in text:
                raise BadRequest.of(name, "must not contain NUL (U+0000) characters")
            self.fields[name] = text

    async def _parse(self) -> AsyncIterator[Any]:
        try:
            async for chunk in self._chunks:
                for event in self._parser.parse(chunk):
                    yield event
            # The end of the body: the parser says whether the form was complete.
            for event in self._parser.parse(b""):
                yield event
        except multipart.MultipartError as error:
            raise _malformed(error) from error


def _malformed(error: Exception) -> BadRequest:
    return BadRequest.of("body", f"is not valid multipart/form-data ({error})")

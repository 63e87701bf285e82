"""JSON request bodies, decoded with bounds: a client's mistake is a 400 or 413 that says
what is wrong, never a 500 with a traceback.

Litestar decodes a JSON body with msgspec and turns only msgspec's own ``DecodeError``
into a 400. Invalid UTF-8 (``UnicodeDecodeError``) and deep nesting (``RecursionError``,
past about a thousand levels) escaped as 500s, each logging a long traceback; and a body
was read whole up to the upload limit (100 MB) before anything looked at it. Every JSON
route now goes through :class:`GatewayRequest`, which:

- refuses a body over ``MAX_JSON_BYTES`` (announced or streamed) with 413;
- answers invalid UTF-8 and invalid JSON with 400 naming ``body``;
- refuses nesting deeper than ``MAX_JSON_DEPTH`` with 400 naming the top-level field
  that holds it (or ``body``).

Routes that take files do not read JSON and keep the upload limit.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.types import Empty

from assetforge.common.errors import BadRequest, PayloadTooLarge
from assetforge.common.jsonvalue import too_deep

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
_decoder = msgspec.json.Decoder()


def decode_json_body(body: bytes) -> Any:
    try:
        value = _decoder.decode(body)
    except UnicodeDecodeError as error:
        raise BadRequest.of("body", "is not valid UTF-8") from error
    except RecursionError as error:
        raise BadRequest.of("body", f"nests deeper than {MAX_JSON_DEPTH} levels") from error
    except msgspec.DecodeError as error:
        raise BadRequest.of("body", f"is not valid JSON ({error})") from error
    if isinstance(value, dict):
        for name, item in value.items():
            if too_deep(item, MAX_JSON_DEPTH - 1):
                raise BadRequest.of(str(name), f"nests deeper than {MAX_JSON_DEPTH} levels")
    elif too_deep(value, MAX_JSON_DEPTH):
        raise BadRequest.of("body", f"nests deeper than {MAX_JSON_DEPTH} levels")
    return value


class GatewayRequest(Request[Any, Any, Any]):
    __slots__ = ()

    async def json(self) -> Any:
        if self._json is Empty:
            state = self._connection_state
            if state.json is not Empty:
                self._json = state.json
            else:
                self._json = state.json = decode_json_body(await self._bounded_body() or b"null")
        return self._json

    async def _bounded_body(self) -> bytes:
        announced = self.content_length
        if announced is not None and announced > MAX_JSON_BYTES:
            raise _too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in self.stream():
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                raise _too_large()
            chunks.append(chunk)
        body = b"".join(chunks)
        self._body = self._connection_state.body = body
        return body


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"a JSON body may hold at most {MAX_JSON_BYTES // 1024} KB")

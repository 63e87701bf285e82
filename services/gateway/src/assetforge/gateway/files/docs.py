"""The OpenAPI description of what the file routes read and send, which Litestar cannot
infer: their bodies are parsed by the routes themselves (streamed, or bounded beyond
JSON's 1 MB), and their replies are the files' own bytes."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from assetforge.gateway.files.uploads import UPLOADABLE
from assetforge.gateway.schemas.errors import ErrorBody
from assetforge.gateway.schemas.fields import NO_NUL
from assetforge.gateway.schemas.files import ANGLE_NAME, MAX_SPRITES

_TEXT = OpenAPIType.STRING


def _text(max_length: int, description: str) -> Schema:
    return Schema(type=_TEXT, max_length=max_length, pattern=NO_NUL, description=description)


_BINARY = Schema(type=_TEXT, format=OpenAPIFormat.BINARY)


def _multipart(fields: dict[str, Schema], required: list[str], description: str) -> RequestBody:
    form = Schema(type=OpenAPIType.OBJECT, required=required, properties={"file": _BINARY, **fields})
    return RequestBody(content={"multipart/form-data": OpenAPIMediaType(schema=form)}, description=description)


UPLOAD = RequestBody(
    content={
        **_multipart(
            {
                "kind": Schema(type=_TEXT, enum=[str(kind) for kind in UPLOADABLE]),
                "entityType": _text(32, "what the file belongs to (npc, quest, ...)"),
                "entityId": _text(128, "the id of what it belongs to"),
                "fileName": _text(255, "the name to show (the part's own file name by default)"),
            },
            ["file"],
            "",
        ).content,
        # Or the file alone as the body, its fields as query parameters.
        "application/octet-stream": OpenAPIMediaType(schema=_BINARY),
    },
    description="A file of at most 100 MB (images 10 MB, audio 50 MB); its content decides its kind",
    required=True,
)
VRM = _multipart(
    {"assetId": Schema(type=_TEXT, pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the asset the model belongs to")},
    ["file", "assetId"],
    "A VRM model (at most 100 MB) and the asset it belongs to",
)
VRM.required = True
SPRITES = RequestBody(
    content={
        "application/json": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["sprites"],
                properties={
                    "sprites": Schema(
                        type=OpenAPIType.ARRAY,
                        min_items=1,
                        max_items=MAX_SPRITES,
                        items=Schema(
                            type=OpenAPIType.OBJECT,
                            required=["angle", "imageData"],
                            properties={
                                "angle": Schema(
                                    one_of=[
                                        Schema(type=OpenAPIType.NUMBER, minimum=0, exclusive_maximum=360),
                                        Schema(type=_TEXT, pattern=ANGLE_NAME),
                                    ]
                                ),
                                "imageData": Schema(
                                    type=_TEXT, min_length=1, description="a PNG, base64 or a base64 data URL"
                                ),
                            },
                        ),
                    ),
                    "metadata": Schema(one_of=[Schema(type=OpenAPIType.OBJECT), Schema(type=OpenAPIType.NULL)]),
                },
            )
        )
    },
    description="Sprites (PNG), at most 20 MB in all",
    required=True,
)


def reads(body: RequestBody) -> type[Operation]:
    """An operation class that documents ``body`` as the route's request body."""

    @dataclass
    class WithBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return WithBody


def _bytes(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=bytes, description=description, media_type="*/*", generate_examples=False)


# What a file route answers besides the errors every route documents.
FILE_REPLIES: dict[int, ResponseSpec] = {
    200: _bytes("The file (its own Content-Type); ETag is its SHA-256"),
    206: _bytes("The byte range asked for (Content-Range)"),
    304: ResponseSpec(data_container=None, description="Not modified (If-None-Match named its ETag)"),
    416: ResponseSpec(
        data_container=ErrorBody,
        description="No byte of the range exists (Content-Range: bytes */size)",
        generate_examples=False,
    ),
}

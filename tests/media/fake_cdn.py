"""A CDN on loopback that speaks the upload protocol the mirror uses: ``POST /api/upload``
with ``X-API-Key`` and a multipart body (``directory``, then ``files`` named
``{assetId}/{fileName}``). Answers can be scripted per upload name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, post
from litestar.datastructures import UploadFile


@dataclass
class Received:
    directory: str
    name: str
    data: bytes
    api_key: str | None
    content_length: str | None
    content_type: str | None


@dataclass
class FakeCdn:
    api_key: str
    url: str = ""
    # Statuses to answer, in order, for an upload name before accepting it.
    failures: dict[str, list[int]] = field(default_factory=dict)
    attempts: list[str] = field(default_factory=list)
    stored: dict[str, Received] = field(default_factory=dict)

    def app(self) -> Litestar:
        @post("/api/upload", status_code=200)
        async def upload(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
            form = await request.form()
            upload = form.get("files")
            directory = form.get("directory")
            if not isinstance(upload, UploadFile) or not isinstance(directory, str):
                return Response({"error": "files and directory are required"}, status_code=400)
            name = upload.filename
            self.attempts.append(name)
            if request.headers.get("x-api-key") != self.api_key:
                return Response({"error": "bad key"}, status_code=401)
            planned = self.failures.get(name)
            if planned:
                return Response({"error": "planned"}, status_code=planned.pop(0))
            self.stored[f"{directory}/{name}"] = Received(
                directory=directory,
                name=name,
                data=await upload.read(),
                api_key=request.headers.get("x-api-key"),
                content_length=request.headers.get("content-length"),
                content_type=upload.content_type,
            )
            return Response({"files": [f"{directory}/{name}"]})

        return Litestar([upload], openapi_config=None, logging_config=None)

"""ElevenLabs on loopback, speaking the API the client uses, with the key in ``xi-api-key``
(missing or wrong: 401 ``invalid_api_key``):

- ``POST /v1/text-to-speech/{voice_id}?output_format=`` ``{text, model_id, voice_settings}``
  (empty text 422, unknown voice 404 ``voice_not_found``); answers carry ``history-item-id``
  and ``request-id``, and the line goes into the history;
- ``POST /v1/sound-generation?output_format=`` ``{text, duration_seconds?, prompt_influence?,
  loop?}`` (duration outside 0.5 to 30 or influence outside 0 to 1: 422 naming the field);
- ``POST /v1/music?output_format=`` ``{prompt, music_length_ms, force_instrumental}`` or
  ``{composition_plan}`` (one of them; length outside 10 000 to 300 000 ms: 422);
- ``POST /v1/music/plan`` ``{prompt, music_length_ms}`` → a composition plan;
- ``GET /v1/voices``, ``GET /v1/models`` (a bare array), ``GET /v1/history`` (``page_size``,
  ``start_after_history_item_id``, ``voice_id``, ``model_id``, ``date_after_unix``
  inclusive, ``date_before_unix`` exclusive, ``sort_direction``, ``source``) and
  ``GET /v1/history/{id}/audio`` (history keeps MP3, whatever format the line was made in).
Audio is real: a mono sine, MP3 made with lameenc (``audio/mpeg``) or raw s16le PCM for
``pcm_*``, as long as asked (speech at 14 characters a second, sound effects 2 s unless
told, music ``music_length_ms`` or the plan's sections, 30 s unless told).

Scripting, through public fields: ``api_key`` (the key expected);
``fail_next(path_prefix, status, times=1, retry_after=None, detail=None, body=None,
media_type=...)`` answers the next matching calls with ``status`` (``detail`` replaces the
default ``{"status", "message"}``, ``body`` the whole answer, so a 200 can carry no audio);
``hold`` (an ``asyncio.Event``) makes paid calls wait, after their audio exists (and a
line is in the history), until it is set; ``plan_answer`` is answered by the plan
endpoint instead of a plan; ``page_limit`` caps a history page; ``add_history`` puts a
line in the history. Records: ``calls`` (``Call(method, path, body, headers, query)``),
``made`` (each paid call's path), ``history``; voice design: fakes/elevenlabs_voices.py;
``serving(key)`` runs one on loopback, ``clients(fake)`` makes real clients of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from litestar import Litestar, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from assetforge.generation.providers.elevenlabs import ElevenLabsAudio
from assetforge.generation.providers.http import HttpSettings
from tests.generation.fakes.elevenlabs_data import (
    CHARS_PER_SECOND,
    ERRORS,
    MODELS,
    MP3_FORMATS,
    PCM_FORMATS,
    TTS_MODELS,
    VOICE_IDS,
    VOICES,
    bounded,
    history_item,
    history_page,
    invalid,
    parsed,
    plan_for,
    plan_problem,
    refusal,
    sine,
    text_problem,
)
from tests.generation.fakes.elevenlabs_voices import voice_routes
from tests.support import serve_asgi

DEFAULT_FORMAT = "mp3_44100_128"
Body = JSONBody[dict[str, Any]]
HISTORY_FORMAT = "mp3_44100_128"


class Call(NamedTuple):
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    query: dict[str, str]


@dataclass
class Forced:
    path_prefix: str
    status: int
    times: int
    retry_after: str | None
    detail: Any
    body: bytes | None
    media_type: str


@dataclass
class FakeElevenLabs:
    api_key: str
    url: str = ""
    hold: asyncio.Event | None = None
    plan_answer: Any = None
    page_limit: int = 1000
    forced: list[Forced] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    made: list[str] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    audio: dict[str, bytes] = field(default_factory=dict)
    generated: dict[str, str] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        detail: Any = None,
        body: bytes | None = None,
        media_type: str = "application/json",
    ) -> None:
        self.forced.append(Forced(path_prefix, status, times, retry_after, detail, body, media_type))

    def calls_to(self, path_prefix: str) -> list[Call]:
        return [call for call in self.calls if call.path.startswith(path_prefix)]

    def add_history(
        self, text: str, voice_id: str, model_id: str = "eleven_multilingual_v2", date_unix: int | None = None
    ) -> str:
        """Put a line in the history (made now unless ``date_unix`` says when); its id."""
        item = history_item(text, voice_id, model_id, int(time.time()) if date_unix is None else date_unix)
        self.history.append(item)
        self.audio[item["history_item_id"]] = sine(HISTORY_FORMAT, max(0.5, len(text) / CHARS_PER_SECOND))
        return str(item["history_item_id"])

    def _forced(self, path: str) -> Response[Any] | None:
        for rule in self.forced:
            if path.startswith(rule.path_prefix) and rule.times > 0:
                rule.times -= 1
                if rule.times == 0:
                    self.forced.remove(rule)
                headers = {"Retry-After": rule.retry_after} if rule.retry_after is not None else None
                if rule.body is not None:
                    return Response(rule.body, status_code=rule.status, headers=headers, media_type=rule.media_type)
                code, message = ERRORS.get(rule.status, ("planned", "A planned failure"))
                detail = rule.detail if rule.detail is not None else {"status": code, "message": message}
                return Response({"detail": detail}, status_code=rule.status, headers=headers)
        return None

    async def _made(self, path: str, output_format: str, seconds: float, headers: dict[str, str]) -> Response[Any]:
        self.made.append(path)
        if self.hold is not None:
            await self.hold.wait()  # the audio is made; its answer is late
        media = "audio/mpeg" if output_format in MP3_FORMATS else "application/octet-stream"
        return Response(sine(output_format, round(seconds, 3)), media_type=media, headers=headers)

    async def _before(self, request: Request[Any, Any, Any]) -> Response[Any] | None:
        """Every call: logged, its key checked, a forced answer given, body and format checked."""
        body = parsed(await request.body())
        path, headers, query = request.url.path, dict(request.headers), dict(request.query_params)
        self.calls.append(Call(request.method, path, body, headers, query))
        if request.headers.get("xi-api-key") != self.api_key:
            return refusal(401, "invalid_api_key", "Invalid API key")
        if (forced := self._forced(path)) is not None:
            return forced
        if request.method == "POST" and not isinstance(body, dict):
            return invalid(["body"], "Input should be a valid dictionary", body, "dict_type")
        output_format = query.get("output_format", DEFAULT_FORMAT)
        if output_format not in MP3_FORMATS | PCM_FORMATS:
            return invalid(["query", "output_format"], "Input should be a known output format", output_format)
        return None

    def app(self) -> Litestar:
        @post("/v1/text-to-speech/{voice_id:str}", status_code=200)
        async def speech(
            voice_id: FromPath[str], data: Body, output_format: FromQuery[str] = DEFAULT_FORMAT
        ) -> Response[Any]:
            if (problem := text_problem(data, "text")) is not None:
                return problem
            if voice_id not in VOICE_IDS and voice_id not in self.generated:
                return refusal(404, "voice_not_found", f"A voice with the voice_id {voice_id} was not found.")
            model_id = data.get("model_id") or "eleven_multilingual_v2"
            if model_id not in TTS_MODELS:
                return refusal(400, "model_not_found", f"A model with model ID {model_id} does not exist")
            settings = data.get("voice_settings") or {}
            for name, low, high in (("stability", 0, 1), ("similarity_boost", 0, 1), ("style", 0, 1)):
                if (problem := bounded(settings, name, low, high, where="voice_settings")) is not None:
                    return problem
            item_id = self.add_history(data["text"], voice_id, model_id)
            self.history[-1]["settings"] = settings
            headers = {"history-item-id": item_id, "request-id": self.history[-1]["request_id"]}
            headers["character-cost"] = str(len(data["text"]))
            seconds = max(0.5, len(data["text"]) / CHARS_PER_SECOND)
            return await self._made("/v1/text-to-speech", output_format, seconds, headers)

        @post("/v1/sound-generation", status_code=200)
        async def sound(data: Body, output_format: FromQuery[str] = DEFAULT_FORMAT) -> Response[Any]:
            problem = (
                text_problem(data, "text")
                or bounded(data, "duration_seconds", 0.5, 30)
                or bounded(data, "prompt_influence", 0, 1)
            )
            if problem is not None:
                return problem
            seconds = data.get("duration_seconds") or 2.0
            return await self._made("/v1/sound-generation", output_format, seconds, {"request-id": uuid.uuid4().hex})

        @post("/v1/music", status_code=200)
        async def music(data: Body, output_format: FromQuery[str] = DEFAULT_FORMAT) -> Response[Any]:
            plan = data.get("composition_plan")
            if (plan is None) == (data.get("prompt") is None):
                return invalid(["body"], "Exactly one of prompt or composition_plan must be given", None)
            if plan is not None:
                if (problem := plan_problem(plan)) is not None:
                    return problem
                length_ms = sum(section["duration_ms"] for section in plan["sections"])
            else:
                if (
                    problem := text_problem(data, "prompt") or bounded(data, "music_length_ms", 10_000, 300_000)
                ) is not None:
                    return problem
                length_ms = data.get("music_length_ms") or 30_000
            return await self._made("/v1/music", output_format, length_ms / 1000, {"song-id": uuid.uuid4().hex})

        @post("/v1/music/plan", status_code=200)
        async def plan(data: Body) -> Response[Any]:
            if (
                problem := text_problem(data, "prompt") or bounded(data, "music_length_ms", 10_000, 300_000)
            ) is not None:
                return problem
            if self.plan_answer is not None:
                return Response(self.plan_answer)
            return Response(plan_for(data["prompt"], data.get("music_length_ms") or 30_000))

        @get("/v1/voices")
        async def voices() -> dict[str, Any]:
            return {"voices": VOICES}

        @get("/v1/models")
        async def models() -> list[dict[str, Any]]:
            return MODELS

        @get("/v1/history")
        async def history(
            page_size: FromQuery[int] = 100,
            start_after_history_item_id: FromQuery[str | None] = None,
            voice_id: FromQuery[str | None] = None,
            model_id: FromQuery[str | None] = None,
            date_after_unix: FromQuery[int | None] = None,
            date_before_unix: FromQuery[int | None] = None,
            sort_direction: FromQuery[str] = "desc",
            source: FromQuery[str | None] = None,
        ) -> dict[str, Any]:
            wanted = {"voice_id": voice_id, "model_id": model_id, "source": source}
            items = [item for item in self.history if all(v in (None, item[k]) for k, v in wanted.items())]
            items = [i for i in items if (date_after_unix or 0) <= i["date_unix"] < (date_before_unix or 2**62)]
            size = min(page_size, self.page_limit, 1000)
            return history_page(items, size, start_after_history_item_id, newest_first=sort_direction != "asc")

        @get("/v1/history/{history_item_id:str}/audio")
        async def history_audio(history_item_id: FromPath[str]) -> Response[Any]:
            if history_item_id not in self.audio:
                return refusal(404, "history_item_not_found", f"History item {history_item_id} was not found.")
            return Response(self.audio[history_item_id], media_type="audio/mpeg")

        designed = voice_routes(self.made, self.generated, self.created)
        handlers = [speech, sound, music, plan, voices, models, history, history_audio, *designed]
        return Litestar(route_handlers=handlers, before_request=self._before)


@contextlib.asynccontextmanager
async def serving(api_key: str) -> AsyncIterator[FakeElevenLabs]:
    """The fake on a free loopback port, ``url`` set; a held call is released at the end."""
    fake = FakeElevenLabs(api_key=api_key)
    served = await serve_asgi(fake.app())
    fake.url = served.url
    try:
        yield fake
    finally:
        if fake.hold is not None:
            fake.hold.set()  # or the server cannot stop
        await served.stop()


@contextlib.asynccontextmanager
async def clients(fake: FakeElevenLabs) -> AsyncIterator[Callable[..., ElevenLabsAudio]]:
    """Makes real clients of ``fake`` (``key``, ``output_format``, HttpSettings fields as
    keywords; fast backoff) and closes them at the end."""
    made: list[ElevenLabsAudio] = []

    def make(*, key: str | None = None, output_format: str = "mp3_44100_128", **http: Any) -> ElevenLabsAudio:
        settings = HttpSettings(base_delay_s=0.01, **http)
        client = ElevenLabsAudio(key or fake.api_key, base_url=fake.url, settings=settings, output_format=output_format)
        made.append(client)
        return client

    try:
        yield make
    finally:
        for client in made:
            await client.aclose()

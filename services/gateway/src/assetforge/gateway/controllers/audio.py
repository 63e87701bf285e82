"""Voice lines, sound effects and music, made by the generation service as jobs. A single
generate answers the audio (or, for a voice line, the original server's JSON) when the
job ends within AUDIO_SYNC_WAIT_S, else 202 with the job; batches always answer 202.
Making audio is rate limited: AUDIO, 20 a minute a user."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Response, get, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, QueryParameter

from assetforge.common.contracts import audio as contract
from assetforge.common.contracts.jobs import BatchAccepted, JobAccepted
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import CatalogController, json_body
from assetforge.gateway.controllers.pipeline_streams import stream_hub
from assetforge.gateway.controllers.voices import PROVIDER_WAIT_S
from assetforge.gateway.deps import Bus, gateway
from assetforge.gateway.openapi import ERRORS, SECURED, json_reply
from assetforge.gateway.ratelimit import AUDIO, OPT
from assetforge.gateway.schemas import NO_NUL, ErrorBody
from assetforge.gateway.schemas.audio import (
    EffectsBatch,
    MusicPlanBody,
    TracksBatch,
    VoiceBatch,
    VoiceBody,
    VoiceEstimateBody,
)
from assetforge.gateway.streams.audio import Made, VoiceLine, accepted_job, voice_reply, wait_for_audio, wants_async

LIMITED = {OPT: AUDIO}
Prefer = Annotated[
    str | None,
    HeaderParameter(
        name="Prefer", max_length=200, pattern=NO_NUL, description="`respond-async`: answer 202 with the job at once"
    ),
]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(name="Idempotency-Key", min_length=1, max_length=255, pattern=NO_NUL),
]
_QUEUED = json_reply(JobAccepted, "Still being made (or asked async): the job, to follow")
_MADE_ERRORS = {
    409: ResponseSpec(
        data_container=ErrorBody, description="The Idempotency-Key was used with another body", generate_examples=False
    ),
    502: ResponseSpec(data_container=ErrorBody, description="The provider failed to make it", generate_examples=False),
    402: ResponseSpec(
        data_container=ErrorBody, description="Over your daily budget (QUOTA_EXCEEDED)", generate_examples=False
    ),
}
_BATCH = {202: json_reply(BatchAccepted, "One job per item"), **ERRORS, 402: _MADE_ERRORS[402]}
_AUDIO_BYTES = {
    200: ResponseSpec(
        data_container=bytes,
        media_type="audio/mpeg",
        description="The audio (header X-Asset-Id; audio/wav when the provider makes WAV)",
        generate_examples=False,
    ),
    202: _QUEUED,
    **ERRORS,
    **_MADE_ERRORS,
}


async def _generate(
    state: State, bus: Bus, request: contract.AudioRequest, prefer: str | None, key: str | None
) -> tuple[Made | None, bytes]:
    """The job's reply, and its audio unless the caller asked async or it took too long."""
    command = contract.SubmitAudio(request=request, idempotency_key=key)
    reply = await bus.request_raw(contract.AUDIO_SUBMIT, command)
    if wants_async(prefer):
        return None, reply
    parts = gateway(state)
    made = await wait_for_audio(
        stream_hub(state), parts.files.store, accepted_job(reply).job_id, parts.settings.edge.audio_sync_wait_s
    )
    return made, reply


async def _audio(
    state: State, bus: Bus, request: contract.AudioRequest, prefer: str | None, key: str | None
) -> Response[bytes]:
    made, reply = await _generate(state, bus, request, prefer, key)
    if made is None:
        return json_body(reply, 202)
    return Response(made.data, media_type=made.content_type, headers={"X-Asset-Id": made.asset_id})


async def _batch(bus: Bus, items: list[contract.AudioRequest]) -> Response[bytes]:
    reply = await bus.request_raw(contract.AUDIO_BATCH, contract.SubmitAudioBatch(items=items))
    return json_body(reply, 202)


class AudioController(CatalogController):
    path = "/api"
    tags = ["audio"]  # noqa: RUF012 - Litestar reads this class attribute

    @post(
        "/voice/generate",
        summary="Speak a line",
        description="Answers `{success, audioData (base64), assetId, fileUrl}` when the line is made within "
        "AUDIO_SYNC_WAIT_S, else 202 with the job (at once with `Prefer: respond-async`).",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=200,
        responses={200: json_reply(VoiceLine, "The line, in base64"), 202: _QUEUED, **ERRORS, **_MADE_ERRORS},
    )
    async def speak(
        self,
        state: State,
        bus: Bus,
        data: JSONBody[VoiceBody],
        prefer: Prefer = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        made, reply = await _generate(state, bus, data.request(), prefer, idempotency_key)
        if made is None:
            return json_body(reply, 202)
        return json_body(msgspec.json.encode(voice_reply(made)))

    @post(
        "/voice/batch",
        summary="Speak up to 20 lines",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=202,
        responses=_BATCH,
    )
    async def speak_many(self, bus: Bus, data: JSONBody[VoiceBatch]) -> Response[bytes]:
        return await _batch(bus, [item.request() for item in data.items])

    @post(
        "/voice/estimate",
        summary="What a line would cost",
        status_code=200,
        responses={200: json_reply(contract.AudioEstimate, "Characters and expected credits"), **ERRORS},
    )
    async def voice_estimate(self, bus: Bus, data: JSONBody[VoiceEstimateBody]) -> Response[bytes]:
        request = contract.SpeechRequest(text=data.text, voice_id="estimate", model_id=data.model_id)
        return json_body(await bus.request_raw(contract.AUDIO_ESTIMATE, contract.EstimateAudio(request=request)))

    @post(
        "/sfx/generate",
        summary="Make a sound effect",
        description="The audio bytes when made within AUDIO_SYNC_WAIT_S, else 202 with the job.",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=200,
        responses=_AUDIO_BYTES,
    )
    async def sound_effect(
        self,
        state: State,
        bus: Bus,
        data: JSONBody[contract.SoundEffectFields],
        prefer: Prefer = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        return await _audio(state, bus, contract.tagged(data), prefer, idempotency_key)

    @post(
        "/sfx/batch",
        summary="Make up to 20 sound effects",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=202,
        responses=_BATCH,
    )
    async def sound_effects(self, bus: Bus, data: JSONBody[EffectsBatch]) -> Response[bytes]:
        return await _batch(bus, [contract.tagged(item) for item in data.effects])

    @get(
        "/sfx/estimate",
        summary="What a sound effect would cost",
        responses={200: json_reply(contract.AudioEstimate, "Expected credits"), **ERRORS},
    )
    async def sfx_estimate(
        self,
        bus: Bus,
        duration_seconds: Annotated[float | None, QueryParameter(name="durationSeconds", ge=0.5, le=30)] = None,
    ) -> Response[bytes]:
        request = contract.SoundEffectRequest(text="estimate", duration_seconds=duration_seconds)
        return json_body(await bus.request_raw(contract.AUDIO_ESTIMATE, contract.EstimateAudio(request=request)))

    @post(
        "/music/generate",
        summary="Make a track",
        description="From a prompt or a composition plan (see /api/music/plan). The audio bytes when made "
        "within AUDIO_SYNC_WAIT_S, else 202 with the job.",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=200,
        responses=_AUDIO_BYTES,
    )
    async def music(
        self,
        state: State,
        bus: Bus,
        data: JSONBody[contract.MusicFields],
        prefer: Prefer = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        return await _audio(state, bus, contract.tagged(data), prefer, idempotency_key)

    @post(
        "/music/plan",
        summary="Plan a track",
        description="Sections with their styles and lengths, to edit and send back as `compositionPlan`.",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=200,
        responses={200: json_reply(contract.CompositionPlan, "The plan"), **ERRORS},
    )
    async def plan(self, bus: Bus, data: JSONBody[MusicPlanBody]) -> Response[bytes]:
        query = contract.PlanMusic(prompt=data.prompt, music_length_ms=data.music_length_ms)
        return json_body(await bus.request_raw(contract.MUSIC_PLAN, query, timeout=PROVIDER_WAIT_S))

    @post(
        "/music/batch",
        summary="Make up to 10 tracks",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=202,
        responses=_BATCH,
    )
    async def tracks(self, bus: Bus, data: JSONBody[TracksBatch]) -> Response[bytes]:
        return await _batch(bus, [contract.tagged(item) for item in data.tracks])

"""The voices to speak with: the provider's library and models, designing a new voice
from a description and keeping it, and the caller's saved voice lines. Speaking a line
is in audio.py."""

from __future__ import annotations

import msgspec
from litestar import Response, get, post
from litestar.params import JSONBody

from assetforge.common.contracts import audio as contract
from assetforge.common.contracts.jobs import JOB_LIST, JobPage, ListJobs
from assetforge.common.contracts.pipelines import MAX_PAGE_SIZE, PipelineState
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import CatalogController, json_body
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, SECURED, json_reply
from assetforge.gateway.ratelimit import AUDIO, OPT
from assetforge.gateway.schemas.audio import SavedLines, saved_lines

LIMITED = {OPT: AUDIO}
# Designing a voice waits on the provider (ElevenLabs takes seconds): under a load
# balancer's usual 60 s.
PROVIDER_WAIT_S = 55.0
_page = msgspec.json.Decoder(JobPage)


class VoicesController(CatalogController):
    path = "/api/voice"
    tags = ["audio"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/library",
        summary="Voices to speak with",
        responses={200: json_reply(contract.VoiceLibrary, "Voices"), **ERRORS},
    )
    async def voices(self, bus: Bus) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.VOICE_LIBRARY, contract.ListVoices()))

    @get(
        "/models",
        summary="Text-to-speech models",
        responses={200: json_reply(contract.VoiceModels, "Models"), **ERRORS},
    )
    async def models(self, bus: Bus) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.VOICE_MODELS, contract.ListVoices()))

    @post(
        "/design",
        summary="Design a voice from a description",
        description="Three previews of a voice described in words (20 to 1,000 characters), each speaking "
        "`text` (100 to 1,000 characters; made up when absent), with ids to keep one by `/create`.",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=200,
        responses={200: json_reply(contract.VoicePreviews, "The previews, audio in base64"), **ERRORS},
    )
    async def design(self, bus: Bus, data: JSONBody[contract.DesignVoice]) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.VOICE_DESIGN, data, timeout=PROVIDER_WAIT_S))

    @post(
        "/create",
        summary="Keep a designed voice",
        description="The preview `generatedVoiceId` becomes a voice of the library, under `voiceName`.",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=200,
        responses={200: json_reply(contract.VoiceCreated, "The new voice"), **ERRORS},
    )
    async def create(self, bus: Bus, data: JSONBody[contract.CreateVoice]) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.VOICE_CREATE, data, timeout=PROVIDER_WAIT_S))

    @post(
        "/save",
        summary="Save a designed voice (the original frontend's name for /create)",
        guards=[requires_user],
        security=SECURED,
        opt=LIMITED,
        status_code=200,
        responses={200: json_reply(contract.VoiceCreated, "The new voice"), **ERRORS},
    )
    async def save(self, bus: Bus, data: JSONBody[contract.CreateVoice]) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.VOICE_CREATE, data, timeout=PROVIDER_WAIT_S))

    @get(
        "/saved",
        summary="The caller's voice lines",
        description="Newest first, the last 200: `{audio: [{id (the asset), fileUrl, text, voiceId, createdAt}]}`.",
        guards=[requires_user],
        security=SECURED,
        responses={200: json_reply(SavedLines, "The lines"), **ERRORS},
    )
    async def saved(self, bus: Bus) -> Response[bytes]:
        query = ListJobs(kind=contract.AudioKind.VOICE.value, status=PipelineState.COMPLETED, limit=MAX_PAGE_SIZE)
        page = _page.decode(await bus.request_raw(JOB_LIST, query))
        return json_body(msgspec.json.encode(saved_lines(page)))

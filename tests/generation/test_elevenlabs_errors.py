"""The real ElevenLabs client's failures against a fake ElevenLabs on loopback: which are
final and what they say, and the rules that keep a paid call from being sent twice (a 429
is retried, a 5xx or a read timeout is not)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from assetforge.common.contracts.audio import (
    CompositionPlan,
    MusicRequest,
    MusicSection,
    SoundEffectRequest,
    SpeechRequest,
)
from assetforge.generation.providers.audio import AudioClip
from assetforge.generation.providers.base import ProviderError
from tests.generation.elevenlabs_support import LINE, QUOTA, RACHEL, seconds
from tests.generation.fakes.elevenlabs import FakeElevenLabs
from tests.generation.fakes.elevenlabs_data import CHARS_PER_SECOND


async def test_a_malformed_plan_is_refused_naming_the_problem(fake: FakeElevenLabs, client: Any) -> None:
    fake.plan_answer = {"sections": [{"section_name": "Intro", "duration_ms": "long"}]}
    with pytest.raises(ProviderError) as caught:
        await client().plan_music("epic", 30_000)
    assert not caught.value.retryable
    assert "duration_ms" in caught.value.message
    fake.plan_answer = {"sections": []}
    with pytest.raises(ProviderError, match="sections"):
        await client().plan_music("epic", 30_000)


async def test_a_429_is_retried_after_its_retry_after_and_makes_one_line(fake: FakeElevenLabs, client: Any) -> None:
    fake.fail_next("/v1/text-to-speech", 429, retry_after="1")
    started = time.monotonic()
    audio = await client().speech(LINE)
    assert time.monotonic() - started >= 1.0
    # Two requests: the refused one made nothing, the second made the line.
    assert len(fake.calls_to("/v1/text-to-speech")) == 2
    assert fake.made == ["/v1/text-to-speech"]
    assert audio.provider_ref == fake.history[0]["history_item_id"]
    assert seconds(audio.data) == pytest.approx(len(LINE.text) / CHARS_PER_SECOND, abs=0.15)


async def test_a_busy_429_beyond_the_cap_is_left_to_the_job(fake: FakeElevenLabs, client: Any) -> None:
    fake.fail_next("/v1/music", 429, retry_after="120", detail={"status": "system_busy", "message": "Heavy traffic"})
    with pytest.raises(ProviderError) as caught:
        await client().music(MusicRequest(prompt="calm harp"))
    assert (caught.value.retryable, caught.value.retry_after_s) == (True, 120)
    assert "system_busy" in caught.value.message
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (SoundEffectRequest(text="boom", duration_seconds=45.0), "duration_seconds"),
        (SoundEffectRequest(text="boom", prompt_influence=1.5), "prompt_influence"),
        (MusicRequest(prompt="harp", music_length_ms=5_000), "music_length_ms"),
        (SpeechRequest(text="", voice_id=RACHEL), "text"),
        (
            MusicRequest(
                composition_plan=CompositionPlan(sections=[MusicSection(section_name="Intro", duration_ms=2000)])
            ),
            "composition_plan.sections.0.duration_ms",
        ),
    ],
)
async def test_a_422_is_final_and_names_the_field(fake: FakeElevenLabs, client: Any, request_: Any, field: str) -> None:
    provider = client()
    calls: dict[type[Any], Callable[[Any], Awaitable[AudioClip]]] = {
        SpeechRequest: provider.speech,
        SoundEffectRequest: provider.sound_effect,
        MusicRequest: provider.music,
    }
    with pytest.raises(ProviderError) as caught:
        await calls[type(request_)](request_)
    assert (caught.value.retryable, caught.value.status) == (False, 422)
    assert f"{field}:" in caught.value.message
    assert len(fake.calls) == 1
    assert fake.made == []


async def test_an_unknown_voice_is_final(fake: FakeElevenLabs, client: Any) -> None:
    with pytest.raises(ProviderError) as caught:
        await client().speech(SpeechRequest(text="Hello.", voice_id="no-such-voice"))
    assert (caught.value.retryable, caught.value.status) == (False, 404)
    assert "voice_not_found" in caught.value.message


async def test_a_refused_key_is_final(fake: FakeElevenLabs, client: Any) -> None:
    with pytest.raises(ProviderError) as caught:
        await client(key="el-wrong").speech(LINE)
    assert (caught.value.retryable, caught.value.status) == (False, 401)
    assert "the ElevenLabs API key was refused" in caught.value.message
    assert len(fake.calls) == 1
    assert fake.made == []


@pytest.mark.parametrize(("status", "detail"), [(401, QUOTA), (402, None)])
async def test_no_credits_is_final_and_says_so(fake: FakeElevenLabs, client: Any, status: int, detail: Any) -> None:
    fake.fail_next("/v1/sound-generation", status, detail=detail)
    with pytest.raises(ProviderError) as caught:
        await client().sound_effect(SoundEffectRequest(text="boom"))
    assert not caught.value.retryable
    assert "ElevenLabs" in caught.value.message
    assert "credits" in caught.value.message
    assert len(fake.calls) == 1


async def test_a_5xx_on_a_paid_call_is_not_resent_but_free_calls_retry(fake: FakeElevenLabs, client: Any) -> None:
    provider = client()
    fake.fail_next("/v1/text-to-speech", 500)
    with pytest.raises(ProviderError) as caught:
        await provider.speech(LINE)
    assert (caught.value.retryable, caught.value.status) == (True, 500)
    assert len(fake.calls_to("/v1/text-to-speech")) == 1
    fake.fail_next("/v1/voices", 503, times=2)
    assert len(await provider.voices()) == 3
    assert len(fake.calls_to("/v1/voices")) == 3


async def test_a_read_timeout_on_a_paid_call_is_not_resent(fake: FakeElevenLabs, client: Any) -> None:
    fake.hold = asyncio.Event()
    provider = client(read_s=0.3)
    since = datetime.now(UTC)
    with pytest.raises(ProviderError) as caught:
        await provider.speech(LINE)
    assert caught.value.retryable  # it may have been made: the job decides
    await asyncio.sleep(0.1)  # a resend would have arrived by now
    assert len(fake.calls_to("/v1/text-to-speech")) == 1
    # The line was made all the same, and the history finds it.
    found = await provider.find_speech(LINE, since, set())
    assert found is not None
    assert found.provider_ref == fake.history[0]["history_item_id"]


@pytest.mark.parametrize(
    ("body", "media_type", "words"),
    [
        (b"", "audio/mpeg", "0 bytes"),
        (b'{"ok": true}', "application/json", "application/json"),
        (b"not an mp3 at all", "audio/mpeg", "not MP3 audio"),
    ],
)
async def test_a_200_without_audio_is_final(
    fake: FakeElevenLabs, client: Any, body: bytes, media_type: str, words: str
) -> None:
    fake.fail_next("/v1/sound-generation", 200, body=body, media_type=media_type)
    with pytest.raises(ProviderError) as caught:
        await client().sound_effect(SoundEffectRequest(text="boom"))
    assert not caught.value.retryable
    assert words in caught.value.message
    assert len(fake.calls) == 1

"""Designing a voice from a description and keeping it: the ElevenLabs client against the
fake (what it sends, what it reads back), and the offline provider's previews."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from assetforge.common.contracts.audio import CreateVoice, DesignVoice, SpeechRequest
from assetforge.generation.offline.audio_provider import OfflineAudio
from assetforge.generation.providers.base import ProviderError
from tests.generation.elevenlabs_support import KEY, seconds
from tests.generation.fakes.elevenlabs import FakeElevenLabs

DESCRIPTION = "a gravelly old dwarven smith with a warm laugh"
TEXT = "Stand back from the anvil, lad. Steel remembers every blow you give it, and so do I, after forty winters here."


async def test_a_designed_voice_can_be_kept_and_then_speaks(fake: FakeElevenLabs, client: Any) -> None:
    provider = client()
    previews = await provider.design_voice(DesignVoice(voice_description=DESCRIPTION, text=TEXT))
    [call] = fake.calls_to("/v1/text-to-voice/design")
    assert call.body == {"voice_description": DESCRIPTION, "text": TEXT}
    assert call.headers["xi-api-key"] == KEY
    assert previews.text == TEXT
    assert len(previews.previews) == 3
    assert seconds(base64.b64decode(previews.previews[0].audio_base64)) > 1.0
    chosen = previews.previews[1].generated_voice_id
    voice = await provider.create_voice(
        CreateVoice(voice_name="Old Brenna", voice_description=DESCRIPTION, generated_voice_id=chosen)
    )
    assert (voice.voice_id, voice.name) == (chosen, "Old Brenna")
    assert fake.calls_to("/v1/text-to-voice")[-1].body == {
        "voice_name": "Old Brenna",
        "voice_description": DESCRIPTION,
        "generated_voice_id": chosen,
    }
    line = await provider.speech(SpeechRequest(text="Welcome to my forge.", voice_id=voice.voice_id))
    assert seconds(line.data) > 0.5


async def test_without_a_text_the_provider_makes_one_up(fake: FakeElevenLabs, client: Any) -> None:
    previews = await client().design_voice(DesignVoice(voice_description=DESCRIPTION))
    assert fake.calls_to("/v1/text-to-voice/design")[0].body == {
        "voice_description": DESCRIPTION,
        "auto_generate_text": True,
    }
    assert len(previews.text) >= 100


async def test_keeping_a_preview_that_does_not_exist_is_refused_for_good(client: Any) -> None:
    with pytest.raises(ProviderError) as refused:
        await client().create_voice(
            CreateVoice(voice_name="Nobody", voice_description=DESCRIPTION, generated_voice_id="no-such-preview")
        )
    assert not refused.value.retryable
    assert refused.value.status == 404


async def test_the_offline_provider_designs_three_distinct_previews_the_same_way_each_time() -> None:
    offline = OfflineAudio()
    first = await offline.design_voice(DesignVoice(voice_description=DESCRIPTION, text=TEXT))
    again = await offline.design_voice(DesignVoice(voice_description=DESCRIPTION, text=TEXT))
    assert first == again
    assert len({preview.audio_base64 for preview in first.previews}) == 3
    for preview in first.previews:
        assert seconds(base64.b64decode(preview.audio_base64)) == pytest.approx(preview.duration_secs, abs=0.1)
    voice = await offline.create_voice(
        CreateVoice(
            voice_name="Brenna", voice_description=DESCRIPTION, generated_voice_id=first.previews[0].generated_voice_id
        )
    )
    assert voice.voice_id == first.previews[0].generated_voice_id

"""The real ElevenLabs client against a fake ElevenLabs on loopback: what each call sends
(path, key, body), that each answer is audio of the asked length, and how the speech
history finds a line again. Refusals and retries: test_elevenlabs_errors.py."""

from __future__ import annotations

import io
import math
import time
import wave
from datetime import UTC, datetime
from typing import Any

import pytest

from assetforge.common.contracts.audio import (
    CompositionPlan,
    MusicRequest,
    MusicSection,
    SoundEffectRequest,
    SpeechRequest,
    Voice,
    VoiceModel,
    VoiceSettings,
)
from assetforge.generation.providers.audio import MPEG, WAV
from assetforge.generation.providers.elevenlabs import ElevenLabsAudio
from tests.generation.elevenlabs_support import KEY, LINE, RACHEL, seconds
from tests.generation.fakes.elevenlabs import FakeElevenLabs
from tests.generation.fakes.elevenlabs_data import CHARS_PER_SECOND

GEORGE = "JBFqnCBsd6RMkjVDRZzb"


async def test_speech_sends_its_body_and_key_and_answers_mp3_of_the_line(fake: FakeElevenLabs, client: Any) -> None:
    provider = client()
    assert (provider.provider, provider.model) == ("elevenlabs", "eleven_multilingual_v2")
    settings = VoiceSettings(stability=0.4, similarity_boost=0.8, speed=1.1)
    audio = await provider.speech(
        SpeechRequest(text=LINE.text, voice_id=RACHEL, model_id="eleven_flash_v2_5", voice_settings=settings)
    )
    plain = await provider.speech(LINE)
    first, second = fake.calls
    assert (first.method, first.path, first.query) == (
        "POST",
        f"/v1/text-to-speech/{RACHEL}",
        {"output_format": "mp3_44100_128"},
    )
    assert first.headers["xi-api-key"] == KEY
    assert "authorization" not in first.headers
    assert first.body == {
        "text": LINE.text,
        "model_id": "eleven_flash_v2_5",
        "voice_settings": {"stability": 0.4, "similarity_boost": 0.8, "speed": 1.1},
    }
    assert second.body == {"text": LINE.text, "model_id": "eleven_multilingual_v2"}
    assert audio.content_type == MPEG
    assert audio.provider_ref == fake.history[0]["history_item_id"]
    assert plain.provider_ref == fake.history[1]["history_item_id"]
    assert seconds(audio.data) == pytest.approx(len(LINE.text) / CHARS_PER_SECOND, abs=0.15)


async def test_a_sound_effect_sends_only_what_is_set_and_lasts_as_asked(fake: FakeElevenLabs, client: Any) -> None:
    provider = client()
    timed = await provider.sound_effect(
        SoundEffectRequest(text="a heavy door slams", duration_seconds=3.5, prompt_influence=0.6, loop=True)
    )
    free = await provider.sound_effect(SoundEffectRequest(text="distant thunder"))
    first, second = fake.calls_to("/v1/sound-generation")
    assert first.body == {"text": "a heavy door slams", "duration_seconds": 3.5, "prompt_influence": 0.6, "loop": True}
    assert first.query == {"output_format": "mp3_44100_128"}
    assert second.body == {"text": "distant thunder"}
    assert (timed.content_type, timed.provider_ref) == (MPEG, None)
    assert seconds(timed.data) == pytest.approx(3.5, abs=0.15)
    assert seconds(free.data) == pytest.approx(2.0, abs=0.15)


async def test_music_from_a_prompt_or_from_a_plan(fake: FakeElevenLabs, client: Any) -> None:
    provider = client()
    prompted = await provider.music(MusicRequest(prompt="tavern folk, fiddle", music_length_ms=10_000))
    plan = CompositionPlan(
        positive_global_styles=["dark ambient"],
        sections=[
            MusicSection(section_name="Intro", duration_ms=4_000, positive_local_styles=["sparse"]),
            MusicSection(section_name="Loop", duration_ms=7_000, lines=[]),
        ],
    )
    planned = await provider.music(MusicRequest(composition_plan=plan, force_instrumental=True))
    first, second = fake.calls_to("/v1/music")
    assert first.body == {"prompt": "tavern folk, fiddle", "music_length_ms": 10_000, "force_instrumental": False}
    assert second.body == {
        "composition_plan": {
            "positive_global_styles": ["dark ambient"],
            "negative_global_styles": [],
            "sections": [
                {
                    "section_name": "Intro",
                    "positive_local_styles": ["sparse"],
                    "negative_local_styles": [],
                    "duration_ms": 4_000,
                    "lines": [],
                },
                {
                    "section_name": "Loop",
                    "positive_local_styles": [],
                    "negative_local_styles": [],
                    "duration_ms": 7_000,
                    "lines": [],
                },
            ],
        }
    }
    assert seconds(prompted.data) == pytest.approx(10.0, abs=0.15)
    assert seconds(planned.data) == pytest.approx(11.0, abs=0.15)


async def test_plan_music_decodes_the_plan(fake: FakeElevenLabs, client: Any) -> None:
    plan = await client().plan_music("epic, orchestral", 90_000)
    (call,) = fake.calls
    assert (call.path, call.body) == ("/v1/music/plan", {"prompt": "epic, orchestral", "music_length_ms": 90_000})
    assert isinstance(plan, CompositionPlan)
    assert plan.length_ms == 90_000
    assert plan.positive_global_styles == ["epic", "orchestral"]
    assert [s.section_name for s in plan.sections] == ["Intro", "Outro"]


async def test_voices_and_models_are_parsed(fake: FakeElevenLabs, client: Any) -> None:
    provider = client()
    voices = await provider.voices()
    assert len(voices) == 3
    assert voices[0] == Voice(
        voice_id=RACHEL,
        name="Rachel",
        category="premade",
        labels={
            "accent": "american",
            "description": "calm",
            "age": "young",
            "gender": "female",
            "use_case": "narration",
        },
        preview_url=f"https://storage.googleapis.com/eleven-public-prod/premade/voices/{RACHEL}/preview.mp3",
    )
    models = await provider.models()
    # The speech-to-speech model cannot do text to speech: left out.
    assert models == [
        VoiceModel(
            "eleven_multilingual_v2", "Eleven Multilingual v2", ["English", "German", "French", "Japanese", "Spanish"]
        ),
        VoiceModel("eleven_flash_v2_5", "Eleven Flash v2.5", ["English", "German", "Japanese"]),
    ]
    assert [(c.method, c.path) for c in fake.calls] == [("GET", "/v1/voices"), ("GET", "/v1/models")]


async def test_find_speech_finds_the_line_made_since_and_skips_what_is_excluded(
    fake: FakeElevenLabs, client: Any
) -> None:
    provider = client()
    fake.add_history(LINE.text, RACHEL, date_unix=int(time.time()) - 3600)  # before since
    since = datetime.now(UTC)
    made = await provider.speech(LINE)
    again = await provider.speech(LINE)
    fake.add_history(LINE.text, GEORGE)  # another voice
    found = await provider.find_speech(LINE, since, set())
    assert found is not None
    assert (found.provider_ref, found.content_type) == (made.provider_ref, MPEG)
    assert found.data == fake.audio[str(made.provider_ref)]
    assert seconds(found.data) == pytest.approx(len(LINE.text) / CHARS_PER_SECOND, abs=0.15)
    skipped = await provider.find_speech(LINE, since, {str(made.provider_ref)})
    assert skipped is not None
    assert skipped.provider_ref == again.provider_ref
    assert await provider.find_speech(LINE, since, {str(made.provider_ref), str(again.provider_ref)}) is None
    assert await provider.find_speech(SpeechRequest(text="Other words.", voice_id=RACHEL), since, set()) is None
    listing = fake.calls_to("/v1/history")[0]
    assert listing.method == "GET"
    assert listing.query == {
        "page_size": "100",
        "voice_id": RACHEL,
        "model_id": "eleven_multilingual_v2",
        "date_after_unix": str(math.floor(since.timestamp())),
        "source": "TTS",
        "sort_direction": "asc",
    }
    assert listing.headers["xi-api-key"] == KEY
    assert fake.calls_to(f"/v1/history/{made.provider_ref}/audio")


async def test_find_speech_follows_pages_but_not_forever(fake: FakeElevenLabs, client: Any) -> None:
    provider = client()
    fake.page_limit = 2
    since = datetime.now(UTC)
    for n in range(4):
        fake.add_history(f"Line {n}.", RACHEL)
    wanted = fake.add_history(LINE.text, RACHEL)
    found = await provider.find_speech(LINE, since, set())
    assert found is not None
    assert found.provider_ref == wanted
    pages = [
        c.query.get("start_after_history_item_id") for c in fake.calls_to("/v1/history") if c.path == "/v1/history"
    ]
    assert pages == [None, fake.history[1]["history_item_id"], fake.history[3]["history_item_id"]]
    fake.calls.clear()
    for n in range(4):
        fake.add_history(f"More {n}.", RACHEL)
    assert await provider.find_speech(SpeechRequest(text="Never said.", voice_id=RACHEL), since, set()) is None
    assert len(fake.calls_to("/v1/history")) == 3  # MAX_PAGES


async def test_pcm_is_answered_as_a_wav(fake: FakeElevenLabs, client: Any) -> None:
    provider = client(output_format="pcm_16000")
    audio = await provider.sound_effect(SoundEffectRequest(text="wind", duration_seconds=1.5))
    assert fake.calls[0].query == {"output_format": "pcm_16000"}
    assert audio.content_type == WAV
    with wave.open(io.BytesIO(audio.data)) as opened:
        assert (opened.getnchannels(), opened.getsampwidth(), opened.getframerate()) == (1, 2, 16000)
        assert opened.getnframes() / 16000 == pytest.approx(1.5, abs=0.01)
    line = await provider.speech(LINE)
    assert line.content_type == WAV
    assert line.data.startswith(b"RIFF")


def test_an_unknown_output_format_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="ulaw_8000"):
        ElevenLabsAudio(KEY, output_format="ulaw_8000")

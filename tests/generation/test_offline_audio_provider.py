"""The offline audio provider as callers see it: the same bytes for the same request, the
MP3 it writes, its music plans, voice library and models, and how long synthesis takes."""

from __future__ import annotations

import io
import re
import time
import wave
from datetime import UTC, datetime

import msgspec
import numpy as np
import pytest
from mutagen.mp3 import MP3, BitrateMode

from assetforge.common.contracts.audio import (
    CompositionPlan,
    MusicRequest,
    SoundEffectRequest,
    SpeechRequest,
)
from assetforge.generation.offline import audio
from assetforge.generation.offline.audio_provider import (
    OfflineAudio,
    mood_of,
    plan,
    syllables,
    voice_pitch,
)
from assetforge.generation.offline.mp3 import encode_mp3
from assetforge.generation.providers.audio import MPEG, AudioClip

PEAK = 10 ** (-1 / 20)
LINE = "Well met, traveller! The road to Oakvale is long; rest here by the fire tonight."  # 80 characters


def seconds_of(clip: AudioClip) -> float:
    assert clip.content_type == MPEG
    assert clip.provider_ref is None
    return float(MP3(io.BytesIO(clip.data)).info.length)


def rms(x: audio.Samples) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def dominant_hz(x: audio.Samples) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / audio.RATE)[np.argmax(spectrum)])


# Durations


def test_voices_speak_at_a_pitch_of_their_own() -> None:
    assert 90 <= voice_pitch("any-unknown-voice") <= 250
    assert voice_pitch("voice-a") == voice_pitch("voice-a") != voice_pitch("voice-b")


async def test_offline_voices_speak_in_their_genders_range() -> None:
    for voice in await OfflineAudio().voices():
        low, high = (90, 150) if voice.labels["gender"] == "male" else (165, 250)
        assert low <= voice_pitch(voice.voice_id) <= high


# Same request, same bytes; another prompt, another sound


async def test_the_same_request_gives_the_same_bytes_and_another_prompt_others() -> None:
    provider = OfflineAudio()
    sfx = SoundEffectRequest(text="a huge explosion", duration_seconds=1.0)
    assert (await provider.sound_effect(sfx)).data == (await OfflineAudio().sound_effect(sfx)).data
    other = SoundEffectRequest(text="a bigger explosion", duration_seconds=1.0)
    assert (await provider.sound_effect(sfx)).data != (await provider.sound_effect(other)).data
    line = SpeechRequest(text=LINE, voice_id="voice-a")
    assert (await provider.speech(line)).data == (await provider.speech(line)).data
    assert (await provider.speech(line)).data != (await provider.speech(SpeechRequest(text=LINE, voice_id="b"))).data
    track = MusicRequest(prompt="a dark dungeon", music_length_ms=10_000)
    assert (await provider.music(track)).data == (await provider.music(track)).data
    assert (await provider.music(track)).data != (await provider.music(MusicRequest(prompt="a sunny beach"))).data


async def test_force_instrumental_changes_nothing_offline() -> None:
    provider = OfflineAudio()
    plain = await provider.music(MusicRequest(prompt="a dark dungeon", music_length_ms=10_000))
    forced = await provider.music(
        MusicRequest(prompt="a dark dungeon", music_length_ms=10_000, force_instrumental=True)
    )
    assert plain.data == forced.data


# The files


async def test_clips_are_mono_cbr_mp3_with_a_lame_info_frame() -> None:
    clip = await OfflineAudio().sound_effect(SoundEffectRequest(text="laser zap", duration_seconds=1.0))
    info = MP3(io.BytesIO(clip.data)).info
    assert (info.sample_rate, info.channels) == (44_100, 1)
    assert info.bitrate == pytest.approx(128_000, rel=1e-3)
    assert info.bitrate_mode == BitrateMode.CBR
    assert info.encoder_info.startswith("LAME")


def test_wav_bytes_is_a_16_bit_mono_wav() -> None:
    x = audio.sound_effect("door creak", 0.75)
    with wave.open(io.BytesIO(audio.wav_bytes(x)), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, audio.RATE)
        assert wav.getnframes() == x.size


# Plans, voices, models, history


@pytest.mark.parametrize("length_ms", [10_000, 10_001, 24_999, 25_000, 77_777, 120_000, 299_999, 300_000])
async def test_a_plan_has_2_to_5_valid_sections_summing_to_the_length(length_ms: int) -> None:
    made = await OfflineAudio().plan_music("an epic battle theme", length_ms)
    checked = msgspec.convert(msgspec.to_builtins(made), CompositionPlan)  # the Struct's bounds, enforced
    assert 2 <= len(checked.sections) <= 5
    assert checked.length_ms == length_ms
    assert all(3_000 <= section.duration_ms <= 120_000 for section in checked.sections)
    assert {s.section_name for s in checked.sections} <= {"Intro", "Verse", "Chorus", "Bridge", "Outro"}
    assert all(section.positive_local_styles for section in checked.sections)
    assert "an epic battle theme" in checked.positive_global_styles
    assert checked.negative_global_styles


def test_a_plan_states_the_tempo_and_key_its_music_plays_in() -> None:
    made = plan("a calm forest walk", 30_000)
    mood, _ = mood_of("a calm forest walk")
    assert f"{round(mood.tempo)} bpm" in made.positive_global_styles
    assert "major key" in made.positive_global_styles
    assert round(mood_of(" ".join(made.positive_global_styles))[0].tempo) == round(mood.tempo)


async def test_the_voice_library_is_fixed_and_looks_like_elevenlabs() -> None:
    voices = await OfflineAudio().voices()
    assert len(voices) == 8
    assert voices == await OfflineAudio().voices()
    assert len({voice.voice_id for voice in voices}) == 8
    for voice in voices:
        assert re.fullmatch(r"[A-Za-z0-9]{20}", voice.voice_id)
        assert voice.category == "premade"
        assert set(voice.labels) == {"gender", "accent", "age"}
        assert voice.preview_url is None


async def test_the_models_are_those_callers_name() -> None:
    models = {model.model_id: model for model in await OfflineAudio().models()}
    assert set(models) == {"eleven_multilingual_v2", "eleven_turbo_v2_5", "eleven_flash_v2_5"}
    assert all("English" in model.languages and "Japanese" in model.languages for model in models.values())
    assert len(models["eleven_flash_v2_5"].languages) > len(models["eleven_multilingual_v2"].languages)


async def test_the_offline_provider_keeps_no_history() -> None:
    provider = OfflineAudio(latency_ms=1)
    assert (provider.provider, provider.model) == ("offline", "offline-audio-1")
    request = SpeechRequest(text=LINE, voice_id="voice-a")
    assert await provider.find_speech(request, since=datetime.now(UTC), exclude=set()) is None


def test_synthesis_and_encoding_times() -> None:
    """Prints how long each takes (``pytest -s``); asserts nothing about time."""
    mood = audio.Mood(tempo=140.0, root=50, minor=True)
    cases = {
        "sfx 2 s": lambda: audio.sound_effect("a huge explosion", 2.0),
        "sfx 30 s": lambda: audio.sound_effect("a huge explosion", 30.0),
        "music 60 s": lambda: audio.music(mood, plan_sections(60_000), "a battle"),
        "music 300 s": lambda: audio.music(mood, plan_sections(300_000), "a battle"),
        "speech 80 chars": lambda: audio.speech(*syllables(LINE), 120.0, LINE),
    }
    for name, make in cases.items():
        started = time.perf_counter()
        samples = make()
        made = time.perf_counter()
        data = encode_mp3(samples)
        done = time.perf_counter()
        print(f"{name}: synthesis {made - started:.3f} s, encoding {done - made:.3f} s, {len(data)} bytes")


def plan_sections(length_ms: int) -> list[audio.Section]:
    return [audio.Section(s.section_name, s.duration_ms, 0.9) for s in plan("a battle", length_ms).sections]

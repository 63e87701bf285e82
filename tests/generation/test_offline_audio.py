"""The offline audio provider: real MP3s, as long as asked, that follow their prompt.

What a caller relies on: every clip decodes (mutagen reads it as a real decoder would) to
the duration it asked for, the same request always gives the same bytes (a rerun makes the
same file), and two prompts give two sounds. The sound's shape is checked on the samples
audio.py makes before encoding, since nothing here decodes MP3 back to samples.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from mutagen.mp3 import MP3

from assetforge.common.contracts.audio import (
    CompositionPlan,
    MusicRequest,
    MusicSection,
    SoundEffectRequest,
    SpeechRequest,
    VoiceSettings,
)
from assetforge.generation.offline import audio
from assetforge.generation.offline.audio_provider import (
    OfflineAudio,
    mood_of,
    plan,
    sfx_seconds,
    syllables,
    voice_pitch,
)
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


@pytest.mark.parametrize("seconds", [0.5, 2.0, 7.3, 30.0])
async def test_a_sound_effect_lasts_as_long_as_asked(seconds: float) -> None:
    clip = await OfflineAudio().sound_effect(SoundEffectRequest(text="a huge explosion", duration_seconds=seconds))
    assert seconds_of(clip) == pytest.approx(seconds, abs=0.01)


async def test_a_sound_effect_without_a_duration_lasts_1_to_4_s_chosen_by_its_prompt() -> None:
    provider = OfflineAudio()
    for text in ["a huge explosion", "footsteps on gravel", "sword clang", "gentle rain", "laser zap", "door creak"]:
        chosen = sfx_seconds(text)
        assert 1.0 <= chosen <= 4.0
        assert sfx_seconds(text) == chosen
        assert seconds_of(await provider.sound_effect(SoundEffectRequest(text=text))) == pytest.approx(chosen, abs=0.01)


@pytest.mark.parametrize("length_ms", [10_000, 60_000])
async def test_a_track_lasts_as_long_as_asked(length_ms: int) -> None:
    clip = await OfflineAudio().music(MusicRequest(prompt="an epic battle theme", music_length_ms=length_ms))
    assert seconds_of(clip) == pytest.approx(length_ms / 1000, abs=0.01)


async def test_the_longest_track_lasts_five_minutes() -> None:
    clip = await OfflineAudio().music(MusicRequest(prompt="calm tavern music", music_length_ms=300_000))
    assert seconds_of(clip) == pytest.approx(300.0, abs=0.01)


async def test_a_track_from_a_plan_lasts_as_long_as_its_sections() -> None:
    sections = [
        MusicSection(section_name="Intro", duration_ms=4_000, positive_local_styles=["sparse"]),
        MusicSection(section_name="Chorus", duration_ms=9_500, positive_local_styles=["intense"]),
        MusicSection(section_name="Outro", duration_ms=3_250),
    ]
    composition = CompositionPlan(sections=sections, positive_global_styles=["heroic", "orchestral"])
    clip = await OfflineAudio().music(MusicRequest(composition_plan=composition))
    assert seconds_of(clip) == pytest.approx(16.75, abs=0.01)


async def test_a_voice_line_lasts_as_long_as_its_text_takes_to_say() -> None:
    provider = OfflineAudio()
    normal = seconds_of(await provider.speech(SpeechRequest(text=LINE, voice_id="voice-a")))
    assert normal == pytest.approx(len(LINE) / 14, abs=0.1)
    fast = SpeechRequest(text=LINE, voice_id="voice-a", voice_settings=VoiceSettings(speed=1.2))
    assert seconds_of(await provider.speech(fast)) == pytest.approx(normal / 1.2, abs=0.1)
    assert seconds_of(await provider.speech(SpeechRequest(text="Hi.", voice_id="voice-a"))) == pytest.approx(0.5)


def test_syllables_follow_vowel_groups_with_longer_pauses_at_punctuation() -> None:
    starts, onsets, seconds = syllables("Hello there, friend. Go")
    assert len(starts) == 6  # hel-lo the-re friend go
    gaps = np.diff(starts)
    within_word, between_words, at_comma, at_stop = gaps[0], gaps[1], gaps[3], gaps[4]
    assert within_word < between_words < at_comma < at_stop
    assert onsets == [True, False, True, False, True, True]
    assert seconds == pytest.approx(23 / 14)


# The sound follows the prompt


def test_an_explosion_is_loud_at_first_and_dies_away() -> None:
    x = audio.sound_effect("a huge explosion", 3.0)
    fifth = x.size // 5
    assert rms(x[:fifth]) > 10 * rms(x[-fifth:])
    assert dominant_hz(x) < 1000  # a rumble, not a whistle


def test_a_laser_falls_and_a_spell_rises() -> None:
    window = audio.RATE // 10
    laser = audio.sound_effect("laser zap", 1.5)
    assert dominant_hz(laser[:window]) > 2 * dominant_hz(laser[-window:])
    spell = audio.sound_effect("a magic spell", 1.5)
    assert dominant_hz(spell[-window:]) > 2 * dominant_hz(spell[:window])


def test_footsteps_are_evenly_spaced_thumps() -> None:
    x = audio.sound_effect("footsteps on gravel", 4.0)
    frames = np.sqrt(np.mean(np.square(x[: x.size // 441 * 441]).reshape(-1, 441), axis=1))  # 10 ms each
    loud = frames > 0.3 * frames.max()
    onsets = np.flatnonzero(loud[1:] & ~loud[:-1]) + 1
    assert len(onsets) >= 5
    intervals = np.diff(onsets)
    assert intervals.min() >= 0.8 * np.median(intervals) - 3  # 30 ms of jitter at most
    assert float(np.mean(loud)) < 0.35  # thumps, with quiet between them


def test_a_sword_rings_with_inharmonic_partials() -> None:
    x = audio.sound_effect("a sword clang", 2.0)
    spectrum = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(x.size, 1 / audio.RATE)
    peaks = freqs[np.argsort(spectrum)[::-1]]
    base = peaks[0]
    partial = next(f for f in peaks if f > 1.5 * base)
    assert abs(partial / base - round(partial / base)) > 0.1  # not a whole multiple: a bell, not a string


def test_wind_sustains_instead_of_dying_away() -> None:
    x = audio.sound_effect("wind howling over the hills", 4.0)
    fifth = x.size // 5
    assert 0.33 < rms(x[:fifth]) / rms(x[-fifth:]) < 3


def test_keywords_choose_the_synthesis() -> None:
    assert audio.family_of("A massive explosion in the distance") == audio.EXPLOSION
    assert audio.family_of("heavy footsteps on wood") == audio.FOOTSTEPS
    assert audio.family_of("two swords clash") == audio.METAL
    assert audio.family_of("rain on a tin roof") == audio.AMBIENT
    assert audio.family_of("zap of a laser pistol") == audio.SWEEP
    assert audio.family_of("a creaking door") == audio.GENERIC
    assert audio.family_of("footsteps, then an explosion") == audio.FOOTSTEPS  # the first keyword wins


def test_a_loop_runs_from_its_end_into_its_start_without_a_click() -> None:
    for text in ["rain on leaves", "a laser charging", "footsteps", "a huge explosion"]:
        x = audio.sound_effect(text, 2.0, loop=True)
        steps = np.abs(np.diff(x))
        assert abs(float(x[-1] - x[0])) <= np.percentile(steps, 99.9)
    rain, edge = audio.sound_effect("rain on leaves", 2.0, loop=True), round(audio.LOOP_SECONDS * audio.RATE)
    assert 0.5 < rms(rain[:edge]) / rms(rain[-edge:]) < 2  # the seam keeps the level
    assert audio.sound_effect("rain on leaves", 2.0)[0] == 0  # what does not loop fades in


def test_prompt_influence_blends_the_shape_with_a_plain_tone() -> None:
    strong = audio.sound_effect("a huge explosion", 2.0, influence=1.0)
    weak = audio.sound_effect("a huge explosion", 2.0, influence=0.0)
    assert not np.array_equal(strong, weak)
    assert np.array_equal(strong, audio.sound_effect("a huge explosion", 2.0, influence=1.0))


def test_a_battle_is_fast_and_minor_and_a_calm_tune_slow_and_major() -> None:
    battle, battle_energy = mood_of("an epic battle against the boss")
    calm, calm_energy = mood_of("a calm, peaceful village morning")
    assert battle.tempo > 130
    assert calm.tempo < 90
    assert battle.minor
    assert not calm.minor
    assert battle_energy > calm_energy
    assert mood_of("a calm song, 150 bpm, minor key")[0].tempo == 150


def test_each_section_plays_at_its_own_energy() -> None:
    mood = audio.Mood(tempo=120.0, root=50, minor=False)
    sections = [audio.Section("Intro", 5_000, 0.3), audio.Section("Chorus", 5_000, 1.0)]
    x = audio.music(mood, sections, "a tune")
    assert x.size == 10 * audio.RATE
    assert rms(x[x.size // 2 :]) > 2 * rms(x[: x.size // 2])


@pytest.mark.parametrize("make", ["sfx", "music", "speech"])
def test_samples_peak_at_minus_1_dbfs_and_are_all_numbers(make: str) -> None:
    pitch = voice_pitch("voice-a")
    x = {
        "sfx": lambda: audio.sound_effect("door creak", 1.0),
        "music": lambda: audio.music(audio.Mood(100.0, 48, minor=True), [audio.Section("Verse", 10_000, 0.8)], "x"),
        "speech": lambda: audio.speech(*syllables(LINE), pitch, LINE),
    }[make]()
    assert x.dtype == np.float32
    assert np.isfinite(x).all()
    assert float(np.max(np.abs(x))) == pytest.approx(PEAK, rel=1e-4)


def plan_sections(length_ms: int) -> list[audio.Section]:
    return [audio.Section(s.section_name, s.duration_ms, 0.9) for s in plan("a battle", length_ms).sections]

"""Audio synthesized with numpy, which the offline provider answers instead of ElevenLabs:
sound effects shaped by the prompt's keywords, music in a given tempo and key, and trains
of voiced syllables for speech, all seeded from a hash of the prompt (same request, same
samples). For speed, samples are float32 (numpy's float32 ``exp`` and ``sin`` are several
times faster), noise is one inverse FFT of random bins, notes and syllables are rows of a
matrix that one envelope multiplies, and no loop runs per sample.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Samples = NDArray[np.float32]

RATE = 44_100
PEAK = 10 ** (-1 / 20)  # -1 dBFS
FADE_SECONDS = 0.005  # the fade in and out that keeps a clip's ends from clicking
LOOP_SECONDS = 0.05  # how much of a loop's end is crossfaded into its start
SYLLABLES_AT_ONCE = 64  # speech is made this many syllables at a time, which bounds its memory
TABLE_SIZE = 4096  # samples in one cycle of a wavetable (a power of two: indices wrap with &)

EXPLOSION, FOOTSTEPS, METAL, AMBIENT, SWEEP, GENERIC = "explosion", "footsteps", "metal", "ambient", "sweep", "generic"
_FAMILY_WORDS = {
    EXPLOSION: {"explosion", "explode", "boom", "blast", "bomb", "detonation", "grenade", "kaboom"},
    FOOTSTEPS: {"footstep", "step", "walk", "walking", "stomp", "running", "march", "marching"},
    METAL: {"sword", "clang", "metal", "metallic", "hit", "clash", "anvil", "blade", "bell", "strike"},
    AMBIENT: {"wind", "rain", "water", "ambient", "ambience", "river", "ocean", "wave", "stream", "storm"},
    SWEEP: {"laser", "zap", "magic", "spell", "beam", "blaster", "arcane", "teleport", "charge"},
}
_NOISE_BANDS = {"wind": (120.0, 900.0), "rain": (900.0, 9000.0), "water": (300.0, 3000.0)}
_RING_RATIOS = (1.0, 2.76, 5.40, 8.93, 13.34)  # a struck bar's partials: inharmonic, so it rings like metal
_MAJOR_SCALE, _MINOR_SCALE = (0, 2, 4, 5, 7, 9, 11), (0, 2, 3, 5, 7, 8, 10)
_MAJOR_CHORDS = ((0, 4, 5, 3), (0, 5, 3, 4), (0, 3, 0, 4), (0, 3, 4, 4))  # I-V-vi-IV and friends
_MINOR_CHORDS = ((0, 5, 2, 6), (0, 3, 4, 0), (0, 6, 5, 6), (0, 5, 3, 4))  # i-VI-III-VII and friends
# Speech's three formants: the range each syllable's is drawn from (Hz), its width (Hz) and its gain.
_FORMANTS = ((300.0, 850.0, 80.0, 1.0), (850.0, 2300.0, 120.0, 0.6), (2300.0, 3000.0, 180.0, 0.3))


def rng_of(*parts: str) -> np.random.Generator:
    """A generator seeded by a hash of ``parts`` (``hash()`` is salted per process, so sha256)."""
    return np.random.default_rng(int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big"))


def words_of(text: str) -> list[str]:
    """The words of ``text`` in order, lower case, each plural followed by its singular."""
    words = re.findall(r"[a-z]+", text.lower())
    return [form for word in words for form in ((word, word[:-1]) if len(word) > 3 and word[-1] == "s" else (word,))]


def _f32(x: ArrayLike) -> Samples:
    return np.asarray(x, dtype=np.float32)


def _unit(x: Samples) -> Samples:
    return x / np.float32(max(float(np.max(np.abs(x))), 1e-30))


def _noise(rng: np.random.Generator, n: int, low: float, high: float, decay: float | None = None) -> Samples:
    """Noise in about [low, high] Hz, from random bins under a band gain; a burst if ``decay``."""
    k = n if decay is None else min(n, round(6 * decay * RATE))
    size = 1 << max(k - 1, 1).bit_length()  # a power of two keeps the FFT fast for any n
    top = min(size // 2 + 1, int(4 * high * size / RATE) + 2)
    rise, fall = (np.arange(top, dtype=np.float32) * np.float32(RATE / size) / _f32([[low], [high]])) ** 2
    spectrum = np.zeros(size // 2 + 1, dtype=np.complex64)
    spectrum[:top] = rng.standard_normal(2 * top, dtype=np.float32).view(np.complex64) * (rise**2 / (1 + rise**2))
    spectrum[:top] /= 1 + fall**2
    x = _unit(_f32(np.fft.irfft(spectrum, size)[:k]))
    burst = _envelope(np.arange(k, dtype=np.float32) / np.float32(RATE), 0, decay) if decay else np.float32(1)
    return np.pad(x * burst, (0, n - k))


def _sine(freq: float, n: int, phase: float = 0.0) -> Samples:
    """``n`` samples of a sine at ``freq`` Hz, its phase reduced in float64 (float32 would drift)."""
    cycles = np.arange(n) * (freq / RATE) + phase
    return _f32(np.sin(np.float32(2 * np.pi) * _f32(cycles - np.floor(cycles))))


def _play(cycles: Samples, brightness: float) -> Samples:
    """A tone at ``cycles`` (never negative) from a wavetable: a sine and two harmonics."""
    phase = 2 * np.pi * np.arange(TABLE_SIZE) / TABLE_SIZE
    table = _f32(np.sin(phase) + brightness * np.sin(2 * phase) + brightness**2 * np.sin(3 * phase))
    return _f32(table[(cycles * np.float32(TABLE_SIZE)).astype(np.int32) & (TABLE_SIZE - 1)])


def _envelope(t: Samples, attack: float, decay: float) -> Samples:
    """A rise over about ``attack`` seconds (0: none) and an exponential fall of ``decay``."""
    rise = 1 - np.exp(t / np.float32(-attack)) if attack > 0 else np.float32(1)
    return _f32(rise * np.exp(t / np.float32(-decay)))


def _finish(x: Samples, *, fade: bool = True) -> Samples:
    """``x`` in place (copies of a track cost memory): NaN made 0, faded unless it loops, at PEAK."""
    k = min(round(FADE_SECONDS * RATE), x.size // 2) * fade
    np.nan_to_num(x, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    x[:k] *= np.linspace(0.0, 1.0, k, dtype=np.float32)
    x[x.size - k :] *= np.linspace(1.0, 0.0, k, dtype=np.float32)
    x *= np.float32(PEAK / max(float(np.max(np.abs(x))), 1e-30))
    return x


def pcm16(samples: Samples) -> bytes:
    """``samples`` as 16-bit little-endian PCM."""
    scaled = samples * np.float32(32767)
    return np.clip(scaled, -32767, 32767, out=scaled).astype("<i2").tobytes()


def wav_bytes(samples: Samples, rate: int = RATE) -> bytes:
    """``samples`` as a mono 16-bit PCM WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setparams((1, 2, rate, 0, "NONE", "not compressed"))
        wav.writeframes(pcm16(samples))
    return out.getvalue()


def family_of(prompt: str) -> str:
    """The synthesis a prompt asks for: the family of its first keyword, else GENERIC."""
    return next((f for word in words_of(prompt) for f, keys in _FAMILY_WORDS.items() if word in keys), GENERIC)


def _explosion(rng: np.random.Generator, t: Samples, words: set[str]) -> Samples:
    far = bool(words & {"distant", "muffled", "far", "underwater"})  # a distant blast is duller
    rumble = _noise(rng, t.size, 20.0, float(rng.uniform(350, 900)) * (0.5 if far else 1.0))
    thump = np.sin(np.float32(2 * np.pi) * (45 * t + 12 * (1 - np.exp(t / np.float32(-0.15)))))  # a falling sub tone
    body = _f32(rumble + 0.5 * thump + (0.1 if far else 0.3) * _noise(rng, t.size, 900.0, 5000.0, decay=0.08))
    return _envelope(t, 0.004, max(0.12, 0.2 * float(t[-1]))) * body


def _footsteps(rng: np.random.Generator, t: Samples, words: set[str]) -> Samples:
    pace = (0.28, 0.36) if words & {"run", "running", "fast", "sprint"} else (0.42, 0.6)
    period = round(float(rng.uniform(*pace)) * RATE)
    rows = -(-t.size // period)  # a row a step, each a little late and a little louder or softer
    local = _f32(np.arange(period) / RATE - 0.02 - rng.uniform(0.0, 0.03, (rows, 1)))
    gains = _f32(rng.uniform(0.7, 1.0, (rows, 1)))
    thumps = ((local >= 0) * _envelope(np.maximum(local, np.float32(0)), 0.002, 0.035) * gains).ravel()[: t.size]
    return thumps * (_noise(rng, t.size, 60.0, 700.0) + 0.6 * _sine(float(rng.uniform(70, 110)), t.size))


def _metal(rng: np.random.Generator, t: Samples, words: set[str]) -> Samples:
    base = float(rng.uniform(320, 900))
    decay = max(0.2, 0.35 * float(t[-1])) * (3.0 if words & {"bell", "gong", "anvil"} else 1.0)
    ring = np.zeros_like(t)
    for i, ratio in enumerate(_RING_RATIOS):
        partial = _sine(base * ratio * float(rng.uniform(0.99, 1.01)), t.size, float(rng.random()))
        ring += partial * _envelope(t, 0, decay / ratio**0.5) / np.float32(i + 1)
    return _unit(ring) + 0.5 * _noise(rng, t.size, 2000.0, 9000.0, decay=0.01)


def _ambient(rng: np.random.Generator, t: Samples, words: set[str]) -> Samples:
    band = next((_NOISE_BANDS[word] for word in sorted(words) if word in _NOISE_BANDS), (200.0, 2500.0))
    rates, phases = _f32(2 * np.pi * rng.uniform(0.08, 0.35, 2)), _f32(rng.uniform(0, 2 * np.pi, 2))
    swell = 0.65 + 0.25 * np.sin(rates[0] * t + phases[0]) + 0.1 * np.sin(rates[1] * t + phases[1])
    return _f32(swell * _noise(rng, t.size, *band))


def _sweep(rng: np.random.Generator, t: Samples, words: set[str]) -> Samples:
    high, low, seconds = float(rng.uniform(1800, 3200)), float(rng.uniform(150, 400)), float(t[-1]) + 1 / RATE
    start, end = (low, high) if words & {"magic", "spell", "arcane", "teleport", "charge"} else (high, low)
    vibrato = 1 + 0.03 * np.sin(_f32(2 * np.pi * rng.uniform(5, 9)) * t)
    freq = start * np.exp(t * np.float32(math.log(end / start) / seconds)) * vibrato  # exponential, like a pitch
    cycles = np.cumsum(freq, dtype=np.float64) / RATE
    return _envelope(t, 0.005, 0.6 * seconds) * _play(_f32(cycles - np.floor(cycles)), 0.3)


def _generic(rng: np.random.Generator, t: Samples, words: set[str]) -> Samples:
    base = float(rng.uniform(180, 700)) * (0.4 if words & {"low", "deep", "heavy", "thud"} else 1.0)
    tone = (_sine(base, t.size) + 0.4 * _sine(2.01 * base, t.size)) * _envelope(t, 0.003, max(0.1, 0.3 * float(t[-1])))
    return _unit(tone) + 0.4 * _noise(rng, t.size, 300.0, 6000.0, decay=0.05)


# Each family's shape, from the generator, its samples' times and the prompt's words.
_SHAPES: dict[str, Callable[[np.random.Generator, Samples, set[str]], Samples]] = {
    EXPLOSION: _explosion, FOOTSTEPS: _footsteps, METAL: _metal, AMBIENT: _ambient, SWEEP: _sweep, GENERIC: _generic
}  # fmt: skip


def sound_effect(prompt: str, seconds: float, *, loop: bool = False, influence: float | None = None) -> Samples:
    """``seconds`` of what ``prompt`` names; ``influence`` (0-1) is how much its keyword's shape
    outweighs a generic tone (all of it when None). A loop's start is crossfaded from the
    samples after its end, so the end runs on into the start without a click."""
    n, extra = round(seconds * RATE), round(LOOP_SECONDS * RATE) if loop else 0
    rng, words, family = rng_of("sfx", prompt), set(words_of(prompt)), family_of(prompt)
    t = np.arange(n + extra, dtype=np.float32) / np.float32(RATE)
    x = _unit(_SHAPES[family](rng, t, words))
    if influence is not None and family != GENERIC:
        weight = np.float32(0.4 + 0.6 * influence)
        x = weight * x + (1 - weight) * _unit(_generic(rng, t, words))
    if loop:
        angle = np.linspace(0.0, np.pi / 2, extra, dtype=np.float32)
        x[:extra] = x[:extra] * np.sin(angle) + x[n:] * np.cos(angle)
    return _finish(x[:n], fade=not loop)


@dataclass(frozen=True, slots=True)
class Mood:
    tempo: float  # beats per minute
    root: int  # MIDI note of the key's tonic
    minor: bool


@dataclass(frozen=True, slots=True)
class Section:
    name: str  # "intro", "chorus", "bridge", "outro" are played as such
    duration_ms: int
    energy: float  # 0-1: loudness and how busy the arrangement is


def _line(freqs: NDArray[np.float64], step: int, n: int, sound: tuple[float, float, float]) -> Samples:
    """Notes ``step`` samples apart at ``freqs`` (0 Hz rests), rows of one matrix, one ``sound``."""
    attack, decay, brightness = sound
    local = np.arange(step, dtype=np.float32) / np.float32(RATE)
    shape = np.minimum(local / np.float32(attack), 1) * np.exp(local / np.float32(-decay))
    shape *= np.minimum((step / RATE - local) / np.float32(0.01), 1)  # released before the next note
    start = np.concatenate([[0.0], np.cumsum(freqs[:-1] * step / RATE)]) % 1.0  # each note picks up the phase
    cycles = _f32(start)[:, None] + _f32(freqs)[:, None] * local
    return _f32((_play(cycles, brightness) * shape * _f32(freqs > 0)[:, None]).ravel()[:n])


def _section(mood: Mood, section: Section, index: int, n: int, seed: str) -> Samples:
    """One section: chords, bass, melody and (when busy) drums, varied by its name and place."""
    rng, name, energy = rng_of("section", seed, section.name, str(index)), section.name.lower(), section.energy
    scale = np.array(_MINOR_SCALE if mood.minor else _MAJOR_SCALE)
    progression = (_MINOR_CHORDS if mood.minor else _MAJOR_CHORDS)[int(rng.integers(0, 4))]
    beat = 2 * round(RATE * 30 / mood.tempo)  # even, so half beats and bars are whole numbers of them
    bar = 4 * beat
    chords = np.resize(np.roll(progression, 2 if "bridge" in name else 0), -(-n // bar))
    degree = np.arange(5 * 7)  # hz[d + 7 * (octave + 1)]: scale degree d, octaves (-1 to 3) from the root
    hz = np.asarray(440.0 * 2.0 ** ((mood.root + 12 * (degree // 7 - 1) + scale[degree % 7] - 69) / 12))
    pad = sum(_line(hz[chords + k + 14], bar, n, (0.25 * bar / RATE, 2 * bar / RATE, 0.2)) for k in (0, 2, 4))
    bass_step = beat // 2 if energy > 0.9 else beat
    bass_steps = np.arange(-(-n // bass_step))
    bass_degrees = chords[bass_steps * bass_step // bar] + 4 * (bass_steps % 4 == 2)  # the fifth on beat 3
    bass = _line(hz[bass_degrees], bass_step, n, (0.005, 0.3, 0.5))
    step = beat // 2 if energy >= 0.6 else beat
    steps, per_bar = -(-n // step), bar // step
    degrees = 2 + np.abs((np.cumsum(rng.choice([-2, -1, 0, 1, 1, 2], steps)) + 7) % 14 - 7)  # a walk in two octaves
    degrees[::per_bar] = chords[: degrees[::per_bar].size] + 2  # each bar starts on its chord's third
    rests = rng.random(steps) < 0.1 + 0.5 * (1 - energy)
    melody = _line(hz[degrees + 14 + 7 * ("chorus" in name)] * ~rests, step, n, (0.01, 0.25, 0.4))
    x = 0.12 * pad + 0.45 * bass + 0.5 * melody
    if energy >= 0.7:  # drums: a kick each beat, a hat each half beat, stamped from one of each
        t = np.arange(beat, dtype=np.float32) / np.float32(RATE)
        thump = 50 * t + 2.4 * (1 - np.exp(t / np.float32(-0.03)))  # cycles of a tone falling from 130 Hz to 50
        kick = np.sin(np.float32(2 * np.pi) * thump) * _envelope(t, 0, 0.12)
        x += np.resize(0.5 * kick + 0.12 * energy * np.tile(_noise(rng, beat // 2, 6000.0, 14000.0, decay=0.02), 2), n)
    if "outro" in name:
        x *= np.sqrt(np.linspace(1.0, 0.0, n, dtype=np.float32))
    return _finish(_f32(x)) * np.float32(energy)  # each section at its own level


def music(mood: Mood, sections: Sequence[Section], seed: str) -> Samples:
    """A track in ``mood``, section after section, exactly as long as their durations add up to."""
    edges = np.round(np.cumsum([0, *(s.duration_ms for s in sections)]) * RATE / 1000).astype(np.int64)
    out = np.zeros(int(edges[-1]), dtype=np.float32)
    for i, section in enumerate(sections):
        out[edges[i] : edges[i + 1]] = _section(mood, section, i, int(edges[i + 1] - edges[i]), seed)
    return _finish(out)


def speech(starts: Sequence[float], onsets: Sequence[bool], seconds: float, pitch_hz: float, seed: str) -> Samples:
    """``seconds`` of syllables at ``starts`` (in syllable lengths; ``onsets`` say which begin
    with a consonant), each a pulse train at about ``pitch_hz`` through formants of its own."""
    n, count, last = round(seconds * RATE), len(starts), starts[-1] + 1.0
    size = min(n, round(n / last))  # samples a syllable: the line fills its time
    begins = np.minimum(np.round(np.array(starts) * n / last).astype(np.int64), n - size)
    rng = rng_of("speech", seed, f"{pitch_hz:.3f}")
    drift = 1.08 - 0.16 * np.arange(count)[:, None] / count  # the line's pitch falls as it goes
    pitches = _f32(pitch_hz * (1 + 0.06 * rng.standard_normal((count, 1))) * drift)
    formants = [_f32(rng.uniform(low, high, (count, 1))) for low, high, _, _ in _FORMANTS]
    consonants, levels = _f32(onsets)[:, None], _f32(rng.uniform(0.7, 1.0, (count, 1)))
    t = np.arange(size, dtype=np.float32) / np.float32(RATE)
    envelope = np.minimum(t / 0.015, 1.0) * np.minimum((t[-1] - t) / 0.03, 1.0)
    fft_size = 1 << max(size - 1, 1).bit_length()
    freqs = np.fft.rfftfreq(fft_size, 1 / RATE).astype(np.float32)
    burst = min(size // 4, round(0.04 * RATE))  # a consonant: a breath of bright noise at the onset
    out = np.zeros(n, dtype=np.float32)
    for rows in (slice(i, i + SYLLABLES_AT_ONCE) for i in range(0, count, SYLLABLES_AT_ONCE)):
        cycles = pitches[rows] * (t - 0.025 * t * t / t[-1])  # each syllable's pitch falls 5%
        source = 2 * (cycles - np.floor(cycles)) - 1 + 0.05 * rng.standard_normal(cycles.shape, dtype=np.float32)
        gain = np.zeros((cycles.shape[0], freqs.size), dtype=np.float32)
        for formant, (_, _, width, weight) in zip(formants, _FORMANTS, strict=True):  # the vowel's resonances
            gain += weight / (1 + ((freqs - formant[rows]) / np.float32(width)) ** 2)
        voiced = np.fft.irfft(np.fft.rfft(source, fft_size) * gain, fft_size)[:, :size]
        noise = np.diff(rng.standard_normal((cycles.shape[0], burst + 1), dtype=np.float32)) * _f32(np.hanning(burst))
        voiced[:, :burst] += 0.2 * noise * consonants[rows] * np.max(np.abs(voiced), axis=1, keepdims=True)
        out[begins[rows, None] + np.arange(size)] = voiced * envelope * levels[rows]  # syllables never overlap
    return _finish(out)

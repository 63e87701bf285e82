"""The offline audio provider: ElevenLabs' interface answered with MP3s of audio that
offline/audio.py synthesizes, with no network, no key and no cost. This module reads each
request into what audio.py plays: a sound's duration, a track's tempo, key and sections,
a line's syllables and a voice's pitch; and it keeps the voice library and the models.

The MP3s are offline/mp3.py's. Nothing is kept between calls: the same request gives the
same bytes in any process, and ``find_speech`` never has a line to offer.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import math
import re
from collections.abc import Callable, Set
from datetime import datetime
from functools import partial

from assetforge.common.contracts.audio import (
    CompositionPlan,
    CreateVoice,
    DesignVoice,
    MusicRequest,
    MusicSection,
    SoundEffectRequest,
    SpeechRequest,
    Voice,
    VoiceModel,
    VoicePreview,
    VoicePreviews,
    describe,
)
from assetforge.generation.offline import audio
from assetforge.generation.offline.audio import AMBIENT, EXPLOSION, FOOTSTEPS, METAL
from assetforge.generation.offline.mp3 import encode_mp3
from assetforge.generation.providers.audio import MPEG, AudioClip

PROVIDER = "offline"
MODEL = "offline-audio-1"

_LABELS = ("gender", "accent", "age")  # of each offline voice, after its name
_VOICES = (
    ("Ada", "female", "british", "young"), ("Bram", "male", "american", "middle aged"),
    ("Cleo", "female", "american", "young"), ("Dorian", "male", "british", "old"),
    ("Esme", "female", "australian", "middle aged"), ("Finn", "male", "irish", "young"),
    ("Greta", "female", "american", "old"), ("Hugo", "male", "american", "middle aged"),
)  # fmt: skip
_SFX_SECONDS = {EXPLOSION: (2.5, 4.0), FOOTSTEPS: (2.0, 4.0), METAL: (1.0, 2.5), AMBIENT: (3.0, 4.0)}
_PITCHES = {"male": (90.0, 150.0), "female": (165.0, 250.0)}  # Hz: a known voice speaks in its own range
_LANGUAGES_V2 = (
    "English", "Japanese", "Chinese", "German", "Hindi", "French", "Korean", "Portuguese", "Italian", "Spanish",
    "Indonesian", "Dutch", "Turkish", "Filipino", "Polish", "Swedish", "Bulgarian", "Romanian", "Arabic", "Czech",
    "Greek", "Finnish", "Croatian", "Malay", "Slovak", "Danish", "Tamil", "Ukrainian", "Russian",
)  # fmt: skip
_LANGUAGES_V2_5 = (*_LANGUAGES_V2, "Hungarian", "Norwegian", "Vietnamese")
_MODELS = (
    ("eleven_multilingual_v2", "Eleven Multilingual v2", _LANGUAGES_V2),
    ("eleven_turbo_v2_5", "Eleven Turbo v2.5", _LANGUAGES_V2_5),
    ("eleven_flash_v2_5", "Eleven Flash v2.5", _LANGUAGES_V2_5),
)

# A plan's sections by how many there are; each section's share of the length, energy and styles.
_SECTION_NAMES = {
    2: ("Verse", "Chorus"), 3: ("Intro", "Chorus", "Outro"), 4: ("Intro", "Verse", "Chorus", "Outro"),
    5: ("Intro", "Verse", "Chorus", "Bridge", "Outro"),
}  # fmt: skip
_SECTIONS = {
    "intro": (0.6, 0.6, ("sparse", "building")),
    "verse": (1.0, 0.8, ("steady groove", "main melody")),
    "chorus": (1.0, 1.0, ("full arrangement", "strong melody")),
    "bridge": (0.8, 0.75, ("contrast", "shifted chords")),
    "outro": (0.6, 0.55, ("fading", "resolving")),
}
MS_PER_SECTION = 25_000  # a plan has a section for about each 25 s, 2 to 5 of them
_FAST = {"battle", "epic", "combat", "fight", "boss", "action", "chase", "war", "intense", "heroic", "danger"}
_CALM = {"calm", "peaceful", "gentle", "relaxing", "serene", "soft", "lullaby", "meditation", "dreamy", "cozy", "slow"}
_DARK = {"dark", "sad", "horror", "tense", "mysterious", "spooky", "melancholy", "sinister", "eerie", "minor"}

CHARS_PER_SECOND = 14.0  # speech's pace at speed 1
PREVIEW_CHARACTERS = 200
DESIGN_TEXT = (
    "Every forge has a voice of its own. Listen closely: this is how I sound when I greet a traveller, "
    "tell a tale, or warn of danger on the road ahead."
)
_VOWEL_GROUP = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýœ]+")
_TOKEN = re.compile(r"\w+|[.!?;:,…]")
_SYLLABLE_GAP, _WORD_GAP = 0.08, 0.35  # pauses, in syllable lengths
_PAUSES = {",": 1.2, ";": 1.2, ":": 1.2, ".": 2.0, "!": 2.0, "?": 2.0, "…": 2.0}


def _voice_id(name: str) -> str:
    """A 20-character id like ElevenLabs' (``21m00Tcm4TlvDq8ikWAM``), fixed by the name."""
    digest = hashlib.sha256(f"assetforge-offline-voice:{name}".encode()).digest()
    return base64.b64encode(digest).decode("ascii").replace("+", "").replace("/", "")[:20]


_VOICE_GENDERS = {_voice_id(name): gender for name, gender, _, _ in _VOICES}


def sfx_seconds(prompt: str) -> float:
    """How long a sound effect with no duration lasts: 1-4 s by its family, fixed by the prompt."""
    low, high = _SFX_SECONDS.get(audio.family_of(prompt), (1.0, 2.0))
    return round(float(audio.rng_of("sfx-seconds", prompt).uniform(low, high)), 2)


def voice_pitch(voice_id: str) -> float:
    """The pitch ``voice_id`` speaks at, fixed by its hash: in its gender's range for an
    offline voice, else anywhere in 90-250 Hz."""
    low, high = _PITCHES.get(_VOICE_GENDERS.get(voice_id, ""), (90.0, 250.0))
    return float(audio.rng_of("pitch", voice_id).uniform(low, high))


def syllables(text: str, speed: float = 1.0) -> tuple[list[float], list[bool], float]:
    """How ``text`` is said: where each syllable starts (one per vowel group, in syllable
    lengths, with pauses between words and longer ones at punctuation), whether a consonant
    begins it, and how long the line lasts: about 14 characters a second, at least 0.5 s."""
    starts: list[float] = []
    onsets: list[bool] = []
    at = 0.0
    for token in _TOKEN.findall(text.lower()):
        if token in _PAUSES:
            at += _PAUSES[token]
            continue
        groups = _VOWEL_GROUP.findall(token)
        for i in range(len(groups) or max(1, math.ceil(len(token) / 2))):  # digits, or a script without vowels
            starts.append(at)
            onsets.append(i == 0 and not _VOWEL_GROUP.match(token))
            at += 1.0 + _SYLLABLE_GAP
        at += _WORD_GAP - _SYLLABLE_GAP
    seconds = max(0.5, len(text) / (CHARS_PER_SECOND * speed))
    return starts or [0.0], onsets or [False], seconds


def mood_of(prompt: str) -> tuple[audio.Mood, float]:
    """Tempo, key and energy (0-1) for ``prompt``: fast and minor for a battle, slow and major
    when calm; a tempo the prompt states ("140 bpm", as a plan's styles do) is kept."""
    words, rng = set(audio.words_of(prompt)), audio.rng_of("mood", prompt)
    if words & _FAST:
        tempo, minor, energy = float(rng.uniform(132, 160)), True, 1.0
    elif words & _CALM:
        tempo, minor, energy = float(rng.uniform(64, 84)), bool(words & _DARK), 0.4
    else:
        tempo, minor, energy = float(rng.uniform(92, 120)), bool(words & _DARK) or rng.random() < 0.4, 0.7
    stated = re.search(r"(\d{2,3})\s*bpm", prompt.lower())
    tempo = min(max(float(stated.group(1)), 50.0), 200.0) if stated else tempo
    minor = "minor" in words or (minor and "major" not in words)  # a key the prompt states wins
    return audio.Mood(tempo=tempo, root=45 + int(rng.integers(0, 12)), minor=minor), energy


def _section(section: MusicSection, energy: float) -> audio.Section:
    """A plan's section as played: its kind's energy, moved by its own styles."""
    kind = next((key for key in _SECTIONS if key in section.section_name.lower()), "verse")
    styles = set(audio.words_of(" ".join(section.positive_local_styles)))
    lift = 0.3 * (bool(styles & _FAST) - bool(styles & _CALM))
    level = min(1.0, max(0.2, energy * _SECTIONS[kind][1] + lift))
    return audio.Section(section.section_name, section.duration_ms, level)


def plan(prompt: str, length_ms: int) -> CompositionPlan:
    """A plan of 2-5 sections for ``prompt`` whose durations add up to exactly ``length_ms``."""
    names = _SECTION_NAMES[min(5, max(2, length_ms // MS_PER_SECTION + 2))]
    shares = [_SECTIONS[name.lower()][0] for name in names]
    durations = [int(length_ms * share / sum(shares)) for share in shares]
    durations[names.index("Chorus")] += length_ms - sum(durations)
    mood, energy = mood_of(prompt)
    mode = ["minor key", "dark"] if mood.minor else ["major key", "bright"]
    positive = [prompt[:200], f"{round(mood.tempo)} bpm", *mode, "instrumental"]
    negative = ["slow", "ambient"] if energy >= 1 else ["aggressive", "distorted"]
    sections = [
        MusicSection(section_name=name, duration_ms=ms, positive_local_styles=list(_SECTIONS[name.lower()][2]))
        for name, ms in zip(names, durations, strict=True)
    ]
    return CompositionPlan(sections=sections, positive_global_styles=positive, negative_global_styles=negative)


class OfflineAudio:
    """Speech, sound effects and music synthesized on this machine's CPU, ``latency_ms`` late."""

    provider: str = PROVIDER
    model: str = MODEL

    def __init__(self, latency_ms: int = 0) -> None:
        self.latency_ms = max(0, latency_ms)

    async def _clip(self, make: Callable[[], audio.Samples]) -> AudioClip:
        data = await asyncio.to_thread(lambda: encode_mp3(make()))
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)
        return AudioClip(data, MPEG, provider_ref=None)

    async def speech(self, request: SpeechRequest) -> AudioClip:
        settings = request.voice_settings
        starts, onsets, seconds = syllables(request.text, settings.speed if settings and settings.speed else 1.0)
        pitch = voice_pitch(request.voice_id)
        return await self._clip(partial(audio.speech, starts, onsets, seconds, pitch, request.text))

    async def sound_effect(self, request: SoundEffectRequest) -> AudioClip:
        seconds = request.duration_seconds or sfx_seconds(request.text)
        make = partial(audio.sound_effect, request.text, seconds, loop=request.loop, influence=request.prompt_influence)
        return await self._clip(make)

    async def music(self, request: MusicRequest) -> AudioClip:
        """The request's plan played, or a plan made for its prompt; ``force_instrumental``
        changes nothing, since offline music never sings."""
        prompt = describe(request)
        composition = request.composition_plan or plan(prompt, request.length_ms)
        seed = " ".join([prompt, *composition.positive_global_styles])
        mood, energy = mood_of(seed)
        sections = [_section(section, energy) for section in composition.sections]
        return await self._clip(partial(audio.music, mood, sections, seed))

    async def plan_music(self, prompt: str, length_ms: int) -> CompositionPlan:
        return plan(prompt, length_ms)

    async def voices(self) -> list[Voice]:
        return [
            Voice(
                voice_id=_voice_id(name), name=name, category="premade", labels=dict(zip(_LABELS, labels, strict=True))
            )
            for name, *labels in _VOICES
        ]

    async def models(self) -> list[VoiceModel]:
        return [VoiceModel(model_id=mid, name=name, languages=list(langs)) for mid, name, langs in _MODELS]

    async def design_voice(self, request: DesignVoice) -> VoicePreviews:
        """Three previews at pitches fixed by the description, each saying ``text``."""
        text = request.text or DESIGN_TEXT
        # A preview is a taste of the voice: its first sentences are enough offline.
        said = text[:PREVIEW_CHARACTERS]
        digest = hashlib.sha256(request.voice_description.encode()).hexdigest()
        previews = []
        for number in range(3):
            generated = f"offline-design-{digest[:12]}-{number}"
            clip = await self.speech(SpeechRequest(text=said, voice_id=generated))
            seconds = syllables(said)[2]
            encoded = base64.b64encode(clip.data).decode()
            previews.append(VoicePreview(generated, encoded, clip.content_type, round(seconds, 2)))
        return VoicePreviews(previews=previews, text=text)

    async def create_voice(self, request: CreateVoice) -> Voice:
        """The preview's voice under its new name: speaking in it sounds like the preview."""
        labels = {"description": request.voice_description[:200]}
        return Voice(voice_id=request.generated_voice_id, name=request.voice_name, category="generated", labels=labels)

    async def find_speech(self, request: SpeechRequest, since: datetime, exclude: Set[str]) -> AudioClip | None:
        """None: the offline provider keeps no history, and making a line again costs nothing."""
        del request, since, exclude
        return None

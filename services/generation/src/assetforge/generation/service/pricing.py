"""What an audio request is expected to cost in ElevenLabs credits, before it is made.

The rates are ElevenLabs' published ones as of this writing (docs/audio.md lists them):
text to speech is one credit per character on the multilingual and v3 models, half that
on the turbo and flash models; a sound effect costs per second of audio asked for (a flat
amount when the duration is left to the provider); music costs per minute of track.
They are an estimate to show before a paid call, not a bill. A pipeline is counted in
Meshy's and the image model's credits the same way (``pipeline_credits``), so one daily
budget (GENERATION_DAILY_CREDITS) covers every kind of work.
"""

from __future__ import annotations

import math

from assetforge.common.contracts.audio import (
    AudioEstimate,
    AudioKind,
    AudioRequest,
    MusicRequest,
    SpeechRequest,
)
from assetforge.common.contracts.pipelines import IMAGE_GENERATION, PROMPT_OPTIMIZATION, RIGGING, PipelineConfig
from assetforge.generation.jobs import runs

CREDITS_PER_CHARACTER = 1.0
# Models that cost half a credit per character.
HALF_PRICE_MODELS = ("eleven_turbo", "eleven_flash")
SFX_CREDITS_PER_SECOND = 40
# A sound effect whose length the provider chooses.
SFX_AUTO_CREDITS = 200
MUSIC_CREDITS_PER_MINUTE = 1000
# Speech runs at about this many characters per second (for the expected length).
CHARACTERS_PER_SECOND = 14.0


def estimate(request: AudioRequest) -> AudioEstimate:
    if isinstance(request, SpeechRequest):
        characters = len(request.text)
        rate = 0.5 if request.model_id.startswith(HALF_PRICE_MODELS) else CREDITS_PER_CHARACTER
        return AudioEstimate(
            kind=AudioKind.VOICE,
            estimated_credits=math.ceil(characters * rate),
            characters=characters,
            seconds=round(characters / CHARACTERS_PER_SECOND, 1),
        )
    if isinstance(request, MusicRequest):
        seconds = request.length_ms / 1000
        cost = math.ceil(seconds / 60 * MUSIC_CREDITS_PER_MINUTE)
        return AudioEstimate(kind=AudioKind.MUSIC, estimated_credits=cost, seconds=seconds)
    if request.duration_seconds is None:
        return AudioEstimate(kind=AudioKind.SFX, estimated_credits=SFX_AUTO_CREDITS)
    cost = math.ceil(request.duration_seconds * SFX_CREDITS_PER_SECOND)
    return AudioEstimate(kind=AudioKind.SFX, estimated_credits=cost, seconds=request.duration_seconds)


# A pipeline's stages, in credits: Meshy's image to 3D with textures, each retexture and
# the rig; the concept image and the prompt's rewrite.
PIPELINE_CREDITS = {PROMPT_OPTIMIZATION: 1, IMAGE_GENERATION: 5, RIGGING: 5}
IMAGE_TO_3D_CREDITS = 30
RETEXTURE_CREDITS = 10


def pipeline_credits(config: PipelineConfig) -> int:
    total = IMAGE_TO_3D_CREDITS
    total += sum(credits_ for stage, credits_ in PIPELINE_CREDITS.items() if runs(config, stage))
    if config.enable_retexturing:
        total += RETEXTURE_CREDITS * len(config.material_presets)
    return total

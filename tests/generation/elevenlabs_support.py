"""What the ElevenLabs client tests share: the fake on loopback, real clients of it, the
voice and line they speak, and an MP3's length read back with mutagen. The fixtures
``fake`` and ``client`` are in this folder's conftest.py."""

from __future__ import annotations

import io
from typing import Any

from mutagen.mp3 import MP3

from assetforge.common.contracts.audio import SpeechRequest

KEY = "el-test-key"
RACHEL = "21m00Tcm4TlvDq8ikWAM"
LINE = SpeechRequest(text="The bridge is out. Take the river road.", voice_id=RACHEL)
QUOTA = {"status": "quota_exceeded", "message": "This request exceeds your quota. You have 12 credits remaining."}


def seconds(data: bytes) -> float:
    info: Any = MP3(io.BytesIO(data)).info  # type: ignore[no-untyped-call]
    return float(info.length)

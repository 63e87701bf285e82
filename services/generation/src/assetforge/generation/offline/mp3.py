"""MP3 encoding for the offline provider: LAME's (lameenc), plus what lameenc leaves out,
the LAME "Info" frame that the ``lame`` command puts first. LAME starts the sound 576
samples late and pads the end to a whole frame, so without it a 2 s clip measures 2.04 s;
the frame states the frame count, delay and padding, so mutagen, ffmpeg and mpg123
measure and play exactly the samples made (and a loop loops without a gap).
"""

from __future__ import annotations

import struct

import lameenc  # type: ignore[import-not-found]

from assetforge.generation.offline import audio

BITRATE_KBPS = 128
QUALITY = 7  # LAME's fast end of its 0 (best) to 9 scale: offline audio is made in bulk
SAMPLES_PER_FRAME = 1152  # MPEG-1 layer III
ENCODER_DELAY = 576  # samples LAME puts before the sound (its ENCDELAY)
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  # MPEG-1 layer III, kbps
_SIDE_INFO = 17  # bytes of a mono MPEG-1 frame's side information, where the Info tag follows
_XING_FLAGS = 0x0F  # frame count, byte count, seek table and quality present
_LAME_VERSION = b"LAME3.100"


def _crc16(data: bytes) -> int:
    """CRC-16/ARC, the checksum of a LAME tag."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _frame_count(stream: bytes) -> int:
    """How many MPEG-1 layer III frames ``stream`` holds, walking their headers."""
    count = position = 0
    while position + 4 <= len(stream):
        header = int.from_bytes(stream[position : position + 4], "big")
        if header >> 21 != 0x7FF:
            raise ValueError(f"no MPEG frame at byte {position}")
        bitrate = _BITRATES[(header >> 12) & 0xF] * 1000
        position += 144 * bitrate // audio.RATE + ((header >> 9) & 1)
        count += 1
    return count


def _info_frame(stream: bytes, samples: int) -> bytes:
    """The LAME Info frame for ``stream``, ``samples`` long: a silent frame whose side
    information is followed by the tag (``Info``, frames, bytes, seek table, quality; then
    LAME's version, CBR, bitrate, delay and padding, music length and the tag's CRC)."""
    frames = _frame_count(stream)
    header = int.from_bytes(stream[:4], "big") & ~(1 << 9)  # the first frame's header, unpadded
    size = 144 * BITRATE_KBPS * 1000 // audio.RATE
    padding = frames * SAMPLES_PER_FRAME - ENCODER_DELAY - samples
    if not 0 <= padding < 1 << 12:
        raise ValueError(f"LAME padded {padding} samples, more than its tag can say")
    toc = bytes(i * 256 // 100 for i in range(100))  # a constant bitrate seeks linearly
    xing = b"Info" + struct.pack(">III", _XING_FLAGS, frames, size + len(stream)) + toc
    xing += struct.pack(">I", 100 - 10 * 4 - QUALITY)  # as LAME writes it: VBR quality 4, quality
    lame = _LAME_VERSION + bytes([0x01, 0]) + bytes(8) + bytes([0, BITRATE_KBPS])  # revision 0, CBR
    lame += (ENCODER_DELAY << 12 | padding).to_bytes(3, "big") + bytes([0x40, 0, 0, 0])  # 44.1 kHz source
    lame += struct.pack(">IH", size + len(stream), 0)  # music length; its CRC, not computed, is 0
    body = header.to_bytes(4, "big") + bytes(_SIDE_INFO) + xing + lame
    return (body + _crc16(body).to_bytes(2, "big")).ljust(size, b"\0")


def encode_mp3(samples: audio.Samples) -> bytes:
    """``samples`` as a mono CBR MP3 at :data:`audio.RATE`, LAME Info frame first."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BITRATE_KBPS)
    encoder.set_in_sample_rate(audio.RATE)
    encoder.set_out_sample_rate(audio.RATE)
    encoder.set_channels(1)
    encoder.set_quality(QUALITY)
    stream = bytes(encoder.encode(audio.pcm16(samples))) + bytes(encoder.flush())
    return _info_frame(stream, samples.size) + stream

"""Uploaded recordings: the header is decoded and the duration read; liars are refused."""

from __future__ import annotations

import struct

import pytest

from commonpot.errors import Invalid
from commonpot.recipes.audio import MAX_SECONDS, probe
from tests.factories.recipes import mp3_bytes, ogg_opus_bytes, wav_bytes


def _flac(total_samples: int, rate: int = 44100) -> bytes:
    info = (rate << 44) | (1 << 41) | (15 << 36) | total_samples  # stereo, 16 bit
    streaminfo = struct.pack(">HH", 4096, 4096) + bytes(6) + info.to_bytes(8, "big") + bytes(16)
    return b"fLaC" + bytes([0x80]) + (34).to_bytes(3, "big") + streaminfo


def _m4a(seconds: int, scale: int = 1000) -> bytes:
    ftyp = struct.pack(">I4s4sI4s", 20, b"ftyp", b"M4A ", 0, b"isom")
    mvhd_body = bytes(4) + struct.pack(">IIII", 0, 0, scale, seconds * scale) + bytes(80)
    mvhd = struct.pack(">I4s", 8 + len(mvhd_body), b"mvhd") + mvhd_body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    return ftyp + moov


def _broken_chain() -> bytes:
    data = bytearray(mp3_bytes(6))
    data[20 + 417 : 20 + 421] = b"JUNK"  # the second frame's header is not a frame header
    return bytes(data)


def test_real_wav_from_the_wave_module() -> None:
    info = probe(wav_bytes(2.5))
    assert info.media_type == "audio/wav"
    assert info.seconds == pytest.approx(2.5)


def test_crafted_mp3_frames_with_and_without_id3() -> None:
    for data in (mp3_bytes(40), mp3_bytes(40, id3=False)):
        info = probe(data)
        assert info.media_type == "audio/mpeg"
        assert info.seconds == pytest.approx(40 * 1152 / 44100, rel=0.02)


def test_ogg_opus_flac_and_m4a_durations() -> None:
    assert probe(ogg_opus_bytes(3.0)).seconds == pytest.approx(3.0)
    assert probe(_flac(44100 * 4)).seconds == pytest.approx(4.0)
    assert probe(_m4a(90)).seconds == pytest.approx(90.0)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"just some text, renamed to story.mp3\n" * 20, "not audio"),
        (b"ID3" + b"\x00" * 200, "MPEG"),  # a tag and nothing after it
        (b"OggS" + b"\x00" * 100, "Ogg"),
        (wav_bytes(1.0)[:-4000], "more sound than the file holds"),  # header lies: truncated
        (wav_bytes(0.0), "no length"),
        (_flac(0), "no length"),  # duration absent
        (_flac(44100 * (MAX_SECONDS + 60)), "longer than"),
        (_m4a(MAX_SECONDS + 1), "longer than"),
        (_m4a(10)[:-40], "larger than the file"),
        (_broken_chain(), "follow"),
        (b"RIFF\x10\x00\x00\x00WAVEdata\xff\xff\xff\x7f", "format"),
        (b"fLaC" + b"\x00" * 10, "STREAMINFO"),
    ],
)
def test_liars_and_impostors_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(Invalid, match=reason) as caught:
        probe(data)
    assert caught.value.field == "audio"

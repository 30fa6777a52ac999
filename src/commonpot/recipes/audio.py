"""What an uploaded recording really is: its container's header decoded, and its duration.

Pure Python over the bytes (no decoder): WAV (RIFF `fmt `/`data`), MP3 (ID3v2 then MPEG
frame headers, Xing/Info frame counts), Ogg (Vorbis, Opus or FLAC in the first page, the
last page's granule position), FLAC (STREAMINFO), M4A/MP4 (`ftyp`, `moov`/`mvhd`) and
WebM/Matroska (EBML `Segment`/`Info`/`Duration`). A file whose header does not hold
together, or whose duration is missing, zero or longer than `MAX_SECONDS`, is refused.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from commonpot.errors import Invalid

MAX_SECONDS = 3 * 3600
FIELD = "audio"


@dataclass(frozen=True)
class AudioInfo:
    """A recording's media type and length."""

    media_type: str
    extension: str
    seconds: float


def _bad(detail: str) -> Invalid:
    return Invalid("That recording cannot be played: %(problem)s.", field=FIELD, problem=detail)


# --- WAV ------------------------------------------------------------------------------------


def _wav(data: bytes) -> float:
    if len(data) < 12 or data[8:12] != b"WAVE":
        raise _bad("a RIFF file that is not WAVE")
    byte_rate = 0
    at = 12
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack_from("<I", data, at + 4)[0]
        body = at + 8
        if kind == b"fmt ":
            if size < 16 or body + 16 > len(data):
                raise _bad("the WAV format block is cut short")
            _fmt, channels, rate, byte_rate, align, bits = struct.unpack_from("<HHIIHH", data, body)
            if not (1 <= channels <= 32 and 1000 <= rate <= 768_000 and bits and align):
                raise _bad("the WAV format block is not sensible")
            if byte_rate != rate * align:
                raise _bad("the WAV header's byte rate does not match its sample rate")
        elif kind == b"data":
            if not byte_rate:
                raise _bad("the WAV data comes before its format")
            if body + size > len(data):
                raise _bad("the WAV header promises more sound than the file holds")
            return float(size / byte_rate)
        at = body + size + (size & 1)
    raise _bad("the WAV file has no sound data")


# --- MP3 ------------------------------------------------------------------------------------

_BITRATES = {  # (version is MPEG-1, layer) -> kbit/s by index
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class _Frame:
    length: int
    samples: int
    rate: int
    bitrate: int
    mpeg1: bool
    mono: bool


def _frame(data: bytes, at: int) -> _Frame | None:
    if at + 4 > len(data):
        return None
    head = int.from_bytes(data[at : at + 4], "big")
    if head >> 21 != 0x7FF:
        return None
    version, layer_bits = (head >> 19) & 3, (head >> 17) & 3
    bitrate_index, rate_index = (head >> 12) & 15, (head >> 10) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer if mpeg1 else min(layer, 3))][bitrate_index] * 1000
    rate = _RATES[version][rate_index]
    padding = (head >> 9) & 1
    if layer == 1:
        samples, length = 384, (12 * bitrate // rate + padding) * 4
    else:
        samples = 1152 if layer == 2 or mpeg1 else 576
        length = samples // 8 * bitrate // rate + padding
    return _Frame(length, samples, rate, bitrate, mpeg1, (head >> 6) & 3 == 3)


def _mp3(data: bytes) -> float:
    at = 0
    if data[:3] == b"ID3":
        if len(data) < 10:
            raise _bad("the ID3 tag is cut short")
        size = 0
        for byte in data[6:10]:
            if byte & 0x80:
                raise _bad("the ID3 tag's size is not valid")
            size = size << 7 | byte
        at = 10 + size + (10 if data[5] & 0x10 else 0)
    first = _frame(data, at)
    if first is None:
        raise _bad("no MPEG audio frame where the file says sound begins")
    # walk the frames: together they must fill the file (a tag or a little slack may end it)
    position, frames, seconds = at, 0, 0.0
    while (found := _frame(data, position)) is not None and position + found.length <= len(data):
        position += found.length
        frames += 1
        seconds += found.samples / found.rate
    if frames == 0:
        raise _bad("the first MPEG frame is cut short")
    if (position - at) < 0.9 * (len(data) - at):
        raise _bad("the MPEG frames do not follow one another to the end of the file")
    # a Xing/Info (VBR) header in the first frame counts the frames
    side = (32 if not first.mono else 17) if first.mpeg1 else (17 if not first.mono else 9)
    tag_at = at + 4 + side
    if data[tag_at : tag_at + 4] in (b"Xing", b"Info"):
        flags = struct.unpack_from(">I", data, tag_at + 4)[0] if tag_at + 8 <= len(data) else 0
        if flags & 1 and tag_at + 12 <= len(data):
            frames = struct.unpack_from(">I", data, tag_at + 8)[0]
            return float(frames * first.samples / first.rate)
    return seconds


# --- Ogg ------------------------------------------------------------------------------------


def _ogg_page(data: bytes, at: int) -> tuple[int, int, bytes]:
    """(granule position, page length, first packet bytes) of the page at `at`."""
    if data[at : at + 4] != b"OggS" or at + 27 > len(data) or data[at + 4] != 0:
        raise _bad("an Ogg page header is broken")
    granule = struct.unpack_from("<q", data, at + 6)[0]
    count = data[at + 26]
    table = data[at + 27 : at + 27 + count]
    if len(table) != count:
        raise _bad("an Ogg page header is cut short")
    body = at + 27 + count
    length = 27 + count + sum(table)
    if at + length > len(data):
        raise _bad("an Ogg page is cut short")
    first = 0
    for lacing in table:
        first += lacing
        if lacing < 255:
            break
    return granule, length, data[body : body + first]


def _ogg(data: bytes) -> float:
    _granule, _length, packet = _ogg_page(data, 0)
    if packet[:7] == b"\x01vorbis" and len(packet) >= 16:
        rate, skip = struct.unpack_from("<I", packet, 12)[0], 0
    elif packet[:8] == b"OpusHead" and len(packet) >= 19:
        rate, skip = 48000, struct.unpack_from("<H", packet, 10)[0]
    elif packet[:5] == b"\x7fFLAC" and len(packet) >= 31:
        rate, skip = int.from_bytes(packet[27:30], "big") >> 4, 0
    else:
        raise _bad("an Ogg file that holds neither Vorbis, Opus nor FLAC")
    if not rate:
        raise _bad("the Ogg stream has no sample rate")
    last = data.rfind(b"OggS", max(0, len(data) - 65_536 * 2))
    granule, _length, _packet = _ogg_page(data, last)
    return float(max(0, granule - skip) / rate)


# --- FLAC -----------------------------------------------------------------------------------


def _flac(data: bytes) -> float:
    if len(data) < 8 + 34 or data[4] & 0x7F != 0 or int.from_bytes(data[5:8], "big") != 34:
        raise _bad("a FLAC file must start with its STREAMINFO block")
    info = int.from_bytes(data[8 + 10 : 8 + 18], "big")
    rate = info >> 44
    total = info & ((1 << 36) - 1)
    if not rate:
        raise _bad("the FLAC stream has no sample rate")
    return total / rate


# --- MP4 / M4A ------------------------------------------------------------------------------


def _boxes(data: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    found: dict[bytes, tuple[int, int]] = {}
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            if at + 16 > end:
                raise _bad("an MP4 box is cut short")
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise _bad("an MP4 box is larger than the file")
        found.setdefault(kind, (at + header, at + size))
        at += size
    return found


def _mp4(data: bytes) -> float:
    top = _boxes(data, 0, len(data))
    if b"ftyp" not in top or b"moov" not in top:
        raise _bad("an MP4 file without its 'moov' index")
    inside = _boxes(data, *top[b"moov"])
    if b"mvhd" not in inside:
        raise _bad("an MP4 file without its 'mvhd' header")
    at, end = inside[b"mvhd"]
    version = data[at]
    if version == 1 and at + 32 <= end:
        scale, length = struct.unpack_from(">IQ", data, at + 20)
    elif version == 0 and at + 20 <= end:
        scale, length = struct.unpack_from(">II", data, at + 12)
    else:
        raise _bad("the MP4 'mvhd' header is broken")
    if not scale:
        raise _bad("the MP4 header has no time scale")
    return float(length / scale)


# --- WebM / Matroska ------------------------------------------------------------------------


def _vint(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int]:
    if at >= len(data) or data[at] == 0:
        raise _bad("a WebM element header is broken")
    width = 8 - data[at].bit_length() + 1
    if at + width > len(data):
        raise _bad("a WebM element header is cut short")
    value = int.from_bytes(data[at : at + width], "big")
    if not keep_marker:
        value &= (1 << (7 * width)) - 1
    return value, at + width


def _ebml(data: bytes, start: int, end: int) -> dict[int, tuple[int, int]]:
    found: dict[int, tuple[int, int]] = {}
    at = start
    while at < end:
        ident, at = _vint(data, at, keep_marker=True)
        size, at = _vint(data, at, keep_marker=False)
        stop = min(end, at + size)  # an "unknown size" segment runs to the end
        found.setdefault(ident, (at, stop))
        if ident == 0x18538067:  # Segment: its children follow directly
            break
        at = stop
    return found


def _webm(data: bytes) -> float:
    top = _ebml(data, 0, len(data))
    if 0x18538067 not in top:
        raise _bad("a WebM file without a segment")
    segment = _ebml(data, *top[0x18538067])
    if 0x1549A966 not in segment:
        raise _bad("a WebM file without its Info header")
    info = _ebml(data, *segment[0x1549A966])
    if 0x4489 not in info:
        raise _bad("the WebM file does not say how long it is")
    at, end = info[0x4489]
    raw = data[at:end]
    duration = struct.unpack(">f" if len(raw) == 4 else ">d", raw)[0] if len(raw) in (4, 8) else 0
    scale = 1_000_000
    if 0x2AD7B1 in info:
        s_at, s_end = info[0x2AD7B1]
        scale = int.from_bytes(data[s_at:s_end], "big") or scale
    return float(duration) * scale / 1e9


def _is_wav(d: bytes) -> bool:
    return d[:4] == b"RIFF"


def _is_mp3(d: bytes) -> bool:
    return d[:3] == b"ID3" or _frame(d, 0) is not None


FORMATS: tuple[tuple[str, str, Callable[[bytes], bool], Callable[[bytes], float]], ...] = (
    ("audio/wav", ".wav", _is_wav, _wav),
    ("audio/ogg", ".ogg", lambda d: d[:4] == b"OggS", _ogg),
    ("audio/flac", ".flac", lambda d: d[:4] == b"fLaC", _flac),
    ("audio/mp4", ".m4a", lambda d: d[4:8] == b"ftyp", _mp4),
    ("audio/webm", ".webm", lambda d: d[:4] == b"\x1a\x45\xdf\xa3", _webm),
    ("audio/mpeg", ".mp3", _is_mp3, _mp3),
)


def probe(data: bytes) -> AudioInfo:
    """The recording's type and duration, or Invalid (field `audio`) saying what is wrong."""
    for media_type, extension, looks_like, read in FORMATS:
        if looks_like(data):
            try:
                seconds = read(data)
            except (struct.error, IndexError, KeyError, OverflowError, ValueError) as exc:
                raise _bad("its header is broken") from exc
            if not seconds > 0:
                raise _bad("it has no length")
            if seconds > MAX_SECONDS:
                raise _bad(f"it is longer than {MAX_SECONDS // 3600} hours")
            return AudioInfo(media_type, extension, seconds)
    raise Invalid(
        "That file is not audio we can play (mp3, ogg, wav, webm, m4a, flac).", field=FIELD
    )

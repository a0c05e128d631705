"""Video transcripts for players: SubRip (.srt, Open edX's default) and Open edX's own .sjson files of a
course converted to WebVTT, read with pysubs2. The course keeps the files as imported (export gives them
back unchanged); only what the player reads is converted."""

from __future__ import annotations

import json
from typing import Any

import pysubs2

CONVERTIBLE = (".srt", ".sjson")
MAX_TRANSCRIPT_BYTES = 5 * 1024 * 1024


class TranscriptError(ValueError):
    """A transcript file that cannot be read as its extension says."""


def _from_sjson(text: str) -> pysubs2.SSAFile:
    # Open edX's format: {"start": [ms…], "end": [ms…], "text": ["…"]}, three lists of the same length.
    try:
        data: Any = json.loads(text)
    except ValueError as error:
        raise TranscriptError(f"not JSON: {error}") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in ("start", "end", "text")):
        raise TranscriptError("expected an object with the lists start, end and text")
    starts, ends, texts = data["start"], data["end"], data["text"]
    if not len(starts) == len(ends) == len(texts):
        raise TranscriptError("start, end and text are not of the same length")
    subtitles = pysubs2.SSAFile()
    for start, end, line in zip(starts, ends, texts, strict=True):
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, end)):
            raise TranscriptError("start and end must be numbers of milliseconds")
        if not isinstance(line, str):
            raise TranscriptError("each text must be a string")
        if end < start or start < 0:
            raise TranscriptError(f"a cue ends before it starts ({start} → {end})")
        subtitles.append(pysubs2.SSAEvent(start=int(start), end=int(end), text=line.replace("\n", r"\N")))
    return subtitles


def to_webvtt(name: str, data: bytes) -> str:
    """The WebVTT text of a .srt or .sjson transcript; TranscriptError when it cannot be read."""
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(f"over the limit of {MAX_TRANSCRIPT_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # older SubRip files are often Windows-1252
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lowered = name.lower()
    if lowered.endswith(".sjson"):
        subtitles = _from_sjson(text)
    elif lowered.endswith(".srt"):
        try:
            subtitles = pysubs2.SSAFile.from_string(text, format_="srt")
        except (pysubs2.Pysubs2Error, ValueError) as error:
            raise TranscriptError(f"not a SubRip file: {error}") from None
    else:
        raise TranscriptError("not a .srt or .sjson file")
    return subtitles.to_string("vtt")

"""What a video may play: YouTube ids, HTML5 sources, embed URLs, transcript files and start/end times.

Each check returns the cleaned value or raises :class:`InvalidVideo`, whose message is an English message
id (marked for extraction with :func:`_`) and its parameters: the importer reports it in English, the
editor translates it through the block's ``i18n`` service.
"""

from __future__ import annotations

import json
import math
import re
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

MAX_URL_LENGTH = 2048
MAX_SOURCES = 10
MAX_TRANSCRIPTS = 20
MAX_FILE_NAME_LENGTH = 255
MAX_DISPLAY_NAME_LENGTH = 255
MAX_SECONDS = 24 * 3600
STATIC_PREFIX = "/static/"

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
# Characters of a URL path that cannot end an HTML attribute or a CSS url(). Letters and digits of any
# script are among them: Open edX names a course file ``réception facture.mp4`` /static/réception_facture.mp4.
_PATH_CHARACTERS = re.compile(r"[\w.~%!$&*+,;=:@/-]+")
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9._~%!$&*+,;=:@/?#\[\]-]+")
_HOST = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")
_EMBED_QUERY = re.compile(r"[\w=&.-]*")
_VIMEO_PATH = re.compile(r"/video/[0-9]{1,20}")
_PEERTUBE_PATH = re.compile(r"/videos/embed/[A-Za-z0-9-]{1,64}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}")
_CLOCK = re.compile(r"(\d{1,2}):([0-5]\d):([0-5]\d)")
_YOUTUBE_HOSTS = frozenset(
    {"www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com"}
)
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".ogg": "video/ogg",
}


def _(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown (English at import)."""
    return message


class InvalidVideo(ValueError):
    """A value a video cannot use. ``message`` is an English message id, formatted with ``params``."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the reader's language."""
        text = gettext(self.message)
        return text % self.params if self.params else text


def _has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _encodable(text: str) -> bool:
    # JSON may carry lone UTF-16 surrogates, which cannot be stored as UTF-8.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_name(value: Any) -> str:
    """A display name: text on one line, not empty, at most 255 characters."""
    if not isinstance(value, str):
        raise InvalidVideo(_("The display name must be text."))
    text = value.strip()
    if not text:
        raise InvalidVideo(_("The display name cannot be empty."))
    if len(text) > MAX_DISPLAY_NAME_LENGTH or _has_control_characters(text) or not _encodable(text):
        raise InvalidVideo(
            _("The display name must be one line of at most %(max)d characters."), max=MAX_DISPLAY_NAME_LENGTH
        )
    return text


def youtube_id(value: Any, *, allow_urls: bool = False) -> str:
    """A YouTube video id (11 characters), or "" for none; the editor also accepts a YouTube address."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidVideo(_("The YouTube id must be text."))
    text = value.strip()
    if not text or YOUTUBE_ID.fullmatch(text):
        return text
    if allow_urls and (found := _youtube_id_in_url(text)) is not None:
        return found
    raise InvalidVideo(
        _("%(value)s is not a YouTube video id (11 letters, digits, '-' or '_')."), value=_shorten(text)
    )


def _youtube_id_in_url(text: str) -> str | None:
    """The id in https://www.youtube.com/watch?v=ID, https://youtu.be/ID or …/embed/ID; None otherwise."""
    if len(text) > MAX_URL_LENGTH:
        return None
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or (parts.hostname or "") not in _YOUTUBE_HOSTS:
        return None
    if parts.hostname == "youtu.be":
        candidate = parts.path.strip("/")
    elif parts.path.startswith("/embed/"):
        candidate = parts.path.removeprefix("/embed/").strip("/")
    else:
        candidate = next(iter(urllib.parse.parse_qs(parts.query).get("v", [])), "")
    return candidate if YOUTUBE_ID.fullmatch(candidate) else None


def _shorten(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def asset_path(value: str) -> str | None:
    """The path below the course's ``static/`` folder of a ``/static/…`` link, or None when it is unsafe."""
    if not value.startswith(STATIC_PREFIX):
        return None
    path = value.removeprefix(STATIC_PREFIX)
    return path if _safe_relative_path(path) else None


def _safe_relative_path(path: str) -> bool:
    if not path or len(path) > MAX_URL_LENGTH or not _PATH_CHARACTERS.fullmatch(path):
        return False
    decoded = urllib.parse.unquote(path)
    if _has_control_characters(decoded) or "\\" in decoded:
        return False
    return all(part not in ("", ".", "..") for part in decoded.split("/"))


def _https_url(text: str) -> urllib.parse.SplitResult | None:
    """The parts of an https URL without credentials, on a DNS host name; None for anything else."""
    if len(text) > MAX_URL_LENGTH or not _URL_CHARACTERS.fullmatch(text):
        return None
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username is not None or parts.password is not None:
        return None
    if not _HOST.fullmatch(parts.hostname or "") or (port is not None and port != 443):
        return None
    return parts


def html5_source(value: Any) -> str:
    """A video file: ``/static/…`` (a course asset) or an https address."""
    if not isinstance(value, str):
        raise InvalidVideo(_("Each video file must be given as text."))
    text = value.strip()
    if asset_path(text) is not None or (not text.startswith("/") and _https_url(text) is not None):
        return text
    raise InvalidVideo(
        _("%(value)s is not a video file address: use /static/… for a course file or an https:// address."),
        value=_shorten(text),
    )


def html5_sources(values: Any) -> list[str]:
    """The video files, checked, without blanks or repeats (at most ten)."""
    if not isinstance(values, list | tuple):
        raise InvalidVideo(_("The video files must be a list of addresses."))
    sources: list[str] = []
    for value in values:
        if isinstance(value, str) and not value.strip():
            continue
        source = html5_source(value)
        if source not in sources:
            sources.append(source)
    if len(sources) > MAX_SOURCES:
        raise InvalidVideo(_("A video can have at most %(max)d files."), max=MAX_SOURCES)
    return sources


def html5_sources_attribute(text: str) -> list[str]:
    """Open edX's ``html5_sources`` attribute: a JSON list of addresses."""
    try:
        values = json.loads(text) if text.strip() else []
    except ValueError as error:
        raise InvalidVideo(_("html5_sources must be a JSON list of addresses.")) from error
    return html5_sources(values)


def embed_url(value: Any) -> str:
    """A PeerTube (``https://host/videos/embed/ID``) or Vimeo (``https://player.vimeo.com/video/N``) player
    address, or "" for none."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidVideo(_("The embed address must be text."))
    text = value.strip()
    if not text:
        return ""
    parts = _https_url(text)
    if (
        parts is not None
        and not parts.fragment
        and _EMBED_QUERY.fullmatch(parts.query)
        and (
            (parts.hostname == "player.vimeo.com" and _VIMEO_PATH.fullmatch(parts.path))
            or (parts.hostname != "player.vimeo.com" and _PEERTUBE_PATH.fullmatch(parts.path))
        )
    ):
        return text
    raise InvalidVideo(
        _(
            "%(value)s is not an accepted player address: give the https address of a Vimeo player "
            "(https://player.vimeo.com/video/…) or of a PeerTube video (https://…/videos/embed/…)."
        ),
        value=_shorten(text),
    )


def language(value: Any) -> str:
    """A language code such as ``fr`` or ``pt-BR``."""
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value.strip()):
        shown = value if isinstance(value, str) else ""
        raise InvalidVideo(
            _("%(value)s is not a language code (such as fr or en)."), value=_shorten(shown) or "''"
        )
    return value.strip()


# WebVTT is what players read; SubRip (.srt, Open edX's default) and Open edX's own .sjson are converted to
# it by the host when asked for ``?format=vtt`` (see ``track_url``), and kept as they are for export.
TRANSCRIPT_EXTENSIONS = (".vtt", ".srt", ".sjson")


def transcript_file(value: Any) -> str:
    """A transcript file (WebVTT, SubRip or Open edX's .sjson) of the course's ``static/`` folder, named
    relative to it (``/static/`` is dropped)."""
    if not isinstance(value, str):
        raise InvalidVideo(_("Each transcript file must be given as text."))
    text = value.strip().removeprefix(STATIC_PREFIX)
    extension = next((e for e in TRANSCRIPT_EXTENSIONS if text.lower().endswith(e)), None)
    if (
        len(text) > MAX_FILE_NAME_LENGTH
        or not _safe_relative_path(text)
        or extension is None
        or len(text) <= len(extension)
    ):
        raise InvalidVideo(
            _(
                "%(value)s is not a transcript file: name a WebVTT (.vtt), SubRip (.srt) or Open edX "
                "(.sjson) file of the course's files."
            ),
            value=_shorten(text) or "''",
        )
    return text


def track_url(file: str) -> str:
    """The ``/static/…`` link a player reads a transcript from: WebVTT itself, or the host's WebVTT
    conversion of the other formats."""
    link = f"/static/{file}"
    return link if file.lower().endswith(".vtt") else f"{link}?format=vtt"


def legacy_subtitles(sub: Any) -> str | None:
    """The file Open edX reads for a video's ``sub`` attribute (its English transcript), if valid."""
    if not isinstance(sub, str) or not sub.strip():
        return None
    try:
        return transcript_file(f"subs_{sub.strip()}.srt.sjson")
    except InvalidVideo:
        return None


def transcripts(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Transcript files by language: one file per language, at most twenty."""
    found: dict[str, str] = {}
    for lang, file in pairs:
        code = language(lang)
        if code in found:
            raise InvalidVideo(_("There are two transcripts for the language %(language)s."), language=code)
        found[code] = transcript_file(file)
    if len(found) > MAX_TRANSCRIPTS:
        raise InvalidVideo(_("A video can have at most %(max)d transcripts."), max=MAX_TRANSCRIPTS)
    return found


def transcripts_attribute(text: str) -> dict[str, str]:
    """Open edX's ``transcripts`` attribute: a JSON object of language -> file name."""
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError as error:
        raise InvalidVideo(
            _("transcripts must be a JSON object of language codes and file names.")
        ) from error
    if not isinstance(value, dict):
        raise InvalidVideo(_("transcripts must be a JSON object of language codes and file names."))
    return transcripts(value.items())


def seconds(value: Any) -> int:
    """A time within the video: ``HH:MM:SS`` (Open edX's form), a number of seconds, or "" for 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise InvalidVideo(_("%(value)s is not a time: write it as HH:MM:SS."), value=str(value))
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and (match := _CLOCK.fullmatch(value.strip())):
        hours, minutes, secs = (int(part) for part in match.groups())
        number = float(hours * 3600 + minutes * 60 + secs)
    else:
        try:
            number = float(value) if isinstance(value, str) else math.nan
        except ValueError:
            number = math.nan
    if not math.isfinite(number) or number < 0 or number > MAX_SECONDS:
        shown = value if isinstance(value, str) else repr(value)
        raise InvalidVideo(_("%(value)s is not a time: write it as HH:MM:SS."), value=_shorten(shown))
    return int(number)


def clock(total: int) -> str:
    """Seconds as ``HH:MM:SS``."""
    hours, rest = divmod(int(total), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def time_window(start: int, end: int) -> None:
    """Check that the end (when there is one) comes after the start."""
    if end and end <= start:
        raise InvalidVideo(_("The end time must come after the start time."))


def media_type(source: str) -> str | None:
    """The MIME type of a video file from its extension, when it is a common one."""
    path = urllib.parse.urlsplit(source).path.lower()
    return next((kind for ext, kind in MEDIA_TYPES.items() if path.endswith(ext)), None)

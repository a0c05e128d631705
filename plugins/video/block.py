"""A video, read from Open edX's ``<video>`` OLX: HTML5 files, YouTube (privacy-enhanced) or a PeerTube /
Vimeo player, with WebVTT transcripts shown as captions and as text beside the player.

Completion is the block's own (``has_custom_completion``): for an HTML5 video the player reports the
ranges actually played to the ``watched`` handler, which merges them in the learner's state and publishes
completion 1.0, once, when 90 % of the video (or of its start–end window) has been watched. The players of
other sites cannot be measured from here, so they offer an "I watched this video" button instead
(``mark_watched``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String

from plugins.video import olx, validation, watching
from plugins.video.rendering import render
from plugins.video.validation import InvalidVideo, _

#: fields written to and read from OLX (in this order), besides the kept attributes and children
OLX_FIELDS = (
    "display_name",
    "youtube_id_1_0",
    "html5_sources",
    "embed_url",
    "download_video",
    "start_time",
    "end_time",
    "transcripts",
    "xml_attributes",
    "xml_children",
)
YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/"
REPORT_EVERY_SECONDS = 10
LANGUAGE_NAMES = {
    "fr": _("French"),
    "en": _("English"),
    "de": _("German"),
    "es": _("Spanish"),
    "it": _("Italian"),
    "pt": _("Portuguese"),
    "nl": _("Dutch"),
    "ar": _("Arabic"),
    "oc": _("Occitan"),
}


@dataclass(frozen=True)
class Track:
    """A transcript: its language, a label in the reader's language and its ``/static/…`` link."""

    language: str
    label: str
    url: str


@dataclass(frozen=True)
class Player:
    """What the learner is shown: ``kind`` is html5, youtube, embed or none."""

    kind: str
    sources: list[tuple[str, str | None]] = field(default_factory=list)
    iframe: str = ""
    download: str | None = None
    tracks: list[Track] = field(default_factory=list)


def _valid(check: Callable[[Any], Any], value: Any) -> Any:
    """``check(value)``, or None when the value is not acceptable."""
    try:
        return check(value)
    except InvalidVideo:
        return None


@XBlock.needs("i18n")
@XBlock.wants("replace_urls")
class VideoBlock(XBlock):
    """A video with its transcripts."""

    has_custom_completion = True
    completion_mode = XBlockCompletionMode.COMPLETABLE

    display_name = String(scope=Scope.settings, default="Vidéo")
    youtube_id_1_0 = String(scope=Scope.settings, default="")
    html5_sources = List(scope=Scope.settings, default=[])
    embed_url = String(scope=Scope.settings, default="")
    download_video = Boolean(scope=Scope.settings, default=False)
    start_time = Integer(scope=Scope.settings, default=0)
    end_time = Integer(scope=Scope.settings, default=0)
    transcripts = Dict(scope=Scope.settings, default={})
    xml_attributes = Dict(scope=Scope.settings, default={})
    xml_children = List(scope=Scope.settings, default=[])

    watched_ranges = List(scope=Scope.user_state, default=[])
    duration = Float(scope=Scope.user_state, default=0.0)
    completed = Boolean(scope=Scope.user_state, default=False)

    # OLX -------------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read Open edX's ``<video>``; a value the video cannot play is refused with its reason."""
        block = runtime.construct_xblock_from_class(cls, keys)
        for name, value in olx.read(node).items():
            setattr(block, name, value)
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write ``<video …>`` with ``<source>`` and ``<transcript>`` children, as Open edX does."""
        olx.write(
            node, {name: getattr(self, name) for name in OLX_FIELDS if self.fields[name].is_set_on(self)}
        )

    # What is played ------------------------------------------------------------------------------------

    def player(self, gettext: Callable[[str], str] = str) -> Player:
        """The player to show, from the stored fields checked again (a course policy may have set them)."""
        sources = [s for s in (_valid(validation.html5_source, v) for v in self.html5_sources) if s]
        files = dict(self.transcripts or {})
        # Open edX's older courses name their English transcript by the ``sub`` attribute (kept as read).
        legacy = validation.legacy_subtitles((self.xml_attributes or {}).get("sub"))
        if legacy and "en" not in files:
            files["en"] = legacy
        tracks = [
            Track(
                lang,
                gettext(LANGUAGE_NAMES[lang]) if lang in LANGUAGE_NAMES else lang,
                validation.track_url(file),
            )
            for lang, file in sorted(files.items())
            if _valid(validation.language, lang) and _valid(validation.transcript_file, file)
        ]
        start, end = self._window()
        if sources:
            fragment = f"#t={start},{end}" if end else (f"#t={start}" if start else "")
            local_first = sorted(sources, key=lambda s: not s.startswith(validation.STATIC_PREFIX))
            return Player(
                "html5",
                sources=[(s + fragment, validation.media_type(s)) for s in sources],
                download=local_first[0] if self.download_video else None,
                tracks=tracks,
            )
        if youtube := _valid(validation.youtube_id, self.youtube_id_1_0):
            query = "?rel=0" + (f"&start={start}" if start else "") + (f"&end={end}" if end else "")
            return Player("youtube", iframe=f"{YOUTUBE_EMBED}{youtube}{query}", tracks=tracks)
        if embed := _valid(validation.embed_url, self.embed_url):
            return Player("embed", iframe=embed, tracks=tracks)
        return Player("none", tracks=tracks)

    def _window(self) -> tuple[int, int]:
        start = _valid(validation.seconds, self.start_time) or 0
        end = _valid(validation.seconds, self.end_time) or 0
        return (start, end) if not end or end > start else (start, 0)

    def _watched_fraction(self) -> float:
        if self.duration <= 0:
            return 0.0
        span = watching.window(self.duration, *self._window())
        return watching.watched_seconds(self.watched_ranges, span) / (span[1] - span[0])

    def _status(self, kind: str, gettext: Callable[[str], str]) -> str:
        """What the learner has done with the video so far, in words."""
        if self.completed:
            return gettext("You have watched this video.")
        if kind == "html5":
            percent = int(self._watched_fraction() * 100)
            if percent > 0:
                return gettext("Watched so far: %(percent)d%%") % {"percent": percent}
            threshold = round(watching.COMPLETION_THRESHOLD * 100)
            return gettext("Watch at least %(percent)d%% of the video to complete it.") % {
                "percent": threshold
            }
        if kind in ("youtube", "embed"):
            return gettext("Once you have watched the video, say so with the button below.")
        return ""

    # Views ---------------------------------------------------------------------------------------------

    def _i18n(self) -> Any:
        return self.runtime.service(self, "i18n")

    def _html(self, html: str) -> str:
        """``/static/…`` links pointed at the course's files."""
        replace = self.runtime.service(self, "replace_urls")
        return replace.replace_urls(html) if replace is not None else html

    def _dom_id(self) -> str:
        return "video-" + hashlib.sha256(str(self.scope_ids.usage_id).encode()).hexdigest()[:12]

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The player, its transcripts as text, and where the learner stands."""
        i18n = self._i18n()
        player = self.player(i18n.gettext)
        html = render(
            "student_view.html",
            i18n,
            dom_id=self._dom_id(),
            display_name=self.display_name,
            player=player,
            complete=self.completed,
            status=self._status(player.kind, i18n.gettext),
        )
        fragment = Fragment(self._html(html))
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/video.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/video.js"))
        fragment.initialize_js(
            "CybermassifVideo",
            {
                "player": player.kind,
                "complete": self.completed,
                "reportEvery": REPORT_EVERY_SECONDS,
                "texts": {
                    "loading": i18n.gettext("Loading the transcript…"),
                    "transcriptFailed": i18n.gettext("The transcript could not be loaded."),
                    "transcriptEmpty": i18n.gettext("This transcript has no text."),
                    "saveFailed": i18n.gettext("Your progress could not be saved; it will be sent again."),
                    "seek": i18n.gettext("Play from"),
                },
            },
        )
        return fragment

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The editor: name, files, YouTube id, player address, transcripts, start and end, download."""
        i18n = self._i18n()
        html = render(
            "studio_view.html",
            i18n,
            dom_id=self._dom_id(),
            display_name=self.display_name,
            html5_sources="\n".join(self.html5_sources),
            youtube_id=self.youtube_id_1_0,
            embed_url=self.embed_url,
            transcripts="\n".join(f"{lang} = {file}" for lang, file in sorted(self.transcripts.items())),
            start_time=validation.clock(self.start_time) if self.start_time else "",
            end_time=validation.clock(self.end_time) if self.end_time else "",
            download_video=self.download_video,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/video.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/video-studio.js"))
        fragment.initialize_js(
            "CybermassifVideoStudio",
            {"saved": i18n.gettext("Saved."), "failed": i18n.gettext("The video could not be saved.")},
        )
        return fragment

    # Handlers ------------------------------------------------------------------------------------------

    def _progress(self, kind: str, gettext: Callable[[str], str]) -> dict[str, Any]:
        return {
            "complete": self.completed,
            "percent": int(self._watched_fraction() * 100),
            "status": self._status(kind, gettext),
        }

    def _complete(self) -> None:
        """Record completion: published once, however often the learner gets there."""
        if not self.completed:
            self.completed = True
            self.runtime.publish(self, "completion", {"completion": 1.0})

    @XBlock.json_handler
    def watched(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Merge the ranges an HTML5 player played; completion once 90 % of the video is covered."""
        gettext = self._i18n().gettext
        kind = self.player().kind
        if kind != "html5":
            raise JsonHandlerError(400, gettext("Watching this video cannot be measured here."))
        try:
            report = watching.parse_report(data)
        except InvalidVideo as error:
            raise JsonHandlerError(400, error.translated(gettext)) from error
        same = self.duration > 0 and watching.same_media(self.duration, report.duration)
        before = watching.merge(self.watched_ranges) if same else []
        ranges = watching.merge([*before, *report.ranges])
        if not same:
            self.duration = report.duration
        if ranges != before or not same:
            self.watched_ranges = [list(r) for r in ranges]
        if watching.is_complete(ranges, watching.window(self.duration, *self._window())):
            self._complete()
        return self._progress(kind, gettext)

    @XBlock.json_handler
    def mark_watched(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The learner says they watched a video whose player cannot be measured (YouTube, PeerTube…)."""
        gettext = self._i18n().gettext
        kind = self.player().kind
        if kind not in ("youtube", "embed"):
            raise JsonHandlerError(
                400, gettext("This video counts as watched once you have played enough of it.")
            )
        self._complete()
        return self._progress(kind, gettext)

    @XBlock.json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Save the editor's values, all checked first: on any problem nothing changes (400, the reasons)."""
        gettext = self._i18n().gettext
        if not isinstance(data, dict):
            raise JsonHandlerError(400, gettext("The form data must be a JSON object."))
        problems: list[str] = []

        def check(function: Callable[..., Any], *args: Any) -> Any:
            try:
                return function(*args)
            except InvalidVideo as error:
                problems.append(error.translated(gettext))
                return None

        # A value left out of the form keeps what is stored.
        values = {
            "display_name": check(validation.display_name, data.get("display_name", self.display_name)),
            "html5_sources": check(
                validation.html5_sources, _lines(data.get("html5_sources", self.html5_sources))
            ),
            "youtube_id_1_0": check(
                lambda v: validation.youtube_id(v, allow_urls=True),
                data.get("youtube_id_1_0", self.youtube_id_1_0),
            ),
            "embed_url": check(validation.embed_url, data.get("embed_url", self.embed_url)),
            "transcripts": check(_transcripts_from_form, data.get("transcripts", self.transcripts)),
            "start_time": check(validation.seconds, data.get("start_time", self.start_time)),
            "end_time": check(validation.seconds, data.get("end_time", self.end_time)),
        }
        download = data.get("download_video", self.download_video)
        if not isinstance(download, bool):
            problems.append(gettext("“Allow downloading” must be true or false."))
        if values["start_time"] is not None and values["end_time"] is not None:
            check(validation.time_window, values["start_time"], values["end_time"])
        if not problems and not (values["html5_sources"] or values["youtube_id_1_0"] or values["embed_url"]):
            problems.append(
                gettext("Give at least one way to play the video: a file, a YouTube id or a player.")
            )
        if problems:
            raise JsonHandlerError(400, "\n".join(problems))
        for name, value in values.items():
            setattr(self, name, value)
        self.download_video = download
        return {"result": "success"}


def _lines(value: Any) -> Any:
    """The editor sends its text areas as they are: one item a line."""
    return [line for line in value.splitlines() if line.strip()] if isinstance(value, str) else value


def _transcripts_from_form(value: Any) -> dict[str, str]:
    """Transcripts from the editor: lines ``fr = intro-fr.vtt``, or a JSON object of language -> file."""
    if isinstance(value, dict):
        return validation.transcripts(value.items())
    if not isinstance(value, str):
        raise InvalidVideo(_("The transcripts must be lines such as: fr = intro-fr.vtt"))
    pairs = []
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        language, separator, file = line.partition("=")
        if not separator:
            raise InvalidVideo(
                _(
                    "Line %(line)d of the transcripts: write a language code, '=', then a file "
                    "(fr = intro-fr.vtt)."
                ),
                line=number,
            )
        pairs.append((language, file))
    return validation.transcripts(pairs)

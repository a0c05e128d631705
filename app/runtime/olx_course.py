"""Reading a whole course folder in the Open edX export layout into a :class:`ParsedCourse` (no database).

Layout::

    course.xml                       <course url_name="RUN" org="ORG" course="NUMBER"/> (or the course inline)
    course/RUN.xml                   the course element and its chapters (pointers or inline)
    chapter/ sequential/ vertical/   one file per block named by a pointer: TYPE/URL_NAME.xml
    html/NAME.xml + html/NAME.html   <html filename="NAME" display_name="…"/> and its HTML
    static/…                         assets, linked from HTML as /static/…
    policies/RUN/policy.json         {"course/RUN": {…}, "chapter/x": {…}}: settings applied to blocks
    policies/RUN/grading_policy.json
    about/*.html                     overview.html, short_description.html…

Every problem found is collected, and :func:`read_course` raises one :class:`ImportFailed` listing them.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app.runtime.host import HostConfig
from app.runtime.keys import CourseKey, InvalidKeyError
from app.runtime.olx_import import ImportFailed, ImportLimits, ImportRuntime, Problem, is_pointer, where
from app.runtime.olx_safety import COURSE_FILE, OlxError, parse_xml_file
from app.runtime.reasons import _
from app.runtime.tree import BlockRecord

MAX_ASSET_PATH_LENGTH = 512
# Python's JSON errors (json.decoder's messages), explained in the reader's language.
_JSON_REASONS = {
    "Expecting value": _("The JSON is not valid (line %(line)d, column %(column)d): a value is expected."),
    "Expecting ',' delimiter": _(
        "The JSON is not valid (line %(line)d, column %(column)d): a comma “,” is missing."
    ),
    "Expecting ':' delimiter": _(
        "The JSON is not valid (line %(line)d, column %(column)d): a colon “:” is missing after a key."
    ),
    "Expecting property name enclosed in double quotes": _(
        "The JSON is not valid (line %(line)d, column %(column)d): "
        "a key in double quotes is expected (JSON has no single quotes and no trailing commas)."
    ),
    "Unterminated string starting at": _(
        'The JSON is not valid (line %(line)d, column %(column)d): a text is never closed by “"”.'
    ),
    "Invalid control character at": _(
        "The JSON is not valid (line %(line)d, column %(column)d): a text contains a line break or a tab."
    ),
    "Invalid \\escape": _(
        "The JSON is not valid (line %(line)d, column %(column)d): a “\\” starts no valid escape."
    ),
    "Invalid \\uXXXX escape": _(
        "The JSON is not valid (line %(line)d, column %(column)d): a “\\u” escape is not valid."
    ),
    "Extra data": _(
        "The JSON is not valid (line %(line)d, column %(column)d): there is more after the end of the object."
    ),
}
_JSON_FALLBACK = _("The JSON is not valid (line %(line)d, column %(column)d).")
# Types of course media that Python's table (or the system's) may not know.
_MEDIA_TYPES = {
    ".webm": "video/webm",
    ".vtt": "text/vtt",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".ogv": "video/ogg",
    ".opus": "audio/ogg",
    ".woff2": "font/woff2",
}


def asset_type(name: str) -> str:
    """The MIME type a course asset is stored and served with."""
    suffix = PurePosixPath(name).suffix.lower()
    return _MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


# Open edX stores a course file under a name with every character but letters, digits, ".", "%" and "-"
# replaced by "_" ("/" included): its courses link to "documentation icon.svg" as
# /static/documentation_icon.svg, and to static/images/a.png as /static/images_a.png as well.
_OPENEDX_INVALID = re.compile(r"[^\w.%-]", re.UNICODE)


def openedx_asset_name(path: str) -> str:
    """The name Open edX gives the course file at ``path`` (below ``static/``)."""
    return _OPENEDX_INVALID.sub("_", path.replace("/", "_"))


@dataclass(frozen=True)
class Asset:
    """A file of ``static/``: its path below ``static/``, type, size, digest and bytes."""

    path: str
    content_type: str
    size: int
    sha256: str
    data: bytes

    @property
    def openedx_name(self) -> str:
        """The name Open edX links to it by (see :func:`openedx_asset_name`)."""
        return openedx_asset_name(self.path)


@dataclass
class ParsedCourse:
    """A course read from OLX, ready to be stored."""

    course_key: CourseKey
    root_usage_id: str
    records: list[BlockRecord]
    url_names: dict[str, str]
    policy: dict[str, Any] = field(default_factory=dict)
    grading_policy: dict[str, Any] = field(default_factory=dict)
    about: dict[str, str] = field(default_factory=dict)
    assets: list[Asset] = field(default_factory=list)
    #: other files of an Open edX export, by path, kept as they are (see :data:`KEPT_FILES`)
    kept_files: dict[str, str] = field(default_factory=dict)
    source_sha256: str = ""
    #: components kept as placeholders because their content could not be read (file, line, reason)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def course_settings(self) -> dict[str, Any]:
        """The course block's settings, its kept OLX attributes (``xml_attributes``) merged in."""
        settings = dict(self.records[0].settings or {})
        return {**settings.pop("xml_attributes", {}), **settings}


def source_digest(root: Path) -> str:
    """SHA-256 over every file's relative path and content: equal for equal course folders."""
    digest = hashlib.sha256()
    for path in sorted(_files(root)):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, folders, names in os.walk(root, followlinks=False):
        folders[:] = [f for f in folders if not (Path(folder) / f).is_symlink()]
        found.extend(Path(folder) / n for n in names if (Path(folder) / n).is_file())
    return found


def _links(root: Path) -> list[str]:
    links = []
    for folder, folders, names in os.walk(root, followlinks=False):
        links.extend(
            (Path(folder) / n).relative_to(root).as_posix()
            for n in folders + names
            if (Path(folder) / n).is_symlink()
        )
    return sorted(links)


def _read_json(root: Path, relative: str, limits: ImportLimits, problems: list[Problem]) -> dict[str, Any]:
    path = root / relative
    if not path.is_file():
        return {}
    data = path.read_bytes()[: limits.max_xml_bytes + 1]
    if len(data) > limits.max_xml_bytes:
        message = _("the file is over the limit of %(limit)d bytes")
        problems.append(Problem(relative, None, message, "size", {"limit": limits.max_xml_bytes}))
        return {}
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        message = _("the file is not UTF-8 text (byte %(position)d)")
        problems.append(Problem(relative, None, message, "encoding", {"position": error.start}))
        return {}
    except json.JSONDecodeError as error:
        # Python's own sentence is English: a translatable one chosen by its kind replaces it.
        message = _JSON_REASONS.get(error.msg, _JSON_FALLBACK)
        params = {"line": error.lineno, "column": error.colno}
        problems.append(Problem(relative, error.lineno, message, "json", params))
        return {}
    if not isinstance(value, dict):
        problems.append(Problem(relative, None, _("expected a JSON object"), "json"))
        return {}
    return value


def _course_pointer(
    root: Path, limits: ImportLimits, problems: list[Problem]
) -> tuple[Any, CourseKey] | None:
    if not (root / COURSE_FILE).is_file():
        problems.append(Problem(COURSE_FILE, None, _("the course has no course.xml at its top"), "missing"))
        return None
    try:
        node = parse_xml_file(root / COURSE_FILE, source=COURSE_FILE, max_bytes=limits.max_xml_bytes)
    except OlxError as error:
        problems.append(Problem(error.file, error.line, error.message, "xml", error.params))
        return None
    node.getroottree().docinfo.URL = COURSE_FILE
    if node.tag != "course":
        message = _("expected <course>, found <%(tag)s>")
        problems.append(Problem(COURSE_FILE, node.sourceline, message, "xml", {"tag": node.tag}))
        return None
    missing = [name for name in ("url_name", "org", "course") if not node.get(name)]
    if missing:
        message = _("<course> needs %(names)s")
        problems.append(Problem(COURSE_FILE, node.sourceline, message, "xml", {"names": ", ".join(missing)}))
        return None
    try:
        key = CourseKey(node.get("org"), node.get("course"), node.get("url_name"))
    except InvalidKeyError:
        message = _(
            "invalid course key: org, course and url_name must be short names "
            "of letters, digits, “.”, “-” and “_”"
        )
        problems.append(Problem(COURSE_FILE, node.sourceline, message, "key"))
        return None
    return node, key


def course_key_of(root: Path) -> CourseKey | None:
    """The course key named by ``course.xml`` in ``root``, or None when it cannot be read."""
    found = _course_pointer(Path(root), ImportLimits(), [])
    return found[1] if found else None


#: Files of an Open edX export that are neither blocks, policies nor static files, kept as they are so
#: that export gives them back: the assets' metadata, and the course info pages of ``info/`` (handouts,
#: updates), which learners see on the course's page.
KEPT_FILES = ("policies/assets.json", "assets/assets.xml")
KEPT_FOLDER = "info"
_KEPT_SUFFIXES = (".html", ".json")


def _read_text(root: Path, path: Path, limits: ImportLimits, problems: list[Problem]) -> str | None:
    """A course text file (an info or about page…), or None and a problem when too big or not UTF-8."""
    relative = path.relative_to(root).as_posix()
    if path.stat().st_size > limits.max_html_bytes:
        message = _("the file is over the limit of %(limit)d bytes")
        problems.append(Problem(relative, None, message, "size", {"limit": limits.max_html_bytes}))
        return None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        message = _("the file is not UTF-8 text (byte %(position)d)")
        problems.append(Problem(relative, None, message, "encoding", {"position": error.start}))
        return None


def _kept_files(root: Path, limits: ImportLimits, problems: list[Problem]) -> dict[str, str]:
    folder = root / KEPT_FOLDER
    paths = [root / name for name in KEPT_FILES]
    if folder.is_dir():
        paths += sorted(
            p for p in folder.iterdir() if p.suffix in _KEPT_SUFFIXES and not p.name.startswith(".")
        )
    kept: dict[str, str] = {}
    for path in paths:
        if path.is_file() and (text := _read_text(root, path, limits, problems)) is not None:
            kept[path.relative_to(root).as_posix()] = text
    return kept


def _about(root: Path, limits: ImportLimits, problems: list[Problem]) -> dict[str, str]:
    about: dict[str, str] = {}
    folder = root / "about"
    for path in sorted(folder.glob("*.html")) if folder.is_dir() else []:
        if (text := _read_text(root, path, limits, problems)) is not None:
            about[path.stem] = text.strip()
    return about


def _assets(root: Path, limits: ImportLimits, problems: list[Problem]) -> list[Asset]:
    folder = root / "static"
    assets: list[Asset] = []
    total = 0
    for path in sorted(_files(folder)) if folder.is_dir() else []:
        name = path.relative_to(folder).as_posix()
        relative = f"static/{name}"
        size = path.stat().st_size
        if len(name) > MAX_ASSET_PATH_LENGTH:
            message = _("the path is longer than %(limit)d characters")
            problems.append(Problem(relative, None, message, "size", {"limit": MAX_ASSET_PATH_LENGTH}))
            continue
        if size > limits.max_asset_bytes:
            message = _("%(size)d bytes, over the limit of %(limit)d bytes per file")
            params = {"size": size, "limit": limits.max_asset_bytes}
            problems.append(Problem(relative, None, message, "size", params))
            continue
        total += size
        if total > limits.max_total_bytes:
            message = _("the assets are over the limit of %(limit)d bytes")
            problems.append(Problem("static/", None, message, "size", {"limit": limits.max_total_bytes}))
            break
        data = path.read_bytes()
        content_type = asset_type(PurePosixPath(name).name)
        assets.append(Asset(name, content_type, len(data), hashlib.sha256(data).hexdigest(), data))
    return assets


def _check_folder(root: Path, limits: ImportLimits, problems: list[Problem]) -> None:
    problems.extend(Problem(link, None, _("symbolic links are not allowed"), "link") for link in _links(root))
    if len(_files(root)) > limits.max_files:
        message = _("the course holds more than %(limit)d files")
        problems.append(Problem(".", None, message, "size", {"limit": limits.max_files}))


def read_course(root: Path, *, config: HostConfig, limits: ImportLimits | None = None) -> ParsedCourse:
    """Read the course folder at ``root``; raise ImportFailed with every problem found."""
    limits = limits or ImportLimits()
    root = Path(root).resolve()
    problems: list[Problem] = []
    _check_folder(root, limits, problems)
    if problems:
        raise ImportFailed(problems)
    found = _course_pointer(root, limits, problems)
    if found is None:
        raise ImportFailed(problems)
    pointer, key = found
    run = key.run
    policy_file = f"policies/{run}/policy.json"
    policy = _read_json(root, policy_file, limits, problems)
    grading_policy = _read_json(root, f"policies/{run}/grading_policy.json", limits, problems)
    if any(not isinstance(entry, dict) for entry in policy.values()):
        problems.append(
            Problem(policy_file, None, _("every entry must be a JSON object of settings"), "json")
        )
        policy = {}
    runtime = ImportRuntime(
        config=config, course_key=key, root=root, limits=limits, policy=policy, policy_file=policy_file
    )
    if is_pointer(pointer):
        course_node = runtime.load_xml(f"course/{run}.xml", pointer)
        if course_node is not None and course_node.tag != "course":
            message = _("expected <course>, found <%(tag)s>")
            problems.append(Problem(*where(course_node), message, "xml", {"tag": course_node.tag}))
            course_node = None
    else:
        course_node = pointer
        for name in ("org", "course"):
            course_node.attrib.pop(name, None)
    root_id = None
    if course_node is not None:
        course_node.set("url_name", run)
        root_id = runtime.parse_course(course_node)
    about = _about(root, limits, problems)
    assets = _assets(root, limits, problems)
    kept_files = _kept_files(root, limits, problems)
    problems.extend(runtime.problems)
    if problems or root_id is None:
        raise ImportFailed(problems or [Problem(COURSE_FILE, None, _("the course could not be read"))])
    return ParsedCourse(
        course_key=key,
        root_usage_id=str(root_id),
        records=list(runtime.tree.walk(str(root_id))),
        url_names=runtime.url_names,
        policy=dict(policy.get(f"course/{run}", {})),
        grading_policy=grading_policy,
        about=about,
        assets=assets,
        kept_files=kept_files,
        source_sha256=source_digest(root),
        warnings=list(runtime.warnings),
    )

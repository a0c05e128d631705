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
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app.runtime.host import HostConfig
from app.runtime.keys import CourseKey, InvalidKeyError
from app.runtime.olx_import import ImportFailed, ImportLimits, ImportRuntime, Problem, is_pointer, where
from app.runtime.olx_safety import COURSE_FILE, OlxError, parse_xml_file
from app.runtime.tree import BlockRecord

MAX_ASSET_PATH_LENGTH = 512
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


@dataclass(frozen=True)
class Asset:
    """A file of ``static/``: its path below ``static/``, type, size, digest and bytes."""

    path: str
    content_type: str
    size: int
    sha256: str
    data: bytes


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
    source_sha256: str = ""

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
        problems.append(
            Problem(relative, None, f"the file is over the limit of {limits.max_xml_bytes} bytes", "size")
        )
        return {}
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        problems.append(Problem(relative, None, f"the file is not UTF-8 text ({error.reason})", "encoding"))
        return {}
    except json.JSONDecodeError as error:
        problems.append(
            Problem(relative, error.lineno, f"malformed JSON: {error.msg} (column {error.colno})", "json")
        )
        return {}
    if not isinstance(value, dict):
        problems.append(Problem(relative, None, "expected a JSON object", "json"))
        return {}
    return value


def _course_pointer(
    root: Path, limits: ImportLimits, problems: list[Problem]
) -> tuple[Any, CourseKey] | None:
    if not (root / COURSE_FILE).is_file():
        problems.append(Problem(COURSE_FILE, None, "the course has no course.xml at its top", "missing"))
        return None
    try:
        node = parse_xml_file(root / COURSE_FILE, source=COURSE_FILE, max_bytes=limits.max_xml_bytes)
    except OlxError as error:
        problems.append(Problem(error.file, error.line, error.message, "xml"))
        return None
    node.getroottree().docinfo.URL = COURSE_FILE
    if node.tag != "course":
        problems.append(
            Problem(COURSE_FILE, node.sourceline, f"expected <course>, found <{node.tag}>", "xml")
        )
        return None
    missing = [name for name in ("url_name", "org", "course") if not node.get(name)]
    if missing:
        problems.append(Problem(COURSE_FILE, node.sourceline, f"<course> needs {', '.join(missing)}", "xml"))
        return None
    try:
        key = CourseKey(node.get("org"), node.get("course"), node.get("url_name"))
    except InvalidKeyError as error:
        problems.append(Problem(COURSE_FILE, node.sourceline, f"invalid course key: {error}", "key"))
        return None
    return node, key


def course_key_of(root: Path) -> CourseKey | None:
    """The course key named by ``course.xml`` in ``root``, or None when it cannot be read."""
    found = _course_pointer(Path(root), ImportLimits(), [])
    return found[1] if found else None


def _about(root: Path, limits: ImportLimits, problems: list[Problem]) -> dict[str, str]:
    about: dict[str, str] = {}
    folder = root / "about"
    for path in sorted(folder.glob("*.html")) if folder.is_dir() else []:
        relative = path.relative_to(root).as_posix()
        if path.stat().st_size > limits.max_html_bytes:
            problems.append(
                Problem(
                    relative, None, f"the file is over the limit of {limits.max_html_bytes} bytes", "size"
                )
            )
            continue
        try:
            about[path.stem] = path.read_text(encoding="utf-8").strip()
        except UnicodeDecodeError as error:
            problems.append(
                Problem(relative, None, f"the file is not UTF-8 text ({error.reason})", "encoding")
            )
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
            problems.append(
                Problem(relative, None, f"the path is longer than {MAX_ASSET_PATH_LENGTH} characters", "size")
            )
            continue
        if size > limits.max_asset_bytes:
            problems.append(
                Problem(
                    relative,
                    None,
                    f"{size} bytes, over the limit of {limits.max_asset_bytes} bytes per file",
                    "size",
                )
            )
            continue
        total += size
        if total > limits.max_total_bytes:
            problems.append(
                Problem(
                    "static/",
                    None,
                    f"the assets are over the limit of {limits.max_total_bytes} bytes",
                    "size",
                )
            )
            break
        data = path.read_bytes()
        content_type = asset_type(PurePosixPath(name).name)
        assets.append(Asset(name, content_type, len(data), hashlib.sha256(data).hexdigest(), data))
    return assets


def _check_folder(root: Path, limits: ImportLimits, problems: list[Problem]) -> None:
    problems.extend(Problem(link, None, "symbolic links are not allowed", "link") for link in _links(root))
    if len(_files(root)) > limits.max_files:
        problems.append(Problem(".", None, f"the course holds more than {limits.max_files} files", "size"))


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
        problems.append(Problem(policy_file, None, "every entry must be a JSON object of settings", "json"))
        policy = {}
    runtime = ImportRuntime(
        config=config, course_key=key, root=root, limits=limits, policy=policy, policy_file=policy_file
    )
    if is_pointer(pointer):
        course_node = runtime.load_xml(f"course/{run}.xml", pointer)
        if course_node is not None and course_node.tag != "course":
            problems.append(
                Problem(*where(course_node), f"expected <course>, found <{course_node.tag}>", "xml")
            )
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
    problems.extend(runtime.problems)
    if problems or root_id is None:
        raise ImportFailed(problems or [Problem(COURSE_FILE, None, "the course could not be read")])
    return ParsedCourse(
        course_key=key,
        root_usage_id=str(root_id),
        records=list(runtime.tree.walk(str(root_id))),
        url_names=runtime.url_names,
        policy=dict(policy.get(f"course/{run}", {})),
        grading_policy=grading_policy,
        about=about,
        assets=assets,
        source_sha256=source_digest(root),
    )

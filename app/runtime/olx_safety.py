"""Safe reading of course imports: OLX parsing and .tar.gz extraction that trust nothing in the upload.

- ``parse_xml`` parses one OLX file with entities, DTDs and network access off, and refuses entity
  declarations outright (billion laughs, external entities / XXE).
- ``extract_course_archive`` reads a .tar.gz twice: a first pass checks every member (path, type,
  sizes, count) without writing anything; a second pass writes regular files and folders only, into a
  staging folder next to the destination, which is renamed into place once everything succeeded.
  Decompressed bytes are counted while streaming, so neither a lying header nor a huge pax header can
  make it read or write more than the limits allow.

Errors carry a message id and its parameters (``error.reason``, see :mod:`app.runtime.reasons`): the
page that shows one translates it; ``str(error)`` is English, for logs and the command line. libxml2's own
sentences never get through: :mod:`app.runtime.xml_errors` explains its errors by their code.
"""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from lxml import etree

from app.runtime.reasons import Reason, _
from app.runtime.xml_errors import syntax_reason

DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024
COURSE_FILE = "course.xml"

_CHUNK = 64 * 1024
_MAX_NAME_PART_BYTES = 255  # what Linux and most file systems accept for one path component
# Tar framing around the content: a 512-byte header plus padding per member, some pax or long-name
# headers, and the read-ahead of tarfile's stream buffer.
_FRAMING_BYTES_PER_MEMBER = 2048
_FRAMING_BYTES_FIXED = 1024 * 1024
log = logging.getLogger("cybermassif.runtime.olx_safety")


class UnsafeInputError(ValueError):
    """An uploaded course file or archive was refused."""


class OlxError(UnsafeInputError):
    """An OLX file could not be parsed safely: ``file``, ``line`` (None when unknown), and the ``message``
    id with its ``params``."""

    def __init__(self, file: str, line: int | None, message: str, /, **params: object) -> None:
        self.file = file
        self.line = line
        self.message = message
        self.params = params
        self.reason = Reason(message, params)
        text = str(self.reason)
        super().__init__(f"{file}, line {line}: {text}" if line else f"{file}: {text}")


class ArchiveError(UnsafeInputError):
    """A course archive was refused: the ``message`` id with its ``params``, and ``member`` when one archive
    entry is at fault."""

    def __init__(self, message: str, member: str | None = None, **params: object) -> None:
        self.message = message
        self.params = params
        self.reason = Reason(message, params)
        # A member name that is not UTF-8 comes as surrogate escapes, which no page or terminal can print.
        self.member = None if member is None else member.encode("utf-8", "backslashreplace").decode("utf-8")
        text = str(self.reason)
        super().__init__(f"archive member {member!r}: {text}" if member is not None else text)


def _xml_parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,  # keeps libxml2's limits on depth, text node size and entity amplification
        attribute_defaults=False,
        collect_ids=False,
    )


def parse_xml(data: bytes, *, source: str, max_bytes: int = DEFAULT_MAX_XML_BYTES) -> etree._Element:
    """Parse an OLX document and return its root element; raise OlxError naming ``source`` and the line.

    Refused: documents over ``max_bytes``, any ``<!ENTITY`` declaration (internal or external), and
    anything that is not well-formed XML. No DTD is loaded and nothing is fetched from the network.
    """
    if not isinstance(data, bytes):
        raise TypeError(f"parse_xml expects bytes, not {type(data).__name__}")
    if len(data) > max_bytes:
        raise OlxError(
            source,
            None,
            _("the file is %(size)d bytes long, over the limit of %(limit)d"),
            size=len(data),
            limit=max_bytes,
        )
    # Refuse before parsing, so that no entity is ever expanded, even in attribute values where
    # libxml2 substitutes internal entities whatever resolve_entities says. Declarations can only
    # follow a DOCTYPE: without one, "<!ENTITY" is text (in a CDATA section, say) and harmless.
    doctype = data.find(b"<!DOCTYPE")
    position = data.find(b"<!ENTITY", doctype) if doctype >= 0 else -1
    if position >= 0:
        line = data.count(b"\n", 0, position) + 1
        raise OlxError(source, line, _("entity declarations (<!ENTITY …>) are not allowed"))
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as error:
        # libxml2's own sentence is English: a translatable reason chosen by its code replaces it.
        reason = syntax_reason(error)
        raise OlxError(source, error.lineno or None, reason.message, **reason.params) from None
    # The byte scan above misses declarations in UTF-16 and other wide encodings; the parsed DTD
    # does not.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise OlxError(source, None, _("entity declarations (<!ENTITY …>) are not allowed"))
    return root


def parse_xml_file(path: Path, *, source: str, max_bytes: int = DEFAULT_MAX_XML_BYTES) -> etree._Element:
    """Read and parse the OLX file at ``path`` like ``parse_xml``, never reading more than the limit."""
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)
    return parse_xml(data, source=source, max_bytes=max_bytes)


@dataclass(frozen=True)
class _Member:
    """What the first pass accepted, to check that the second pass reads the same archive."""

    name: str
    type: bytes
    size: int
    path: PurePosixPath

    def describes(self, member: tarfile.TarInfo) -> bool:
        """Whether ``member`` is the entry accepted in the first pass."""
        return (member.name, member.type, member.size) == (self.name, self.type, self.size)


@dataclass(frozen=True)
class _Limits:
    """The caller's limits on the content, and the decompressed size they imply."""

    total_bytes: int
    files: int
    member_bytes: int

    @property
    def decompressed(self) -> int:
        """The most the gzip stream may unpack to: the content plus generous tar framing."""
        return self.total_bytes + _FRAMING_BYTES_PER_MEMBER * (self.files + 1) + _FRAMING_BYTES_FIXED


class _BoundedReader:
    """A read-only stream that fails once more than ``limit`` bytes have been read from it."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._count = 0

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (never unbounded), counting them against the limit."""
        allowed = self._limit - self._count + 1
        data = self._stream.read(allowed if size < 0 else min(size, allowed))
        self._count += len(data)
        if self._count > self._limit:
            raise ArchiveError(
                _("the archive unpacks to more than %(limit)d bytes (content limit plus tar headers)"),
                limit=self._limit,
            )
        return data


@contextmanager
def _open_tar(archive_path: Path, decompressed_limit: int) -> Iterator[tarfile.TarFile]:
    """Open the archive as a forward-only tar stream over a counted gzip stream."""
    with archive_path.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        try:
            with tarfile.open(fileobj=_BoundedReader(unzipped, decompressed_limit), mode="r|") as tar:
                yield tar
        except (tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error) as error:
            log.info("unreadable course archive %s: %s", archive_path.name, error)
            raise ArchiveError(_("the file is not a readable .tar.gz archive")) from None


def _member_path(member: tarfile.TarInfo) -> PurePosixPath:
    """The member's relative path, or ArchiveError when its name is unsafe."""
    name = member.name

    def refuse(reason: str, **params: object) -> ArchiveError:
        return ArchiveError(reason, member=name, **params)

    if "\x00" in name:
        raise refuse(_("names may not contain NUL characters"))
    if "\\" in name:
        raise refuse(_("names may not contain backslashes"))
    if any(ord(character) < 32 or ord(character) == 127 for character in name):
        raise refuse(_("names may not contain control characters"))
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise refuse(_("names must be valid UTF-8")) from None
    if name.startswith("/"):
        raise refuse(_("absolute paths are not allowed"))
    path = PurePosixPath(name)
    if ".." in path.parts:
        raise refuse(_("paths may not contain '..'"))
    if any(len(part.encode("utf-8")) > _MAX_NAME_PART_BYTES for part in path.parts):
        raise refuse(_("a file or folder name is longer than %(limit)d bytes"), limit=_MAX_NAME_PART_BYTES)
    return path


def _check_type(member: tarfile.TarInfo) -> None:
    """Accept regular files and folders only."""
    refused = [
        (member.issym(), _("symbolic links are not allowed")),
        (member.islnk(), _("hard links are not allowed")),
        (member.ischr() or member.isblk(), _("device files are not allowed")),
        (member.isfifo(), _("FIFOs (named pipes) are not allowed")),
        (member.issparse(), _("sparse files are not allowed")),
        (not (member.isreg() or member.isdir()), _("entries of type %(type)s are not allowed")),
    ]
    for is_refused, reason in refused:
        if is_refused:
            raise ArchiveError(reason, member=member.name, type=repr(member.type))


def _inspect(archive_path: Path, dest: Path, limits: _Limits) -> list[_Member]:
    """First pass: check every member and return them, writing nothing."""
    accepted: list[_Member] = []
    files: set[PurePosixPath] = set()
    folders: set[PurePosixPath] = set()
    declared_total = 0
    with _open_tar(archive_path, limits.decompressed) as tar:
        for member in tar:
            if len(accepted) >= limits.files:
                raise ArchiveError(_("the archive holds more than %(limit)d entries"), limit=limits.files)
            path = _member_path(member)
            _check_type(member)
            if member.isreg():
                if member.size > limits.member_bytes:
                    raise ArchiveError(
                        _("%(size)d bytes, over the limit of %(limit)d bytes per file"),
                        member=member.name,
                        size=member.size,
                        limit=limits.member_bytes,
                    )
                declared_total += member.size
                if declared_total > limits.total_bytes:
                    raise ArchiveError(
                        _("the archive content is over the limit of %(limit)d bytes"),
                        limit=limits.total_bytes,
                    )
            if tarfile_filter := getattr(tarfile, "data_filter", None):
                # The standard library's own judgement (Python 3.11.4+), as a second opinion.
                try:
                    tarfile_filter(member, str(dest))
                except tarfile.FilterError as error:
                    log.info("course archive member refused by tarfile: %s", error)
                    raise ArchiveError(
                        _("this entry is not allowed in a course archive (it would be written elsewhere)"),
                        member=member.name,
                    ) from None
            _check_no_clash(member, path, files, folders)
            accepted.append(_Member(member.name, member.type, member.size, path))
    return accepted


def _check_no_clash(
    member: tarfile.TarInfo, path: PurePosixPath, files: set[PurePosixPath], folders: set[PurePosixPath]
) -> None:
    """Refuse a path written twice, or used both as a file and as a folder."""
    if not path.parts:
        return
    parents = [parent for parent in path.parents if parent.parts]
    if any(parent in files for parent in parents):
        raise ArchiveError(_("a parent of this path is a file in the archive"), member=member.name)
    if path in files or (member.isreg() and path in folders):
        raise ArchiveError(_("this path appears more than once in the archive"), member=member.name)
    folders.update(parents)
    (files if member.isreg() else folders).add(path)


def _copy_bounded(source: BinaryIO, target: BinaryIO, *, limit: int, member: str) -> int:
    """Copy at most ``limit`` bytes; ArchiveError when the source holds more."""
    copied = 0
    while chunk := source.read(_CHUNK):
        copied += len(chunk)
        if copied > limit:
            raise ArchiveError(_("more data than the limit of %(limit)d bytes"), member=member, limit=limit)
        target.write(chunk)
    return copied


def _extract(archive_path: Path, staging: Path, accepted: list[_Member], limits: _Limits) -> None:
    """Second pass: write the accepted folders and files into ``staging``, recounting every byte."""
    staging_root = os.path.realpath(staging)
    written_total = seen = 0
    with _open_tar(archive_path, limits.decompressed) as tar:
        for index, member in enumerate(tar):
            seen = index + 1
            expected = accepted[index] if index < len(accepted) else None
            if expected is None or not expected.describes(member):
                raise ArchiveError(_("the archive changed while it was being read"))
            if not expected.path.parts:
                continue
            target = staging.joinpath(*expected.path.parts)
            if not os.path.realpath(target).startswith(staging_root + os.sep):
                raise ArchiveError(_("path leaves the destination folder"), member=member.name)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is None:
                raise ArchiveError(_("unreadable file entry"), member=member.name)
            # The limit holds whatever the header said: per file, and for what is left of the total.
            limit = min(limits.member_bytes, limits.total_bytes - written_total)
            with source, target.open("xb") as output:
                written = _copy_bounded(source, output, limit=limit, member=member.name)
            if written != member.size:
                raise ArchiveError(_("the file is shorter than its header says"), member=member.name)
            written_total += written
    if seen != len(accepted):
        raise ArchiveError(_("the archive changed while it was being read"))


def _find_course_root(staging: Path) -> Path:
    """The folder holding course.xml: the archive's top, or its single top-level folder holding one."""
    if (staging / COURSE_FILE).is_file():
        return Path()
    candidates = sorted(
        child.name for child in staging.iterdir() if child.is_dir() and (child / COURSE_FILE).is_file()
    )
    if not candidates:
        raise ArchiveError(_("no course.xml at the top of the archive or in a top-level folder"))
    if len(candidates) > 1:
        raise ArchiveError(
            _("several top-level folders hold a course.xml: %(folders)s"), folders=", ".join(candidates)
        )
    return Path(candidates[0])


def _check_destination(dest: Path) -> None:
    """Refuse a destination that holds something, or whose parent is missing."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ArchiveError(
            _("the destination %(path)s already exists and is not an empty folder"), path=str(dest)
        )
    if not dest.parent.is_dir():
        raise ArchiveError(
            _("the destination’s parent folder %(path)s does not exist"), path=str(dest.parent)
        )


def extract_course_archive(
    archive_path: Path, dest_dir: Path, *, max_total_bytes: int, max_files: int, max_member_bytes: int
) -> Path:
    """Extract a course .tar.gz into ``dest_dir`` and return the course root (the folder of course.xml).

    ``dest_dir`` must not exist or be an empty folder. Every member is checked before anything is
    written: absolute paths, ``..``, backslashes, NUL and control characters, links, devices, FIFOs,
    sparse files, duplicates, more than ``max_files`` entries, a file over ``max_member_bytes`` or a
    content over ``max_total_bytes`` are refused with ArchiveError. Files are written without the
    archive's owners, modes or dates. On any error ``dest_dir`` is left as it was.
    """
    if min(max_total_bytes, max_files, max_member_bytes) <= 0:
        raise ValueError("archive limits must be positive")
    archive_path, dest = Path(archive_path), Path(dest_dir).absolute()
    limits = _Limits(max_total_bytes, max_files, max_member_bytes)
    _check_destination(dest)
    accepted = _inspect(archive_path, dest, limits)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    try:
        _extract(archive_path, staging, accepted, limits)
        course_root = _find_course_root(staging)
        _check_destination(dest)
        staging.chmod(0o755)  # mkdtemp's 0o700 only had to hide the half-written folder
        if dest.exists():
            dest.rmdir()
        staging.rename(dest)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        log.error("could not write the extracted course %s: %s", archive_path.name, error)
        raise ArchiveError(_("the server could not write the extracted course")) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return dest / course_root

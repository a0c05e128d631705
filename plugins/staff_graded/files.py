"""The files learners may hand in (and trainers give back), and how they are offered for download.

A file's type is decided by its extension, from a short allow-list of documents, spreadsheets, slides,
images and archives: nothing a browser would run or render as a page (HTML, SVG, XML, scripts). A download
is always an attachment, of the allow-list's type, with ``nosniff`` and a sandboxing CSP, so that even a
file whose content lies about its type is never shown in the site's origin.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from webob import Response

#: Extension -> the content type a download is served with.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "md": "text/plain",
    "csv": "text/csv",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "zip": "application/zip",
}
#: The largest file a learner may hand in (the platform keeps at most a little more).
MAX_FILE_BYTES = 1_000_000


def extension(filename: str) -> str:
    """The lower-case extension of ``filename`` ('' when it has none)."""
    _stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot else ""


def content_type_of(filename: str) -> str | None:
    """The type a file of this name is kept and served with, or None when such files are not accepted."""
    return ALLOWED_TYPES.get(extension(filename))


def looks_like_a_path(filename: str) -> bool:
    """Whether a name sent for a file names folders, starts with a dot or holds control characters:
    browsers send a bare name, so such a name is refused rather than guessed at."""
    return (
        "/" in filename
        or "\\" in filename
        or filename.startswith(".")
        or any(unicodedata.category(char).startswith("C") for char in filename)
    )


def download(data: bytes, filename: str) -> Response:
    """A response offering ``data`` as an attachment named ``filename``, never displayed in the page."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response = Response(body=data, content_type=content_type_of(filename) or "application/octet-stream")
    response.charset = None
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response

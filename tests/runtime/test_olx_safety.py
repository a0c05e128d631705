"""Safe course input: OLX parsing (no entities, no network, bounded) and archive extraction that
refuses malicious members before writing anything. Archives are built for real with tarfile."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import time
from pathlib import Path

import pytest
from lxml import etree

from app.runtime import olx_safety
from app.runtime.olx_safety import (
    DEFAULT_MAX_XML_BYTES,
    ArchiveError,
    OlxError,
    UnsafeInputError,
    extract_course_archive,
    parse_xml,
    parse_xml_file,
)

MiB = 1024 * 1024
LIMITS = {"max_total_bytes": 10 * MiB, "max_files": 100, "max_member_bytes": 5 * MiB}
COURSE_XML = b'<course url_name="2025" org="ACME" course="CS101"/>\n'

# --- parse_xml ---


def test_well_formed_olx_is_parsed():
    root = parse_xml(b'<?xml version="1.0"?>\n<course><chapter url_name="c1"/></course>', source="course.xml")
    assert root.tag == "course"
    assert root[0].get("url_name") == "c1"


def test_a_doctype_without_entities_is_accepted():
    assert parse_xml(b"<!DOCTYPE course>\n<course/>", source="course.xml").tag == "course"


def test_malformed_xml_reports_file_and_line():
    with pytest.raises(OlxError) as raised:
        parse_xml(b"<course>\n  <chapter>\n</course>\n", source="course/chapter/intro.xml")
    error = raised.value
    assert (error.file, error.line) == ("course/chapter/intro.xml", 3)
    assert "does not match the element <chapter> opened on line 2" in str(error)
    assert "mismatch" not in str(error)  # libxml2's own English is replaced by a translatable reason
    assert str(error).startswith("course/chapter/intro.xml, line 3: ")
    assert isinstance(error, UnsafeInputError)
    assert isinstance(error, ValueError)


def test_empty_document_is_refused():
    with pytest.raises(OlxError, match="empty") as raised:
        parse_xml(b"", source="empty.xml")
    assert raised.value.line == 1


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz a="&lol3;">&lol3;</lolz>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE course [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<course>&xxe;</course>
"""


def test_entity_declarations_are_refused_with_their_line():
    with pytest.raises(OlxError, match="entity declarations") as raised:
        parse_xml(BILLION_LAUGHS, source="lolz.xml")
    assert raised.value.line == 3


def test_external_entities_are_refused_and_never_read():
    with pytest.raises(OlxError, match="entity declarations") as raised:
        parse_xml(XXE, source="course.xml")
    assert raised.value.line == 2
    assert "root:" not in str(raised.value)


def test_parameter_entities_are_refused():
    document = b'<!DOCTYPE c [<!ENTITY % remote SYSTEM "http://example.com/x.dtd"> %remote;]><c/>'
    with pytest.raises(OlxError, match="entity declarations"):
        parse_xml(document, source="c.xml")


def test_entity_declarations_in_wide_encodings_are_refused_too():
    # The byte scan cannot see "<!ENTITY" in UTF-16: the parsed DTD is checked as well.
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE c [<!ENTITY e "x">]><c>&e;</c>'
    with pytest.raises(OlxError, match="entity declarations"):
        parse_xml(document.encode("utf-16"), source="c.xml")


def test_entity_declarations_shown_as_text_are_not_mistaken_for_real_ones():
    root = parse_xml(b"<problem><![CDATA[Write <!ENTITY x 'y'> in your DTD]]></problem>", source="p.xml")
    assert "<!ENTITY" in root.text


def test_undeclared_entities_are_errors_not_lookups():
    with pytest.raises(OlxError, match="the entity &xxe; is not defined"):
        parse_xml(b"<course>&xxe;</course>", source="course.xml")


def test_the_parser_itself_neither_resolves_nor_fetches():
    # Defence in depth, should the declaration check ever be bypassed.
    root = etree.fromstring(XXE, olx_safety._xml_parser())
    assert "root:" not in etree.tostring(root, encoding="unicode")
    assert root.text is None


def test_deep_nesting_is_refused():
    with pytest.raises(OlxError, match="nested too deeply"):
        parse_xml(b"<a>" * 5000 + b"</a>" * 5000, source="deep.xml")


def test_a_10_mb_document_is_over_the_default_limit():
    body = b"<course>" + b"<p>x</p>" * (10 * MiB // 8) + b"</course>"
    assert len(body) > DEFAULT_MAX_XML_BYTES
    with pytest.raises(OlxError, match="over the limit") as raised:
        parse_xml(body, source="big.xml")
    assert raised.value.file == "big.xml"


def test_the_size_limit_is_exact():
    document = b"<c>" + b"x" * 93 + b"</c>"
    assert parse_xml(document, source="c.xml", max_bytes=100).tag == "c"
    with pytest.raises(OlxError, match="over the limit of 99"):
        parse_xml(document, source="c.xml", max_bytes=99)


def test_parse_xml_file_reads_no_more_than_the_limit(tmp_path: Path):
    path = tmp_path / "big.xml"
    path.write_bytes(b"<c>" + b" " * (10 * MiB) + b"</c>")
    with pytest.raises(OlxError, match="over the limit"):
        parse_xml_file(path, source="big.xml")
    (tmp_path / "ok.xml").write_bytes(b"<c/>")
    assert parse_xml_file(tmp_path / "ok.xml", source="ok.xml").tag == "c"


def test_text_is_refused():
    with pytest.raises(TypeError):
        parse_xml("<c/>", source="c.xml")  # type: ignore[arg-type]


# --- archive helpers ---


def _info(name: str, kind: bytes = tarfile.REGTYPE, size: int = 0, **attributes: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    for attribute, value in attributes.items():
        setattr(info, attribute, value)
    return info


def build_archive(path: Path, entries: list[tuple[str, bytes | None]], *extra: tarfile.TarInfo) -> Path:
    """A .tar.gz of files (bytes) and folders (None), then raw extra members."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in entries:
            if data is None:
                tar.addfile(_info(name, tarfile.DIRTYPE))
            else:
                tar.addfile(_info(name, size=len(data)), io.BytesIO(data))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"\0" * info.size) if info.isreg() else None)
    return path


VALID_COURSE = [
    ("course", None),
    ("course/course.xml", COURSE_XML),
    ("course/chapter/c1.xml", b'<chapter display_name="Intro"/>'),
    ("course/static/images/logo.png", b"\x89PNG fake"),
]


def _extract(tmp_path: Path, archive: Path, **limits: int) -> Path:
    return extract_course_archive(archive, tmp_path / "out" / "course", **{**LIMITS, **limits})


def _assert_nothing_written(tmp_path: Path) -> None:
    """dest_dir absent, no staging folder left, nothing escaped next to the archive."""
    assert list((tmp_path / "out").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.tar.gz", "out"]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    (tmp_path / "out").mkdir()
    return tmp_path / "archive.tar.gz"


# --- valid archives ---


def test_a_valid_course_archive_is_extracted(tmp_path: Path, archive: Path):
    root = _extract(tmp_path, build_archive(archive, VALID_COURSE))
    dest = tmp_path / "out" / "course"
    assert root == dest / "course"
    assert (root / "course.xml").read_bytes() == COURSE_XML
    assert (root / "static" / "images" / "logo.png").read_bytes() == b"\x89PNG fake"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["course"]  # no staging left
    assert stat.S_IMODE(dest.stat().st_mode) == 0o755


def test_course_xml_at_the_top_of_the_archive(tmp_path: Path, archive: Path):
    entries = [(".", None), ("./course.xml", COURSE_XML), ("./chapter/c1.xml", b"<chapter/>")]
    root = _extract(tmp_path, build_archive(archive, entries))
    assert root == tmp_path / "out" / "course"
    assert (root / "chapter" / "c1.xml").is_file()


def test_files_are_written_without_the_archive_modes(tmp_path: Path, archive: Path):
    setuid = _info("course/run.sh", size=4, mode=0o6777)
    root = _extract(tmp_path, build_archive(archive, VALID_COURSE, setuid))
    mode = (root / "run.sh").stat().st_mode
    assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_IWOTH | stat.S_IXUSR)


def test_an_existing_empty_destination_is_used(tmp_path: Path, archive: Path):
    (tmp_path / "out" / "course").mkdir()
    root = _extract(tmp_path, build_archive(archive, VALID_COURSE))
    assert (root / "course.xml").is_file()


def test_a_non_empty_destination_is_refused(tmp_path: Path, archive: Path):
    (tmp_path / "out" / "course").mkdir()
    (tmp_path / "out" / "course" / "keep.txt").write_text("mine")
    with pytest.raises(ArchiveError, match="not an empty folder"):
        _extract(tmp_path, build_archive(archive, VALID_COURSE))
    assert (tmp_path / "out" / "course" / "keep.txt").read_text() == "mine"


# --- malicious members: refused before anything is written ---


def _refused(
    tmp_path: Path, archive: Path, *extra: tarfile.TarInfo, match: str, **limits: int
) -> ArchiveError:
    # The bad member comes after valid ones, so extracting as we went would have written files.
    build_archive(archive, VALID_COURSE, *extra)
    with pytest.raises(ArchiveError, match=match) as raised:
        _extract(tmp_path, archive, **limits)
    _assert_nothing_written(tmp_path)
    return raised.value


@pytest.mark.parametrize("name", ["../evil", "course/../../evil", "course/static/../../../evil", ".."])
def test_parent_components_are_refused(tmp_path: Path, archive: Path, name: str):
    error = _refused(tmp_path, archive, _info(name, size=4), match=r"'\.\.'")
    assert error.member == name
    assert not (tmp_path / "evil").exists()


@pytest.mark.parametrize("name", ["/etc/passwd", "//etc/passwd", "/tmp/evil"])
def test_absolute_paths_are_refused(tmp_path: Path, archive: Path, name: str):
    error = _refused(tmp_path, archive, _info(name, size=4), match="absolute")
    assert error.member == name


def test_a_symlink_to_etc_is_refused(tmp_path: Path, archive: Path):
    link = _info("course/static/etc", tarfile.SYMTYPE, linkname="/etc")
    _refused(tmp_path, archive, link, match="symbolic links")


def test_even_a_harmless_looking_symlink_is_refused(tmp_path: Path, archive: Path):
    link = _info("course/alias.xml", tarfile.SYMTYPE, linkname="course.xml")
    _refused(tmp_path, archive, link, match="symbolic links")


def test_a_hard_link_is_refused(tmp_path: Path, archive: Path):
    link = _info("course/static/passwd", tarfile.LNKTYPE, linkname="/etc/passwd")
    _refused(tmp_path, archive, link, match="hard links")


@pytest.mark.parametrize(
    ("kind", "reason"),
    [(tarfile.CHRTYPE, "device"), (tarfile.BLKTYPE, "device"), (tarfile.FIFOTYPE, "FIFO")],
)
def test_devices_and_fifos_are_refused(tmp_path: Path, archive: Path, kind: bytes, reason: str):
    _refused(tmp_path, archive, _info("course/dev", kind), match=reason)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("course\\..\\..\\evil", "backslashes"),
        ("course/a\x00b", "NUL"),
        ("course/line\nbreak.xml", "control characters"),
        ("course/" + "x" * 256, "longer than 255 bytes"),
    ],
)
def test_unsafe_names_are_refused(tmp_path: Path, archive: Path, name: str, reason: str):
    # Pax headers carry the name verbatim, NUL included.
    member = _info("course/placeholder", size=1, pax_headers={"path": name})
    error = _refused(tmp_path, archive, member, match=reason)
    assert error.member == name


def test_an_oversized_member_is_refused(tmp_path: Path, archive: Path):
    error = _refused(
        tmp_path,
        archive,
        _info("course/static/video.mp4", size=2 * MiB),
        match="per file",
        max_member_bytes=MiB,
    )
    assert error.member == "course/static/video.mp4"


def test_a_content_total_over_the_limit_is_refused(tmp_path: Path, archive: Path):
    files = [_info(f"course/static/f{n}.bin", size=400 * 1024) for n in range(4)]
    _refused(tmp_path, archive, *files, match="archive content is over the limit", max_total_bytes=MiB)


def test_a_gzip_bomb_is_refused_quickly(tmp_path: Path, archive: Path):
    bomb = _info("course/static/zeros.bin", size=200 * MiB)
    build_archive(archive, VALID_COURSE, bomb)
    assert archive.stat().st_size < MiB  # 200 MiB of zeros compress to a few hundred kB
    started = time.monotonic()
    with pytest.raises(ArchiveError, match="per file"):
        _extract(tmp_path, archive)
    assert time.monotonic() - started < 5  # refused from the header, without inflating the data
    _assert_nothing_written(tmp_path)


def test_too_many_files_are_refused(tmp_path: Path, archive: Path):
    many = [_info(f"course/html/h{n}.html", size=1) for n in range(20)]
    _refused(tmp_path, archive, *many, match="more than 10 entries", max_files=10)


def test_a_huge_pax_header_is_stopped_while_streaming(tmp_path: Path, archive: Path):
    # No member declares a large size: only counting the decompressed stream can catch this.
    padded = _info("course/about.xml", size=1, pax_headers={"comment": "x" * (6 * MiB)})
    _refused(tmp_path, archive, padded, match="unpacks to more than", max_total_bytes=MiB, max_files=10)


def test_duplicate_paths_are_refused(tmp_path: Path, archive: Path):
    _refused(tmp_path, archive, _info("course/course.xml", size=4), match="more than once")


def test_a_file_used_as_a_folder_is_refused(tmp_path: Path, archive: Path):
    _refused(
        tmp_path, archive, _info("course/course.xml/inner.xml", size=4), match="parent of this path is a file"
    )


def test_an_archive_without_course_xml_is_refused(tmp_path: Path, archive: Path):
    build_archive(archive, [("course/chapter/c1.xml", b"<chapter/>")])
    with pytest.raises(ArchiveError, match=r"no course\.xml"):
        _extract(tmp_path, archive)
    _assert_nothing_written(tmp_path)


def test_several_course_folders_are_refused(tmp_path: Path, archive: Path):
    build_archive(archive, [("a/course.xml", COURSE_XML), ("b/course.xml", COURSE_XML)])
    with pytest.raises(ArchiveError, match=r"several top-level folders hold a course\.xml: a, b"):
        _extract(tmp_path, archive)
    _assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    "content",
    [b"", b"not an archive at all", b"\x1f\x8b\x08\x00garbage", None],
    ids=["empty", "text", "broken-gzip", "plain-tar"],
)
def test_files_that_are_not_tar_gz_are_refused(tmp_path: Path, archive: Path, content: bytes | None):
    if content is None:
        with tarfile.open(archive, "w") as tar:
            tar.addfile(_info("course/course.xml", size=len(COURSE_XML)), io.BytesIO(COURSE_XML))
    else:
        archive.write_bytes(content)
    with pytest.raises(ArchiveError, match=r"not a readable \.tar\.gz archive"):
        _extract(tmp_path, archive)
    _assert_nothing_written(tmp_path)


def test_a_truncated_archive_is_refused(tmp_path: Path, archive: Path):
    data = build_archive(
        archive, [*VALID_COURSE, ("course/static/big.bin", os.urandom(200_000))]
    ).read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveError):
        _extract(tmp_path, archive)
    _assert_nothing_written(tmp_path)


def test_an_archive_that_changes_between_the_passes_is_refused(
    tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch
):
    build_archive(archive, VALID_COURSE)
    inspect = olx_safety._inspect
    monkeypatch.setattr(olx_safety, "_inspect", lambda *args: inspect(*args)[:-1])
    with pytest.raises(ArchiveError, match="changed while it was being read"):
        _extract(tmp_path, archive)
    _assert_nothing_written(tmp_path)


def test_copying_stops_at_the_limit_whatever_the_header_said():
    # A well-formed tar cannot hold more data than its header declares, so the streaming limit is
    # exercised directly: it is what bounds the writes if a reader ever yields more.
    target = io.BytesIO()
    with pytest.raises(ArchiveError, match="more data than the limit of 100 bytes"):
        olx_safety._copy_bounded(io.BytesIO(b"x" * 1000), target, limit=100, member="m")
    assert len(target.getvalue()) <= 100
    assert olx_safety._copy_bounded(io.BytesIO(b"x" * 100), io.BytesIO(), limit=100, member="m") == 100


def test_limits_must_be_positive(tmp_path: Path, archive: Path):
    with pytest.raises(ValueError, match="positive"):
        _extract(tmp_path, build_archive(archive, VALID_COURSE), max_files=0)

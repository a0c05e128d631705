"""The demo courses of courses/: they import, have the agreed shape, and their content holds together.

Structure, VISTA tags and grading are checked on what the real importer stored; links, assets, videos,
problems, case studies, frescoes and typography are checked on the OLX files the authors write.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import struct
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses import vista_tags
from app.courses.importing import import_course
from app.courses.models import Course, CourseAsset, Enrolment
from app.runtime.models import StoredBlock
from tests.conftest import sign_in

COURSES_DIR = Path(__file__).resolve().parents[2] / "courses"
ALL_COURSES = sorted(p for p in COURSES_DIR.iterdir() if (p / "course.xml").is_file())
# folder -> course number; the org is Cybermassif and the run 2026 for all of them
DEMO = {"vendre-en-ligne": "VENTE", "cybersecurite-pme": "CYBER", "facture-electronique": "FACTURX"}
DEMO_DIRS = [COURSES_DIR / name for name in DEMO]
COMPONENT_TYPES = ("html", "video", "problem", "discussion", "case_study", "ict_fresco")
SECTORS = {
    "retail",
    "crafts_building",
    "manufacturing",
    "tourism_hospitality",
    "agriculture_food",
    "services",
}
FUNCTIONS = {
    "sales_marketing",
    "production",
    "purchasing_logistics",
    "accounting_invoicing",
    "hr",
    "communication",
}
# Départements of the Massif Central (wholly or partly), where the fictional companies are.
MASSIF_CENTRAL = {"03", "07", "11", "12", "15", "19", "21", "23", "30", "34", "42", "43", "46", "48", "58",
                  "63", "69", "71", "81", "82", "87", "89"}  # fmt: skip
SIZE_CLASSES = {"micro": range(0, 10), "small": range(10, 50), "medium": range(50, 250)}
PLACEHOLDERS = re.compile(
    r"lorem|ipsum|\btodo\b|\bfixme\b|\btbd\b|à compléter|a completer|xxx", re.IGNORECASE
)
TEXT_SUFFIXES = {".xml", ".html", ".json", ".vtt", ".svg"}
STATIC_LINK = re.compile(r"""/static/([^"'()\s?#<]+)""")
JUMP_LINK = re.compile(r"""/jump_to_id/([^"'()\s?#<]+)""")
NBSP = "\u00a0\u202f"


def _parse(path: Path) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.parse(str(path), parser).getroot()


def _files(folder: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and (not suffixes or p.suffix in suffixes))


def _blocks(folder: Path, block_type: str) -> list[tuple[Path, etree._Element]]:
    """Every definition of a block type in a course folder: pointer files, and inline ones in verticals."""
    found = (
        [(p, _parse(p)) for p in _files(folder / block_type, ".xml")]
        if (folder / block_type).is_dir()
        else []
    )
    for path in _files(folder / "vertical", ".xml"):
        found += [(path, node) for node in _parse(path).iter(block_type) if len(node.attrib) > 1 or len(node)]
    return found


def _import(folder: Path) -> tuple[Course, dict[str, StoredBlock]]:
    result = import_course(folder, actor=None)
    db.session.commit()
    rows = db.session.scalars(select(StoredBlock).where(StoredBlock.tree_id == result.tree_id)).all()
    return result.course, {row.usage_id: row for row in rows}


def _children(blocks: dict[str, StoredBlock]) -> dict[str | None, list[StoredBlock]]:
    children: dict[str | None, list[StoredBlock]] = {}
    for block in sorted(blocks.values(), key=lambda b: b.position):
        children.setdefault(block.parent_usage_id, []).append(block)
    return children


def _descendants(block: StoredBlock, children: dict[str | None, list[StoredBlock]]) -> list[StoredBlock]:
    found = []
    for child in children.get(block.usage_id, []):
        found += [child, *_descendants(child, children)]
    return found


def _graded(block: StoredBlock) -> tuple[bool, str | None]:
    """A sequence's ``graded`` and ``format``, whether kept as fields or as OLX attributes."""
    settings = block.settings or {}
    kept = settings.get("xml_attributes") or {}
    graded = settings.get("graded", kept.get("graded"))
    return graded in (True, "true", "True"), settings.get("format", kept.get("format"))


@pytest.mark.parametrize("folder", ALL_COURSES, ids=[p.name for p in ALL_COURSES])
def test_every_course_folder_imports(app_ctx, folder):
    course, blocks = _import(folder)
    assert course.course_key.startswith("course-v1:") and course.published_tree_id is not None
    assert len(blocks) > 1
    assets = db.session.scalars(
        select(CourseAsset.path).where(CourseAsset.tree_id == course.published_tree_id)
    )
    on_disk = {p.relative_to(folder / "static").as_posix() for p in _files(folder / "static")}
    assert set(assets) == on_disk


def test_the_three_demo_courses_are_there():
    assert {p.name for p in DEMO_DIRS} <= {p.name for p in ALL_COURSES}


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_demo_course_identity_and_catalogue_page(app_ctx, folder):
    course, _ = _import(folder)
    assert course.course_key == f"course-v1:Cybermassif+{DEMO[folder.name]}+2026"
    assert (course.language, course.open_enrolment) == ("fr", True)
    assert course.title and course.title != DEMO[folder.name]
    assert len(course.short_description) > 80
    assert "<h2>" in course.about["overview"] and len(course.about["overview"]) > 800


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_demo_course_structure(app_ctx, folder):
    _, blocks = _import(folder)
    children = _children(blocks)
    (root,) = children[None]
    chapters = children[root.usage_id]
    assert len(chapters) >= 3 and {c.block_type for c in chapters} == {"chapter"}
    for chapter in chapters:
        inside = _descendants(chapter, children)
        units = [b for b in inside if b.block_type == "vertical"]
        assert 2 <= len(units) <= 4, f"{chapter.url_name}: {len(units)} units"
        assert any(b.block_type == "discussion" for b in inside), f"{chapter.url_name} has no forum"
        assert all(children.get(u.usage_id) for u in units), f"{chapter.url_name} has an empty unit"
    counts = Counter(b.block_type for b in blocks.values())
    for block_type in COMPONENT_TYPES:
        assert counts[block_type] >= 1, f"no {block_type} in {folder.name}"
    assert counts["ict_fresco"] == 1 and counts["problem"] >= 3
    assert counts["vista_pulse"] == 1, "a demo course asks its VISTA pulse once, in its last chapter"
    (pulse,) = (b for b in blocks.values() if b.block_type == "vista_pulse")
    assert pulse in _descendants(chapters[-1], children)
    assert all(b.url_name for b in blocks.values() if b.block_type != "course")
    forums = [b.settings.get("discussion_id") for b in blocks.values() if b.block_type == "discussion"]
    assert len(forums) == len(chapters) and len(set(forums)) == len(forums) and all(forums)


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_vista_tags(app_ctx, folder):
    course, blocks = _import(folder)
    vista = course.policy["cybermassif_vista"]
    (root,) = _children(blocks)[None]
    assert vista_tags.of_course_block(root.settings) == vista  # what the outline and VISTA read
    assert vista and set(vista) <= {f"D{n}" for n in range(1, 7)}
    assert all(isinstance(w, int | float) and not isinstance(w, bool) and 0 < w <= 1 for w in vista.values())


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_grading_policy_matches_the_graded_sequences(app_ctx, folder):
    course, blocks = _import(folder)
    policy = course.grading_policy
    assert policy["GRADE_CUTOFFS"] == {"Pass": 0.6}
    graders = {g["type"]: g for g in policy["GRADER"]}
    assert math.isclose(sum(g["weight"] for g in graders.values()), 1.0)
    assert {"Quiz", "Étude de cas"} <= set(graders)
    children = _children(blocks)
    formats: Counter[str] = Counter()
    for sequence in (b for b in blocks.values() if b.block_type == "sequential"):
        graded, fmt = _graded(sequence)
        if not graded:
            continue
        assert fmt in graders, f"{sequence.url_name}: unknown format {fmt!r}"
        formats[fmt] += 1
        scored = {"Quiz": "problem", "Étude de cas": "case_study"}[fmt]
        assert any(b.block_type == scored for b in _descendants(sequence, children)), sequence.url_name
    assert formats == Counter({kind: g["min_count"] for kind, g in graders.items()})


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_no_placeholder_text(folder):
    for path in _files(folder, *TEXT_SUFFIXES):
        text = path.read_text(encoding="utf-8")
        assert not PLACEHOLDERS.search(text), f"{path}: {PLACEHOLDERS.search(text).group(0)!r}"


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_links_point_inside_the_course_and_every_asset_is_used(folder):
    url_names = {node.get("url_name") for path in _files(folder, ".xml") for node in _parse(path).iter()}
    url_names |= {p.stem for d in ("chapter", "sequential", "vertical") for p in _files(folder / d, ".xml")}
    assets = {p.relative_to(folder / "static").as_posix() for p in _files(folder / "static")}
    used: set[str] = set()
    for path in _files(folder, ".xml", ".html"):
        text = path.read_text(encoding="utf-8")
        for target in JUMP_LINK.findall(text):
            assert target in url_names, f"{path.name}: /jump_to_id/{target} names no block"
        for asset in STATIC_LINK.findall(text):
            assert asset in assets, f"{path.name}: /static/{asset} is missing"
            used.add(asset)
    for _, video in _blocks(folder, "video"):
        used |= {t.get("src") for t in video.iter("transcript")}
    assert used == assets, f"unused assets: {sorted(assets - used)}"


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_svg_illustrations_are_safe_and_described(folder):
    svgs = _files(folder / "static", ".svg")
    assert len(svgs) >= 4
    for path in svgs:
        root = _parse(path)
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox"), path.name
        assert root.findtext("{http://www.w3.org/2000/svg}title"), f"{path.name} has no title"
        for node in root.iter():
            assert etree.QName(node).localname not in {"script", "foreignObject", "iframe"}, path.name
            for name, value in node.attrib.items():
                assert not etree.QName(name).localname.startswith("on"), f"{path.name}: {name}"
                assert "javascript:" not in value and "http" not in value.replace("http://www.w3.org", "")


def _mp4_duration(data: bytes) -> float:
    """Seconds, from the movie header box (mvhd) of an ISO base media file."""
    at = data.index(b"mvhd") + 4
    version = data[at]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", data[at + 20 : at + 32])
    else:
        timescale, duration = struct.unpack(">II", data[at + 12 : at + 20])
    return duration / timescale


def _cues(vtt: str) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:
        hours, minutes, rest = stamp.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(rest)

    cues = []
    for block in vtt.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        timing = next(i for i, line in enumerate(lines) if "-->" in line)
        start, end = (seconds(s.strip().split(" ")[0]) for s in lines[timing].split("-->"))
        cues.append((start, end, " ".join(lines[timing + 1 :]).strip()))
    return cues


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_videos_are_real_files_with_matching_transcripts(folder):
    videos = _blocks(folder, "video")
    assert videos
    for path, video in videos:
        sources = json.loads(video.get("html5_sources"))
        assert sources and [s.get("src") for s in video.iter("source")] == sources
        for source in sources:
            data = (folder / "static" / source.removeprefix("/static/")).read_bytes()
            assert data[4:8] == b"ftyp", f"{source} is not an MP4 file"
            duration = _mp4_duration(data)
            assert 60 <= duration <= 600
        (transcript,) = video.iter("transcript")
        assert transcript.get("language") == "fr"
        vtt = (folder / "static" / transcript.get("src")).read_text(encoding="utf-8")
        assert vtt.startswith("WEBVTT")
        cues = _cues(vtt)
        assert len(cues) >= 10 and all(text for _, _, text in cues)
        assert all(start < end for start, end, _ in cues)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(cues)), "overlapping cues"
        assert cues[-1][1] <= duration + 0.5, f"{path.name}: transcript outlasts the video"


def _response_problems(response: etree._Element) -> list[str]:
    kind = response.tag
    if kind == "multiplechoiceresponse":
        choices = list(response.iter("choice"))
        if sum(c.get("correct") == "true" for c in choices) != 1:
            return ["a multiple choice needs exactly one correct choice"]
        if not all(c.find("choicehint") is not None for c in choices):
            return ["every multiple choice answer gets a hint"]
    elif kind == "choiceresponse" and not any(c.get("correct") == "true" for c in response.iter("choice")):
        return ["a checkbox group needs a correct choice"]
    elif kind == "optionresponse":
        for field in response.iter("optioninput"):
            options = list(field.iter("option"))
            if options and sum(o.get("correct") == "True" for o in options) != 1:
                return ["a dropdown needs exactly one correct option"]
            if not options and f"'{field.get('correct')}'" not in field.get("options", ""):
                return ["the correct option is not among the options"]
    elif kind == "numericalresponse":
        float(response.get("answer"))
        tolerance = response.find("responseparam")
        if tolerance is None or tolerance.get("type") != "tolerance":
            return ["a numerical answer needs a tolerance"]
    elif kind == "stringresponse" and response.find("additional_answer") is None:
        return ["a text answer should accept variants (additional_answer)"]
    return [] if response.find("label") is not None else ["a response needs a label"]


def test_problems_use_every_response_type_with_solutions():
    kinds: Counter[str] = Counter()
    for folder in DEMO_DIRS:
        for path, problem in _blocks(folder, "problem"):
            assert problem.get("weight") and problem.get("max_attempts") and problem.get("showanswer"), path
            assert problem.find("solution/div[@class='detailed-solution']") is not None, (
                f"{path.name}: solution"
            )
            responses = [n for n in problem if isinstance(n.tag, str) and n.tag.endswith("response")]
            assert responses, path.name
            for response in responses:
                assert _response_problems(response) == [], f"{path.name} <{response.tag}>"
                kinds[response.tag] += 1
    expected = {
        "multiplechoiceresponse",
        "choiceresponse",
        "optionresponse",
        "numericalresponse",
        "stringresponse",
    }
    assert set(kinds) == expected and min(kinds.values()) >= 2


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_case_studies_describe_a_fictional_massif_central_company(folder):
    cases = _blocks(folder, "case_study")
    assert cases
    for path, case in cases:
        assert case.get("sector") in SECTORS and case.get("departement") in MASSIF_CENTRAL
        assert int(case.get("headcount")) in SIZE_CLASSES[case.get("size")], path.name
        assert "fictive" in etree.tostring(case.find("profile"), encoding="unicode")
        for section in ("profile", "situation", "solution", "implementation", "lessons"):
            assert len("".join(case.find(section).itertext()).strip()) > 150, f"{path.name}: {section}"
        figures = case.findall("figures/figure")
        assert {f.get("kind") for f in figures} == {"cost", "result"}
        assert all(f.get("label") and f.get("value") for f in figures)
        images = case.findall("image")
        assert images and all(i.get("alt") and (folder / i.get("src").lstrip("/")).is_file() for i in images)
        questions = case.findall("question")
        assert 2 <= len(questions) <= 3 and len({q.get("id") for q in questions}) == len(questions)


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_fresco_cells_are_valid(folder):
    ((_, fresco),) = _blocks(folder, "ict_fresco")
    cells = fresco.findall("cell")
    places = [(c.get("sector"), c.get("function")) for c in cells]
    assert len(set(places)) == len(places) >= 10
    assert all(s in SECTORS and f in FUNCTIONS for s, f in places)
    assert all(c.findtext("text") and c.findtext("tools") for c in cells)
    if folder.name == "vendre-en-ligne":
        assert set(places) == {(s, f) for s in SECTORS for f in FUNCTIONS}  # the complete 6 × 6 fresco


def _reader_text(path: Path) -> str:
    """What a reader sees of a file: text nodes and shown attributes, without code samples."""
    if path.suffix == ".vtt":
        cues = path.read_text(encoding="utf-8").split("\n\n", 1)[1]  # after the header block
        return "\n".join(line for line in cues.split("\n") if "-->" not in line)
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return "\n".join(str(v.get("display_name", "")) for v in data.values() if isinstance(v, dict))
    text = path.read_text(encoding="utf-8")
    shown = re.findall(r'\b(?:display_name|alt|caption|label|value|discussion_category)="([^"]*)"', text)
    text = re.sub(r"<code>.*?</code>", "", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    return html.unescape("\n".join([text, *shown]))


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_french_typography(folder):
    for path in _files(folder, *TEXT_SUFFIXES):
        text = _reader_text(path)
        assert "'" not in text, f"{path.name}: straight apostrophe (use ’)"
        for match in re.finditer(r"(.{0,15})([;!?]|:(?=\s))", text):
            before = match.group(1)
            if match.group(2) == "!" and re.search(r"\w+\d$", before):
                continue  # a password example such as « Menuiserie2025! »
            assert before[-1:] in NBSP, f"{path.name}: no non-breaking space in {match.group(0)!r}"
        assert not re.search(r"« | »", text), f"{path.name}: ordinary space inside « »"


ASSET_URL = re.compile(r'(?:src|href)="(/formations/[^/"]+/static/[^"]+)"')


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_every_unit_page_renders_for_an_enrolled_learner(app, client, make_user, make_company, folder):
    with app.app_context():
        course, blocks = _import(folder)
        key, course_id = course.course_key, course.id
        units = [(b.usage_id, b.url_name) for b in blocks.values() if b.block_type == "vertical"]
        parts = {b.usage_id: b.parent_usage_id for b in blocks.values()}
    learner = make_user(roles=[(Role.LEARNER, make_company())])
    with app.app_context():
        db.session.add(Enrolment(user_id=learner.id, course_id=course_id))
        db.session.commit()
    sign_in(client, learner.email)
    linked: set[str] = set()
    for usage_id, url_name in units:
        response = client.get(f"/formations/{key}/unite/{usage_id}")
        assert response.status_code == 200, f"{url_name}: {response.status_code}"
        page = response.get_data(as_text=True)
        assert "xblock-unavailable" not in page, f"{url_name}: a component could not be shown"
        for child, parent in parts.items():
            if parent == usage_id:
                assert f'data-usage-id="{child}"' in page, f"{url_name}: {child} is not shown"
        linked |= set(ASSET_URL.findall(page))
    assert linked, "no course asset is linked from the unit pages"
    for url in sorted(linked):
        response = client.get(url)
        assert response.status_code == 200 and response.data, url


@pytest.mark.parametrize("folder", DEMO_DIRS, ids=list(DEMO))
def test_demo_courses_have_an_effort_and_an_image_for_their_presentation(app_ctx, folder):
    course, _ = _import(folder)
    assert course.about["effort"].strip()
    image = course.policy["course_image"]
    assert (folder / "static" / image).is_file()

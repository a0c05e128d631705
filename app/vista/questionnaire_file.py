"""The questionnaire data file (``app/vista/questionnaires/*.json``): :func:`read` validates a file into a
:class:`QuestionnaireSpec`, reporting every problem at once, and :func:`load` inserts a spec as a new
questionnaire version (flushing, never committing).

A version, once loaded, never changes: loading the same (code, version) again is a no-op when the content
is the same and is refused when it differs, because submitted assessments refer to the rows as they are.
Messages are English: the file is handled by operators through the command line.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.vista.models import (
    DIMENSIONS,
    ItemKind,
    Lens,
    QuestionnaireItem,
    QuestionnairePage,
    QuestionnaireVersion,
)

MAX_FILE_BYTES = 1_000_000
SHIPPED = Path(__file__).parent / "questionnaires" / "vista-2026.json"
# The item whose answer is the company's declared headcount (coverage of the Use lens is counted on it).
HEADCOUNT_CODE = "headcount"

# Which kinds each lens may use (docs/vista.md, "Six dimensions × three lenses").
LENS_KINDS = {
    Lens.ADOPTION.value: {ItemKind.TICK, ItemKind.INVEST, ItemKind.SCALE, ItemKind.TRIPLE},
    Lens.USE.value: {ItemKind.AGREE, ItemKind.SCALE},
    Lens.IMPACT.value: {ItemKind.AGREE, ItemKind.FIGURE},
}
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
CODE_LENGTH = 40
TITLE_LENGTH = 200
UNIT_LENGTH = 40
TEXT_LENGTH = 2000

TOP_FIELDS = {"code", "version", "title_fr", "title_en", "pages"}
PAGE_FIELDS = {"code", "dimension", "title_fr", "title_en", "intro_fr", "intro_en", "items"}
ITEM_FIELDS = {
    "code",
    "dimension",
    "lens",
    "kind",
    "weight",
    "negative",
    "allows_not_relevant",
    "required",
    "text_fr",
    "text_en",
    "help_fr",
    "help_en",
    "unit_fr",
    "unit_en",
    "minimum",
    "maximum",
}
ITEM_REQUIRED = {"code", "dimension", "lens", "kind", "text_fr", "text_en"}


class QuestionnaireFileError(ValueError):
    """A questionnaire file that cannot be loaded; ``problems`` lists every fault found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class VersionConflict(QuestionnaireFileError):
    """The (code, version) is already loaded with other content."""


@dataclass(frozen=True)
class ItemSpec:
    """One item, its fields named as the columns of :class:`QuestionnaireItem`."""

    code: str
    dimension: str | None
    lens: str
    kind: str
    weight: float
    negative: bool
    allows_not_relevant: bool
    required: bool
    text_fr: str
    text_en: str
    help_fr: str
    help_en: str
    unit_fr: str
    unit_en: str
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class PageSpec:
    """One page and its items, in order."""

    code: str
    dimension: str | None
    title_fr: str
    title_en: str
    intro_fr: str
    intro_en: str
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class QuestionnaireSpec:
    """A validated questionnaire file."""

    code: str
    version: str
    title_fr: str
    title_en: str
    pages: tuple[PageSpec, ...]

    @property
    def items(self) -> list[ItemSpec]:
        """Every item, page after page."""
        return [item for page in self.pages for item in page.items]

    @property
    def digest(self) -> str:
        """sha256 of the canonical JSON of the content (defaults filled in, keys sorted)."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Checker:
    """Collects the problems of one file, each prefixed with where it is."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def unknown_fields(self, where: str, data: dict[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(data) - allowed):
            self.fail(where, f"unknown field {key!r}")

    def code(self, where: str, data: dict[str, Any], field: str = "code") -> str:
        value = data.get(field)
        if not isinstance(value, str) or not value:
            self.fail(where, f"{field} is missing or not a string")
            return ""
        if len(value) > CODE_LENGTH or not CODE.match(value):
            self.fail(where, f"{field} {value!r} must be 1 to {CODE_LENGTH} lower-case letters, digits or _")
        return value

    def text(self, where: str, data: dict[str, Any], field: str, *, required: bool, limit: int) -> str:
        value = data.get(field, None if required else "")
        if value is None and not required:
            value = ""
        if not isinstance(value, str):
            self.fail(
                where, f"{field} is missing or not a string" if required else f"{field} must be a string"
            )
            return ""
        if required and not value.strip():
            self.fail(where, f"{field} is empty")
        if len(value) > limit:
            self.fail(where, f"{field} is longer than {limit} characters")
        return value

    def flag(self, where: str, data: dict[str, Any], field: str, default: bool) -> bool:
        value = data.get(field, default)
        if not isinstance(value, bool):
            self.fail(where, f"{field} must be true or false")
            return default
        return value

    def number(self, where: str, data: dict[str, Any], field: str) -> float | None:
        value = data.get(field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(where, f"{field} must be a number")
            return None
        return float(value)

    def dimension(self, where: str, data: dict[str, Any]) -> str | None:
        if "dimension" not in data:
            self.fail(where, "dimension is missing (give null for the company's own figures)")
            return None
        value = data["dimension"]
        if value is not None and value not in DIMENSIONS:
            self.fail(where, f"unknown dimension {value!r} (expected null or one of {', '.join(DIMENSIONS)})")
            return None
        return value


def _lens_and_kind(check: _Checker, where: str, data: dict[str, Any]) -> tuple[str, str]:
    """The item's lens and kind ("" when unknown), and whether the lens allows the kind."""
    lens, kind = data.get("lens"), data.get("kind")
    lens_known = isinstance(lens, str) and lens in LENS_KINDS
    kind_known = isinstance(kind, str) and kind in {k.value for k in ItemKind}
    if "lens" in data and not lens_known:
        check.fail(where, f"unknown lens {lens!r} (expected A, U or I)")
    if "kind" in data and not kind_known:
        check.fail(where, f"unknown kind {kind!r} (expected one of {', '.join(k.value for k in ItemKind)})")
    elif kind_known and lens_known and kind not in {k.value for k in LENS_KINDS[lens]}:
        allowed = ", ".join(sorted(k.value for k in LENS_KINDS[lens]))
        check.fail(where, f"kind {kind!r} is not allowed for lens {lens} (allowed: {allowed})")
    return (lens if lens_known else ""), (kind if kind_known else "")


def _weight(check: _Checker, where: str, data: dict[str, Any]) -> float:
    if "weight" not in data:
        return 1.0
    weight = check.number(where, data, "weight")
    if weight is None:
        if data["weight"] is None:
            check.fail(where, "weight must be a number")
        return 1.0
    if weight <= 0:
        check.fail(where, "weight must be greater than 0")
    return weight


def _figure_fields(
    check: _Checker, where: str, data: dict[str, Any], kind: str, negative: bool
) -> tuple[float | None, float | None, str, str]:
    """Range and unit: required of figures, refused on scored items."""
    minimum, maximum = check.number(where, data, "minimum"), check.number(where, data, "maximum")
    unit_fr = check.text(where, data, "unit_fr", required=False, limit=UNIT_LENGTH)
    unit_en = check.text(where, data, "unit_en", required=False, limit=UNIT_LENGTH)
    if kind == ItemKind.FIGURE:
        if minimum is None or maximum is None:
            check.fail(where, "a figure needs a minimum and a maximum (its range)")
        elif minimum > maximum:
            check.fail(where, f"minimum {minimum:g} is greater than maximum {maximum:g}")
        if negative:
            check.fail(where, "a figure is never scored, so it cannot be negative")
    elif kind:
        if "dimension" in data and data["dimension"] is None:
            check.fail(where, "only a figure can belong to no dimension")
        for field in ("minimum", "maximum", "unit_fr", "unit_en"):
            if data.get(field) not in (None, ""):
                check.fail(where, f"{field} is for figures only (kind is {kind!r})")
    return minimum, maximum, unit_fr, unit_en


def _item(check: _Checker, where: str, data: Any, page_dimension: str | None) -> ItemSpec | None:
    if not isinstance(data, dict):
        check.fail(where, "an item must be a JSON object")
        return None
    check.unknown_fields(where, data, ITEM_FIELDS)
    for field in sorted(ITEM_REQUIRED - set(data)):
        if field not in ("code", "dimension", "text_fr", "text_en"):  # those have their own message
            check.fail(where, f"{field} is missing")
    dimension = check.dimension(where, data)
    # An unknown dimension was reported already; only a known one can disagree with its page.
    known = dimension is not None or data.get("dimension", "") is None
    if known and dimension != page_dimension:
        check.fail(where, f"dimension {dimension!r} differs from its page's dimension {page_dimension!r}")
    lens, kind = _lens_and_kind(check, where, data)
    negative = check.flag(where, data, "negative", False)
    minimum, maximum, unit_fr, unit_en = _figure_fields(check, where, data, kind, negative)
    return ItemSpec(
        code=check.code(where, data),
        dimension=dimension,
        lens=lens,
        kind=kind,
        weight=_weight(check, where, data),
        negative=negative,
        allows_not_relevant=check.flag(where, data, "allows_not_relevant", False),
        required=check.flag(where, data, "required", True),
        text_fr=check.text(where, data, "text_fr", required=True, limit=TEXT_LENGTH),
        text_en=check.text(where, data, "text_en", required=True, limit=TEXT_LENGTH),
        help_fr=check.text(where, data, "help_fr", required=False, limit=TEXT_LENGTH),
        help_en=check.text(where, data, "help_en", required=False, limit=TEXT_LENGTH),
        unit_fr=unit_fr,
        unit_en=unit_en,
        minimum=minimum,
        maximum=maximum,
    )


def _page(check: _Checker, index: int, data: Any) -> PageSpec | None:
    if not isinstance(data, dict):
        check.fail(f"page {index + 1}", "a page must be a JSON object")
        return None
    code = data.get("code")
    where = f"page {code!r}" if isinstance(code, str) and code else f"page {index + 1}"
    check.unknown_fields(where, data, PAGE_FIELDS)
    code = check.code(where, data)
    dimension = check.dimension(where, data)
    items_data = data.get("items")
    items: list[ItemSpec] = []
    if not isinstance(items_data, list) or not items_data:
        check.fail(where, "items must be a non-empty list")
    else:
        for position, item_data in enumerate(items_data):
            item_code = item_data.get("code") if isinstance(item_data, dict) else None
            label = repr(item_code) if isinstance(item_code, str) and item_code else f"{position + 1}"
            item = _item(check, f"{where}, item {label}", item_data, dimension)
            if item is not None:
                items.append(item)
    return PageSpec(
        code=code,
        dimension=dimension,
        title_fr=check.text(where, data, "title_fr", required=True, limit=TITLE_LENGTH),
        title_en=check.text(where, data, "title_en", required=True, limit=TITLE_LENGTH),
        intro_fr=check.text(where, data, "intro_fr", required=False, limit=TEXT_LENGTH),
        intro_en=check.text(where, data, "intro_en", required=False, limit=TEXT_LENGTH),
        items=tuple(items),
    )


def _whole(check: _Checker, pages: list[PageSpec]) -> None:
    """Checks across pages: unique codes, the headcount item, an adoption item in every dimension."""
    seen_pages: set[str] = set()
    seen_items: set[str] = set()
    for page in pages:
        if page.code and page.code in seen_pages:
            check.fail(f"page {page.code!r}", "duplicate page code")
        seen_pages.add(page.code)
        for item in page.items:
            if item.code and item.code in seen_items:
                check.fail(f"page {page.code!r}, item {item.code!r}", "duplicate item code")
            seen_items.add(item.code)
    items = [item for page in pages for item in page.items]
    headcount = [item for item in items if item.code == HEADCOUNT_CODE]
    if not headcount:
        check.fail("", f"no item {HEADCOUNT_CODE!r}: the company's declared headcount is needed")
    elif headcount[0].kind != ItemKind.FIGURE or headcount[0].dimension is not None:
        check.fail(f"item {HEADCOUNT_CODE!r}", "the headcount must be a figure on a page of no dimension")
    for dimension in DIMENSIONS:
        if not any(item.dimension == dimension and item.lens == Lens.ADOPTION for item in items):
            check.fail("", f"dimension {dimension} has no adoption item")


def parse(data: Any) -> QuestionnaireSpec:
    """Validate decoded JSON; raise :class:`QuestionnaireFileError` listing every problem."""
    check = _Checker()
    if not isinstance(data, dict):
        raise QuestionnaireFileError([f"the file must hold a JSON object, not {type(data).__name__}"])
    check.unknown_fields("", data, TOP_FIELDS)
    code = check.code("", data)
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        check.fail("", "version is missing or not a string")
        version = ""
    elif len(version) > CODE_LENGTH:
        check.fail("", f"version is longer than {CODE_LENGTH} characters")
    title_fr = check.text("", data, "title_fr", required=True, limit=TITLE_LENGTH)
    title_en = check.text("", data, "title_en", required=True, limit=TITLE_LENGTH)
    pages: list[PageSpec] = []
    pages_data = data.get("pages")
    if not isinstance(pages_data, list) or not pages_data:
        check.fail("", "pages must be a non-empty list")
    else:
        pages = [page for i, p in enumerate(pages_data) if (page := _page(check, i, p)) is not None]
        _whole(check, pages)
    if check.problems:
        raise QuestionnaireFileError(check.problems)
    return QuestionnaireSpec(code, version, title_fr, title_en, tuple(pages))


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def read(path: Path | str) -> QuestionnaireSpec:
    """Read and validate a questionnaire file; raise :class:`QuestionnaireFileError` listing every problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise QuestionnaireFileError([f"{path.name}: the file is larger than {MAX_FILE_BYTES:,} bytes"])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise QuestionnaireFileError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise QuestionnaireFileError([f"{path}: is a folder, not a file"]) from None
    except OSError as error:
        raise QuestionnaireFileError([f"{path}: cannot be read ({error.strerror or error})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuestionnaireFileError([f"{path.name}: not UTF-8 text"]) from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise QuestionnaireFileError(
            [f"{path.name}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"]
        ) from None
    except (ValueError, RecursionError) as error:
        raise QuestionnaireFileError([f"{path.name}: not valid JSON ({error})"]) from None
    return parse(data)


def find_loaded(session: Session, spec: QuestionnaireSpec) -> QuestionnaireVersion | None:
    """The version already loaded with the spec's (code, version); :class:`VersionConflict` if its content
    differs from the spec's."""
    loaded = session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.code == spec.code, QuestionnaireVersion.version == spec.version
        )
    )
    if loaded is not None and loaded.digest != spec.digest:
        raise VersionConflict(
            [
                f"version {spec.version} of {spec.code!r} is already loaded with other content: "
                "give the new content a new version"
            ]
        )
    return loaded


def load(session: Session, spec: QuestionnaireSpec) -> QuestionnaireVersion:
    """Insert the spec as a questionnaire version with its pages and items (flushed, not committed); return
    the loaded version as it is when the same content was loaded before; :class:`VersionConflict` if the
    (code, version) was loaded with other content."""
    loaded = find_loaded(session, spec)
    if loaded is not None:
        return loaded
    version = QuestionnaireVersion(
        code=spec.code,
        version=spec.version,
        title_fr=spec.title_fr,
        title_en=spec.title_en,
        digest=spec.digest,
    )
    session.add(version)
    session.flush()
    for position, page_spec in enumerate(spec.pages):
        page = QuestionnairePage(
            questionnaire_id=version.id,
            position=position,
            code=page_spec.code,
            dimension=page_spec.dimension,
            title_fr=page_spec.title_fr,
            title_en=page_spec.title_en,
            intro_fr=page_spec.intro_fr,
            intro_en=page_spec.intro_en,
        )
        session.add(page)
        session.flush()
        for item_position, item in enumerate(page_spec.items):
            session.add(
                QuestionnaireItem(
                    questionnaire_id=version.id, page_id=page.id, position=item_position, **asdict(item)
                )
            )
    session.flush()
    return version

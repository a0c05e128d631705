"""Opaque keys for courses, block usages, block definitions and asides, shaped like Open edX's.

Real third-party XBlocks read Open edX key attributes (``block_id``, ``block_type``, ``course_key``,
``context_key``, ``html_id()``…), so the host hands them keys of that shape without depending on
edx-opaque-keys. The string forms are::

    course-v1:ORG+COURSE+RUN
    block-v1:ORG+COURSE+RUN+type@TYPE+block@ID
    def-v1:ORG+COURSE+RUN+type@TYPE+block@ID
    aside-usage-v2:{usage key}::{aside type}
    aside-def-v2:{definition key}::{aside type}

Differences from Open edX, on purpose:

- every component (org, course, run, block type, block id, aside type) is 1 to 255 ASCII letters,
  digits, ``_``, ``.``, ``-`` or ``~``. Open edX also accepts ``:`` and any Unicode word character;
  refusing them keeps keys plain ASCII in URLs, file names and HTML, and keeps ``::`` an unambiguous
  aside separator (so Open edX's ``$`` escaping of aside keys is never needed);
- a definition key is derived from the same parts as its usage key (Open edX stores a Mongo id there):
  this host never shares a definition between usages, and derived ids stay stable across re-imports;
- ``html_id()`` is an injective encoding of the key's parts (see ``_html_id``), where Open edX returns
  the bare block id for usages and the full key string, ``:`` and ``+`` included, for courses.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

from xblock.exceptions import NoSuchDefinition, NoSuchUsage
from xblock.runtime import IdGenerator, IdReader

MAX_COMPONENT_LENGTH = 255
MAX_BLOCK_ID_LENGTH = 100  # block ids derived from url_names; leaves room in 255-character key columns
ALLOWED_CHARACTERS = "ASCII letters, digits, '_', '.', '-' and '~'"

_COMPONENT = re.compile(r"[A-Za-z0-9_.~-]+")
_HASH_LENGTH = 12
_HASHED_SUFFIX = re.compile(rf"~[0-9a-f]{{{_HASH_LENGTH}}}\Z")
_NOT_READABLE = re.compile(r"[^A-Za-z0-9_.-]+")


class InvalidKeyError(ValueError):
    """A key, a key string or a key component is malformed."""


def _shown(text: str) -> str:
    """Quote user input in an error message without letting a huge string flood the logs."""
    return repr(text if len(text) <= 120 else text[:120] + "…")


def _check_component(kind: str, value: object) -> None:
    if not isinstance(value, str):
        raise InvalidKeyError(f"{kind} must be a string, not {type(value).__name__}")
    if not value:
        raise InvalidKeyError(f"{kind} is empty")
    if len(value) > MAX_COMPONENT_LENGTH:
        raise InvalidKeyError(f"{kind} {_shown(value)} is longer than {MAX_COMPONENT_LENGTH} characters")
    if _COMPONENT.fullmatch(value) is None:
        raise InvalidKeyError(f"{kind} {_shown(value)} may contain only {ALLOWED_CHARACTERS}")


def _html_id(kind: str, *parts: str) -> str:
    """Encode parts as an HTML id that CSS and jQuery selectors accept without escaping.

    Letters and digits are kept; any other character becomes ``_`` and its two hex digits (``.`` is
    ``_2e``, ``_`` is ``_5f``); parts are joined by ``-``. The encoding is injective, so two distinct
    keys never share an id on a page; the leading word keeps the id starting with a letter.
    """
    encoded = (
        "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):02x}" for c in part) for part in parts
    )
    return "-".join((kind, *encoded))


def _strip_prefix(text: object, prefix: str, kind: str, shape: str) -> str:
    if not isinstance(text, str):
        raise InvalidKeyError(f"a {kind} must be a string, not {type(text).__name__}")
    if not text.startswith(prefix):
        raise InvalidKeyError(f"{_shown(text)} is not a {kind}: expected {shape}")
    return text[len(prefix) :]


@dataclass(frozen=True, order=True)
class CourseKey:
    """A course run: ``course-v1:ORG+COURSE+RUN``."""

    org: str
    course: str
    run: str

    PREFIX: ClassVar[str] = "course-v1:"
    SHAPE: ClassVar[str] = "'course-v1:ORG+COURSE+RUN'"

    def __post_init__(self) -> None:
        for name in ("org", "course", "run"):
            _check_component(name, getattr(self, name))

    def __str__(self) -> str:
        return self._text

    @functools.cached_property
    def _text(self) -> str:
        # Keys are immutable: the string form is built once (cached_property writes the instance's
        # ``__dict__`` directly, which a frozen dataclass allows; it is no field, so equality, ordering
        # and hashing are unchanged).
        return f"{self.PREFIX}{self.org}+{self.course}+{self.run}"

    @classmethod
    def from_string(cls, text: str) -> CourseKey:
        """Parse ``course-v1:ORG+COURSE+RUN``; raise InvalidKeyError on anything else."""
        body = _strip_prefix(text, cls.PREFIX, "course key", cls.SHAPE)
        parts = body.split("+")
        if len(parts) != 3:
            raise InvalidKeyError(f"{_shown(text)} is not a course key: expected {cls.SHAPE}")
        try:
            return cls(*parts)
        except InvalidKeyError as error:
            raise InvalidKeyError(f"invalid course key {_shown(text)}: {error}") from None

    def replace(self, **changes: str) -> CourseKey:
        """A copy with some of ``org``, ``course``, ``run`` changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def html_id(self) -> str:
        """An HTML id naming this course, e.g. ``course-ACME-CS101-2025_5f1``."""
        return _html_id("course", self.org, self.course, self.run)

    def make_usage_key(self, block_type: str, block_id: str) -> UsageKey:
        """The usage key of block ``block_id`` of type ``block_type`` in this course (Open edX API)."""
        return UsageKey(self, block_type, block_id)

    @property
    def deprecated(self) -> bool:
        """Open edX flags its old slash-separated keys; ours never are."""
        return False


@dataclass(frozen=True, order=True)
class _BlockKey:
    """The parts shared by usage and definition keys: a course, a block type and a block id."""

    course_key: CourseKey
    block_type: str
    block_id: str

    PREFIX: ClassVar[str] = ""
    KIND: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if not isinstance(self.course_key, CourseKey):
            raise InvalidKeyError(f"course_key must be a CourseKey, not {type(self.course_key).__name__}")
        _check_component("block type", self.block_type)
        _check_component("block id", self.block_id)

    def __str__(self) -> str:
        return self._text

    @functools.cached_property
    def _text(self) -> str:
        # Built once per key (see CourseKey._text): pages turn the same keys into strings many times.
        course = str(self.course_key).removeprefix(CourseKey.PREFIX)
        return f"{self.PREFIX}{course}+type@{self.block_type}+block@{self.block_id}"

    @classmethod
    def _shape(cls) -> str:
        return f"'{cls.PREFIX}ORG+COURSE+RUN+type@TYPE+block@ID'"

    @classmethod
    def from_string(cls, text: str) -> Self:
        """Parse ``PREFIX:ORG+COURSE+RUN+type@TYPE+block@ID``; raise InvalidKeyError on anything else."""
        body = _strip_prefix(text, cls.PREFIX, cls.KIND, cls._shape())
        parts = body.split("+")
        if len(parts) != 5 or not parts[3].startswith("type@") or not parts[4].startswith("block@"):
            raise InvalidKeyError(f"{_shown(text)} is not a {cls.KIND}: expected {cls._shape()}")
        try:
            course_key = CourseKey(*parts[:3])
            return cls(course_key, parts[3].removeprefix("type@"), parts[4].removeprefix("block@"))
        except InvalidKeyError as error:
            raise InvalidKeyError(f"invalid {cls.KIND} {_shown(text)}: {error}") from None

    def replace(self, **changes: Any) -> Self:
        """A copy with some parts changed: ``course_key``, ``block_type``, ``block_id``, or the course
        key's own ``org``, ``course``, ``run`` (as Open edX's ``replace`` allows)."""
        course_changes = {name: changes.pop(name) for name in ("org", "course", "run") if name in changes}
        if course_changes:
            changes["course_key"] = changes.get("course_key", self.course_key).replace(**course_changes)
        return dataclasses.replace(self, **changes)

    @property
    def context_key(self) -> CourseKey:
        """The learning context holding the block: its course (Open edX's name)."""
        return self.course_key

    @property
    def org(self) -> str:
        """The course's organisation."""
        return self.course_key.org

    @property
    def course(self) -> str:
        """The course's code."""
        return self.course_key.course

    @property
    def run(self) -> str:
        """The course's run."""
        return self.course_key.run

    @property
    def deprecated(self) -> bool:
        """Open edX flags its old ``i4x://`` keys; ours never are."""
        return False


@dataclass(frozen=True, order=True)
class UsageKey(_BlockKey):
    """A block where it is used in a course: ``block-v1:ORG+COURSE+RUN+type@TYPE+block@ID``."""

    PREFIX: ClassVar[str] = "block-v1:"
    KIND: ClassVar[str] = "usage key"

    @functools.cached_property
    def definition_key(self) -> DefinitionKey:
        """The definition this usage is derived from (one definition per usage in this host)."""
        return DefinitionKey(self.course_key, self.block_type, self.block_id)

    def html_id(self) -> str:
        """An HTML id for the block's element, e.g. ``block-problem-intro_5fquiz``."""
        return _html_id("block", self.block_type, self.block_id)

    def map_into_course(self, course_key: CourseKey) -> UsageKey:
        """The same block in another course (Open edX API)."""
        return self.replace(course_key=course_key)


@dataclass(frozen=True, order=True)
class DefinitionKey(_BlockKey):
    """A block's content definition: ``def-v1:ORG+COURSE+RUN+type@TYPE+block@ID``."""

    PREFIX: ClassVar[str] = "def-v1:"
    KIND: ClassVar[str] = "definition key"

    @property
    def usage_key(self) -> UsageKey:
        """The single usage of this definition."""
        return UsageKey(self.course_key, self.block_type, self.block_id)


def _split_aside(text: object, prefix: str, kind: str, inner: str) -> tuple[str, str]:
    shape = f"'{prefix}{{{inner}}}::{{aside type}}'"
    body = _strip_prefix(text, prefix, kind, shape)
    left, separator, aside_type = body.rpartition("::")
    if not separator:
        raise InvalidKeyError(f"{_shown(str(text))} is not an {kind}: expected {shape}")
    return left, aside_type


@dataclass(frozen=True, order=True)
class AsideUsageKey:
    """An aside attached to a block usage: ``aside-usage-v2:{usage key}::{aside type}``."""

    usage_key: UsageKey
    aside_type: str

    PREFIX: ClassVar[str] = "aside-usage-v2:"

    def __post_init__(self) -> None:
        if not isinstance(self.usage_key, UsageKey):
            raise InvalidKeyError(f"usage_key must be a UsageKey, not {type(self.usage_key).__name__}")
        _check_component("aside type", self.aside_type)

    def __str__(self) -> str:
        return f"{self.PREFIX}{self.usage_key}::{self.aside_type}"

    @classmethod
    def from_string(cls, text: str) -> AsideUsageKey:
        """Parse ``aside-usage-v2:{usage key}::{aside type}``; raise InvalidKeyError on anything else."""
        left, aside_type = _split_aside(text, cls.PREFIX, "aside usage key", "usage key")
        try:
            return cls(UsageKey.from_string(left), aside_type)
        except InvalidKeyError as error:
            raise InvalidKeyError(f"invalid aside usage key {_shown(text)}: {error}") from None

    def replace(self, **changes: Any) -> AsideUsageKey:
        """A copy with ``usage_key`` and/or ``aside_type`` changed."""
        return dataclasses.replace(self, **changes)

    @property
    def block_id(self) -> str:
        """The block id of the usage the aside comments on."""
        return self.usage_key.block_id

    @property
    def block_type(self) -> str:
        """The block type of the usage the aside comments on (Open edX's meaning)."""
        return self.usage_key.block_type

    @property
    def course_key(self) -> CourseKey:
        """The course of the usage the aside comments on."""
        return self.usage_key.course_key

    @property
    def context_key(self) -> CourseKey:
        """The learning context: the course."""
        return self.usage_key.course_key

    @property
    def definition_key(self) -> DefinitionKey:
        """The definition of the usage the aside comments on (Open edX's meaning)."""
        return self.usage_key.definition_key


@dataclass(frozen=True, order=True)
class AsideDefinitionKey:
    """An aside attached to a block definition: ``aside-def-v2:{definition key}::{aside type}``."""

    definition_key: DefinitionKey
    aside_type: str

    PREFIX: ClassVar[str] = "aside-def-v2:"

    def __post_init__(self) -> None:
        if not isinstance(self.definition_key, DefinitionKey):
            kind = type(self.definition_key).__name__
            raise InvalidKeyError(f"definition_key must be a DefinitionKey, not {kind}")
        _check_component("aside type", self.aside_type)

    def __str__(self) -> str:
        return f"{self.PREFIX}{self.definition_key}::{self.aside_type}"

    @classmethod
    def from_string(cls, text: str) -> AsideDefinitionKey:
        """Parse ``aside-def-v2:{definition key}::{aside type}``; raise InvalidKeyError on anything else."""
        left, aside_type = _split_aside(text, cls.PREFIX, "aside definition key", "definition key")
        try:
            return cls(DefinitionKey.from_string(left), aside_type)
        except InvalidKeyError as error:
            raise InvalidKeyError(f"invalid aside definition key {_shown(text)}: {error}") from None

    def replace(self, **changes: Any) -> AsideDefinitionKey:
        """A copy with ``definition_key`` and/or ``aside_type`` changed."""
        return dataclasses.replace(self, **changes)

    @property
    def block_type(self) -> str:
        """The block type of the definition the aside comments on (Open edX's meaning)."""
        return self.definition_key.block_type


def normalise_url_name(url_name: str) -> str:
    """Turn an OLX ``url_name`` into a block id, deterministically and without collisions.

    - A url_name that is already a valid block id (only ASCII letters, digits, ``_ . - ~``, at most
      ``MAX_BLOCK_ID_LENGTH`` characters) is kept as it is, unless it ends like a hashed id (below).
    - Any other url_name (accents, spaces, ``:``, too long…) becomes a readable part followed by ``~``
      and the first 12 hex digits of the SHA-256 of the original url_name (UTF-8). The readable part is
      the url_name with accents removed (NFKD) and runs of other characters replaced by ``_``.

    No two url_names share a block id, except by a SHA-256 collision: kept ids never end with
    ``~`` + 12 lowercase hex digits (such url_names are hashed too), hashed ids always do, and two
    hashed ids differ in their digest. So "Séance 1" and "Seance_1" get different ids.
    """
    if not isinstance(url_name, str) or not url_name:
        raise InvalidKeyError("a url_name must be a non-empty string")
    is_plain = _COMPONENT.fullmatch(url_name) is not None and len(url_name) <= MAX_BLOCK_ID_LENGTH
    if is_plain and _HASHED_SUFFIX.search(url_name) is None:
        return url_name
    digest = hashlib.sha256(url_name.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_LENGTH]
    ascii_text = unicodedata.normalize("NFKD", url_name).encode("ascii", "ignore").decode("ascii")
    readable = _NOT_READABLE.sub("_", ascii_text).strip("_")
    readable = readable[: MAX_BLOCK_ID_LENGTH - _HASH_LENGTH - 1] or "block"
    return f"{readable}~{digest}"


def usage_key_for(course_key: CourseKey, block_type: str, url_name: str) -> UsageKey:
    """The stable usage key of an OLX block: derived only from its course, type and url_name, so a
    block keeps its id (and its learners' state) across re-imports and re-orderings."""
    return UsageKey(course_key, block_type, normalise_url_name(url_name))


_T = TypeVar("_T")


class KeyIdReader(IdReader):
    """XBlock's IdReader over our keys: every answer is read from the key itself, without a lookup.

    As in XBlock's MemoryIdManager, an aside definition's "block type" is its aside type, and an aside
    usage's definition is the aside definition (the ids the runtime puts in an aside's ScopeIds).
    """

    def get_definition_id(self, usage_id: UsageKey | AsideUsageKey) -> DefinitionKey | AsideDefinitionKey:
        """The definition a usage derives from."""
        if isinstance(usage_id, UsageKey):
            return usage_id.definition_key
        if isinstance(usage_id, AsideUsageKey):
            return AsideDefinitionKey(usage_id.definition_key, usage_id.aside_type)
        raise NoSuchUsage(repr(usage_id))

    def get_block_type(self, def_id: DefinitionKey | AsideDefinitionKey) -> str:
        """The block type (or aside type) a definition defines."""
        if isinstance(def_id, DefinitionKey):
            return def_id.block_type
        if isinstance(def_id, AsideDefinitionKey):
            return def_id.aside_type
        raise NoSuchDefinition(repr(def_id))

    def get_usage_id_from_aside(self, aside_id: AsideUsageKey) -> UsageKey:
        """The usage an aside usage comments on."""
        return _expect(aside_id, AsideUsageKey, NoSuchUsage).usage_key

    def get_definition_id_from_aside(self, aside_id: AsideDefinitionKey) -> DefinitionKey:
        """The definition an aside definition comments on."""
        return _expect(aside_id, AsideDefinitionKey, NoSuchDefinition).definition_key

    def get_aside_type_from_usage(self, aside_id: AsideUsageKey) -> str:
        """The aside type of an aside usage."""
        return _expect(aside_id, AsideUsageKey, NoSuchUsage).aside_type

    def get_aside_type_from_definition(self, aside_id: AsideDefinitionKey) -> str:
        """The aside type of an aside definition."""
        return _expect(aside_id, AsideDefinitionKey, NoSuchDefinition).aside_type


def _expect(value: object, kind: type[_T], error: type[Exception]) -> _T:
    if not isinstance(value, kind):
        raise error(repr(value))
    return value


class KeyIdGenerator(IdGenerator):
    """XBlock's IdGenerator for one course: makes our keys, deterministic whenever a slug is given."""

    def __init__(self, course_key: CourseKey) -> None:
        self.course_key = course_key

    def create_definition(self, block_type: str, slug: str | None = None) -> DefinitionKey:
        """A definition of ``block_type`` in this course, its id derived from ``slug`` (a url_name).

        Without a slug (XBlock's own ``parse_xml`` path, or a block newly added by an author) the id is
        a random UUID, as Open edX does: such ids are new, so there is no earlier id to keep stable.
        """
        block_id = normalise_url_name(slug) if slug else uuid.uuid4().hex
        return DefinitionKey(self.course_key, block_type, block_id)

    def create_usage(self, def_id: DefinitionKey) -> UsageKey:
        """The usage of ``def_id``: one usage per definition, sharing its parts."""
        if not isinstance(def_id, DefinitionKey):
            raise TypeError(f"def_id must be a DefinitionKey, not {type(def_id).__name__}")
        return def_id.usage_key

    def create_aside(
        self, definition_id: DefinitionKey, usage_id: UsageKey, aside_type: str
    ) -> tuple[AsideDefinitionKey, AsideUsageKey]:
        """The definition and usage ids of aside ``aside_type`` commenting on a block."""
        return AsideDefinitionKey(definition_id, aside_type), AsideUsageKey(usage_id, aside_type)

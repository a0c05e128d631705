"""OLX parsing into a block tree, in memory: the runtime that reads a course's XML files into BlockRecords.

:class:`ImportRuntime` is a :class:`~app.runtime.host.HostRuntime` in authoring mode over an empty
:class:`~app.runtime.tree.LoadedTree`. Each block parses itself (``parse_xml``); the runtime resolves what
OLX spreads over files before handing a node to its block:

- a pointer tag (``<chapter url_name="x"/>``: only ``url_name``, no children, no text) is replaced by the
  root of ``chapter/x.xml``; inline definitions are parsed where they stand. A missing file is a problem,
  except for an installed leaf block (no children, not ``html``): ``<done url_name="x"/>`` alone is that
  block with its default fields;
- ``<html filename="x" …/>`` gets the text of ``html/x.html`` as its content;
- ``policy.json`` entries (``chapter/x``…) are applied after parsing: declared fields are set, other keys
  go to ``xml_attributes`` (as strings, so that export writes them as attributes) as Open edX does;
- a type that is not installed, or is disabled, becomes an :class:`UnavailableBlock` whose OLX (pointers
  resolved, ``url_name`` removed: the file name or pointer carries it) is kept for export; so does a
  component whose own ``parse_xml`` fails (its content cannot be read here): that is a *warning*
  (``warnings``), not a problem — a component's content never refuses a course, only the runtime's rules
  of safety and structure do (and a container that cannot be read, being the structure). What a block
  read says of its own settings through XBlock's ``validate()`` (warnings and errors) is listed as a
  warning too, the block kept as it is.

Usage ids come from the course key, the block type and the ``url_name`` (stable across re-imports and
re-orderings). A block without ``url_name`` gets ``{parent url_name}-{type}-{position}`` (position
counted from 1 among its parent's children): deterministic, but it changes when such a block moves, so
authors should name blocks that learners' state depends on. Export writes every ``url_name`` out.

Blocks read other course files while they parse through ``runtime.resources_fs``, as on Open edX: the
course folder through pyfilesystem2 (XBlock's own dependency), read-only and confined to the folder.

Nothing raises on bad input: every problem is collected as a :class:`Problem` (file, line, message id and
its parameters), so that a caller can report all of them at once, each in its reader's language
(:meth:`Problem.translated`; ``str(problem)`` is English). No database, no Flask.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fs.osfs import OSFS
from fs.wrap import read_only
from lxml import etree
from xblock.core import XBlock
from xblock.fields import Scope, ScopeIds
from xblock.validation import ValidationMessage

from app.runtime.host import HostConfig, HostRuntime, Learner
from app.runtime.keys import CourseKey, InvalidKeyError, usage_key_for
from app.runtime.olx_safety import DEFAULT_MAX_XML_BYTES, OlxError, parse_xml, parse_xml_file
from app.runtime.placeholder import UnavailableBlock
from app.runtime.reasons import Reason, _, fill
from app.runtime.store import FieldStore
from app.runtime.tree import CONTAINER_TYPES, BlockRecord, LoadedTree

log = logging.getLogger("cybermassif.runtime.olx_import")

MAX_URL_NAME_LENGTH = 255
_RESERVED_FIELDS = ("children", "parent", "xml_attributes")


@dataclass(frozen=True)
class Problem:
    """One reason an import was refused: where, the ``message`` id with its ``params``, and ``code``, the
    kind of problem."""

    file: str
    line: int | None
    message: str
    code: str = "invalid"
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of ``gettext``, its parameters filled in (without file and line)."""
        return fill(self.message, self.params, gettext)

    @property
    def text(self) -> str:
        """The message in English, its parameters filled in."""
        return fill(self.message, self.params)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}" if self.line else f"{self.file}: {self.text}"


def _error_text(error: Exception) -> str:
    # A ValueError is how blocks say their content is wrong (XBlock's convention): its message is the
    # reason. Any other exception is a fault of the block, named so that its author can find it.
    text = str(error) if type(error) is ValueError and str(error) else f"{type(error).__name__}: {error}"
    return text if len(text) <= 500 else f"{text[:500]}…"


class ImportFailed(Exception):
    """The import was refused; ``problems`` lists every reason found. Nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


@dataclass(frozen=True)
class ImportLimits:
    """Size limits of one import (bytes and counts)."""

    max_xml_bytes: int = DEFAULT_MAX_XML_BYTES
    max_html_bytes: int = 5 * 1024 * 1024
    max_asset_bytes: int = 25 * 1024 * 1024
    max_total_bytes: int = 250 * 1024 * 1024
    max_files: int = 10_000
    max_blocks: int = 20_000


class NullUrls:
    """The UrlBuilder of runtimes that never render (import, export): every URL is empty."""

    def handler_url(self, usage_id: str, handler: str, suffix: str, query: str, thirdparty: bool) -> str:
        """No handler URL outside a request."""
        return ""

    def local_resource_url(self, block_type: str, uri: str) -> str:
        """No resource URL outside a request."""
        return ""

    def resource_url(self, resource: str) -> str:
        """No static URL outside a request."""
        return ""

    def asset_url(self, path: str) -> str:
        """Asset links stay as written (``/static/…``)."""
        return f"/static/{path}"

    def unit_url(self, usage_id: str) -> str:
        """No page outside a request: links to other blocks stay as written (``/jump_to_id/…``)."""
        return ""


class _ImportStore(FieldStore):
    """The authoring store of an import: content and settings go into the tree, nothing touches a database."""

    def __init__(self, tree: LoadedTree) -> None:
        super().__init__(None, tree, None, authoring=True)  # type: ignore[arg-type]

    def _fetch(self, scope_keys: set[str]) -> None:
        # A block being imported has no stored state yet: every other scope reads as unset.
        self._fetched_keys.update(scope_keys)

    def flush(self) -> None:
        """Other scopes written while parsing are not course content: they are dropped."""


def is_pointer(node: Any) -> bool:
    """Open edX's pointer rule: only a ``url_name`` attribute (and ``org``/``course`` on ``<course>``),
    no children, no text."""
    expected = {"url_name", "org", "course"} if node.tag == "course" else {"url_name"}
    has_text = bool(node.text and node.text.strip())
    return len(node) == 0 and set(node.attrib) == expected and not has_text


def url_name_problem(url_name: str, attribute: str = "url_name") -> Reason | None:
    """Why a url_name (or html ``filename``) cannot name a file of the course, or None when it can."""
    if len(url_name) > MAX_URL_NAME_LENGTH:
        return Reason(
            _("%(attribute)s %(value)s… is longer than %(limit)d characters"),
            {"attribute": attribute, "value": repr(url_name[:60]), "limit": MAX_URL_NAME_LENGTH},
        )
    if any(c in url_name for c in "/\\") or any(ord(c) < 32 or ord(c) == 127 for c in url_name):
        return Reason(
            _("%(attribute)s %(value)s may not contain '/', '\\' or control characters"),
            {"attribute": attribute, "value": repr(url_name)},
        )
    if url_name.startswith("."):
        return Reason(
            _("%(attribute)s %(value)s may not start with '.'"),
            {"attribute": attribute, "value": repr(url_name)},
        )
    return None


def as_attribute(value: Any) -> str:
    """A policy value as an XML attribute: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def where(node: Any) -> tuple[str, int | None]:
    """The file (relative to the course root) and line a node was read from."""
    return (node.getroottree().docinfo.URL or "?", node.sourceline)


class ImportRuntime(HostRuntime):
    """Reads one course folder's OLX into ``self.tree``; problems go to ``self.problems``."""

    def __init__(
        self,
        *,
        config: HostConfig,
        course_key: CourseKey,
        root: Path,
        limits: ImportLimits,
        policy: Mapping[str, Mapping[str, Any]] | None = None,
        policy_file: str = "policy.json",
    ) -> None:
        tree = LoadedTree(None, [])
        super().__init__(
            config=config,
            course_key=course_key,
            tree=tree,
            store=_ImportStore(tree),
            learner=Learner(user_id=None),
            urls=NullUrls(),
        )
        self.root = root
        # What Open edX's import runtime gives blocks that read course files while they parse (a video its
        # transcripts, a block its data files): the course folder, read-only, never beyond it.
        self.resources_fs = read_only(OSFS(str(root)))
        self.limits = limits
        self.policy = policy or {}
        self.policy_file = policy_file
        self.problems: list[Problem] = []
        #: components kept as placeholders (their content could not be read): reported, not refused
        self.warnings: list[Problem] = []
        #: usage id -> the url_name it was imported from (block ids may be hashed forms of it)
        self.url_names: dict[str, str] = {}
        self._defined_at: dict[str, str] = {}

    # Files ----------------------------------------------------------------------------------------------

    def problem(
        self, file: str, line: int | None, message: str, code: str = "invalid", /, **params: Any
    ) -> None:
        """Record a problem (a message id and its parameters) and carry on, so that every problem is
        reported at once."""
        self.problems.append(Problem(file, line, message, code, params))

    def locate(self, relative: str, referrer: Any) -> Path | None:
        """The course file at ``relative``, or None (and a problem) when missing or a link."""
        path = self.root
        for part in relative.split("/"):
            path = path / part
            if path.is_symlink():
                message = _("%(path)s: symbolic links are not allowed")
                self.problem(*where(referrer), message, "link", path=relative)
                return None
        if not path.is_file():
            message = _("%(path)s is missing (named by <%(tag)s>)")
            self.problem(*where(referrer), message, "missing", path=relative, tag=referrer.tag)
            return None
        return path

    def load_xml(self, relative: str, referrer: Any = None) -> Any | None:
        """Parse a course file safely, remembering its name for later messages; None on a problem."""
        path = self.root / relative if referrer is None else self.locate(relative, referrer)
        if path is None:
            return None
        try:
            root = parse_xml_file(path, source=relative, max_bytes=self.limits.max_xml_bytes)
        except OlxError as error:
            self.problem(error.file, error.line, error.message, "xml", **error.params)
            return None
        root.getroottree().docinfo.URL = relative
        return root

    def parse_xml_file(self, fileobj: Any) -> Any:
        """XBlock's entry point, with the safe parser (entities off, size limited); None on a problem."""
        data = fileobj.read(self.limits.max_xml_bytes + 1)
        try:
            raw = data if isinstance(data, bytes) else data.encode()
            root = parse_xml(raw, source="<string>", max_bytes=self.limits.max_xml_bytes)
        except OlxError as error:
            self.problem(error.file, error.line, error.message, "xml", **error.params)
            return None
        return self._usage_id_from_node(root, None)

    # Nodes ----------------------------------------------------------------------------------------------

    def parse_course(self, node: Any) -> Any:
        """Parse the course element (its url_name set to the run, pointers already resolved)."""
        usage_id = self._usage_id_from_node(node, None, resolve=False)
        for record in self.tree.walk(str(usage_id)) if usage_id else []:
            record.display_name = (record.settings or {}).get("display_name") or None
        return usage_id

    def add_node_as_child(self, block: XBlock, node: Any) -> None:
        """Parse a child node (pointer or inline) and append it to the block's children."""
        if not isinstance(node.tag, str):
            return
        if not block.has_children:
            message = _("<%(tag)s> does not take child blocks, found <%(child)s>")
            self.problem(*where(node), message, "block", tag=block.scope_ids.block_type, child=node.tag)
            return
        usage_id = self._usage_id_from_node(node, block.scope_ids.usage_id, position=len(block.children))
        if usage_id is not None:
            block.children.append(usage_id)

    def _resolve_pointer(self, node: Any) -> Any | None:
        if not is_pointer(node):
            return node
        url_name = node.get("url_name")
        if not (self.root / node.tag / f"{url_name}.xml").exists() and self._may_stand_alone(node.tag):
            return node
        loaded = self.load_xml(f"{node.tag}/{url_name}.xml", node)
        if loaded is None:
            return None
        if loaded.tag != node.tag:
            self.problem(
                loaded.getroottree().docinfo.URL,
                loaded.sourceline,
                _("expected a <%(expected)s> element, found <%(found)s>"),
                "pointer",
                expected=node.tag,
                found=loaded.tag,
            )
            return None
        loaded.set("url_name", url_name)
        return loaded

    def _may_stand_alone(self, block_type: str) -> bool:
        # ``<done url_name="x"/>`` without done/x.xml is an installed leaf block with default fields (as
        # hand-written courses and XBlock's workbench scenarios write them); a container, an html block
        # or an unknown type without its file is a broken pointer.
        cls = self.load_block_type(block_type)
        return block_type != "html" and not issubclass(cls, UnavailableBlock) and not cls.has_children

    def _url_name(self, node: Any, parent_id: Any, position: int) -> str:
        if node.get("url_name"):
            return node.get("url_name")
        parent = self.url_names.get(str(parent_id), "") if parent_id is not None else ""
        return f"{parent}-{node.tag}-{position + 1}" if parent else f"{node.tag}-{position + 1}"

    def _identify(self, node: Any, parent_id: Any, position: int) -> Any:
        """The usage key of the block a node names, or None (and a problem) when it cannot have one.

        Identity problems are reported where the block is named: at the pointer, if it is one.
        """
        file, line = where(node)
        if len(self.tree) >= self.limits.max_blocks:
            if not any(p.code == "too_many_blocks" for p in self.problems):
                message = _("the course has more than %(limit)d blocks")
                self.problem(file, line, message, "too_many_blocks", limit=self.limits.max_blocks)
            return None
        url_name = self._url_name(node, parent_id, position)
        if (reason := url_name_problem(url_name)) is not None:
            self.problem(file, line, reason.message, "url_name", **reason.params)
            return None
        try:
            key = usage_key_for(self.course_id, node.tag, url_name)
        except InvalidKeyError:
            message = _("<%(tag)s url_name=%(url_name)s>: this name cannot identify a component")
            self.problem(file, line, message, "url_name", tag=node.tag, url_name=repr(url_name))
            return None
        if (earlier := self._defined_at.get(str(key))) is not None:
            message = _("duplicate url_name %(url_name)s for <%(tag)s> (already used at %(earlier)s)")
            self.problem(
                file, line, message, "duplicate", url_name=repr(url_name), tag=node.tag, earlier=earlier
            )
            return None
        self._defined_at[str(key)] = f"{file}:{line}" if line else file
        self.url_names[str(key)] = url_name
        return key

    def _usage_id_from_node(self, node: Any, parent_id: Any, position: int = 0, resolve: bool = True) -> Any:
        """Parse one node into a block of the tree and return its usage key (None on a problem)."""
        key = self._identify(node, parent_id, position)
        node = self._resolve_pointer(node) if resolve and key is not None else node
        if key is None or node is None:
            return None
        file, line = where(node)  # from here on, problems are in the block's own definition
        for name in ("url_name", "xblock-family"):
            node.attrib.pop(name, None)
        record = BlockRecord(
            str(key),
            str(key.definition_key),
            node.tag,
            str(parent_id) if parent_id else None,
            position,
            None,
            content={},
            settings={},
        )
        self.tree.add(record)
        try:
            block = self._parse_block(node, ScopeIds(None, node.tag, key.definition_key, key), record)
            if block is None:
                return None
            block.parent = parent_id
            block.save()
        except Exception as error:  # a block's own parse_xml may fail in any way: report it, go on
            # The block's own words (its exception) are kept as they are: the platform cannot translate them.
            message = _("<%(tag)s> could not be read: %(error)s")
            self.problem(file, line, message, "block", tag=node.tag, error=_error_text(error))
            return None
        return key

    def _parse_block(self, node: Any, keys: ScopeIds, record: BlockRecord) -> XBlock | None:
        url_name = self.url_names[record.usage_id]
        if node.tag == "html" and node.get("filename") is not None and not self._inline_html(node):
            return None
        cls = self.load_block_type(node.tag)
        if issubclass(cls, UnavailableBlock):
            return self._placeholder(node, keys, record, url_name)
        # A component's own content never refuses the course: kept as it was read, it becomes a
        # placeholder (exported unchanged) and a warning. Containers are the course's structure.
        original = copy.deepcopy(node) if node.tag not in CONTAINER_TYPES else None
        file, line = where(node)
        try:
            block = self.mixologist.mix(cls).parse_xml(node, self, keys)
        except Exception as error:  # a block's own parse_xml may fail in any way
            if original is None:
                raise
            self.tree.remove_descendants(record.usage_id)
            record.content, record.settings = {}, {}
            # The block's own words (its exception) are kept as they are: the platform cannot translate them.
            message = _("<%(tag)s> could not be read and is kept as it is, shown as unavailable: %(error)s")
            self.warnings.append(
                Problem(file, line, message, "unreadable", {"tag": node.tag, "error": _error_text(error)})
            )
            return self._placeholder(original, keys, record, url_name)
        self._apply_policy(block, node.tag, url_name)
        self._validation_warnings(block, node.tag, file, line)
        return block

    def _validation_warnings(self, block: XBlock, tag: str, file: str, line: int | None) -> None:
        """What a block says of its own settings through XBlock's ``validate()`` (Open edX's studio shows
        the same messages): each warning or error is listed in the import report; none refuses the course."""
        try:
            messages = list(block.validate().messages)
        except Exception:  # a block's own validation may fail in any way: it says nothing then
            log.exception("validate() of <%s> failed", tag)
            return
        for message in messages:
            if getattr(message, "type", None) in (ValidationMessage.WARNING, ValidationMessage.ERROR):
                # The block's own words, in the language of its import (the platform cannot translate them).
                self.warnings.append(
                    Problem(
                        file,
                        line,
                        _("<%(tag)s>: %(message)s"),
                        "validation",
                        {"tag": tag, "message": str(message.text)[:500]},
                    )
                )

    def _inline_html(self, node: Any) -> bool:
        filename = node.attrib.pop("filename")
        if (reason := url_name_problem(filename or ".", "filename")) is not None:
            self.problem(*where(node), reason.message, "url_name", **reason.params)
            return False
        relative = f"html/{filename}" if filename.endswith(".html") else f"html/{filename}.html"
        path = self.locate(relative, node)
        if path is None:
            return False
        with path.open("rb") as file:
            data = file.read(self.limits.max_html_bytes + 1)
        if len(data) > self.limits.max_html_bytes:
            message = _("the file is over the limit of %(limit)d bytes")
            self.problem(relative, None, message, "size", limit=self.limits.max_html_bytes)
            return False
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            message = _("the file is not UTF-8 text (byte %(position)d)")
            self.problem(relative, None, message, "encoding", position=error.start)
            return False
        for child in list(node):
            node.remove(child)
        # Read back as raw HTML by the block's parse_xml; CDATA keeps a placeholder's OLX readable.
        node.text = etree.CDATA(text) if "]]>" not in text else text
        return True

    def _placeholder(self, node: Any, keys: ScopeIds, record: BlockRecord, url_name: str) -> XBlock:
        self._resolve_nested_pointers(node)
        for name, value in self.policy.get(f"{node.tag}/{url_name}", {}).items():
            node.set(name, as_attribute(value))
        record.olx = etree.tostring(node, encoding="unicode", with_tail=False)
        record.placeholder = True
        block = self.construct_xblock_from_class(UnavailableBlock, keys)
        if node.get("display_name") is not None:
            block.display_name = node.get("display_name")
        return block

    def _resolve_nested_pointers(self, node: Any) -> None:
        # Inside a block this host cannot read, a pointer is resolved only when its file exists: the
        # element may just as well be the block's own markup.
        for child in list(node.iter()):
            if child is node or not isinstance(child.tag, str) or not is_pointer(child):
                continue
            url_name = child.get("url_name")
            if url_name_problem(url_name) is None and (self.root / child.tag / f"{url_name}.xml").is_file():
                loaded = self.load_xml(f"{child.tag}/{url_name}.xml", child)
                if loaded is not None and loaded.tag == child.tag:
                    loaded.set("url_name", url_name)
                    loaded.tail = child.tail
                    child.getparent().replace(child, loaded)

    def _apply_policy(self, block: XBlock, block_type: str, url_name: str) -> None:
        entry = self.policy.get(f"{block_type}/{url_name}")
        if not entry:
            return
        for name, value in entry.items():
            field = block.fields.get(name)
            try:
                if (
                    field is not None
                    and field.scope in (Scope.settings, Scope.content)
                    and name not in _RESERVED_FIELDS
                ):
                    setattr(block, name, field.from_json(value))
                elif "xml_attributes" in block.fields:
                    block.xml_attributes = {**block.xml_attributes, name: as_attribute(value)}
            except (TypeError, ValueError):
                message = _("%(entry)s: the value of %(name)s is not valid (%(value)s)")
                value_text = as_attribute(value)
                value_text = value_text if len(value_text) <= 60 else f"{value_text[:60]}…"
                self.problem(
                    self.policy_file,
                    None,
                    message,
                    "policy",
                    entry=f"{block_type}/{url_name}",
                    name=name,
                    value=value_text,
                )

"""The XBlock runtime of Cybermassif: one instance per request, for one learner and one course.

It builds blocks from a loaded block tree, gives them the services they declare, stores their fields
through a :class:`~app.runtime.store.FieldStore`, wraps their fragments safely, applies only allow-listed
asides, and turns their events into progress and tracking. URLs come from a :class:`UrlBuilder` the
caller supplies, so this module needs no web framework.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.core import XBlock, XBlockAside, XBlockMixin
from xblock.exceptions import NoSuchServiceError, NoSuchUsage
from xblock.field_data import FieldData
from xblock.fields import BlockScope, Boolean, Dict, Scope, ScopeIds, UserScope
from xblock.runtime import KeyValueStore, KvsFieldData, Mixologist, Runtime

from app.runtime import events
from app.runtime.keys import CourseKey, InvalidKeyError, KeyIdGenerator, KeyIdReader, UsageKey
from app.runtime.placeholder import UnavailableBlock
from app.runtime.registry import PluginRegistry
from app.runtime.services import (
    HostUserService,
    I18nService,
    ReplaceUrlsService,
    ServiceFactory,
    SettingsService,
    block_translations,
    make_xblock_user,
)
from app.runtime.store import FieldStore
from app.runtime.tree import LoadedTree
from app.runtime.wrapping import wrap_fragment

log = logging.getLogger("cybermassif.runtime")

RUNTIME_CLASS = "CybermassifRuntime"
RUNTIME_VERSION = 1


class UrlBuilder(Protocol):
    """The URLs a runtime hands out; the web layer implements it."""

    def handler_url(self, usage_id: str, handler: str, suffix: str, query: str, thirdparty: bool) -> str:
        """URL of a block handler."""

    def local_resource_url(self, block_type: str, uri: str) -> str:
        """URL of a file in a block package's ``public/`` folder."""

    def resource_url(self, resource: str) -> str:
        """URL of a platform static file."""

    def asset_url(self, path: str) -> str:
        """URL of a course asset (``static/`` in OLX)."""

    def unit_url(self, usage_id: str) -> str:
        """URL of the page showing a unit (``vertical``) of the course."""


def no_company() -> str | None:
    """The company NAF code of someone who belongs to no company."""
    return None


@dataclass(frozen=True)
class Learner:
    """Who the runtime works for. ``user_id`` None means an anonymous visitor (read-only).

    ``company_naf`` gives the NAF (APE) code of the learner's company, or None. It is a function, called
    only when a block asks for the ``user`` service: pages whose blocks never ask read nothing more.
    """

    user_id: int | None
    username: str = ""
    email: str = ""
    full_name: str = ""
    language: str = "fr"
    is_staff: bool = False
    company_naf: Callable[[], str | None] = no_company
    # The content groups the learner is in, in this course (through their cohort): what they may see.
    content_groups: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ComponentAccess:
    """What the request's viewer sees of a course's components, as ``app.courses.visibility`` decided it
    (the courses layer sits above the runtime, which cannot ask it).

    ``hidden``: components the viewer may not see (and the blocks under them): left out of their parents'
    children, as Open edX's LMS leaves them out, so that no container renders or counts them. ``restricted``:
    every component with visibility settings of its own: the views of the containers above them depend on
    who looks, and are never shared between requests. ``notes``: for course staff, the marks saying why a
    learner would not see a component (HTML), shown above it.
    """

    hidden: frozenset[str] = frozenset()
    restricted: frozenset[str] = frozenset()
    notes: Mapping[str, str] = field(default_factory=dict)


EVERY_COMPONENT = ComponentAccess()


def anonymous_student_id(secret: str, user_id: int | None, course_key: str) -> str:
    """A stable id per learner and course that reveals neither (as Open edX's anonymous_user_id)."""
    if user_id is None:
        return ""
    return hashlib.sha256(f"{secret}:{course_key}:{user_id}".encode()).hexdigest()[:32]


_TREE_SCOPES = frozenset({Scope.content, Scope.settings, Scope.children, Scope.parent})


@functools.lru_cache(maxsize=512)
def stores_fields(cls: type) -> bool:
    """Whether a block class declares fields kept outside the block tree (user state, preferences…)."""
    return any(field.scope not in _TREE_SCOPES for field in getattr(cls, "fields", {}).values())


class VisibilityFields(XBlockMixin):
    """The visibility settings Open edX gives every block (its LMS block mixin): a component inside a
    visible unit may be for some content groups only, or for course staff. Blocks of our own keep them
    among their OLX attributes; this gives them to the others, so that a third-party block's
    ``group_access="{…}"`` is read at import (XBlock would drop it), decides who sees it, and is exported."""

    group_access = Dict(
        scope=Scope.settings,
        default={},
        help="Partition id → the content groups that may see the block (empty: everyone).",
    )
    visible_to_staff_only = Boolean(
        scope=Scope.settings, default=False, help="Whether only course staff see the block."
    )


class CompatibilityMixin:
    """Attributes real third-party blocks read on themselves, as Open edX's XModule mixins provide."""

    @property
    def location(self) -> Any:
        """The usage key (Open edX's name for it)."""
        return self.scope_ids.usage_id  # type: ignore[attr-defined]

    @property
    def xmodule_runtime(self) -> Any:
        """The runtime (Open edX's old name for the learner runtime)."""
        return self.runtime  # type: ignore[attr-defined]

    @property
    def course_id(self) -> Any:
        """The course key."""
        return self.runtime.course_id  # type: ignore[attr-defined]

    @property
    def system(self) -> Any:
        """The runtime (an even older name)."""
        return self.runtime  # type: ignore[attr-defined]


class HostMixologist(Mixologist):
    """XBlock's mixologist with this host's mixins; :class:`VisibilityFields` only for blocks that do not
    keep their OLX attributes themselves (an ``xml_attributes`` field): those keep the visibility
    attributes as written, and export them so."""

    def __init__(self) -> None:
        super().__init__((CompatibilityMixin, VisibilityFields))
        self._keeping = Mixologist((CompatibilityMixin,))

    def mix(self, cls: type) -> type:
        """The class mixed with what the host gives a block of its kind."""
        base = getattr(cls, "unmixed_class", cls)
        if "xml_attributes" in getattr(base, "fields", {}):
            return self._keeping.mix(cls)  # type: ignore[no-any-return]
        return super().mix(cls)  # type: ignore[no-any-return]


@dataclass
class HostConfig:
    """What stays the same for every runtime of a process or site."""

    registry: PluginRegistry
    secret: str
    disabled_types: frozenset[str] = frozenset()
    aside_types: tuple[str, ...] = ()
    settings_buckets: dict[str, Any] = field(default_factory=dict)
    extra_services: dict[str, ServiceFactory] = field(default_factory=dict)


class HostFieldData(KvsFieldData):
    """XBlock's field data over our store, reading each value once.

    A field read asks ``has`` and then ``get`` for the same name; ``has`` already fetched the value, so
    it is kept for the ``get`` that follows at once. Any write or delete through the field data forgets
    it, so a value read after a change is always read again.
    """

    def __init__(self, kvs: KeyValueStore) -> None:
        super().__init__(kvs)
        self._read: tuple[XBlock, str, Any] | None = None
        self._placing: dict[tuple[type, str], tuple[Any, str, bool]] = {}

    def _key(self, block: XBlock, name: str) -> KeyValueStore.Key:
        """As XBlock's, with where each field of a block class is kept worked out once per request
        (XBlock compares scopes through Python-level ``__eq__`` for every read)."""
        placing = self._placing.get((type(block), name))
        if placing is None:
            scope = self._getfield(block, name).scope  # KeyError when ``name`` is no field
            if scope in (Scope.children, Scope.parent):
                placing = (scope, "usage", False)
            else:
                where = {
                    BlockScope.ALL: "",
                    BlockScope.USAGE: "usage",
                    BlockScope.DEFINITION: "definition",
                    BlockScope.TYPE: "type",
                }[scope.block]
                placing = (scope, where, scope.user == UserScope.ONE)
            self._placing[type(block), name] = placing
        scope, where, per_user = placing
        ids = block.scope_ids
        if where == "usage":
            block_id = ids.usage_id
        elif where == "definition":
            block_id = ids.def_id
        elif where == "type":
            block_id = ids.block_type
        else:
            block_id = None
        return KeyValueStore.Key(scope, ids.user_id if per_user else None, block_id, name, block.entry_point)

    def has(self, block: XBlock, name: str) -> bool:
        self._read = None
        try:
            value = self._kvs.get(self._key(block, name))
        except KeyError:
            return False
        self._read = (block, name, value)
        return True

    def get(self, block: XBlock, name: str) -> Any:
        read, self._read = self._read, None
        if read is not None and read[0] is block and read[1] == name:
            return read[2]
        return super().get(block, name)

    def set(self, block: XBlock, name: str, value: Any) -> None:
        self._read = None
        super().set(block, name, value)

    def set_many(self, block: XBlock, update_dict: dict[str, Any]) -> None:
        self._read = None
        super().set_many(block, update_dict)

    def delete(self, block: XBlock, name: str) -> None:
        self._read = None
        super().delete(block, name)


@dataclass(frozen=True)
class SharedView:
    """A view every learner sees alike, as rendered once: its fragment, and the blocks it showed that
    complete on view (usage id, block type), which each learner's page still marks."""

    fragment: Fragment
    seen: tuple[tuple[str, str], ...]


class HostRuntime(Runtime):
    """The runtime of one request."""

    def __init__(
        self,
        *,
        config: HostConfig,
        course_key: CourseKey,
        tree: LoadedTree,
        store: FieldStore,
        learner: Learner,
        urls: UrlBuilder,
        notices: Mapping[str, str] | None = None,
        view_cache: dict[tuple[str, str, str], SharedView] | None = None,
        components: ComponentAccess = EVERY_COMPONENT,
    ) -> None:
        super().__init__(
            id_reader=KeyIdReader(),
            id_generator=KeyIdGenerator(course_key),
            default_class=None,
        )
        self.mixologist = HostMixologist()
        self.config = config
        self.course_id = course_key
        self.tree = tree
        self.store = store
        self.learner = learner
        self.urls = urls
        self.notices = notices or {}
        self.components = components
        self.anonymous_student_id = anonymous_student_id(config.secret, learner.user_id, str(course_key))
        self.user_is_staff = learner.is_staff
        self.field_data_service: FieldData = HostFieldData(store)
        self._blocks: dict[str, XBlock] = {}
        self._mixed_classes: dict[tuple[str, bool], type[XBlock]] = {}
        self._services: dict[str, Any] = {}
        self._block_services: dict[tuple[str, str], Any] = {}
        # The blocks shown in a student view that complete on view: (usage id, block type).
        self.seen: list[tuple[str, str]] = []
        self._failures = 0
        self.view_cache = view_cache
        self.pending_progress: list[events.ProgressEvent] = []
        self.current_handler: str | None = None
        self.browser_event_name: Any = None

    # Identity -------------------------------------------------------------------------------------------

    @property
    def user_id(self) -> int | None:  # type: ignore[override]
        """The learner's id (XBlock's deprecated property, answered without a warning)."""
        return self.learner.user_id

    @user_id.setter
    def user_id(self, value: Any) -> None:
        raise AttributeError("the learner of a runtime is fixed")

    # Blocks ---------------------------------------------------------------------------------------------

    def load_block_type(self, block_type: str) -> type[XBlock]:
        """The installed, enabled class of a block type, else the placeholder (never a scan)."""
        if block_type in self.config.disabled_types:
            return UnavailableBlock
        cls = self.config.registry.load_block_class(block_type)
        return cls if cls is not None else UnavailableBlock

    def load_aside_type(self, aside_type: str) -> type[XBlockAside]:
        """The installed class of an allow-listed aside type."""
        cls = self.config.registry.load_aside_class(aside_type)
        if cls is None or aside_type not in self.config.aside_types:
            raise NoSuchUsage(aside_type)
        return cls

    def unavailable_reason(self, block_type: str) -> str:
        """Why a block shows as unavailable: disabled by the administrators, not installed, or (its type
        being installed) its OLX could not be read at import."""
        if block_type in self.config.disabled_types:
            return "disabled"
        return "missing" if self.config.registry.load_block_class(block_type) is None else "unreadable"

    def get_block(self, usage_id: Any, for_parent: XBlock | None = None) -> XBlock:
        """The block of this course with this usage id (built once per request)."""
        if isinstance(usage_id, UsageKey):
            key: UsageKey | None = usage_id
            text = str(usage_id)
        else:
            key, text = None, str(usage_id)
        block = self._blocks.get(text)
        if block is not None:
            return block
        record = self.tree.get(text)
        if key is None:
            # A key string of the tree is parsed (and checked to be of this course) once per (shared) tree,
            # not once per page: the tree is this course's.
            key = record.usage_key if record is not None else None
            if key is None:
                key = self._parse_usage(text)
                if record is not None:
                    record.usage_key = key
        if record is None:
            raise NoSuchUsage(text)
        keys = ScopeIds(self.learner.user_id, record.block_type, key.definition_key, key)
        # One class per block type for the request (a handler may report on hundreds of blocks).
        kind = (record.block_type, record.placeholder)
        mixed = self._mixed_classes.get(kind)
        if mixed is None:
            cls = UnavailableBlock if record.placeholder else self.load_block_type(record.block_type)
            mixed = self._mixed_classes[kind] = self.mixologist.mix(cls)
        block = mixed(runtime=self, scope_ids=keys, for_parent=for_parent)
        self._blocks[text] = block
        return block

    def _parse_usage(self, usage_id: Any) -> UsageKey:
        try:
            key = UsageKey.from_string(str(usage_id))
        except InvalidKeyError as error:
            raise NoSuchUsage(str(usage_id)) from error
        if key.course_key != self.course_id:
            raise NoSuchUsage(str(usage_id))
        return key

    def construct_xblock_from_class(
        self, cls: type, scope_ids: ScopeIds, field_data: Any = None, *args: Any, **kwargs: Any
    ) -> XBlock:
        """Build a block; field data always comes from the ``field-data`` service."""
        return self.mixologist.mix(cls)(runtime=self, scope_ids=scope_ids, *args, **kwargs)  # noqa: B026

    def preload(self, usage_ids: Iterable[str]) -> None:
        """Fetch fields of these blocks (content, settings, user state…) up front: two queries in all."""
        ids = list(usage_ids)
        self.tree.load_fields(self.store.session, ids)
        records = [r for r in (self.tree.get(u) for u in ids) if r is not None]
        classes = {self.load_block_type(t) for t in {r.block_type for r in records}}
        classes.update(c for c in map(self.config.registry.load_aside_class, self.config.aside_types) if c)
        self.store.prefetch(records, stored_fields=any(map(stores_fields, classes)))

    # URLs -----------------------------------------------------------------------------------------------

    def handler_url(
        self, block: XBlock, handler_name: str, suffix: str = "", query: str = "", thirdparty: bool = False
    ) -> str:
        """URL of a block's handler (third-party handlers on a route without sign-in)."""
        return self.urls.handler_url(str(block.scope_ids.usage_id), handler_name, suffix, query, thirdparty)

    def resource_url(self, resource: str) -> str:
        """URL of a platform static file."""
        return self.urls.resource_url(resource)

    def local_resource_url(self, block: XBlock, uri: str) -> str:
        """URL of a file of the block's package ``public/`` folder."""
        return self.urls.local_resource_url(block.scope_ids.block_type, uri)

    # Services ---------------------------------------------------------------------------------------------

    def service(self, block: XBlock, service_name: str) -> Any:
        """A service the block declared; ``needs`` without one raises, ``wants`` gets None."""
        declaration = block.service_declaration(service_name)
        if declaration is None:
            raise NoSuchServiceError(f"Service {service_name!r} was not requested.")
        service = self._service(block, service_name)
        if service is None and declaration == "need":
            raise NoSuchServiceError(f"Service {service_name!r} is not available.")
        return service

    def _service(self, block: XBlock, name: str) -> Any:
        if name == "field-data":
            return self.field_data_service
        if name == "i18n":
            # The class the runtime mixed (``…WithMixins``) is made in XBlock's own module: look past it.
            module = getattr(type(block), "unmixed_class", type(block)).__module__
            if module.startswith("xblock.internal") or "Mixin" in module:
                module = next(
                    (c.__module__ for c in type(block).__mro__[1:] if c.__module__ != module), module
                )
            cache_key = ("i18n", module)
            if cache_key not in self._block_services:
                self._block_services[cache_key] = I18nService(
                    self.learner.language, block_translations(module, self.learner.language)
                )
            return self._block_services[cache_key]
        if name in self._services:
            return self._services[name]
        made: Any
        if name == "user":
            made = HostUserService(
                make_xblock_user(
                    user_id=self.learner.user_id,
                    username=self.learner.username,
                    email=self.learner.email,
                    full_name=self.learner.full_name,
                    is_staff=self.learner.is_staff,
                    role="staff" if self.learner.is_staff else "student",
                    anonymous_id=self.anonymous_student_id,
                    language=self.learner.language,
                    company_naf=self.learner.company_naf(),
                )
            )
        elif name == "settings":
            made = SettingsService(self.config.settings_buckets)
        elif name == "replace_urls":
            made = ReplaceUrlsService(self.urls.asset_url, self._jump_url)
        elif name in self.config.extra_services:
            made = self.config.extra_services[name](self, block)
        else:
            return None
        self._services[name] = made
        return made

    def _jump_url(self, block_id: str) -> str | None:
        """Where ``/jump_to_id/<block_id>`` leads: the unit holding that block (None if there is none)."""
        record = self.tree.find_block_id(block_id)
        if record is None:
            return None
        for candidate in [record, *self.tree.ancestors(record.usage_id)]:
            if candidate.block_type == "vertical":
                return self.urls.unit_url(candidate.usage_id) or None
        return None

    # Rendering --------------------------------------------------------------------------------------------

    def render(self, block: XBlock, view_name: str, context: dict[str, Any] | None = None) -> Fragment:
        """Render a view of a block; blocks shown in a student view are remembered for complete-on-view.

        A block whose view fails is replaced by a notice (and logged): one broken component must not
        take the whole page down, nor count as seen.
        """
        shared_key = self._shared_view_key(block, view_name)
        if shared_key is not None:
            cached = self.view_cache.get(shared_key)  # type: ignore[union-attr]
            if cached is not None:
                self.seen.extend(cached.seen)
                return _copy_fragment(cached.fragment)
        seen_before, failures_before = len(self.seen), self._failures
        try:
            fragment = super().render(block, view_name, context)
        except Exception:
            log.exception("%s of %s failed", view_name, block.scope_ids.usage_id)
            self._failures += 1
            text = self.notices.get("failed", "This component could not be shown.")
            notice = Fragment(f'<div class="xblock-unavailable" role="note"><p>{escape(text)}</p></div>')
            return self._wrap(block, view_name, notice, {})
        if view_name == "student_view" and events.completes_on_view(block):
            self.seen.append((str(block.scope_ids.usage_id), block.scope_ids.block_type))
        # A notice of a failed component is never kept: the next page tries again.
        if shared_key is not None and self._failures == failures_before:
            self.view_cache[shared_key] = SharedView(  # type: ignore[index]
                _copy_fragment(fragment), tuple(self.seen[seen_before:])
            )
        return fragment

    def _shared_view_key(self, block: XBlock, view_name: str) -> tuple[str, str, str] | None:
        """The key of a view every learner sees alike, if this one is (else None).

        A block class lists such views in ``cybermassif_shared_views``: what they show depends only on the
        block's content and settings and on the language, never on the learner, the context or a service
        other than ``i18n`` and ``replace_urls``. A block with children shares a view only if every block
        below it does too. Shared views are rendered once per loaded tree (a new version of the course is
        a new tree) and language, unless asides may decorate them.
        """
        if self.view_cache is None or self.config.aside_types:
            return None
        if view_name not in getattr(block, "cybermassif_shared_views", ()):
            return None
        usage_id = str(block.scope_ids.usage_id)
        if block.has_children and not self._descendants_share(usage_id, view_name):
            return None
        if block.has_children and self._restricted_below(usage_id):
            return None  # what it shows depends on who looks
        return (usage_id, view_name, self.learner.language)

    def _restricted_below(self, usage_id: str) -> bool:
        """Whether a component below ``usage_id`` has visibility settings of its own."""
        restricted = self.components.restricted
        if not restricted:
            return False
        return bool(
            self.tree.derived(
                ("restricted-below", usage_id),
                lambda: any(u in restricted for u in self.tree.subtree(usage_id)[1:]),
            )
        )

    def visibility_note(self, usage_id: Any) -> str:
        """For course staff, the HTML marks saying why a learner would not see this component ("" if none):
        a unit shows them above the component."""
        return self.components.notes.get(str(usage_id), "")

    def _descendants_share(self, usage_id: str, view_name: str) -> bool:
        """Whether every block below ``usage_id`` shares ``view_name`` (with the block types enabled now)."""

        def compute() -> bool:
            types = {r.block_type for r in map(self.tree.get, self.tree.subtree(usage_id)[1:]) if r}
            return all(
                view_name in getattr(self.load_block_type(t), "cybermassif_shared_views", ()) for t in types
            )

        return bool(
            self.tree.derived(("descendants-share", usage_id, view_name, self.config.disabled_types), compute)
        )

    def wrap_xblock(
        self, block: XBlock, view: str, frag: Fragment, context: dict[str, Any] | None
    ) -> Fragment:
        """Wrap a block's fragment with escaped Open edX wrapper attributes.

        As Open edX's LMS wraps every block's fragment, its ``/static/…`` and ``/jump_to_id/…`` links are
        rewritten first: blocks such as the image explorer put a course image's OLX path in their HTML as
        it is and count on the host for it. Never in an editing view: its forms show authors their links
        as they wrote them, and save them so.
        """
        if view != "studio_view" and ("/static/" in frag.content or "/jump_to_id/" in frag.content):
            frag.content = ReplaceUrlsService(self.urls.asset_url, self._jump_url).replace_urls(frag.content)
        return self._wrap(block, view, frag, {"name": getattr(block, "name", None)})

    def wrap_aside(
        self, block: XBlock, aside: XBlockAside, view: str, frag: Fragment, context: Any
    ) -> Fragment:
        """Wrap an aside's fragment, pointing at the block it decorates."""
        return self._wrap(
            aside, view, frag, {"block-id": str(block.scope_ids.usage_id), "url-selector": "asideBaseUrl"}
        )

    def _wrap(self, block: Any, view: str, frag: Fragment, extra: dict[str, Any]) -> Fragment:
        block_type = block.scope_ids.block_type
        data: dict[str, Any] = {
            "runtime-class": RUNTIME_CLASS,
            "runtime-version": RUNTIME_VERSION,
            "usage-id": str(block.scope_ids.usage_id),
            "usage": str(block.scope_ids.usage_id),
            "block-type": block_type,
            "course-id": str(self.course_id),
            "request-token": None,
            "graded": "true" if getattr(block, "graded", False) else None,
            "has-score": "true" if getattr(block, "has_score", False) else None,
            **extra,
        }
        if frag.js_init_fn:
            data["init"] = frag.js_init_fn
            data["runtime-version"] = frag.js_init_version or RUNTIME_VERSION
        family = block.entry_point.replace(".", "-")
        classes = ["xblock", f"xblock-{view}", f"xblock-{view}-{block_type}", family, f"{family}-{view}"]
        return wrap_fragment(frag, classes, data)

    def applicable_aside_types(self, block: XBlock) -> list[str]:
        """Only the asides the site allows (none by default); never an entry-point scan."""
        return [
            name
            for name in self.config.aside_types
            if self.config.registry.load_aside_class(name) is not None
        ]

    # Events -----------------------------------------------------------------------------------------------

    @functools.cached_property
    def now(self) -> datetime:
        """When this request's events happened: one instant for all, as they are recorded together."""
        return datetime.now(UTC)

    def publish(self, block: XBlock, event_type: str, event_data: Any) -> None:
        """Progress events become ProgressEvents (sent at the end of the request); others are tracked."""
        # In a ``publish_event`` handler, the event the browser named is the browser's; what the block's own
        # code publishes there besides (the image explorer grades each hotspot opened) is the block's.
        from_browser = self.current_handler == "publish_event" and event_type == self.browser_event_name
        if not isinstance(event_type, str):
            raise events.EventRefused("the event name must be text")
        if event_type in events.PROGRESS_EVENT_TYPES:
            if from_browser:
                raise events.EventRefused(f"{event_type} events are not accepted from the browser")
            if self.learner.user_id is None:
                return
            if not isinstance(event_data, dict):
                raise events.EventRefused("event data must be an object")
            event = events.interpret(block, event_type, event_data, self.learner.user_id, self.now)
            if event is not None:
                self.pending_progress.append(event)
            return
        events.track(block, event_type, event_data, self.learner.user_id, from_browser)

    def mark_viewed(self, already_complete: Collection[str] = ()) -> None:
        """Queue completion for every block shown in a student view that completes on view (and is not
        complete yet: a second view writes nothing)."""
        if self.learner.user_id is None:
            return
        now = self.now
        for usage_id, block_type in self.seen:
            if usage_id not in already_complete:
                self.pending_progress.append(
                    events.ProgressEvent(
                        user_id=self.learner.user_id,
                        course_key=str(self.course_id),
                        usage_id=usage_id,
                        block_type=block_type,
                        completion=1.0,
                        at=now,
                    )
                )
        self.seen.clear()

    def handle(self, block: XBlock, handler_name: str, request: Any, suffix: str = "") -> Any:
        """Call a handler; remembers which one runs (events from ``publish_event`` come from the browser)."""
        self.current_handler = handler_name
        self.browser_event_name = _named_event(request) if handler_name == "publish_event" else None
        try:
            return super().handle(block, handler_name, request, suffix)
        finally:
            self.current_handler = self.browser_event_name = None

    @property
    def has_writes(self) -> bool:
        """Whether the request's block work left anything to write."""
        return bool(self.store.pending_writes or self.pending_progress)

    def finish(self) -> None:
        """End of the request's block work: write field changes (one batch), then announce progress."""
        self.store.flush()
        if self.pending_progress:
            batch, self.pending_progress = self.pending_progress, []
            events.progress_recorded.send(self, events=batch)


def _named_event(request: Any) -> Any:
    """The event name a ``publish_event`` request carries (``event_type`` of its JSON body), if any.

    Anything else than text is returned as it is, so that the check refuses it as the browser's.
    """
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data.get("event_type") if isinstance(data, dict) else None


def _copy_fragment(fragment: Fragment) -> Fragment:
    """A fragment of its own for each page (parents may add to what a child returned)."""
    copy = Fragment(fragment.content)
    copy.add_fragment_resources(fragment)
    copy.js_init_fn = fragment.js_init_fn
    copy.js_init_version = fragment.js_init_version
    copy.json_init_args = fragment.json_init_args
    return copy

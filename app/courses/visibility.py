"""What a person may see of a course's structure: the one rule every page, handler and progress figure uses.

Open edX hides a chapter, sequence or unit from learners (``lms/djangoapps/courseware/access.py`` and the
course-blocks transformers) when:

- its ``start`` is in the future. A block's start is the latest of its own and its ancestors' (a unit of a
  chapter that opens in 2099 opens in 2099 whatever it says itself), the course's own ``start``
  included: a course that has not started shows its presentation and no units;
- it, or one of its ancestors, is ``visible_to_staff_only``;
- it is a sequence with ``hide_after_due`` whose ``due`` (its own, else its chapter's) has passed;
- its ``group_access`` (``{partition id: [group ids]}``, narrowed by every ancestor's: a child can only
  restrict further) names a content group the learner is not in. Partitions are the course's
  ``user_partitions`` (course policy) of the ``cohort`` scheme; a learner is in the content group their
  cohort is linked to for the course (``CohortCourse.content_group_id``). A partition the course does
  not declare, or of another scheme (random, enrolment track: this site assigns nobody to them), does
  not restrict; group ids the partition does not know are dropped, and a restriction left with none
  shows the block to nobody but staff (as Open edX does with content restricted to deleted groups).

Course staff (trainers, administrators) see everything, with marks saying why a learner would not.

Progress follows Open edX's grades and completion, which read the course through the same access
transformers (start date, user partitions, staff only) but not the one that hides content after its due
date: content a learner may not see (not yet released, staff only, another group's) neither counts for
nor against their completion and grade; a sequence hidden after its due date still counts (the learner
had it before the date, and their grade keeps what they did).

Dates are read as Open edX writes them (ISO 8601, with or without the JSON quotes of old exports, or a
timestamp in milliseconds) and compared in UTC; a date without a zone is UTC. :func:`problems` lists the
values an import must refuse.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.runtime.reasons import Reason, _
from app.runtime.tree import CONTAINER_TYPES, LoadedTree

COHORT_SCHEME = "cohort"
STRUCTURE_TYPES = frozenset(CONTAINER_TYPES)


class BadValue(ValueError):
    """A visibility setting that cannot be read: a message id (``%(value)s`` and other parameters)."""

    def __init__(self, message: str, **params: Any) -> None:
        self.reason = Reason(message, params)
        super().__init__(str(self.reason))


def _setting(settings: Mapping[str, Any], name: str) -> Any:
    """A setting as a declared field, else as a kept OLX attribute (how containers keep Open edX's)."""
    if name in settings:
        return settings[name]
    kept = settings.get("xml_attributes")
    return kept.get(name) if isinstance(kept, Mapping) else None


def _decoded(value: Any) -> Any:
    """A kept attribute is a string; policy values other than strings are kept as JSON."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ('"', "{", "[") or text in ("true", "false", "null"):
            try:
                return json.loads(text)
            except ValueError:
                return value
    return value


def parse_date(value: Any) -> datetime | None:
    """A date setting as an aware UTC datetime (None when unset); BadValue when it is not a date."""
    value = _decoded(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue(_("%(value)s is not a date"), value=repr(value))
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError) as error:
            raise BadValue(_("%(value)s is not a date"), value=repr(value)) from error
    if not isinstance(value, str):
        raise BadValue(_("%(value)s is not a date"), value=repr(value))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise BadValue(_("%(value)s is not an ISO 8601 date"), value=repr(value)) from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_flag(value: Any) -> bool:
    """A boolean setting (``true``/``false``, any case); BadValue otherwise."""
    value = _decoded(value)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise BadValue(_("%(value)s is not true or false"), value=repr(value))


def parse_group_access(value: Any) -> dict[int, frozenset[int]]:
    """``group_access`` as {partition id: group ids}; BadValue when it is not such a mapping."""
    value = _decoded(value)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadValue(
            _("%(value)s is not a JSON object of partition ids to group id lists"),
            value=repr(str(value)[:80]),
        )
    found: dict[int, frozenset[int]] = {}
    for key, groups in value.items():
        try:
            partition = int(key)
        except (TypeError, ValueError) as error:
            raise BadValue(_("partition id %(value)s is not a number"), value=repr(key)) from error
        if groups is None:
            continue
        if not isinstance(groups, list) or not all(
            isinstance(g, int) and not isinstance(g, bool) for g in groups
        ):
            raise BadValue(
                _("the groups of partition %(partition)d are not a list of group ids"), partition=partition
            )
        found[partition] = frozenset(groups)
    return found


@dataclass(frozen=True)
class ContentGroup:
    """A group of a course's cohort partition."""

    partition_id: int
    id: int
    name: str


def parse_partitions(value: Any) -> dict[int, dict[int, str]]:
    """The course's ``user_partitions`` of the cohort scheme: {partition id: {group id: name}}.

    Malformed entries are left out here (the import refuses them: see :func:`problems`).
    """
    value = _decoded(value)
    found: dict[int, dict[int, str]] = {}
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, Mapping) or entry.get("scheme") != COHORT_SCHEME:
            continue
        if not isinstance(entry.get("id"), int) or not isinstance(entry.get("groups"), list):
            continue
        groups = {
            g["id"]: str(g.get("name") or g["id"])
            for g in entry["groups"]
            if isinstance(g, Mapping) and isinstance(g.get("id"), int)
        }
        found[entry["id"]] = groups
    return found


def content_groups(settings: Mapping[str, Any]) -> list[ContentGroup]:
    """The content groups a course declares (its course block's settings), in their order."""
    return [
        ContentGroup(partition, group, name)
        for partition, groups in parse_partitions(_setting(settings, "user_partitions")).items()
        for group, name in groups.items()
    ]


def restricts(settings: Mapping[str, Any] | None) -> bool:
    """Whether a block's settings hold anything that may hide it (a quick test, before working out rules:
    most blocks hold none)."""
    if not settings:
        return False
    kept = settings.get("xml_attributes")
    names = ("start", "visible_to_staff_only", "group_access", "hide_after_due")
    return any(settings.get(n) for n in names) or (
        isinstance(kept, Mapping) and any(kept.get(n) for n in names)
    )


def component_problems(settings: Mapping[str, Any]) -> list[Reason]:
    """Why a component's visibility settings cannot be read, saying what follows: the import keeps the
    component (its settings are not the course's structure) and hides it from learners."""
    return [
        Reason(_("%(reason)s (the component is hidden from learners until this is corrected)"), {"reason": r})
        for r in problems(settings)
    ]


def _of_setting(name: str, error: BadValue) -> Reason:
    """The reason a setting's value cannot be read, naming the setting."""
    return Reason(_("%(setting)s: %(reason)s"), {"setting": name, "reason": error.reason})


def problems(settings: Mapping[str, Any], is_course: bool = False) -> list[Reason]:
    """Why a block's visibility settings cannot be read (empty when they can)."""
    found = []
    for name in ("start", "due"):
        try:
            parse_date(_setting(settings, name))
        except BadValue as error:
            found.append(_of_setting(name, error))
    for name in ("visible_to_staff_only", "hide_after_due"):
        try:
            parse_flag(_setting(settings, name))
        except BadValue as error:
            found.append(_of_setting(name, error))
    try:
        parse_group_access(_setting(settings, "group_access"))
    except BadValue as error:
        found.append(_of_setting("group_access", error))
    raw = _decoded(_setting(settings, "user_partitions"))
    if (
        is_course
        and raw is not None
        and (
            not isinstance(raw, list)
            or not all(
                isinstance(p, Mapping)
                and isinstance(p.get("id"), int)
                and isinstance(p.get("groups"), list)
                and all(isinstance(g, Mapping) and isinstance(g.get("id"), int) for g in p["groups"])
                for p in raw
            )
        )
    ):
        found.append(Reason(_("user_partitions: expected a list of partitions, each with an id and groups")))
    return found


@dataclass(frozen=True)
class Rule:
    """What the course says of one container, its ancestors' settings merged in."""

    start: datetime | None = None
    staff_only: bool = False
    hidden_after: datetime | None = None  # a sequence hidden after its due date
    # Partition id → the groups allowed (narrowed down the tree); an empty set: nobody but staff.
    groups: tuple[tuple[int, frozenset[int]], ...] = ()


def _safe(parse: Any, value: Any, default: Any) -> Any:
    # Stored courses were checked on import; a value that still cannot be read restricts nothing.
    try:
        return parse(value)
    except BadValue:
        return default


def _rules(tree: LoadedTree) -> dict[str, Rule]:
    root = tree.root_usage_id or ""
    partitions = parse_partitions(_setting(tree.container_settings(root), "user_partitions"))
    rules: dict[str, Rule] = {}

    def visit(usage_id: str, parent: Rule, inherited_due: datetime | None) -> None:
        record = tree.get(usage_id)
        if record is None:
            return
        settings = tree.access_settings(usage_id)
        start = _safe(parse_date, _setting(settings, "start"), None)
        if parent.start is not None and (start is None or start < parent.start):
            start = parent.start
        due = _safe(parse_date, _setting(settings, "due"), None) or inherited_due
        hidden_after = parent.hidden_after
        if record.block_type == "sequential" and _safe(
            parse_flag, _setting(settings, "hide_after_due"), False
        ):
            hidden_after = due if hidden_after is None or (due and due < hidden_after) else hidden_after
        groups = dict(parent.groups)
        for partition, named in _safe(parse_group_access, _setting(settings, "group_access"), {}).items():
            known = partitions.get(partition)
            if known is None or not named:
                continue  # a partition the course does not declare (or of another scheme) restricts nothing
            allowed = named & frozenset(known)
            groups[partition] = groups[partition] & allowed if partition in groups else allowed
        if record.block_type not in STRUCTURE_TYPES and not settings:
            rule = parent  # most components: their unit's rule
        elif record.block_type not in STRUCTURE_TYPES and problems(settings):
            # A component's settings that cannot be read were a warning at import: it stays hidden from
            # learners (rather than shown to every group) until an author corrects it.
            rule = Rule(parent.start, True, parent.hidden_after, parent.groups)
        else:
            rule = Rule(
                start=start,
                staff_only=parent.staff_only
                or _safe(parse_flag, _setting(settings, "visible_to_staff_only"), False),
                hidden_after=hidden_after,
                groups=tuple(sorted(groups.items())),
            )
        rules[usage_id] = rule
        for child in tree.children_ids(usage_id):
            visit(child, rule, due)

    if root:
        visit(root, Rule(), None)
    return rules


def rules(tree: LoadedTree) -> dict[str, Rule]:
    """Every block's rule, worked out once per loaded tree (its settings never change)."""
    return tree.derived("visibility.rules", lambda: _rules(tree))  # type: ignore[no-any-return]


def component_rules(tree: LoadedTree) -> frozenset[str]:
    """The components whose rule is not their parent's: those with visibility settings of their own."""

    def compute() -> frozenset[str]:
        found = rules(tree)
        return frozenset(
            u
            for u, rule in found.items()
            if (r := tree.get(u)) is not None
            and r.block_type not in STRUCTURE_TYPES
            and rule != found.get(r.parent_usage_id or "")
        )

    return tree.derived("visibility.component-rules", compute)  # type: ignore[no-any-return]


def restricts_anything(tree: LoadedTree) -> bool:
    """Whether any block of the tree has a start, is staff only, hidden after a due date or restricted
    to groups (most courses: none, and pages and progress need not ask who is looking)."""
    return tree.derived(  # type: ignore[no-any-return]
        "visibility.restricts",
        lambda: any(
            r.start is not None or r.staff_only or r.hidden_after is not None or r.groups
            for r in rules(tree).values()
        ),
    )


def group_names(tree: LoadedTree) -> dict[int, str]:
    """The names of the course's content groups by group id."""
    settings = tree.container_settings(tree.root_usage_id or "")
    return {group.id: group.name for group in content_groups(settings)}


@dataclass(frozen=True)
class Viewer:
    """Who looks at a course: course staff or not, the content groups they are in, and when."""

    is_staff: bool
    groups: frozenset[int] = frozenset()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def hides(rule: Rule, viewer: Viewer, *, for_progress: bool = False) -> bool:
    """Whether the rule hides its container from the viewer (progress ignores hide-after-due)."""
    if viewer.is_staff:
        return False
    if rule.staff_only or (rule.start is not None and rule.start > viewer.now):
        return True
    if not for_progress and rule.hidden_after is not None and rule.hidden_after < viewer.now:
        return True
    return any(not (allowed & viewer.groups) for _, allowed in rule.groups)


@dataclass(frozen=True)
class Mark:
    """Why a learner would not see a container, shown to staff: ``kind`` is ``staff_only``,
    ``release`` (with its date), ``hidden_after_due`` (with the due date) or ``groups`` (with names)."""

    kind: str
    moment: datetime | None = None
    names: tuple[str, ...] = ()


class Visibility:
    """What one viewer sees of one loaded tree (worked out for a request)."""

    def __init__(self, tree: LoadedTree, viewer: Viewer, *, for_progress: bool = False) -> None:
        self.tree = tree
        self.viewer = viewer
        self._rules = rules(tree)
        self.hidden = frozenset(
            usage_id
            for usage_id, rule in self._rules.items()
            if hides(rule, viewer, for_progress=for_progress)
        )

    @property
    def course_started(self) -> bool:
        """Whether the course itself has started for this viewer (staff: always)."""
        return (self.tree.root_usage_id or "") not in self.hidden

    def shows(self, usage_id: str) -> bool:
        """Whether the viewer may see this block: neither it nor a container above it is hidden."""
        if not self.hidden:
            return usage_id in self.tree
        if usage_id in self.hidden or usage_id not in self.tree:
            return False
        return not any(a.usage_id in self.hidden for a in self.tree.ancestors(usage_id))

    def hidden_below(self, ancestors: Mapping[str, Iterable[str]]) -> frozenset[str]:
        """Of blocks given with the containers above them, those hidden themselves or below a hidden block
        (a container, or a component holding others)."""
        if not self.hidden:
            return frozenset()
        return frozenset(
            u
            for u, chain in ancestors.items()
            if u in self.hidden or not self.hidden.isdisjoint(chain) or self._below_hidden_component(u)
        )

    def _below_hidden_component(self, usage_id: str) -> bool:
        record = self.tree.get(usage_id)
        parent = self.tree.get(record.parent_usage_id or "") if record is not None else None
        return parent is not None and parent.block_type not in STRUCTURE_TYPES and not self.shows(usage_id)

    @functools.cached_property
    def hidden_components(self) -> frozenset[str]:
        """The components (not chapters, sequences or units) hidden from the viewer by their own settings,
        and every block under them: left out of the unit's page and of what the learner must complete."""
        tree = self.tree
        own = [u for u in self.hidden if (r := tree.get(u)) and r.block_type not in STRUCTURE_TYPES]
        return frozenset(u for c in own for u in self.tree.subtree(c))

    def restricted_components(self, usage_id: str) -> list[str]:
        """The components under a block that have visibility settings of their own (what staff see marked)."""
        restricted = component_rules(self.tree)
        return [u for u in self.tree.subtree(usage_id)[1:] if u in restricted] if restricted else []

    def keep(self, usage_ids: Iterable[str]) -> list[str]:
        """The ids the viewer sees, in the order given (containers' descendants included)."""
        return [u for u in usage_ids if self.shows(u)]

    def marks(self, usage_id: str) -> list[Mark]:
        """Why a learner would not see this container (its own settings and those it inherits)."""
        rule = self._rules.get(usage_id)
        if rule is None:
            return []
        found = []
        if rule.staff_only:
            found.append(Mark("staff_only"))
        if rule.start is not None and rule.start > self.viewer.now:
            found.append(Mark("release", rule.start))
        if rule.hidden_after is not None and rule.hidden_after < self.viewer.now:
            found.append(Mark("hidden_after_due", rule.hidden_after))
        if rule.groups:
            names = group_names(self.tree)
            allowed = sorted(set.intersection(*(set(a) for _, a in rule.groups)))
            found.append(Mark("groups", names=tuple(names.get(g, str(g)) for g in allowed)))
        return found

    def own_marks(self, usage_id: str) -> list[Mark]:
        """The marks a container has that its parent has not (what the outline shows beside it)."""
        record = self.tree.get(usage_id)
        parent = record.parent_usage_id if record is not None else None
        inherited = self.marks(parent) if parent and parent != self.tree.root_usage_id else []
        return [m for m in self.marks(usage_id) if m not in inherited]


def of(tree: LoadedTree, is_staff: bool, groups: Iterable[int] = ()) -> Visibility:
    """What a viewer sees of a tree now."""
    return Visibility(tree, Viewer(is_staff, frozenset(groups)))

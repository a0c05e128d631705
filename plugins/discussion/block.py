"""The training forum (``discussion``): threads and replies attached to a unit, in Open edX's OLX shape.

``<discussion url_name display_name discussion_id discussion_category discussion_target visibility/>``:
Open edX's attributes, plus ``visibility`` ("cohort", the default: learners see the threads of their own
cohort; "course": everyone enrolled sees every thread). A missing ``discussion_id`` falls back to the
block's ``url_name``; blocks sharing a ``discussion_id`` share their threads, as in Open edX.

The posts live in the platform's tables behind the ``forum`` service, which applies who sees what, checks
what is typed and refuses what a reader may not do (its refusals carry a status and a message). The block
renders the thread list server-side (readable without JavaScript), and its script (``public/``) swaps in
HTML that the JSON handlers render: opening a thread, posting, replying, editing one's own message within
the edit window, reporting, and the trainers' pin, close, hide and mark-as-answer. The learner's first
thread or reply completes the block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Dict, Scope, String

from plugins.discussion import requests
from plugins.discussion.rendering import render

VISIBILITIES = ("cohort", "course")
ATTRIBUTES = ("display_name", "discussion_id", "discussion_category", "discussion_target", "visibility")
MAX_SETTING = 255


@XBlock.needs("i18n", "forum")
class DiscussionBlock(XBlock):
    """A training forum."""

    has_custom_completion = True
    icon_class = "other"

    display_name = String(scope=Scope.settings, default="Forum", help="The forum's name, shown above it.")
    discussion_id = String(
        scope=Scope.settings, default="", help="The discussion's key (threads are filed under it)."
    )
    discussion_category = String(scope=Scope.settings, default="", help="The group of discussions it is in.")
    discussion_target = String(scope=Scope.settings, default="", help="What it is about, in a few words.")
    visibility = String(
        scope=Scope.settings,
        default="cohort",
        values=VISIBILITIES,
        help="cohort: learners see their cohort's threads; course: everyone enrolled sees every thread.",
    )
    # Attributes of the OLX element this block does not use, written back on export (Open edX's too).
    xml_attributes = Dict(scope=Scope.settings, default={})
    has_posted = Boolean(scope=Scope.user_state, default=False)

    # Services ------------------------------------------------------------------------------------------

    @property
    def i18n(self) -> Any:
        """The ``i18n`` service (this package's French catalogue)."""
        return self.runtime.service(self, "i18n")

    @property
    def forum(self) -> Any:
        """The platform's ``forum`` service, for the current reader and course."""
        return self.runtime.service(self, "forum")

    @property
    def effective_discussion_id(self) -> str:
        """The discussion's key: ``discussion_id``, or the block's ``url_name`` when none was given."""
        return self.discussion_id or str(self.scope_ids.usage_id.block_id)

    def _discussion(self) -> Any:
        return self.forum.discussion(
            self.effective_discussion_id, self.visibility != "course", str(self.scope_ids.usage_id)
        )

    # OLX -----------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read ``<discussion …/>``; other attributes are kept for export."""
        block = runtime.construct_xblock_from_class(cls, keys)
        kept: dict[str, str] = {}
        for name, value in node.items():
            if name in ATTRIBUTES:
                if len(value) > MAX_SETTING:
                    raise ValueError(f"{name} is longer than {MAX_SETTING} characters")
                if name == "visibility" and value not in VISIBILITIES:
                    raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {value!r}")
                setattr(block, name, value)
            elif name not in ("url_name", "xblock-family"):
                kept[name] = value
        if kept:
            block.xml_attributes = kept
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write ``<discussion …/>`` with the attributes that were set."""
        node.tag = "discussion"
        for name, value in sorted(self.xml_attributes.items()):
            node.set(name, str(value))
        for name in ATTRIBUTES:
            if self.fields[name].is_set_on(self):
                node.set(name, getattr(self, name))

    # Views ---------------------------------------------------------------------------------------------

    def _context(self, forum: Any) -> dict[str, Any]:
        return {
            "block": self,
            "staff": forum.is_staff,
            "when": forum.format_datetime,
            "may_edit": forum.may_edit,
            "user_id": forum.user_id,
            "title_max": forum.TITLE_MAX,
            "body_max": forum.BODY_MAX,
            "edit_minutes": forum.EDIT_MINUTES,
        }

    def _list_html(self, forum: Any, page: Any) -> str:
        return render("list.html", self.i18n, page=page, **self._context(forum))

    def _thread_html(self, forum: Any, thread: Any) -> str:
        return render("thread.html", self.i18n, thread=thread, **self._context(forum))

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The forum: its threads (first page), and the form to start one."""
        forum = self.forum
        try:
            discussion = self._discussion()
            page = discussion.threads(1)
            cohorts = discussion.cohorts()
        except forum.Refused as refusal:
            return Fragment(render("refused.html", self.i18n, block=self, message=refusal.message))
        html = render(
            "student_view.html",
            self.i18n,
            list_html=self._list_html(forum, page),
            cohorts=cohorts,
            **self._context(forum),
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/discussion.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/discussion.js"))
        fragment.initialize_js("CybermassifDiscussion", {})
        return fragment

    # Handlers ------------------------------------------------------------------------------------------

    @contextmanager
    def _refusals(self) -> Iterator[None]:
        """Turn the forum's refusals into JSON errors with its status and message (the endpoint then
        rolls back whatever was begun)."""
        try:
            yield
        except self.forum.Refused as refusal:
            raise JsonHandlerError(refusal.status, refusal.message) from None

    def _thread_answer(
        self, discussion: Any, thread_id: int, page: int | None, **extra: Any
    ) -> dict[str, Any]:
        thread = discussion.thread(thread_id, page)
        return {"thread_id": thread.id, "html": self._thread_html(self.forum, thread), **extra}

    def _completed(self) -> None:
        # Posting completes the block: the first time only, later posts change nothing.
        if not self.has_posted:
            self.has_posted = True
            self.runtime.publish(self, "completion", {"completion": 1.0})

    @requests.json_handler
    def list_threads(self, data: dict[str, Any]) -> dict[str, Any]:
        """A page of threads: ``{"page": n}`` → ``{"html", "page"}``."""
        number = requests.page(self, data)
        with self._refusals():
            page = self._discussion().threads(number)
            return {"html": self._list_html(self.forum, page), "page": page.page}

    @requests.json_handler
    def open_thread(self, data: dict[str, Any]) -> dict[str, Any]:
        """A thread with a page of replies (``page`` null: the last): ``{"thread_id", "page"}`` →
        ``{"thread_id", "html"}``. The thread counts as read."""
        thread_id = requests.identifier(self, data, "thread_id")
        number = requests.page(self, data)
        with self._refusals():
            return self._thread_answer(self._discussion(), thread_id, number)

    @requests.json_handler
    def create_thread(self, data: dict[str, Any]) -> dict[str, Any]:
        """Start a thread: ``{"title", "body", "cohort_id"?}`` (the cohort: trainers only, in a
        cohort-divided forum) → the new thread's ``{"thread_id", "html", "message"}``."""
        title = requests.text(self, data, "title")
        body = requests.text(self, data, "body")
        cohort_id = requests.optional_identifier(self, data, "cohort_id")
        with self._refusals():
            discussion = self._discussion()
            thread_id = discussion.start_thread(title, body, cohort_id)
            self._completed()
            return self._thread_answer(
                discussion, thread_id, 1, message=self.i18n.gettext("Your thread is posted.")
            )

    @requests.json_handler
    def reply(self, data: dict[str, Any]) -> dict[str, Any]:
        """Reply in a thread: ``{"thread_id", "body"}`` → the thread's last page ``{"thread_id", "html",
        "post_id", "message"}``."""
        thread_id = requests.identifier(self, data, "thread_id")
        body = requests.text(self, data, "body")
        with self._refusals():
            discussion = self._discussion()
            post_id = discussion.reply(thread_id, body)
            self._completed()
            message = self.i18n.gettext("Your reply is posted.")
            return self._thread_answer(discussion, thread_id, None, post_id=post_id, message=message)

    @requests.json_handler
    def edit(self, data: dict[str, Any]) -> dict[str, Any]:
        """Edit one's own message within the edit window: ``{"kind": "thread"|"post", "id", "body",
        "title" (threads), "page"?}`` → the thread's page ``{"thread_id", "html", "message"}``."""
        kind = requests.kind(self, data)
        target_id = requests.identifier(self, data, "id")
        body = requests.text(self, data, "body")
        title = requests.text(self, data, "title") if kind == "thread" else None
        number = requests.page(self, data, None)
        with self._refusals():
            discussion = self._discussion()
            thread_id = discussion.edit(kind, target_id, body, title)
            message = self.i18n.gettext("Your changes are saved.")
            return self._thread_answer(discussion, thread_id, number, message=message)

    @requests.json_handler
    def flag(self, data: dict[str, Any]) -> dict[str, Any]:
        """Report a message as abusive, once: ``{"kind", "id", "thread_id", "reason"?, "page"?}``."""
        kind = requests.kind(self, data)
        target_id = requests.identifier(self, data, "id")
        thread_id = requests.identifier(self, data, "thread_id")
        reason = requests.text(self, data, "reason", required=False)
        number = requests.page(self, data)
        with self._refusals():
            discussion = self._discussion()
            discussion.flag(kind, target_id, reason)
            message = self.i18n.gettext("Thank you: the trainers will look at this message.")
            return self._thread_answer(discussion, thread_id, number, message=message)

    # Trainers' handlers: the forum service refuses them (403) to anyone but course staff.

    def _moderate(self, data: dict[str, Any], act: Callable[[Any], int], message: str) -> dict[str, Any]:
        number = requests.page(self, data)
        with self._refusals():
            discussion = self._discussion()
            return self._thread_answer(discussion, act(discussion), number, message=message)

    @requests.json_handler
    def pin(self, data: dict[str, Any]) -> dict[str, Any]:
        """Pin (``value`` true) or unpin a thread: ``{"thread_id", "value"}``."""
        thread_id = requests.identifier(self, data, "thread_id")
        value = requests.flag(self, data)
        _ = self.i18n.gettext
        return self._moderate(
            data,
            lambda d: d.pin(thread_id, value),
            _("The thread is pinned.") if value else _("The thread is unpinned."),
        )

    @requests.json_handler
    def close(self, data: dict[str, Any]) -> dict[str, Any]:
        """Close (``value`` true) or reopen a thread: ``{"thread_id", "value"}``."""
        thread_id = requests.identifier(self, data, "thread_id")
        value = requests.flag(self, data)
        _ = self.i18n.gettext
        return self._moderate(
            data,
            lambda d: d.close(thread_id, value),
            _("The thread is closed.") if value else _("The thread is open again."),
        )

    @requests.json_handler
    def hide(self, data: dict[str, Any]) -> dict[str, Any]:
        """Hide (``value`` true) or show a message: ``{"kind", "id", "value"}``."""
        kind = requests.kind(self, data)
        target_id = requests.identifier(self, data, "id")
        value = requests.flag(self, data)
        _ = self.i18n.gettext
        return self._moderate(
            data,
            lambda d: d.hide(kind, target_id, value),
            _("The message is hidden from learners.") if value else _("The message is shown again."),
        )

    @requests.json_handler
    def mark_answer(self, data: dict[str, Any]) -> dict[str, Any]:
        """Mark a reply as an answer (``value`` true) or not: ``{"post_id", "value"}``."""
        post_id = requests.identifier(self, data, "post_id")
        value = requests.flag(self, data)
        _ = self.i18n.gettext
        return self._moderate(
            data,
            lambda d: d.mark_answer(post_id, value),
            _("The reply is marked as an answer.")
            if value
            else _("The reply is no longer marked as an answer."),
        )

    # Editor --------------------------------------------------------------------------------------------

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The editor: name, category, subject and who sees the threads."""
        html = render(
            "studio_view.html", self.i18n, block=self, visibilities=VISIBILITIES, max_length=MAX_SETTING
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/discussion.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/discussion-studio.js"))
        fragment.initialize_js("CybermassifDiscussionStudio", {})
        return fragment

    @requests.json_handler
    def studio_submit(self, data: dict[str, Any]) -> dict[str, Any]:
        """Save the editor's fields, all checked first: ``{"display_name", "discussion_category",
        "discussion_target", "visibility"}`` → ``{"result": "success"}``; a 400 changes nothing."""
        _ = self.i18n.gettext
        values: dict[str, str] = {}
        for name in ("display_name", "discussion_category", "discussion_target", "visibility"):
            value = data.get(name)
            if not isinstance(value, str):
                raise requests.malformed(self)
            values[name] = " ".join(value.split())
        if not values["display_name"]:
            raise JsonHandlerError(400, _("Give the forum a name."))
        if any(len(value) > MAX_SETTING for value in values.values()):
            raise JsonHandlerError(
                400, _("Each field takes %(max)d characters at most.") % {"max": MAX_SETTING}
            )
        if values["visibility"] not in VISIBILITIES:
            raise JsonHandlerError(400, _("Choose who sees the threads: the cohort, or the whole course."))
        for name, value in values.items():
            setattr(self, name, value)
        return {"result": "success"}

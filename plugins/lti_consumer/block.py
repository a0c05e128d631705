"""Open edX's LTI components: ``lti_consumer`` (LTI 1.1 or 1.3, the ``lti-consumer-xblock`` of PyPI) and
the old ``lti`` block (LTI 1.1), reading the same OLX, for instance::

    <lti_consumer display_name="Simulateur" lti_version="lti_1p3" launch_target="iframe"
        lti_1p3_oidc_url="https://tool.example/login" lti_1p3_launch_url="https://tool.example/launch"
        lti_1p3_tool_public_key="-----BEGIN PUBLIC KEY-----…" has_score="true" weight="10"
        custom_parameters="[&quot;level=2&quot;]"/>
    <lti lti_id="quiz" launch_url="https://tool.example/lti" has_score="true" open_in_a_new_page="false"/>

The learner opens the tool in the page (an iframe) or in a new window; the tool's scores become the
learner's grade out of ``weight``. The protocols (signatures, keys, tokens, nonces, the learners' anonymous
ids) are the platform's ``lti`` service; the handlers here only carry requests to it and its answers back.
The OLX attributes are kept as imported, so that an export gives them back unchanged.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import webob.exc
from jinja2 import Environment, PackageLoader, StrictUndefined
from web_fragments.fragment import Fragment
from webob import Request, Response
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String

_TEMPLATES = Environment(
    loader=PackageLoader("plugins.lti_consumer", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
#: Attributes of the element that are not fields (the runtime's own).
_NOT_FIELDS = ("url_name", "xblock-family")
FORM_MAX_BYTES = 64 * 1024
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json", charset="utf-8")


def _refusal(status: int, body: str, content_type: str) -> webob.exc.HTTPException:
    """A 4xx the runtime answers with after undoing the request's writes (a nonce half-recorded…)."""
    error_class = webob.exc.status_map.get(status, webob.exc.HTTPBadRequest)
    if not 400 <= status < 500:
        error_class = webob.exc.HTTPBadRequest
    return error_class(body=body.encode(), content_type=content_type, charset="utf-8")


@XBlock.needs("lti")
@XBlock.needs("i18n")
class LtiBlockBase(XBlock):
    """What both LTI blocks share: the launch, the score and the OLX kept as imported. Each block says
    where its tool opens (``opens_in_new_window()``), as its own OLX does."""

    display_name = String(scope=Scope.settings, default="LTI")
    description = String(scope=Scope.settings, default="")
    lti_id = String(scope=Scope.settings, default="")
    launch_url = String(scope=Scope.settings, default="")
    custom_parameters = List(scope=Scope.settings, default=[])
    button_text = String(scope=Scope.settings, default="")
    has_score = Boolean(scope=Scope.settings, default=False)
    weight = Float(scope=Scope.settings, default=1.0)
    hide_launch = Boolean(scope=Scope.settings, default=False)
    accept_grades_past_due = Boolean(scope=Scope.settings, default=True)
    ask_to_send_username = Boolean(scope=Scope.settings, default=False)
    ask_to_send_email = Boolean(scope=Scope.settings, default=False)
    # The learner's last score from the tool (out of the weight) and its comment, as Open edX keeps them.
    module_score = Float(scope=Scope.user_state, default=None)
    score_comment = String(scope=Scope.user_state, default="")
    # The element's attributes as imported (text), given back by export unless the field changed since.
    xml_attributes = Dict(scope=Scope.settings, default={})

    #: Handlers tools call server to server, without a session (the platform checks their signatures).
    noauth_handlers: tuple[str, ...] = ("outcome_service_handler",)

    # OLX ------------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Attributes become fields (ValueError for a value a field cannot hold); all are kept as text."""
        block = runtime.construct_xblock_from_class(cls, keys)
        kept = {}
        for name, value in node.items():
            if name in _NOT_FIELDS:
                continue
            kept[name] = value
            field = block.fields.get(name)
            if field is not None and field.scope == Scope.settings and name != "xml_attributes":
                try:
                    setattr(block, name, field.from_string(value))
                except (TypeError, ValueError) as error:
                    raise ValueError(f"{name}: {value!r} is not a valid value ({error})") from error
        block.xml_attributes = kept
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """The element back: its attributes as imported, a field changed since written anew."""
        node.tag = self.scope_ids.block_type
        for name, text in self.xml_attributes.items():
            field = self.fields.get(name)
            if field is not None and field.is_set_on(self) and name != "xml_attributes":
                try:
                    unchanged = field.from_string(text) == getattr(self, name)
                except (TypeError, ValueError):
                    unchanged = False
                node.set(name, text if unchanged else field.to_string(getattr(self, name)))
            else:
                node.set(name, text)
        for name, field in self.fields.items():
            if (
                field.scope == Scope.settings
                and name not in self.xml_attributes
                and name not in ("xml_attributes", "parent", "children")
                and field.is_set_on(self)
            ):
                node.set(name, field.to_string(getattr(self, name)))

    # What the learner sees ------------------------------------------------------------------------------

    def lti_version_name(self) -> str:
        """``lti_1p1`` or ``lti_1p3``."""
        return "lti_1p1"

    def max_score(self) -> float | None:
        """The most a learner can earn here (the weight), when the tool sends scores."""
        return float(self.weight) if self.has_score else None

    def frame_height(self) -> int:
        """Height of the tool's frame in the page, in pixels."""
        return 800

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The tool in a frame, or a button that opens it in a new window; the registration for staff."""
        i18n = self.runtime.service(self, "i18n")
        registration = None
        if getattr(self.runtime, "user_is_staff", False) and self.lti_version_name() == "lti_1p3":
            registration = self.runtime.service(self, "lti").registration(self)
        html = _TEMPLATES.get_template("student.html").render(
            _=i18n.gettext,
            title=self.display_name,
            description=self.description,
            hidden=self.hide_launch,
            new_window=self.opens_in_new_window(),
            launch_url=self.runtime.handler_url(self, "launch"),
            button_text=self.button_text or i18n.gettext("Open the tool"),
            height=max(100, min(self.frame_height(), 5000)),
            weight=self.weight if self.has_score else None,
            score=self.module_score if self.has_score else None,
            comment=self.score_comment,
            registration=registration,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/lti_consumer.css"))
        return fragment

    def _refused(self, error: ValueError, as_json: bool = False) -> webob.exc.HTTPException:
        """The refusal to raise: JSON for tools, a page for the learner's browser."""
        status = int(getattr(error, "status", 400))
        if as_json:
            return _refusal(status, json.dumps({"error": str(error)}), "application/json")
        _ = self.runtime.service(self, "i18n").gettext
        # The platform says what failed in English for the tool's developers: the learner reads why in
        # their language, the detail after it.
        reasons = {
            "sign_in": _("Sign in to open this tool."),
            "not_configured": _("This tool is not fully set up in the course yet: tell your trainer."),
            "replay": _("This launch was already used: open the tool again from the course page."),
        }
        reason = reasons.get(getattr(error, "code", ""), _("The tool's request was refused."))
        page = _TEMPLATES.get_template("refused.html").render(_=_, reason=reason, detail=str(error))
        return _refusal(status, page, "text/html")

    def _post_form(self, action: str, fields: dict[str, str]) -> Response:
        """A page that posts ``fields`` to the tool at once (a button where scripts do not run)."""
        i18n = self.runtime.service(self, "i18n")
        page = _TEMPLATES.get_template("autopost.html").render(
            _=i18n.gettext,
            action=action,
            fields=fields,
            script=self.runtime.local_resource_url(self, "public/autopost.js"),
        )
        response = Response(page, content_type="text/html", charset="utf-8")
        origin = urllib.parse.urlsplit(action)
        # The page posts to the tool only: the site's policy would refuse a form to another origin. The
        # origin is the author's text: anything but a plain host (a ';' would add a directive) posts nowhere.
        target = (
            f"{origin.scheme}://{origin.netloc}"
            if origin.scheme in ("http", "https") and _PLAIN_HOST.fullmatch(origin.netloc)
            else "'none'"
        )
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'self'; form-action {target}; "
            "frame-ancestors 'self'; base-uri 'none'"
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    # Handlers -------------------------------------------------------------------------------------------

    @XBlock.handler
    def launch(self, request: Request, suffix: str = "") -> Response:
        """Start a launch for the signed-in learner (the frame's or the new window's address)."""
        lti = self.runtime.service(self, "lti")
        try:
            if self.lti_version_name() == "lti_1p3":
                return Response(status=302, location=lti.login_url(self))
            return self._post_form(*lti.launch_1p1(self))
        except ValueError as error:
            raise self._refused(error) from error

    @XBlock.handler
    def outcome_service_handler(self, request: Request, suffix: str = "") -> Response:
        """LTI 1.1 Basic Outcomes: the tool replaces the learner's result (signed XML)."""
        if request.method != "POST":
            return Response(status=405, allow="POST")
        try:
            answer = self.runtime.service(self, "lti").outcome_1p1(
                self, request.url, dict(request.headers), request.body
            )
        except ValueError as error:
            raise _refusal(int(getattr(error, "status", 400)), str(error), "text/plain") from error
        return Response(answer, content_type="application/xml", charset="utf-8")


class LtiConsumerBlock(LtiBlockBase):
    """Open edX's ``lti_consumer``: an LTI 1.1 or LTI 1.3 tool."""

    display_name = String(scope=Scope.settings, default="LTI Consumer")
    config_type = String(scope=Scope.settings, default="new")
    lti_version = String(scope=Scope.settings, default="lti_1p1", values=["lti_1p1", "lti_1p3"])
    lti_1p3_launch_url = String(scope=Scope.settings, default="")
    lti_1p3_oidc_url = String(scope=Scope.settings, default="")
    lti_1p3_redirect_uris = List(scope=Scope.settings, default=[])
    lti_1p3_tool_key_mode = String(
        scope=Scope.settings, default="public_key", values=["public_key", "keyset_url"]
    )
    lti_1p3_tool_keyset_url = String(scope=Scope.settings, default="")
    lti_1p3_tool_public_key = String(scope=Scope.settings, default="")
    lti_advantage_ags_mode = String(scope=Scope.settings, default="declarative")
    launch_target = String(scope=Scope.settings, default="iframe", values=["iframe", "modal", "new_window"])
    inline_height = Integer(scope=Scope.settings, default=800)
    ask_to_send_full_name = Boolean(scope=Scope.settings, default=False)

    noauth_handlers = (
        "outcome_service_handler",
        "lti_1p3_access_token",
        "lti_1p3_lineitem",
    )

    def lti_version_name(self) -> str:
        """The version the OLX names (LTI 1.1 unless ``lti_1p3``)."""
        return "lti_1p3" if self.lti_version == "lti_1p3" else "lti_1p1"

    def opens_in_new_window(self) -> bool:
        """Open edX's modal opens a window here too: the tool keeps the whole screen."""
        return self.launch_target != "iframe"

    def frame_height(self) -> int:
        """The OLX's ``inline_height``."""
        return int(self.inline_height)

    @XBlock.handler
    def lti_1p3_authorize(self, request: Request, suffix: str = "") -> Response:
        """The OIDC authorisation endpoint for this tool: the learner's browser, sent by the tool, gets a
        form that posts the signed ``id_token`` to the tool's launch URL."""
        if len(request.body or b"") > FORM_MAX_BYTES:
            return Response(status=413)
        params = {name: str(value) for name, value in request.params.items()}
        try:
            return self._post_form(*self.runtime.service(self, "lti").authorize(self, params))
        except ValueError as error:
            raise self._refused(error) from error

    @XBlock.handler
    def lti_1p3_access_token(self, request: Request, suffix: str = "") -> Response:
        """The token endpoint of Assignment and Grade Services (client credentials, signed JWT)."""
        if request.method != "POST":
            return Response(status=405, allow="POST")
        form = {name: str(value) for name, value in request.POST.items()}
        try:
            return _json(self.runtime.service(self, "lti").access_token(self, form))
        except ValueError as error:
            raise self._refused(error, as_json=True) from error

    @XBlock.handler
    def lti_1p3_lineitem(self, request: Request, suffix: str = "") -> Response:
        """The block's line item (GET) and its scores (POST to ``…/scores``)."""
        lti = self.runtime.service(self, "lti")
        authorization = request.headers.get("Authorization", "")
        try:
            if suffix == "" and request.method == "GET":
                return _json(lti.lineitem(self, authorization))
            if suffix == "scores" and request.method == "POST":
                lti.record_score(self, authorization, request.content_type or "", request.body)
                return _json({})
        except ValueError as error:
            raise self._refused(error, as_json=True) from error
        return _json({"error": "not found"}, 404)


class LtiBlock(LtiBlockBase):
    """The old ``lti`` block of Open edX: an LTI 1.1 tool, its key and secret in the course's passports."""

    display_name = String(scope=Scope.settings, default="LTI")
    open_in_a_new_page = Boolean(scope=Scope.settings, default=True)
    graded = Boolean(scope=Scope.settings, default=False)

    def opens_in_new_window(self) -> bool:
        """As the OLX says (a new page unless ``open_in_a_new_page`` is false)."""
        return bool(self.open_in_a_new_page)

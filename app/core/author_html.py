"""The sanitising policy for HTML written by course authors (html blocks), shown in the site's pages.

Learners' text keeps the strict policy of ``app.core.sanitize``. Course authors lay their pages out with
``style`` attributes, feedback buttons, stylesheets, PDF objects and players of the course's own files, so
their policy keeps those — but nothing that runs script in the site's origin, nothing loaded from other
origins (only ``/static/…`` course assets, as Open edX writes them, before ``replace_urls`` rewrites them),
and no CSS that could cover the site's own interface or call the network. Script is never kept here: the
html block shows a text holding script in a sandboxed frame of its own origin instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import bleach
import tinycss2
from bleach.css_sanitizer import ALLOWED_CSS_PROPERTIES, CSSSanitizer
from bleach.html5lib_shim import Filter

from app.core.sanitize import ALLOWED_PROTOCOLS, ALLOWED_TAGS, IFRAME_SOURCES

AUTHOR_TAGS = ALLOWED_TAGS | frozenset(
    {
        "address", "area", "article", "aside", "audio", "bdi", "bdo", "big", "button", "center", "data",
        "dfn", "embed", "fieldset", "font", "footer", "h1", "header", "input", "label", "legend", "link",
        "main", "map", "meter", "nav", "object", "optgroup", "option", "output", "param", "picture",
        "progress", "rp", "rt", "ruby", "samp", "section", "select", "source", "textarea", "time", "track",
        "tt", "var", "video", "wbr",
    }
)  # fmt: skip

# Attributes any element may carry (data-* and aria-* are checked by prefix below).
_GLOBAL_ATTRIBUTES = frozenset(
    {"class", "id", "title", "lang", "dir", "style", "role", "hidden", "tabindex", "translate"}
)
_TAG_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "rel", "target", "name", "download"}),
    "area": frozenset({"alt", "coords", "shape", "href", "target"}),
    "audio": frozenset({"src", "controls", "loop", "muted", "preload"}),
    "button": frozenset({"type", "name", "value", "disabled"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span"}),
    "data": frozenset({"value"}),
    "embed": frozenset({"src", "type", "width", "height"}),
    "font": frozenset({"color", "face", "size"}),
    "iframe": frozenset({"src", "width", "height", "allowfullscreen", "allow", "loading"}),
    # Form-less: no form element is kept, and inputs never name one (no "form" attribute).
    "input": frozenset(
        {"type", "name", "value", "placeholder", "checked", "disabled", "readonly", "size", "min", "max"}
        | {"step", "maxlength", "list", "autocomplete"}
    ),
    "img": frozenset({"src", "alt", "width", "height", "loading", "usemap"}),
    "label": frozenset({"for"}),
    "link": frozenset({"href", "rel", "type", "media"}),
    "map": frozenset({"name"}),
    "meter": frozenset({"value", "min", "max", "low", "high", "optimum"}),
    "object": frozenset({"data", "type", "width", "height", "name"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "optgroup": frozenset({"label", "disabled"}),
    "option": frozenset({"value", "label", "selected", "disabled"}),
    "output": frozenset({"for", "name"}),
    "param": frozenset({"name", "value"}),
    "progress": frozenset({"value", "max"}),
    "select": frozenset({"name", "multiple", "size", "disabled"}),
    "source": frozenset({"src", "type", "media", "srcset", "sizes"}),
    "table": frozenset({"border", "cellpadding", "cellspacing", "summary", "width"}),
    "td": frozenset({"colspan", "rowspan", "headers", "align", "valign", "width"}),
    "textarea": frozenset({"name", "rows", "cols", "placeholder", "readonly", "disabled", "maxlength"}),
    "th": frozenset({"colspan", "rowspan", "scope", "headers", "align", "valign", "width"}),
    "time": frozenset({"datetime"}),
    "track": frozenset({"src", "kind", "srclang", "label", "default"}),
    "video": frozenset({"src", "poster", "controls", "loop", "muted", "preload", "width", "height"}),
}
# Attributes naming a file the browser loads, and where each element may load it from.
_LOADED = {
    ("audio", "src"), ("embed", "src"), ("iframe", "src"), ("link", "href"), ("object", "data"),
    ("source", "src"), ("track", "src"), ("video", "poster"), ("video", "src"),
}  # fmt: skip
# A course asset as Open edX writes it: a path under /static/, never climbing out of it.
_COURSE_ASSET = re.compile(r"^/static/(?!/)(?!.*(?:\.\.|\\|//))[^\s\"'<>()]+$")
_INPUT_TYPES = frozenset(
    {"text", "number", "checkbox", "radio", "range", "button", "reset", "date", "time", "email", "color"}
)
_DATA_ATTRIBUTE = re.compile(r"^(?:data|aria)-[a-z0-9_.-]+$")


def is_course_asset(url: str) -> bool:
    """Whether ``url`` names a file of the course (``/static/…``), nothing on another origin."""
    return bool(_COURSE_ASSET.match(url.strip()))


# Attributes whose value is one keyword of a list: a stylesheet link, form-less inputs and buttons.
_KEYWORDS = {
    ("link", "rel"): frozenset({"stylesheet"}),
    ("input", "type"): _INPUT_TYPES,
    ("button", "type"): frozenset({"button", "reset"}),
}


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Bleach's attribute filter for author HTML: the allow-lists, and loaded files from the course only."""
    name = name.lower()
    if name in _GLOBAL_ATTRIBUTES or _DATA_ATTRIBUTE.match(name):
        return True
    if name not in _TAG_ATTRIBUTES.get(tag, frozenset()):
        return False
    if (tag, name) in _LOADED:
        video_player = tag == "iframe" and IFRAME_SOURCES.match(value.replace("&amp;", "&"))
        return bool(video_player) or is_course_asset(value)
    if (tag, name) in _KEYWORDS:
        return value.strip().lower() in _KEYWORDS[tag, name]
    return True


# CSS properties that lay out or decorate a text; no z-index or content, and position checked below.
AUTHOR_CSS_PROPERTIES = ALLOWED_CSS_PROPERTIES | frozenset(
    {
        "align-items", "align-self", "background", "background-image", "background-position",
        "background-repeat", "background-size", "border", "border-bottom", "border-left", "border-radius",
        "border-right", "border-spacing", "border-style", "border-top", "border-width", "bottom",
        "box-shadow", "box-sizing", "caption-side", "column-count", "column-gap", "empty-cells", "flex",
        "flex-basis", "flex-direction", "flex-grow", "flex-shrink", "flex-wrap", "gap", "grid-area",
        "grid-column", "grid-row", "grid-template-areas", "grid-template-columns", "grid-template-rows",
        "justify-content", "left", "list-style", "list-style-position", "list-style-type", "margin",
        "margin-bottom", "margin-left", "margin-right", "margin-top", "max-height", "max-width",
        "min-height", "min-width", "object-fit", "opacity", "outline", "overflow-wrap", "overflow-x",
        "overflow-y", "padding", "padding-bottom", "padding-left", "padding-right", "padding-top",
        "position", "right", "row-gap", "table-layout", "text-overflow", "text-shadow", "text-transform",
        "top", "visibility", "word-break", "word-spacing", "word-wrap",
    }
)  # fmt: skip
# Functions a value may use: colours, arithmetic, gradients; url() only to course assets (checked).
_CSS_FUNCTIONS = frozenset(
    {"rgb", "rgba", "hsl", "hsla", "calc", "min", "max", "clamp", "linear-gradient", "radial-gradient"}
)
# Static and relative keep an author's element in the text's own flow; fixed or sticky ones would cover
# the site's navigation, absolute ones are held inside the text by the block's ``contain: paint``.
_POSITIONS = frozenset({"static", "relative", "absolute"})


def _tokens(values: list[Any]) -> Iterator[Any]:
    """Every token of a declaration's value, nested ones (function arguments, blocks) included."""
    for token in values:
        yield token
        if getattr(token, "arguments", None) is not None:
            yield from _tokens(token.arguments)
        if getattr(token, "content", None) is not None and token.type != "comment":
            yield from _tokens(token.content)


def _safe_token(token: Any) -> bool:
    """Whether one token of a value loads nothing from elsewhere and computes nothing."""
    if token.type == "url":
        return is_course_asset(token.value)
    if token.type == "function" and token.lower_name == "url":
        # url("…") parses as a function: one string argument, a course asset.
        strings = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
        return len(strings) == 1 and strings[0].type == "string" and is_course_asset(strings[0].value)
    if token.type == "function":
        return bool(token.lower_name in _CSS_FUNCTIONS)  # not expression(), image(), env(), unknown ones
    if token.type == "ident":
        return "expression" not in token.lower_value
    return token.type not in ("error", "bad-url", "bad-string", "at-keyword")


def _safe_value(declaration: Any) -> bool:
    """Whether a declaration's value is safe, token by token (and a position one that stays in place)."""
    if declaration.lower_name == "position":
        idents = [t.lower_value for t in declaration.value if t.type == "ident"]
        return len(idents) == 1 and idents[0] in _POSITIONS
    return all(_safe_token(token) for token in _tokens(declaration.value))


def _serialise(declaration: Any) -> Any:
    """The declaration, with url("…") written url(…) so that ``replace_urls`` finds the asset path."""
    for i, token in enumerate(declaration.value):
        if token.type == "function" and token.lower_name == "url":
            path = next(t.value for t in token.arguments if t.type == "string")
            declaration.value[i] = tinycss2.ast.URLToken(
                token.source_line, token.source_column, path, f"url({path})"
            )
    return declaration


class AuthorCSSSanitizer(CSSSanitizer):  # type: ignore[misc]  # bleach ships no type hints
    """Bleach's CSS sanitiser with the authors' property list, whose values are checked as well: bleach
    checks only property names, so ``color: expression(…)`` or ``background: url(https://…)`` would pass."""

    def __init__(self) -> None:
        super().__init__(allowed_css_properties=AUTHOR_CSS_PROPERTIES)

    def sanitize_css(self, style: str) -> str:
        """The declarations of ``style`` whose property is allowed and value safe; "" when none is."""
        kept = [
            _serialise(token)
            for token in tinycss2.parse_declaration_list(style, skip_comments=True, skip_whitespace=True)
            if token.type == "declaration"
            and token.lower_name in self.allowed_css_properties | self.allowed_svg_properties
            and not token.important
            and _safe_value(token)
        ]
        return "; ".join(f"{d.lower_name}: {tinycss2.serialize(d.value).strip()}" for d in kept)


# Elements that are nothing without the file they load: without it (refused), they go, content and all.
_NEED_SOURCE = {"iframe": "src", "link": "href", "object": "data", "embed": "src", "source": "src"}
_VOID = frozenset({"link", "embed", "source"})
_DOCUMENT_FILE = re.compile(r"\.(?:x?html?|svg|xml)(?:[?#]|$)", re.IGNORECASE)


class _DropUnsourced(Filter):  # type: ignore[misc]
    """Removes frames, stylesheet links, objects and embeds whose file was refused (or is missing)."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        skipping: str | None = None
        depth = 0
        for token in super().__iter__():
            kind, name = token.get("type"), token.get("name")
            if skipping is not None:
                if kind == "StartTag" and name == skipping:
                    depth += 1
                elif kind == "EndTag" and name == skipping:
                    depth -= 1
                    if depth == 0:
                        skipping = None
                continue
            if kind in ("StartTag", "EmptyTag") and name in _NEED_SOURCE:
                attributes = {key[1]: value for key, value in token.get("data", {}).items()}
                if not attributes.get(_NEED_SOURCE[name]) or (name == "link" and "rel" not in attributes):
                    if kind == "StartTag" and name not in _VOID:
                        skipping, depth = name, 1
                    continue
                if name == "iframe" and _DOCUMENT_FILE.search(attributes["src"]):
                    # The site serves a course's HTML, SVG or XML file as a download (it could run script):
                    # framed as it is, it would start a download whenever the page opens.
                    token["data"][(None, "sandbox")] = ""
            yield token


_cleaner = bleach.Cleaner(
    tags=AUTHOR_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    css_sanitizer=AuthorCSSSanitizer(),
    filters=[_DropUnsourced],
)
# Bleach strips disallowed tags but keeps their text; a script's source or a style sheet is not text.
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def clean_author_html(html: str) -> str:
    """Course authors' ``html`` as the site's pages may show it: their layout, styles (filtered), buttons,
    media, stylesheets and frames of the course's own files; no script, no event attribute, nothing loaded
    from another origin (the allowed video players aside)."""
    return str(_cleaner.clean(_SCRIPT_OR_STYLE.sub("", html or "")))

"""What "no script can run" means for sanitised HTML, checked on the parsed markup (server side) and on the
live DOM (in Chromium): no executable elements, no event attributes, no script-bearing URLs."""

from __future__ import annotations

import re

import lxml.html

# Elements that run code or change where the page's code or links come from.
FORBIDDEN_ELEMENTS = frozenset(
    {"script", "style", "object", "embed", "applet", "meta", "base", "link", "form", "frame", "frameset",
     "svg", "math", "template", "noscript", "isindex", "keygen", "handler", "set", "animate", "use"}
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "background", "xlink:href", "srcdoc", "srcset", "poster"}
)
_CONTROL = re.compile(r"[\x00-\x20]+")
SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")


def unsafe_url(value: str) -> bool:
    """Whether a URL could run script: any explicit scheme other than the safe ones."""
    compact = _CONTROL.sub("", value).lower()
    if ":" not in compact.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return False  # relative
    return not compact.startswith(SAFE_SCHEMES)


def problems_in_html(fragment: str, allowed_iframe: re.Pattern[str] | None = None) -> list[str]:
    """Everything in ``fragment`` that could run script, described (empty when it is safe)."""
    if not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower().rsplit("}", 1)[-1]
        if tag in FORBIDDEN_ELEMENTS:
            found.append(f"<{tag}> element")
        if tag == "iframe" and not (allowed_iframe and allowed_iframe.match(element.get("src", ""))):
            found.append(f"iframe from {element.get('src')!r}")
        for qualified, value in element.attrib.items():
            name = qualified.lower().rsplit("}", 1)[-1]
            if name.startswith("on"):
                found.append(f"{name} attribute on <{tag}>")
            if name in URL_ATTRIBUTES | {"href"} and unsafe_url(value):
                found.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and re.search(r"expression|javascript|url\(", value, re.IGNORECASE):
                found.append(f"style={value!r} on <{tag}>")
    return found


# The same checks on a live DOM subtree; returns a list of problem descriptions.
DOM_PROBLEMS_JS = """
(selector) => {
  const forbidden = new Set(%s);
  const urlAttributes = new Set(%s);
  const safe = ["http:", "https:", "mailto:", "tel:"];
  const unsafeUrl = (value) => {
    const compact = value.replace(/[\\x00-\\x20]+/g, "").toLowerCase();
    const head = compact.split("/")[0].split("?")[0].split("#")[0];
    return head.includes(":") && !safe.some((s) => compact.startsWith(s));
  };
  const found = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of root.querySelectorAll("*")) {
      const tag = el.localName.toLowerCase();
      if (forbidden.has(tag)) found.push("<" + tag + "> element");
      for (const attr of el.attributes) {
        const name = attr.localName.toLowerCase();
        if (name.startsWith("on")) found.push(name + " attribute on <" + tag + ">");
        if (urlAttributes.has(name) && unsafeUrl(attr.value)) {
          found.push(name + "=" + attr.value + " on <" + tag + ">");
        }
      }
    }
  }
  return found;
}
""" % (sorted(FORBIDDEN_ELEMENTS), sorted(URL_ATTRIBUTES | {"href"}))  # noqa: UP031 (JS braces)

# Records every call of __xss(n) in the page and its frames, before any of the page's code runs.
RECORDER_JS = """
window.__xss_calls = [];
window.__xss = function (n) { (window.top || window).__xss_calls.push(n); };
"""

# Fire the events vectors wait for on every element of the selected subtrees (links are not followed).
PROVOKE_JS = """
(selector) => {
  const names = ["mouseover", "mouseenter", "pointerenter", "focus", "click", "toggle", "animationstart"];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of root.querySelectorAll("*")) {
      if (el.localName === "a" || el.closest("a") || el.localName === "button") continue;
      for (const name of names) el.dispatchEvent(new Event(name, {bubbles: true}));
    }
  }
}
"""

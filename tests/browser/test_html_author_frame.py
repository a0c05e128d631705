"""An html block's author script in real Chromium: it runs, in the sandboxed frame the block shows it in
(jQuery there as Open edX authors expect, the course's own scripts, stylesheets and images handed over by
the page), but in an opaque origin of its own: reading the site's ``document.cookie`` or reaching
``parent.document`` throws, and the unit page around it keeps its strict CSP with no violation and no
error."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from tests.plugins.conftest import enrolled, olx_course
from tests.plugins.video.conftest import in_browser, live_site, sign_in_page

__all__ = ["enrolled", "in_browser", "live_site", "olx_course"]

pytestmark = pytest.mark.browser

SCRIPT = """<p id="sortie">Avant</p><p id="essais"></p><p id="jquery"></p><p id="fichier"></p>
<link rel="stylesheet" href="/static/aide.css"><img id="image" src="/static/point.png" alt="point">
<script src="/static/aide.js"></script>
<button type="button" onclick="this.textContent = 'Cliqué'">Cliquer</button>
<script>
document.getElementById("sortie").textContent = "Le script a tourné";
document.getElementById("fichier").textContent += " " + window.aide();
var essais = {};
try { essais.cookie = "lu : " + document.cookie; } catch (e) { essais.cookie = "refusé : " + e.name; }
try { essais.parent = "lu : " + parent.document.title; } catch (e) { essais.parent = "refusé : " + e.name; }
document.getElementById("essais").textContent = JSON.stringify(essais);
$(function () { $("#jquery").text("jQuery " + $.fn.jquery); });
// The page fetches for the frame only the files its HTML names: asking for a page of the site fails.
window.addEventListener("message", function (e) {
  if (e.data && e.data.type === "cybermassif-html-asset-reply" && e.data.id === 9999) {
    document.getElementById("vol").textContent = e.data.ok ? "lu : " + e.data.text.length : "refusé";
  }
});
parent.postMessage({type: "cybermassif-html-asset", id: 9999, url: "/", as: "text"}, "*");
</script><p id="vol"></p>"""
FILES = {
    # A library the inline script uses: it must have run before it.
    "static/aide.js": 'window.aide = function () { return "et la bibliothèque est là"; };'
    'document.getElementById("fichier").textContent = "Fichier du cours chargé";',
    "static/aide.css": "#fichier { color: rgb(0, 128, 0); }",
    # A 1×1 PNG.
    "static/point.png": base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    ),
}
RECORD_CSP = """
document.addEventListener('securitypolicyviolation', (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def test_author_script_runs_only_inside_its_sandboxed_frame(olx_course, enrolled, in_browser):
    course = olx_course(f'<html url_name="h1" display_name="Exercice"><![CDATA[{SCRIPT}]]></html>', FILES)
    learner = enrolled(course, language="fr")

    def scenario(page: Any) -> dict[str, Any]:
        page.add_init_script(RECORD_CSP)
        sign_in_page(page, learner.email)
        page.evaluate("document.cookie = 'visible=secret; path=/'")  # a cookie script could read here
        page.goto(course.unit_url())
        frame = page.frame_locator("iframe.html-block-frame")
        frame.locator("#sortie").filter(has_text="Le script a tourné").wait_for(timeout=10_000)
        frame.locator("#jquery").filter(has_text="jQuery").wait_for(timeout=10_000)
        frame.locator("#vol").filter(has_text=re.compile(".")).wait_for(timeout=10_000)
        page.wait_for_timeout(300)  # the image and the style sheet, handed over by the page
        frame.get_by_role("button", name="Cliquer").click()
        page.wait_for_function(
            "() => document.querySelector('iframe.html-block-frame').style.height !== ''", timeout=10_000
        )
        return {
            "trials": json.loads(frame.locator("#essais").inner_text()),
            "jquery": frame.locator("#jquery").inner_text(),
            "course_file": frame.locator("#fichier").inner_text(),
            "course_style": frame.locator("#fichier").evaluate("e => getComputedStyle(e).color"),
            "image_width": frame.locator("#image").evaluate("i => i.complete ? i.naturalWidth : -1"),
            "clicked": frame.get_by_role("button").inner_text(),
            "other_page": frame.locator("#vol").inner_text(),
            "height": page.locator("iframe.html-block-frame").evaluate("f => f.style.height"),
            "page_text": page.locator("main").inner_text(),
            "violations": page.evaluate("window.__csp || []"),
            "errors": page.errors,
        }

    seen = in_browser(scenario)
    assert seen["trials"] == {"cookie": "refusé : SecurityError", "parent": "refusé : SecurityError"}
    assert seen["jquery"] == "jQuery 2.2.4"
    # The course's own files reach the frame (through the page: the frame has no session of its own).
    assert seen["course_file"] == "Fichier du cours chargé et la bibliothèque est là"
    assert seen["course_style"] == "rgb(0, 128, 0)"
    assert seen["image_width"] == 1
    assert seen["other_page"] == "refusé"
    assert seen["clicked"] == "Cliqué"  # inline event attributes work in the frame, not in the page
    assert seen["height"].endswith("px") and int(seen["height"][:-2]) > 40
    assert "Le script a tourné" not in seen["page_text"]  # the page's own document was not touched
    assert seen["violations"] == []
    assert seen["errors"] == []

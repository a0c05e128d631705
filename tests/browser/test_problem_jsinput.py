"""A JavaScript input problem (``<jsinput>``) in real Chromium: the author's page, a course file, runs in
its sandboxed frame (with a course script the page hands over), is answered by interacting inside the
frame, checked by the problem's check function and graded right; its state comes back after the check and
after a reload; the frame cannot read the site's cookies or the page around it; the unit page keeps its
strict CSP with no violation and no error."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from plugins.problem import sandbox
from tests.plugins.conftest import enrolled, olx_course
from tests.plugins.problem.conftest import recorded
from tests.plugins.video.conftest import in_browser, live_site, sign_in_page

__all__ = ["enrolled", "in_browser", "live_site", "olx_course"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not sandbox.available(), reason="the script sandbox needs libseccomp"),
]

PROBLEM = """<problem url_name="js" display_name="Le curseur">
<script type="loncapa/python"><![CDATA[
import json
def check(expect, ans):
    return json.loads(json.loads(ans)["answer"]).get("x") == 42
]]></script>
<customresponse cfn="check">
<jsinput gradefn="Curseur.getGrade" get_statefn="Curseur.getState" set_statefn="Curseur.setState"
  html_file="/static/curseur.html" width="400" height="200" title="Le curseur"/>
</customresponse>
</problem>"""
PAGE = """<!DOCTYPE html><html><head><script src="curseur.js"></script>
<link rel="stylesheet" href="/static/curseur.css"></head><body><img id="point" src="point.png" alt="">
<label for="x">Position</label> <input id="x" type="number" value="0">
<p id="bibliotheque"></p><p id="restaure">non</p><p id="essais"></p>
<script>
var essais = {};
try { essais.cookie = "lu : " + document.cookie; } catch (e) { essais.cookie = "refusé : " + e.name; }
try { essais.parent = "lu : " + parent.document.title; } catch (e) { essais.parent = "refusé : " + e.name; }
document.getElementById("essais").textContent = JSON.stringify(essais);
document.getElementById("bibliotheque").textContent = window.Curseur ? "chargée" : "absente";
// The page fetches for the frame only the course's own files: a page of the site is refused.
window.addEventListener("message", function (e) {
  if (e.data && e.data.type === "cybermassif-jsinput-file-reply" && e.data.id === 9999) {
    document.getElementById("vol").textContent = e.data.ok ? "lu : " + e.data.text.length : "refusé";
  }
});
parent.postMessage({type: "cybermassif-jsinput-file", id: 9999, url: "/compte/connexion", as: "text"}, "*");
</script><p id="vol"></p></body></html>"""
LIBRARY = """window.Curseur = {
  getGrade: function () { return JSON.stringify({x: parseInt(document.getElementById("x").value, 10)}); },
  getState: function () { return JSON.stringify({position: document.getElementById("x").value}); },
  setState: function (state) {
    document.getElementById("x").value = JSON.parse(state).position;
    document.getElementById("restaure").textContent = "oui";
  }
};"""
FILES = {
    "static/curseur.html": PAGE,
    "static/curseur.js": LIBRARY,
    "static/curseur.css": "#bibliotheque { color: rgb(0, 128, 0); }",
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


def test_a_jsinput_frame_is_answered_graded_and_restored(app, olx_course, enrolled, in_browser):
    course = olx_course(PROBLEM, FILES)
    learner = enrolled(course, language="fr")

    def scenario(page: Any) -> dict[str, Any]:
        page.add_init_script(RECORD_CSP)
        sign_in_page(page, learner.email)
        page.evaluate("document.cookie = 'visible=secret; path=/'")
        page.goto(course.unit_url())
        frame = page.frame_locator("iframe.problem-jsinput-frame")
        frame.locator("#bibliotheque").filter(has_text="chargée").wait_for(timeout=10_000)
        trials = json.loads(frame.locator("#essais").inner_text())
        frame.locator("#vol").filter(has_text="r").wait_for(timeout=10_000)
        other_page = frame.locator("#vol").inner_text()
        style = frame.locator("#bibliotheque").evaluate("e => getComputedStyle(e).color")
        image = frame.locator("#point").evaluate("i => i.complete ? i.naturalWidth : -1")
        frame.locator("#x").fill("42")
        page.locator(".problem-submit").click()
        page.locator(".problem-status strong").wait_for(timeout=10_000)
        status = page.locator(".problem-status strong").inner_text()
        # The problem's HTML is put in place again: its new frame gets the saved state back.
        page.frame_locator("iframe.problem-jsinput-frame").locator("#restaure").filter(
            has_text="oui"
        ).wait_for(timeout=10_000)
        after_check = page.frame_locator("iframe.problem-jsinput-frame").locator("#x").input_value()
        page.reload()
        frame = page.frame_locator("iframe.problem-jsinput-frame")
        frame.locator("#restaure").filter(has_text="oui").wait_for(timeout=10_000)
        return {
            "trials": trials,
            "other_page": other_page,
            "style": style,
            "image": image,
            "status": status,
            "after_check": after_check,
            "after_reload": frame.locator("#x").input_value(),
            "violations": page.evaluate("window.__csp || []"),
            "errors": page.errors,
        }

    seen = in_browser(scenario)
    assert seen["trials"] == {"cookie": "refusé : SecurityError", "parent": "refusé : SecurityError"}
    assert seen["other_page"] == "refusé"
    # The course's style sheet and image named by the page reach the frame through the page.
    assert seen["style"] == "rgb(0, 128, 0)" and seen["image"] == 1
    assert seen["status"] == "Correct"
    assert recorded(app, learner.id, course, "js")[:2] == (1.0, 1.0)
    assert seen["after_check"] == "42" and seen["after_reload"] == "42"
    assert seen["violations"] == []
    assert seen["errors"] == []

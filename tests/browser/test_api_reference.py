"""The API reference page in real Chromium: Swagger UI (vendored) renders every operation of the
generated document under the product's Content-Security-Policy, with no error and nothing fetched
from elsewhere."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

RECORD_CSP = """
document.addEventListener('securitypolicyviolation', (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def test_the_reference_renders_every_operation_without_csp_violations(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(RECORD_CSP)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    operations = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent)")
    document = page.evaluate("fetch('/api/v1/openapi.json').then(r => r.json())")
    count = sum(len(ops) for ops in document["paths"].values())
    assert len(operations) == count and "/api/v1/cohorts/{cohort_id}/members" in "".join(operations)
    assert page.evaluate("window.__csp || []") == []
    assert page.errors == []
    assert all(url.startswith((live_server, "data:")) for url in requested), requested

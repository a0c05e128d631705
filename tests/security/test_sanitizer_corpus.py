"""Every vector of the XSS corpus comes out of the platform's sanitiser unable to run script."""

from __future__ import annotations

import pytest

from app.core.sanitize import IFRAME_SOURCES, clean_html
from tests.security.dom_checks import problems_in_html, unsafe_url
from tests.security.xss_corpus import VECTORS


def test_the_corpus_is_large_enough():
    assert len(VECTORS) >= 100
    assert len(set(VECTORS)) == len(VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[f"v{i}" for i in range(len(VECTORS))])
def test_the_sanitiser_leaves_nothing_that_runs(vector: str):
    cleaned = clean_html(vector)
    assert problems_in_html(cleaned, IFRAME_SOURCES) == [], cleaned


@pytest.mark.parametrize(
    ("url", "unsafe"),
    [
        ("javascript:alert(1)", True),
        (" JaVa\tScRiPt:alert(1)", True),
        ("data:text/html,x", True),
        ("vbscript:x", True),
        ("https://example.org/a:b", False),
        ("/static/a.png", False),
        ("page#x:y", False),
        ("mailto:a@example.org", False),
    ],
)
def test_the_url_check_itself(url: str, unsafe: bool):
    assert unsafe_url(url) is unsafe

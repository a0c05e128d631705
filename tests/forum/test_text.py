"""Forum text: the Markdown dialect posts are written in, and the HTML it may produce."""

from __future__ import annotations

import pytest

from app.forum.errors import Invalid
from app.forum.text import checked_body, checked_reason, checked_title, render
from tests.plugins.discussion.conftest import assert_safe


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("*un* **deux** `trois`", "<p><em>un</em> <strong>deux</strong> <code>trois</code></p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("3. a\n4. b", '<ol start="3">\n<li>a</li>\n<li>b</li>\n</ol>'),
        ("> cité", "<blockquote>\n<p>cité</p>\n</blockquote>"),
        ("ligne 1\nligne 2", "<p>ligne 1<br>\nligne 2</p>"),
        ("```\n<b>x</b> & y\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt; &amp; y\n</code></pre>"),
        ("[site](https://example.org)",
         '<p><a href="https://example.org" rel="nofollow noopener">site</a></p>'),
        ("voir https://example.org/a", '<p>voir <a href="https://example.org/a" rel="nofollow noopener">https://example.org/a</a></p>'),
        ("# Pas de titre", "<p># Pas de titre</p>"),
        ("<b>gras ?</b>", "<p>&lt;b&gt;gras ?&lt;/b&gt;</p>"),
        ("![photo](https://example.org/p.png)",
         '<p>![photo](<a href="https://example.org/p.png" rel="nofollow noopener">https://example.org/p.png</a>)</p>'),
    ],
)  # fmt: skip
def test_the_dialect(app_ctx, markdown, html):
    assert render(markdown) == html


@pytest.mark.parametrize(
    "vector",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt&#58;alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
        "<a href='javascript:alert(1)'>x</a>",
        "<svg/onload=alert(1)>",
        '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">'
        "</style></mglyph></table></mtext></math>",
        "`<script>` <style>body{}</style>",
        "<<script>script>alert(1)<</script>/script>",
        "[![img](https://x/y.png)](javascript:alert(1))",
        "<details open ontoggle=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ],
)
def test_hostile_markdown_gives_only_harmless_html(app_ctx, vector):
    assert_safe(render(vector))


def test_typed_text_is_checked(app_ctx):
    assert checked_title("  Une   question\n ") == "Une question"
    assert checked_body("\x00 texte \x07") == "texte"
    assert checked_reason(None) == ""
    for call, value in (
        (checked_title, ""),
        (checked_title, "x" * 201),
        (checked_body, 12),
        (checked_body, "x" * 10_001),
    ):
        with pytest.raises(Invalid):
            call(value)

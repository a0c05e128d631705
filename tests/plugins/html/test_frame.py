"""Which author texts the html block shows in its sandboxed frame, and how the frame's document holds
scripts until the course's files have come (``plugins.html.frame``)."""

from __future__ import annotations

import pytest

from plugins.html.frame import (
    course_files,
    drop_external_uses,
    frame_document,
    frame_policy,
    hold_scripts,
    needs_frame,
)


@pytest.mark.parametrize(
    "html",
    [
        "<p>a</p><script>x()</script>",
        "<SCRIPT src='/static/a.js'></SCRIPT>",
        "<style>p { color: red }</style><p>a</p>",
        '<button onclick="x()">b</button>',
        '<img src="/static/a.png" OnError="x()">',
        '<a href="javascript:alert(1)">a</a>',
        '<a href=" java\tscript:alert(1)">a</a>',
        '<a href="&#106;avascript:alert(1)">a</a>',
        '<svg><a xlink:href="javascript:alert(1)">a</a></svg>',
        '<form action="javascript:x()"><button>b</button></form>',
    ],
)
def test_script_or_a_style_sheet_needs_the_frame(html):
    assert needs_frame(html)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<p>Un texte sans script, avec le mot script et onclick écrits en clair.</p>",
        '<p style="color: red" data-on="x">a</p><a href="/static/javascript.pdf">guide</a>',
        '<link rel="stylesheet" href="/static/cours.css"><button type="button">Voir</button>',
    ],
)
def test_other_texts_are_shown_in_the_page(html):
    assert not needs_frame(html)


def test_without_a_course_script_the_scripts_are_left_as_written():
    html = '<script>a()</script><script src="https://cdn.example.org/x.js"></script>'
    assert hold_scripts(html) == html


def test_with_a_course_script_every_script_is_held_in_order():
    html = (
        "<script src='/static/lib.js' defer></script><script>lib()</script>"
        '<script type="text/javascript">more()</script><script type="text/template">{{ x }}</script>'
        '<script src="https://cdn.example.org/x.js"></script><script src="/static/../secret.js"></script>'
    )
    assert hold_scripts(html) == (
        '<script type="text/x-cybermassif-course" data-cm-src="/static/lib.js"></script>'
        '<script type="text/x-cybermassif-inline">lib()</script>'
        '<script type="text/x-cybermassif-inline">more()</script>'
        '<script type="text/template">{{ x }}</script>'
        '<script src="https://cdn.example.org/x.js"></script>'
        '<script src="/static/../secret.js"></script>'
    )


def test_a_course_script_path_is_written_escaped_and_a_quote_is_no_course_file():
    held = hold_scripts(
        "<script src='/static/a&b.js'></script><script src='/static/c\"onload=\"x().js'></script>"
    )
    assert held == (
        '<script type="text/x-cybermassif-course" data-cm-src="/static/a&amp;b.js"></script>'
        "<script src='/static/c\"onload=\"x().js'></script>"
    )


def test_the_course_files_named_once_each_in_order():
    html = (
        '<img src="/static/a.png"><link href="/static/b.css"><img src="/static/a.png">'
        "<p style=\"background: url('/static/c d.png')\">/static/e.js</p>"
    )
    assert course_files(html) == ["/static/a.png", "/static/b.css", "/static/c", "/static/e.js"]


def test_the_frame_policy_sandboxes_and_allows_no_network():
    policy = frame_policy("https://cyber.example.org/").split("; ")
    assert policy[0] == "sandbox allow-scripts"
    assert "allow-same-origin" not in "; ".join(policy)
    assert {"default-src 'none'", "connect-src 'none'", "form-action 'none'", "base-uri 'none'"} <= set(
        policy
    )
    assert "frame-ancestors https://cyber.example.org" in policy
    assert "script-src 'unsafe-inline' https://cyber.example.org/static/" in policy


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # The XSS corpus's vector that kept Chromium's frame loading: its reference goes, the element stays.
        (
            '<svg><use href="data:image/svg+xml,<svg id=x><script>§</script></svg>#x"/></svg>',
            "<svg><use/></svg>",
        ),
        ("<svg><use href='/static/icons.svg#a' x='1'/></svg>", "<svg><use x='1'/></svg>"),
        ('<USE XLINK:HREF = "https://example.org/i.svg#a">', "<USE>"),
        ("<use href=http://example.org/i.svg#a>", "<use>"),
    ],
)
def test_the_frame_copy_drops_external_use_references(html, expected):
    assert drop_external_uses(html) == expected


@pytest.mark.parametrize(
    "html", ['<svg><use href="#a"/></svg>', "<use xlink:href='#a'>", "<use href=#a>", '<user href="x.svg">']
)
def test_references_within_the_document_are_kept(html):
    assert drop_external_uses(html) == html
    assert html in frame_document(html, title="t", language="fr", jquery_url="/j.js")

"""The html block's editor: the name and the HTML source shown escaped, saved HTML kept as written, the
author told what learners will not see (or that script runs in a frame), bad input refused without any
change."""

from __future__ import annotations

import pytest

HTML = '<html url_name="h1" display_name="Accueil"><p>Bonjour <a href="/static/plan.pdf">plan</a></p></html>'


@pytest.fixture
def course(olx_course):
    return olx_course(HTML, {"static/plan.pdf": b"%PDF-1.4"})


def test_learners_still_see_the_html_with_course_links(course, enrolled, as_user):
    page = as_user(enrolled(course), course).page()
    assert (
        '<div class="html-block"><p>Bonjour '
        '<a href="/formations/course-v1:Cybermassif+PLG+2026/static/plan.pdf">' in page
    )


def test_the_editor_shows_the_name_and_the_source(course, studio_view):
    html = studio_view(course, "html", "h1")
    assert 'name="display_name" value="Accueil"' in html
    assert (
        "&lt;p&gt;Bonjour &lt;a href=&#34;/static/plan.pdf&#34;&gt;plan&lt;/a&gt;&lt;/p&gt;</textarea>"
        in html
    )
    assert "CybermassifHtmlStudio" in html and "public/html-studio.js" in html
    assert "<label for=" in html


def test_the_editor_cannot_be_broken_out_of(olx_course, studio_view):
    course = olx_course(
        '<html url_name="h1" display_name="&quot;&gt;&lt;script&gt;x()&lt;/script&gt;">'
        "<p>&lt;/textarea&gt;&lt;script&gt;y()&lt;/script&gt;</p></html>"
    )
    html = studio_view(course, "html", "h1")
    assert "<script>x()" not in html and "<script>y()" not in html
    assert "&lt;p&gt;&amp;lt;/textarea&amp;gt;&amp;lt;script&amp;gt;" in html  # the stored source, as text


def test_the_editor_is_in_french_for_french_authors(course, studio_view):
    html = studio_view(course, "html", "h1", language="fr")
    assert "Nom affiché" in html and "Enregistrer" in html


def test_clean_html_is_saved_as_it_is(course, studio_call):
    result = studio_call(
        course, "html", "h1", "studio_submit", {"display_name": " Bienvenue ", "data": "<p>Salut</p>"}
    )
    assert result.status == 200
    assert result.body == {"result": "success", "data": "<p>Salut</p>", "removed": [], "message": "Saved."}
    assert result.settings(course.usage("html", "h1"))["display_name"] == "Bienvenue"
    assert result.content(course.usage("html", "h1"))["data"] == "<p>Salut</p>"


def test_script_is_kept_as_written_and_the_author_told_it_runs_in_a_frame(course, studio_call):
    source = (
        '<p onclick="steal()">Texte</p><script>alert(1)</script><!-- note -->'
        '<a href="javascript:alert(2)">lien</a><iframe src="https://evil.example.org/x"></iframe>'
    )
    result = studio_call(course, "html", "h1", "studio_submit", {"display_name": "Accueil", "data": source})
    assert result.status == 200
    # Stored as written, so that export gives it back; learners see it only in the sandboxed frame.
    assert result.content(course.usage("html", "h1"))["data"] == source == result.body["data"]
    assert result.body["removed"] == []
    assert result.body["message"] == (
        "Saved. The HTML holds script or a style sheet: learners see it in a frame isolated from the site."
    )


def test_the_author_is_told_what_learners_will_not_see(course, studio_call):
    source = (
        '<p style="color: red">a</p><!-- note --><iframe src="https://evil.example.org/x"></iframe>'
        '<object data="https://evil.example.org/x.pdf"></object><button type="button">Voir</button>'
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Vidéo"></iframe>'
    )
    result = studio_call(course, "html", "h1", "studio_submit", {"display_name": "Accueil", "data": source})
    assert result.status == 200
    assert result.content(course.usage("html", "h1"))["data"] == source
    assert result.body["removed"] == ["comments", "<iframe>", "<object>"]
    assert result.body["message"] == (
        "Saved. These parts are not shown to learners (they are kept for export): "
        "comments, <iframe>, <object>."
    )


def test_a_foreign_iframe_is_named_once(course, studio_call):
    source = '<p>a</p><iframe src="https://evil.example.org/x" width="10"></iframe>'
    result = studio_call(course, "html", "h1", "studio_submit", {"data": source})
    assert result.body["removed"] == ["<iframe>"]


def test_tidied_markup_is_not_reported_as_removed(course, studio_call):
    result = studio_call(
        course, "html", "h1", "studio_submit", {"data": "<table><tr><td>1</td></tr></table>"}
    )
    assert result.status == 200
    assert result.body["removed"] == []
    assert result.body["message"] == "Saved."


def test_messages_are_in_the_authors_language(course, studio_call):
    result = studio_call(
        course, "html", "h1", "studio_submit", {"data": "<p>a</p><script>x</script>"}, language="fr"
    )
    assert result.body["message"] == (
        "Enregistré. Le HTML contient un script ou une feuille de style : les apprenants le voient dans "
        "un cadre isolé du site."
    )
    embed = {"data": '<p>a</p><embed src="https://x.org/a">'}
    hidden = studio_call(course, "html", "h1", "studio_submit", embed, language="fr")
    assert hidden.body["message"] == (
        "Enregistré. Ces éléments ne sont pas montrés aux apprenants (ils sont gardés pour l'export) : "
        "<embed>."
    )
    refused = studio_call(course, "html", "h1", "studio_submit", {"display_name": ""}, language="fr")
    assert refused.body["error"] == "Le nom affiché ne peut pas être vide."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"display_name": "  "}, "The display name cannot be empty.", id="empty-name"),
        pytest.param({"display_name": None}, "The display name cannot be empty.", id="null-name"),
        pytest.param({"display_name": "x" * 256}, "at most 255 characters", id="long-name"),
        pytest.param({"display_name": "a\tb"}, "one line", id="control"),
        pytest.param({"data": ["<p>"]}, "The HTML must be text.", id="data-list"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(course, studio_call, data, message):
    result = studio_call(course, "html", "h1", "studio_submit", data)
    assert result.status == 400
    assert message in result.body["error"]
    assert result.settings(course.usage("html", "h1")) == {"display_name": "Accueil"}
    assert result.content(course.usage("html", "h1"))["data"].startswith("<p>Bonjour")


def test_an_oversized_form_is_refused_before_the_block_sees_it(course, studio_call):
    result = studio_call(course, "html", "h1", "studio_submit", {"data": "x" * (1024 * 1024 + 1)})
    assert result.status == 413
    assert result.content(course.usage("html", "h1"))["data"].startswith("<p>Bonjour")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b'"just a string"', "The form data must be a JSON object.", id="not-object"),
        pytest.param(b"{broken", "Invalid JSON", id="malformed"),
        pytest.param(
            b'{"data": "\\ud800"}', "The HTML holds characters that are not valid text.", id="surrogate"
        ),
        pytest.param(b'{"display_name": "\\udfff"}', "not valid text", id="surrogate-name"),
    ],
)
def test_malformed_input_is_refused(course, studio_call, raw, message):
    result = studio_call(course, "html", "h1", "studio_submit", raw=raw)
    assert result.status == 400
    assert message in result.body["error"]
    assert result.content(course.usage("html", "h1"))["data"].startswith("<p>Bonjour")


def test_learners_cannot_edit(course, enrolled, as_user):
    client = as_user(enrolled(course), course)
    response = client.call("html", "h1", "studio_submit", {"data": "<p>Piraté</p>"})
    assert response.status_code == 400
    assert "Piraté" not in client.page()

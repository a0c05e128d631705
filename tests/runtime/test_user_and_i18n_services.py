"""The ``user`` service's attributes (the learner's company NAF code among them, read once and only when
asked) and the ``i18n`` service of a block class the runtime mixed (its package's own catalogue)."""

from __future__ import annotations

import gettext as gettext_module
from datetime import UTC, datetime

import pytest

from app.core.extensions import db
from app.runtime.bridge import make_runtime
from app.runtime.host import Learner
from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.models import BlockTree
from app.runtime.services import I18nService, make_xblock_user
from app.runtime.tree import LoadedTree
from tests.runtime.conftest import COURSE

FRESCO = str(usage_key_for(CourseKey.from_string(COURSE), "ict_fresco", "f1"))
SPEC = ("course", "c", {}, [("chapter", "ch", {}, [("sequential", "s", {}, [
    ("vertical", "unit1", {}, [("ict_fresco", "f1", {}, [])])
])])])  # fmt: skip


def _runtime(tree_id: int, learner: Learner):
    tree_row = db.session.get(BlockTree, tree_id)
    tree = LoadedTree.load_structure(db.session, tree_id, tree_row.root_usage_id)
    return make_runtime(course_key=COURSE, tree=tree, learner=learner)


def test_the_xblock_user_carries_the_open_edx_attributes_and_the_company_naf_code():
    user = make_xblock_user(
        user_id=7,
        username="user7",
        email="a@example.fr",
        full_name="Anne",
        is_staff=False,
        role="student",
        anonymous_id="x" * 32,
        language="fr",
        company_naf="47.11B",
    )
    assert user.is_current_user and user.emails == ["a@example.fr"] and user.full_name == "Anne"
    assert user.opt_attrs == {
        "edx-platform.user_id": 7,
        "edx-platform.username": "user7",
        "edx-platform.is_authenticated": True,
        "edx-platform.user_is_staff": False,
        "edx-platform.user_role": "student",
        "edx-platform.anonymous_user_id": "x" * 32,
        "edx-platform.user_preferences": {"pref-lang": "fr"},
        "cybermassif.company_naf": "47.11B",
    }


def test_the_company_naf_code_is_read_once_and_only_when_a_block_asks(app, make_tree):
    tree_id = make_tree(SPEC)
    reads = []

    def naf() -> str:
        reads.append(1)
        return "10.71C"

    with app.test_request_context("/"):
        runtime = _runtime(tree_id, Learner(user_id=3, company_naf=naf))
        block = runtime.get_block(FRESCO)
        assert reads == []
        for _ in range(2):
            assert (
                runtime.service(block, "user").get_current_user().opt_attrs["cybermassif.company_naf"]
                == "10.71C"
            )
        assert reads == [1]
        nobody = _runtime(tree_id, Learner(user_id=None))
        user = nobody.service(nobody.get_block(FRESCO), "user").get_current_user()
        assert user.opt_attrs["cybermassif.company_naf"] is None


def test_a_block_class_mixed_by_the_runtime_reads_its_own_packages_catalogue(app, make_tree):
    tree_id = make_tree(SPEC)
    with app.test_request_context("/"):
        for language, expected in (("fr", "Commerce"), ("en", "Retail")):
            runtime = _runtime(tree_id, Learner(user_id=None, language=language))
            block = runtime.get_block(FRESCO)
            assert type(block).__name__ == "IctFrescoBlockWithMixins"
            assert runtime.service(block, "i18n").gettext("Retail") == expected


@pytest.mark.parametrize(
    ("language", "format_name", "expected"),
    [
        ("fr", "SHORT_DATE", "28/11/2026"),
        ("fr", "LONG_DATE", "28 novembre 2026"),
        ("en", "LONG_DATE", "November 28, 2026"),
        ("fr", "TIME", "14:05"),
        ("fr", "%Y", "2026"),
    ],
)
def test_named_date_formats_are_open_edx_s(language, format_name, expected):
    service = I18nService(language, gettext_module.NullTranslations())
    assert service.strftime(datetime(2026, 11, 28, 14, 5, tzinfo=UTC), format_name) == expected

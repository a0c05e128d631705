"""Opaque keys: string forms, parsing, Open edX attributes, stable ids and XBlock's id interfaces."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xblock.core import XBlock
from xblock.exceptions import NoSuchDefinition, NoSuchUsage
from xblock.runtime import DictKeyValueStore, IdGenerator, IdReader, KvsFieldData, Runtime

from app.runtime.keys import (
    MAX_BLOCK_ID_LENGTH,
    AsideDefinitionKey,
    AsideUsageKey,
    CourseKey,
    DefinitionKey,
    InvalidKeyError,
    KeyIdGenerator,
    KeyIdReader,
    UsageKey,
    normalise_url_name,
    usage_key_for,
)

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
components = st.text(alphabet=ALPHABET, min_size=1, max_size=40)
course_keys = st.builds(CourseKey, components, components, components)
usage_keys = st.builds(UsageKey, course_keys, components, components)
definition_keys = st.builds(DefinitionKey, course_keys, components, components)
HTML_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")  # also a valid CSS identifier, no escaping needed

COURSE = CourseKey("ACME", "CS101", "2025_T1")
USAGE = UsageKey(COURSE, "problem", "intro")


def test_string_forms_follow_open_edx():
    assert str(COURSE) == "course-v1:ACME+CS101+2025_T1"
    assert str(USAGE) == "block-v1:ACME+CS101+2025_T1+type@problem+block@intro"
    assert str(USAGE.definition_key) == "def-v1:ACME+CS101+2025_T1+type@problem+block@intro"
    aside = AsideUsageKey(USAGE, "acid_aside")
    assert str(aside) == "aside-usage-v2:block-v1:ACME+CS101+2025_T1+type@problem+block@intro::acid_aside"
    aside_def = AsideDefinitionKey(USAGE.definition_key, "acid_aside")
    assert str(aside_def) == "aside-def-v2:def-v1:ACME+CS101+2025_T1+type@problem+block@intro::acid_aside"


def test_attributes_third_party_blocks_read():
    assert (USAGE.block_id, USAGE.block_type) == ("intro", "problem")
    assert USAGE.course_key == USAGE.context_key == COURSE
    assert (USAGE.org, USAGE.course, USAGE.run) == ("ACME", "CS101", "2025_T1")
    assert COURSE.make_usage_key("problem", "intro") == USAGE
    assert not COURSE.deprecated
    assert not USAGE.deprecated
    assert USAGE.map_into_course(COURSE.replace(run="2026")).run == "2026"
    aside = AsideUsageKey(USAGE, "acid_aside")
    assert (aside.block_id, aside.block_type, aside.course_key, aside.context_key) == (
        "intro",
        "problem",
        COURSE,
        COURSE,
    )
    assert aside.definition_key == USAGE.definition_key
    assert AsideDefinitionKey(USAGE.definition_key, "acid_aside").block_type == "problem"


@given(course_keys)
def test_course_key_round_trip(key: CourseKey):
    assert CourseKey.from_string(str(key)) == key


@given(usage_keys)
def test_usage_key_round_trip(key: UsageKey):
    parsed = UsageKey.from_string(str(key))
    assert parsed == key
    assert type(parsed) is UsageKey
    assert hash(parsed) == hash(key)


@given(definition_keys)
def test_definition_key_round_trip(key: DefinitionKey):
    parsed = DefinitionKey.from_string(str(key))
    assert parsed == key
    assert type(parsed) is DefinitionKey


@given(usage_keys, components)
def test_aside_keys_round_trip(usage: UsageKey, aside_type: str):
    aside = AsideUsageKey(usage, aside_type)
    assert AsideUsageKey.from_string(str(aside)) == aside
    aside_def = AsideDefinitionKey(usage.definition_key, aside_type)
    assert AsideDefinitionKey.from_string(str(aside_def)) == aside_def


def test_keys_of_different_kinds_are_never_equal():
    assert USAGE.definition_key != USAGE
    assert USAGE.definition_key.usage_key == USAGE
    assert len({USAGE, USAGE.definition_key, COURSE}) == 3
    assert {USAGE: 1}[UsageKey.from_string(str(USAGE))] == 1


def test_keys_are_immutable_and_copyable():
    for key in (
        COURSE,
        USAGE,
        USAGE.definition_key,
        AsideUsageKey(USAGE, "a"),
        AsideDefinitionKey(USAGE.definition_key, "a"),
    ):
        with pytest.raises(dataclasses.FrozenInstanceError):
            key.org = "other"  # type: ignore[misc]
        # XBlock deep-copies field values (children lists hold usage keys); caches pickle them.
        assert copy.deepcopy(key) == key
        assert pickle.loads(pickle.dumps(key)) == key


def test_replace_validates_and_reaches_course_parts():
    assert COURSE.replace(run="2026") == CourseKey("ACME", "CS101", "2026")
    assert USAGE.replace(block_id="outro").block_id == "outro"
    moved = USAGE.replace(org="Other", run="R2")
    assert moved.course_key == CourseKey("Other", "CS101", "R2")
    assert USAGE.definition_key.replace(block_type="html") == DefinitionKey(COURSE, "html", "intro")
    assert AsideUsageKey(USAGE, "a").replace(aside_type="b").aside_type == "b"
    with pytest.raises(InvalidKeyError):
        USAGE.replace(block_id="no spaces")
    with pytest.raises(InvalidKeyError):
        COURSE.replace(org="a+b")


@pytest.mark.parametrize(
    ("parse", "text", "reason"),
    [
        (CourseKey.from_string, "", "is not a course key"),
        (CourseKey.from_string, "ACME+CS101+2025", "is not a course key"),
        (CourseKey.from_string, "course-v2:ACME+CS101+2025", "is not a course key"),
        (CourseKey.from_string, "course-v1:ACME+CS101", "is not a course key"),
        (CourseKey.from_string, "course-v1:ACME+CS101+2025+extra", "is not a course key"),
        (CourseKey.from_string, "course-v1:ACME++2025", "course is empty"),
        (CourseKey.from_string, "course-v1:AC ME+CS101+2025", "org 'AC ME' may contain only"),
        (CourseKey.from_string, "course-v1:ACME+CS:101+2025", "course 'CS:101' may contain only"),
        (CourseKey.from_string, "course-v1:ACME+CS101+2025\n", "run '2025\\n' may contain only"),
        (CourseKey.from_string, "course-v1:ÉCOLE+CS101+2025", "may contain only"),
        (CourseKey.from_string, "course-v1:A/B+CS101+2025", "may contain only"),
        (CourseKey.from_string, "course-v1:ACME+CS101+" + "r" * 256, "longer than 255"),
        (UsageKey.from_string, "block-v1:ACME+CS101+2025+type@html", "is not a usage key"),
        (UsageKey.from_string, "block-v1:ACME+CS101+2025+block@x+type@html", "is not a usage key"),
        (UsageKey.from_string, "block-v1:ACME+CS101+2025+type@html+block@", "block id is empty"),
        (UsageKey.from_string, "block-v1:ACME+CS101+2025+type@+block@x", "block type is empty"),
        (UsageKey.from_string, "block-v1:ACME+CS101+2025+type@html+block@a:b", "block id 'a:b' may"),
        (UsageKey.from_string, "block-v1:ACME+CS101+2025+type@html+block@a@b", "block id 'a@b' may"),
        (UsageKey.from_string, "block-v1:ACME+CS101+2025+type@h<t>+block@x", "block type 'h<t>' may"),
        (UsageKey.from_string, "def-v1:ACME+CS101+2025+type@html+block@x", "is not a usage key"),
        (UsageKey.from_string, "course-v1:ACME+CS101+2025", "is not a usage key"),
        (DefinitionKey.from_string, "block-v1:ACME+CS101+2025+type@html+block@x", "is not a definition key"),
        (
            AsideUsageKey.from_string,
            "aside-usage-v2:block-v1:A+B+C+type@t+block@b",
            "is not an aside usage key",
        ),
        (AsideUsageKey.from_string, "aside-usage-v2:block-v1:A+B+C+type@t+block@b::", "aside type is empty"),
        (AsideUsageKey.from_string, "aside-usage-v2:block-v1:A+B+C+type@t+block@b:::x", "may contain only"),
        (AsideUsageKey.from_string, "aside-usage-v2:block-v1:A+B+C+type@t+block@b::a$b", "may contain only"),
        (AsideUsageKey.from_string, "aside-usage-v2:def-v1:A+B+C+type@t+block@b::a", "is not a usage key"),
        (AsideDefinitionKey.from_string, "aside-def-v2:block-v1:A+B+C+type@t+block@b::a", "not a definition"),
    ],
)
def test_malformed_strings_are_refused_with_a_reason(parse, text: str, reason: str):
    with pytest.raises(InvalidKeyError, match=re.escape(reason)):
        parse(text)


def test_non_strings_are_refused():
    with pytest.raises(InvalidKeyError, match="must be a string"):
        UsageKey.from_string(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="must be a string"):
        CourseKey("ACME", 101, "2025")  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="must be a CourseKey"):
        UsageKey("course-v1:A+B+C", "html", "x")  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="must be a UsageKey"):
        AsideUsageKey(USAGE.definition_key, "a")  # type: ignore[arg-type]


def test_invalid_key_error_is_a_value_error():
    assert issubclass(InvalidKeyError, ValueError)


@given(st.text(max_size=300))
def test_parsers_accept_or_raise_invalid_key_error_only(text: str):
    for parse in (
        CourseKey.from_string,
        UsageKey.from_string,
        DefinitionKey.from_string,
        AsideUsageKey.from_string,
    ):
        try:
            key = parse(text)
        except InvalidKeyError:
            continue
        assert str(key) == text


def test_html_ids():
    assert COURSE.html_id() == "course-ACME-CS101-2025_5fT1"
    assert USAGE.html_id() == "block-problem-intro"
    assert UsageKey(COURSE, "html", "a.b~c").html_id() == "block-html-a_2eb_7ec"


@given(usage_keys)
def test_html_ids_are_safe(key: UsageKey):
    assert HTML_ID.match(key.html_id())
    assert HTML_ID.match(key.course_key.html_id())


@given(usage_keys, usage_keys)
def test_html_ids_of_blocks_in_a_course_are_distinct(first: UsageKey, second: UsageKey):
    second = second.replace(course_key=first.course_key)
    assert (first.html_id() == second.html_id()) == (first == second)


def test_html_ids_do_not_merge_characters_open_edx_would_merge():
    ids = {UsageKey(COURSE, "html", block_id).html_id() for block_id in ("a.b", "a_b", "a~b", "a-b", "a__b")}
    assert len(ids) == 5
    assert UsageKey(COURSE, "a-b", "c").html_id() != UsageKey(COURSE, "a", "b-c").html_id()


# --- usage_key_for: stable ids from url_names ---


def test_plain_url_names_are_kept():
    assert usage_key_for(COURSE, "problem", "intro_quiz") == UsageKey(COURSE, "problem", "intro_quiz")
    assert normalise_url_name("a.b-c~d_e") == "a.b-c~d_e"


def test_other_url_names_are_normalised_readably_and_hashed():
    block_id = normalise_url_name("Séance 1: les bases")
    assert re.fullmatch(r"Seance_1_les_bases~[0-9a-f]{12}", block_id)
    assert normalise_url_name("Séance 1: les bases") == block_id  # deterministic across runs
    assert re.fullmatch(r"block~[0-9a-f]{12}", normalise_url_name("日本語"))


def test_normalised_ids_do_not_collide_with_each_other_or_with_plain_names():
    names = ["Séance 1", "Seance 1", "Seance_1", "Séance_1", "Seance:1", "Seance/1", "a:b", "a_b", "a b"]
    ids = [normalise_url_name(name) for name in names]
    assert len(set(ids)) == len(names)
    lookalike = normalise_url_name("Seance 1")
    # A url_name spelled exactly like a hashed id is hashed too, so it cannot take that id.
    assert normalise_url_name(lookalike) != lookalike


def test_long_url_names_are_bounded():
    long_name = "x" * 500
    block_id = normalise_url_name(long_name)
    assert len(block_id) == MAX_BLOCK_ID_LENGTH
    assert block_id != normalise_url_name("x" * 501)
    assert normalise_url_name("x" * MAX_BLOCK_ID_LENGTH) == "x" * MAX_BLOCK_ID_LENGTH


@given(st.text(min_size=1, max_size=200))
def test_any_url_name_gives_a_valid_stable_id(url_name: str):
    key = usage_key_for(COURSE, "html", url_name)
    assert UsageKey.from_string(str(key)) == key
    assert usage_key_for(COURSE, "html", url_name) == key
    assert len(key.block_id) <= MAX_BLOCK_ID_LENGTH


@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=60))
def test_distinct_url_names_give_distinct_ids(first: str, second: str):
    assert (normalise_url_name(first) == normalise_url_name(second)) == (first == second)


def test_usage_key_for_depends_only_on_course_type_and_url_name():
    first = [
        usage_key_for(COURSE, kind, name) for kind, name in [("html", "a"), ("problem", "b"), ("html", "c")]
    ]
    reordered = [
        usage_key_for(COURSE, kind, name) for kind, name in [("html", "c"), ("html", "a"), ("problem", "b")]
    ]
    assert set(first) == set(reordered)
    assert usage_key_for(COURSE, "html", "a") != usage_key_for(COURSE, "problem", "a")
    assert usage_key_for(COURSE, "html", "a") != usage_key_for(COURSE.replace(run="R2"), "html", "a")


def test_usage_key_for_refuses_empty_names_and_bad_types():
    with pytest.raises(InvalidKeyError, match="url_name"):
        usage_key_for(COURSE, "html", "")
    with pytest.raises(InvalidKeyError, match="block type"):
        usage_key_for(COURSE, "bad type", "a")


# --- XBlock's IdReader and IdGenerator ---


def test_reader_and_generator_implement_xblock_interfaces():
    assert isinstance(KeyIdReader(), IdReader)
    assert isinstance(KeyIdGenerator(COURSE), IdGenerator)


def test_generator_makes_stable_definitions_and_usages_from_slugs():
    generator = KeyIdGenerator(COURSE)
    definition = generator.create_definition("problem", "intro")
    assert definition == DefinitionKey(COURSE, "problem", "intro")
    assert generator.create_definition("problem", "intro") == definition
    assert generator.create_usage(definition) == USAGE
    assert generator.create_definition("html", "Séance 1").block_id == normalise_url_name("Séance 1")


def test_generator_without_slug_makes_fresh_ids():
    generator = KeyIdGenerator(COURSE)
    first, second = generator.create_definition("html"), generator.create_definition("html")
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{32}", first.block_id)
    assert first.course_key == COURSE


def test_generator_refuses_foreign_definition_ids():
    with pytest.raises(TypeError):
        KeyIdGenerator(COURSE).create_usage("d_1")  # type: ignore[arg-type]


def test_reader_answers_from_the_keys():
    reader = KeyIdReader()
    assert reader.get_definition_id(USAGE) == USAGE.definition_key
    assert reader.get_block_type(USAGE.definition_key) == "problem"


def test_asides_round_trip_through_generator_and_reader():
    generator, reader = KeyIdGenerator(COURSE), KeyIdReader()
    aside_def, aside_usage = generator.create_aside(USAGE.definition_key, USAGE, "acid_aside")
    assert aside_usage == AsideUsageKey.from_string(str(aside_usage))
    assert reader.get_usage_id_from_aside(aside_usage) == USAGE
    assert reader.get_definition_id_from_aside(aside_def) == USAGE.definition_key
    assert reader.get_aside_type_from_usage(aside_usage) == "acid_aside"
    assert reader.get_aside_type_from_definition(aside_def) == "acid_aside"
    # As in XBlock's MemoryIdManager: an aside's own definition and "block type" are the aside's.
    assert reader.get_definition_id(aside_usage) == aside_def
    assert reader.get_block_type(aside_def) == "acid_aside"


@pytest.mark.parametrize("foreign", ["block-v1:A+B+C+type@t+block@b", None, 42, ("u", 1)])
def test_reader_refuses_foreign_ids_like_xblock_expects(foreign: object):
    reader = KeyIdReader()
    with pytest.raises(NoSuchUsage):
        reader.get_definition_id(foreign)  # type: ignore[arg-type]
    with pytest.raises(NoSuchDefinition):
        reader.get_block_type(foreign)  # type: ignore[arg-type]
    with pytest.raises(NoSuchUsage):
        reader.get_usage_id_from_aside(foreign)  # type: ignore[arg-type]
    with pytest.raises(NoSuchDefinition):
        reader.get_definition_id_from_aside(foreign)  # type: ignore[arg-type]
    with pytest.raises(NoSuchUsage):
        reader.get_aside_type_from_usage(USAGE)  # type: ignore[arg-type]
    with pytest.raises(NoSuchDefinition):
        reader.get_aside_type_from_definition(USAGE.definition_key)  # type: ignore[arg-type]


_UNUSED = "building blocks from keys needs no URL and publishes nothing"


class _MinimalRuntime(Runtime):
    """Just enough Runtime to build blocks: the four abstract methods fail the test if called."""

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        raise AssertionError(_UNUSED)

    def resource_url(self, resource):
        raise AssertionError(_UNUSED)

    def local_resource_url(self, block, uri):
        raise AssertionError(_UNUSED)

    def publish(self, block, event_type, event_data):
        raise AssertionError(_UNUSED)


class _Parent(XBlock):
    has_children = True


class _Leaf(XBlock):
    pass


@XBlock.register_temp_plugin(_Parent, "parent")
@XBlock.register_temp_plugin(_Leaf, "leaf")
@pytest.mark.filterwarnings("ignore::xblock.exceptions.UserIdDeprecationWarning")  # XBlock 6.1 trap, see docs
def test_a_real_xblock_runtime_builds_blocks_from_our_keys():
    runtime = _MinimalRuntime(
        KeyIdReader(),
        KeyIdGenerator(COURSE),
        services={"field-data": KvsFieldData(DictKeyValueStore())},
    )
    root_id = runtime.parse_xml_string("<parent><leaf/><leaf/></parent>")
    assert isinstance(root_id, UsageKey)
    assert root_id.course_key == COURSE
    root = runtime.get_block(root_id)
    assert root.scope_ids.usage_id == root_id
    assert root.scope_ids.def_id == root_id.definition_key
    assert len(root.children) == 2
    leaf = runtime.get_block(root.children[0])
    assert leaf.scope_ids.block_type == "leaf"
    assert leaf.parent == root_id

"""``q`` parsing: the tree, the printed form, and error messages with positions."""

from __future__ import annotations

import pytest

from dos.broker.errors import NgsiError
from dos.broker.query import parse_q
from dos.broker.query.q_nodes import (
    And,
    Comparison,
    Exists,
    Or,
    Path,
    Pattern,
    Range,
    Value,
    ValueList,
)
from tests.broker.query.backends import NS, expand


def path(attr: str, *subs: str, member: str | None = None, keys: tuple[str, ...] = ()) -> Path:
    return Path(attr, NS + attr, subs, tuple(NS + s for s in subs), member, keys)


def test_tree_of_a_full_query() -> None:
    node = parse_q('(speed>50|brandName=="Mercedes");isParked', expand)
    assert node == And(
        (
            Or(
                (
                    Comparison(path("speed"), False, ">", Value("number", 50)),
                    Comparison(path("brandName"), False, "==", Value("string", "Mercedes")),
                )
            ),
            Exists(path("isParked")),
        )
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a==1..5", Range(path("a"), False, Value("number", 1), Value("number", 5))),
        ("a!=1.5..2e3", Range(path("a"), True, Value("number", 1.5), Value("number", 2000.0))),
        (
            'a=="x","y"',
            ValueList(path("a"), False, (Value("string", "x"), Value("string", "y"))),
        ),
        (
            "a==2026-01-01T00:00:00Z..2026-12-31T23:59:59.999Z",
            Range(
                path("a"),
                False,
                Value("datetime", "2026-01-01T00:00:00Z"),
                Value("datetime", "2026-12-31T23:59:59.999Z"),
            ),
        ),
        ("a==2026-01-01", Comparison(path("a"), False, "==", Value("datetime", "2026-01-01"))),
        ("a<12:30:00", Comparison(path("a"), False, "<", Value("datetime", "12:30:00"))),
        ("a==urn:ngsi-ld:X:1", Comparison(path("a"), False, "==", Value("uri", "urn:ngsi-ld:X:1"))),
        ("a!=false", Comparison(path("a"), True, "==", Value("boolean", False))),
        ("a==-3", Comparison(path("a"), False, "==", Value("number", -3))),
        ('a=="say \\"hi\\""', Comparison(path("a"), False, "==", Value("string", 'say "hi"'))),
        ("a.b.c", Exists(path("a", "b", "c"))),
        ("a.b.observedAt", Exists(path("a", "b", member="observedAt"))),
        ("a[b.c]", Exists(path("a", keys=("b", "c")))),
        ("a[b][c]", Exists(path("a", keys=("b", "c")))),
        ("a.s[k]", Exists(path("a", "s", keys=("k",)))),
        ("!a", Exists(path("a"), negated=True)),
        ("a~=^x(y|z)$", Pattern(path("a"), False, "^x(y|z)$")),
        ('a!~="a;b|c"', Pattern(path("a"), True, "a;b|c")),
        ("ex:temp>1", Comparison(Path("ex:temp", NS + "ex:temp"), False, ">", Value("number", 1))),
    ],
)
def test_terms(text: str, expected: object) -> None:
    node = parse_q(text, expand)
    assert node == expected
    assert parse_q(str(node), expand) == node


def test_and_binds_tighter_than_or() -> None:
    node = parse_q("a|b;c", expand)
    assert isinstance(node, Or)
    assert isinstance(node.items[1], And)
    assert str(node) == "a|(b;c)"


def test_unquoted_regex_ends_at_logical_operator() -> None:
    node = parse_q("a~=x(y|z);b", expand)
    assert node == And((Pattern(path("a"), False, "x(y|z)"), Exists(path("b"))))
    assert parse_q("(a~=x)", expand) == Pattern(path("a"), False, "x")


def test_attributes_mentioned() -> None:
    assert parse_q("a>1;(b|!c.s)", expand).attributes() == {NS + "a", NS + "b", NS + "c"}


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("a>1", {"a"}),
        ("a>1;b", {"a", "b"}),
        ("a>1|b", set()),
        ("(a;b)|(a;c)", {"a"}),
        ("!a", set()),
        ("a!=1;!b", {"a"}),
    ],
)
def test_required_attributes(text: str, required: set[str]) -> None:
    assert parse_q(text, expand).required_attributes() == {NS + r for r in required}


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "q: empty query at position 1"),
        ("a==", "q: expected a value but the text ended at position 4"),
        ("(a", "q: expected ')' but the text ended at position 3"),
        ("a)", "q: unexpected ')' at position 2"),
        ('speed>50;brandName=="x")', "q: unexpected ')' at position 24"),
        ("a=1", "q: unknown operator starting with '=' at position 2"),
        (
            "a==foo",
            "q: value 'foo' is neither a number, a quoted string, a date-time nor a URI at position 4",
        ),
        ("a>true", "q: operator '>' cannot compare booleans at position 2"),
        ("a==true..false", "q: a range needs numbers, strings or date-times at position 4"),
        ('a==1.."z"', "q: the ends of a range must be of the same kind at position 7"),
        ('a=="x', "q: unterminated string at position 4"),
        ("!a==1", "q: '!' negates an attribute and cannot precede operator '==' at position 3"),
        ("a.", "q: expected a sub-attribute name but the text ended at position 3"),
        ("a.observedAt.b", "q: nothing may follow 'observedAt' in a path at position 13"),
        ("a.observedAt[k]", "q: 'observedAt' has no keys to select with '[' at position 13"),
        ("a[k", "q: expected ']' but the text ended at position 4"),
        ("a[]", "q: expected a key, found ']' at position 3"),
        (";a", "q: expected an attribute name, found ';' at position 1"),
        ("a;", "q: expected an attribute name but the text ended at position 3"),
        ("a||b", "q: expected an attribute name, found '|' at position 3"),
        ("a==1e999", "q: number '1e999' is out of range at position 4"),
        (
            "a==99999999999999999999",
            "q: number '99999999999999999999' is out of range at position 4",
        ),
        (
            "a~=(",
            "q: invalid regular expression (missing ), unterminated subpattern at position 0) at position 4",
        ),
        ("a~=", "q: expected a regular expression at position 4"),
        ("a~=\\bx", "q: regular expression construct '\\\\b' is not supported at position 4"),
        ("a==1 2", "q: unexpected '2' at position 6"),
    ],
)
def test_errors_name_the_problem_and_position(text: str, detail: str) -> None:
    with pytest.raises(NgsiError) as caught:
        parse_q(text, expand)
    assert caught.value.error_type == "BadRequestData"
    assert caught.value.detail == detail
    assert caught.value.status == 400


def test_too_long_query() -> None:
    with pytest.raises(NgsiError, match="longer than 8192 characters"):
        parse_q("a" * 9000, expand)


def test_attribute_that_does_not_expand() -> None:
    with pytest.raises(NgsiError, match="does not expand to an IRI"):
        parse_q("a>1", lambda term: "")


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        ("x{300}", "{"),
        ("x{,3}", "{"),
        ("x{a}", "{"),
        ("x}", "}"),
        ("x{2}+", "{2}+"),
        ("x*+", "*+"),
        ("(?=a)+", ")+"),
        ("a(?i)", "(?i)"),
        ("(?i:a)", "(?i:"),
        ("(?P<n>a)", "(?P"),
        ("(?>a)", "(?>"),
        ("[[:alpha:]]", "[:"),
        ("\\x41", "\\x"),
        ("\\bword", "\\b"),
    ],
)
def test_regex_constructs_postgresql_reads_differently_are_refused(
    pattern: str, construct: str
) -> None:
    with pytest.raises(NgsiError) as caught:
        parse_q(f'a~="{pattern}"', expand)
    assert f"regular expression construct {construct!r} is not supported" in caught.value.detail


def test_nul_character_is_refused() -> None:
    with pytest.raises(NgsiError, match="q: NUL character at position 5"):
        parse_q('a=="\x00"', expand)


def test_check_pattern_for_other_parameters() -> None:
    from dos.broker.query import check_pattern

    assert check_pattern("^urn:ngsi-ld:Building:.*") == "^urn:ngsi-ld:Building:.*"
    with pytest.raises(NgsiError) as caught:
        check_pattern("urn:\\bx")
    assert (
        caught.value.detail
        == "idPattern: regular expression construct '\\\\b' is not supported at position 5"
    )
    with pytest.raises(NgsiError, match="idPattern: invalid regular expression"):
        check_pattern("(")
    with pytest.raises(NgsiError, match="idPattern: expected a regular expression"):
        check_pattern(3)

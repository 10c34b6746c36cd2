"""``attrs``, ``pick`` and ``omit`` lists."""

from __future__ import annotations

import pytest

from dos.broker.errors import NgsiError
from dos.broker.query import parse_attrs, parse_projection
from tests.broker.query.backends import NS, expand


def test_attrs_are_expanded_in_order_without_repeats() -> None:
    assert parse_attrs("temperature,humidity,temperature", expand) == [
        NS + "temperature",
        NS + "humidity",
    ]
    assert parse_attrs(None, expand) is None


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "attrs: expected a name but the text ended at position 1"),
        ("a,,b", "attrs: expected a name, found ',' at position 3"),
        ("a,", "attrs: expected a name but the text ended at position 3"),
        ("a b", "attrs: unexpected ' ' at position 2"),
    ],
)
def test_attrs_errors(text: str, detail: str) -> None:
    with pytest.raises(NgsiError) as caught:
        parse_attrs(text, expand)
    assert caught.value.detail == detail


def test_pick_keeps_members_and_attributes() -> None:
    pick = parse_projection("id,name", None, expand)
    assert pick is not None
    assert pick.keeps("id") and not pick.keeps("type")
    assert pick.keeps(NS + "name") and not pick.keeps(NS + "other")


def test_omit_drops_members_and_attributes() -> None:
    omit = parse_projection(None, "type,name", expand)
    assert omit is not None
    assert omit.keeps("id") and not omit.keeps("type")
    assert not omit.keeps(NS + "name") and omit.keeps(NS + "other")


def test_pick_and_omit_together() -> None:
    both = parse_projection("id,locatedAt", "locatedAt{name}", expand)
    assert both is not None
    assert both.keeps("id") and both.keeps(NS + "locatedAt") and not both.keeps("type")
    linked = both.nested(NS + "locatedAt")
    assert linked is not None and not linked.keeps(NS + "name") and linked.keeps("id")
    assert parse_projection(None, None, expand) is None


def test_nested_projection_for_linked_entities() -> None:
    pick = parse_projection("id,locatedAt{id,name,isInCountry{id,description}}", None, expand)
    assert pick is not None and pick.keeps(NS + "locatedAt")
    linked = pick.nested(NS + "locatedAt")
    assert linked is not None and linked.keeps(NS + "name") and not linked.keeps("type")
    second = linked.nested(NS + "isInCountry")
    assert second is not None and second.keeps(NS + "description")
    assert pick.nested(NS + "name") is None
    omit = parse_projection(None, "type,locatedAt{name}", expand)
    assert omit is not None
    assert omit.keeps(NS + "locatedAt")  # only its linked entity loses "name"
    nested = omit.nested(NS + "locatedAt")
    assert nested is not None and not nested.keeps(NS + "name") and nested.keeps("id")


@pytest.mark.parametrize(
    ("pick", "omit", "attrs", "detail"),
    [
        ("name", "name", None, "pick, omit: name in both"),
        ("name", None, "category", "pick: cannot be combined with attrs"),
        (None, "name", "category", "omit: cannot be combined with attrs"),
        ("id;name", None, None, "pick: unexpected ';' at position 3"),
        ("id,locatedAt{name", None, None, "pick: expected '}' but the text ended at position 18"),
        ("id,locatedAt{{name}", None, None, "pick: expected a name, found '{' at position 14"),
        ("id,,name", None, None, "pick: expected a name, found ',' at position 4"),
        ("id,locatedAt{,name}", None, None, "pick: expected a name, found ',' at position 14"),
        ("id,locatedAt{}", None, None, "pick: expected a name, found '}' at position 14"),
        ("id}", None, None, "pick: unexpected '}' at position 3"),
    ],
)
def test_projection_errors(
    pick: str | None, omit: str | None, attrs: str | None, detail: str
) -> None:
    """The bad lists of the ETSI suite (019_18) and a few more."""
    with pytest.raises(NgsiError) as caught:
        parse_projection(pick, omit, expand, attrs)
    assert caught.value.error_type == "BadRequestData"
    assert caught.value.detail == detail

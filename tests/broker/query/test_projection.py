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
    assert pick.keeps_member("id") and not pick.keeps_member("type")
    assert pick.keeps_attr(NS + "name") and not pick.keeps_attr(NS + "other")


def test_omit_drops_members_and_attributes() -> None:
    omit = parse_projection(None, "type,name", expand)
    assert omit is not None
    assert omit.keeps_member("id") and not omit.keeps_member("type")
    assert not omit.keeps_attr(NS + "name") and omit.keeps_attr(NS + "other")


def test_pick_and_omit_exclude_each_other() -> None:
    assert parse_projection(None, None, expand) is None
    with pytest.raises(NgsiError, match="only one of them"):
        parse_projection("id", "type", expand)

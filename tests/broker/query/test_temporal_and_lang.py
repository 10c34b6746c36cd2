"""``timerel``/``timeAt``/``endTimeAt``/``timeproperty`` and ``lang``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dos.broker.errors import NgsiError
from dos.broker.query.lang import parse_lang, pick_language
from dos.broker.query.temporal import parse_temporal_query


def test_before_after_between() -> None:
    before = parse_temporal_query("before", "2026-05-01T12:00:00Z")
    assert before is not None and before.timeproperty == "observedAt"
    assert before.contains("2026-05-01T11:59:59Z") and not before.contains("2026-05-01T12:00:00Z")
    after = parse_temporal_query("after", "2026-05-01T14:00:00+02:00", timeproperty="modifiedAt")
    assert after is not None and after.time_at == datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert after.contains("2026-05-01T12:00:01Z") and not after.contains("garbage")
    between = parse_temporal_query("between", "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z")
    assert between is not None
    assert between.contains("2026-05-01T00:00:00Z")
    assert not between.contains("2026-05-02T00:00:00Z")
    assert parse_temporal_query(None, None) is None


@pytest.mark.parametrize(
    ("args", "detail"),
    [
        (
            ("sometime", "2026-05-01T12:00:00Z"),
            "timerel: 'sometime' is not one of before, after, between",
        ),
        (("before", None), "timeAt: missing; timerel needs timeAt"),
        ((None, "2026-05-01T12:00:00Z"), "timerel: missing; timeAt needs timerel"),
        (
            ("before", "2026-05-01"),
            "timeAt: '2026-05-01' is not a date-time like 2026-05-01T12:00:00Z",
        ),
        (
            ("before", "2026-05-01T12:00:00"),
            "timeAt: '2026-05-01T12:00:00' needs a time zone (e.g. 'Z')",
        ),
        (("between", "2026-05-01T12:00:00Z"), "endTimeAt: missing; timerel=between needs it"),
        (
            ("between", "2026-05-01T12:00:00Z", "2026-05-01T11:00:00Z"),
            "endTimeAt: must be later than timeAt",
        ),
        (
            ("after", "2026-05-01T12:00:00Z", "2026-05-02T12:00:00Z"),
            "endTimeAt: only with timerel=between, not after",
        ),
        (
            ("after", "2026-05-01T12:00:00Z", None, "updatedAt"),
            "timeproperty: 'updatedAt' is not one of observedAt, createdAt, modifiedAt, deletedAt",
        ),
    ],
)
def test_temporal_errors(args: tuple[str | None, ...], detail: str) -> None:
    with pytest.raises(NgsiError) as caught:
        parse_temporal_query(*args)
    assert caught.value.error_type == "BadRequestData"
    assert caught.value.detail == detail


def test_lang_preferences_in_order() -> None:
    """The example of the ETSI suite (019_…): weights order the tags."""
    assert parse_lang("fr-CH,fr;q=0.9,en;q=0.8,*;q=0.5") == ["fr-CH", "fr", "en", "*"]
    assert parse_lang("en;q=0.2,de") == ["de", "en"]
    assert parse_lang("de,en;q=0") == ["de"]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "lang: expected one or more language tags"),
        ("de,,en", "lang: '' is not a language tag"),
        ("de_DE", "lang: 'de_DE' is not a language tag"),
        ("de;q=2", "lang: 'q=2' is not a weight like q=0.8"),
    ],
)
def test_lang_errors(text: str, detail: str) -> None:
    with pytest.raises(NgsiError) as caught:
        parse_lang(text)
    assert caught.value.detail == detail


def test_pick_language() -> None:
    names = {"de": "Rathaus", "en": "Town hall", "fr-CH": "Hôtel de ville"}
    assert pick_language(names, ["en"]) == ("en", "Town hall")
    assert pick_language(names, ["it", "fr"]) == ("fr-CH", "Hôtel de ville")
    assert pick_language(names, ["de-AT"]) == ("de", "Rathaus")
    assert pick_language(names, ["it", "*"]) == ("de", "Rathaus")
    assert pick_language(names, ["it"]) is None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=30))
def test_lang_parser_only_raises_ngsi_errors(text: str) -> None:
    try:
        tags = parse_lang(text)
    except NgsiError as error:
        assert error.detail.startswith("lang: ")
    else:
        assert all(tag for tag in tags)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["before", "after", "between", "x"]),
    st.one_of(st.text(max_size=30), st.datetimes().map(lambda d: d.isoformat() + "+05:00")),
    st.one_of(st.none(), st.text(alphabet="0123456789-T:Z+.", max_size=30)),
)
def test_temporal_parser_only_raises_ngsi_errors(
    timerel: str, time_at: str, end_time_at: str | None
) -> None:
    try:
        parse_temporal_query(timerel, time_at, end_time_at)
    except NgsiError as error:
        assert error.error_type == "BadRequestData"


def test_date_time_at_the_edge_of_the_calendar() -> None:
    with pytest.raises(NgsiError, match="timeAt: '0001-01-01T00:00:00\\+05:00' is not a date-time"):
        parse_temporal_query("before", "0001-01-01T00:00:00+05:00")

"""suggestions.formats: the one home of Chinese dates, rates and 第N号."""

import datetime

import pytest

from suggestions import formats, report
from suggestions.filters import SuggestionFilter
from suggestions.models import Suggestion
from suggestions.templatetags.suggestion_tags import percent as percent_filter

UTC = datetime.UTC


# --- dates ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (datetime.date(2025, 3, 3), "2025年3月3日"),
        (datetime.date(2025, 12, 31), "2025年12月31日"),
        (datetime.date(2024, 2, 29), "2024年2月29日"),
        (datetime.datetime(2025, 3, 3, 23, 59), "2025年3月3日"),  # naive: taken as local
    ],
)
def test_a_date_is_written_without_leading_zeros(day, text):
    assert formats.date_cn(day) == text


def test_no_date_is_an_empty_text():
    assert formats.date_cn(None) == ""


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime.datetime(2025, 3, 2, 15, 59, tzinfo=UTC), "2025年3月2日"),  # 23:59 in Beijing
        (datetime.datetime(2025, 3, 2, 16, 0, tzinfo=UTC), "2025年3月3日"),  # midnight in Beijing
        (datetime.datetime(2025, 12, 31, 16, 30, tzinfo=UTC), "2026年1月1日"),
    ],
)
def test_an_aware_moment_is_written_as_its_day_in_asia_shanghai(moment, text, settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert formats.date_cn(moment) == text


# --- rates ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "100.0%"),
        (0.9523, "95.2%"),
        (0.9672, "96.7%"),
        (0.5, "50.0%"),
        (2 / 3, "66.7%"),
        (0.0, "0.0%"),
        (0.9995, "100.0%"),  # rounds up to a full 100
        (0.00049, "0.0%"),
    ],
)
def test_a_rate_shows_one_decimal(value, text):
    assert formats.percent(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "100%"), (0.9672, "96.7%"), (0.5, "50%"), (0.3333, "33.3%"), (0.0, "0%"), (0.96, "96%")],
)
def test_the_report_drops_a_trailing_zero(value, text):
    assert formats.percent(value, trim=True) == text


def test_more_or_fewer_decimals():
    assert formats.percent(2 / 3, 2) == "66.67%"
    assert formats.percent(2 / 3, 0) == "67%"
    assert formats.percent(1.0, 0, trim=True) == "100%"  # no point: the zeros of 100 stay
    assert formats.percent(0.965, 2, trim=True) == "96.5%"


@pytest.mark.parametrize("trim", [False, True])
def test_no_rate_is_a_dash(trim):
    assert formats.percent(None, trim=trim) == "—"


def test_the_page_filter_and_the_report_keep_their_ways():
    assert (percent_filter(1.0), report.percent(1.0)) == ("100.0%", "100%")
    assert (percent_filter(None), report.percent(None)) == ("—", "—")


# --- suggestion numbers -----------------------------------------------------------------------------------------


def test_a_number_is_labelled():
    assert formats.number_label(12) == "第12号"
    assert formats.number_label(1) == "第1号"


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (12, 12),
        (12.0, 12),
        ("12", 12),
        (" 12 ", 12),
        ("0012", 12),
        ("１２", 12),
        ("12.0", 12),
        ("12.00", 12),
        ("第12号", 12),
        ("第012号", 12),
        ("第 12 号", 12),
        ("第１２号", 12),
        ("12号", 12),
        ("12号建议", 12),
        ("第12号建议", 12),
        ("\u200b12\ufeff", 12),  # zero-width characters pasted from a web page
        ("2147483647", 2_147_483_647),
    ],
)
def test_a_number_is_read_however_offices_write_it(value, number):
    assert formats.parse_number(value) == number


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "abc",
        "第号",
        "0",
        "第0号",
        "000",
        0,
        -3,
        "-3",
        12.5,
        "12.5",
        "12-1",
        "12、13",
        "1 2 号 a",
        "建议12",
        "第12号关于道路的建议",
        True,
        False,
        "2147483648",  # beyond the database's integer column
        datetime.date(2025, 3, 3),
    ],
)
def test_a_text_that_is_not_a_number_is_refused(value):
    assert formats.parse_number(value) is None


def test_a_search_text_reads_number_labels_as_digits():
    assert formats.strip_number_labels("第12号") == "12"
    assert formats.strip_number_labels("第 7 号 钱晓梅") == "7 钱晓梅"
    assert formats.strip_number_labels("农村道路") == "农村道路"
    assert formats.strip_number_labels(None) == ""


def test_a_suggestion_is_named_by_its_label(registered):
    assert registered.number_label == "第1号"
    assert str(registered) == "第1号 关于农村道路提档升级的建议"


@pytest.mark.parametrize(
    ("q", "found"),
    [("第1号", [1]), ("第 1 号", [1]), ("001", [1]), ("1号建议", [1]), ("²", [])],  # ² used to be a 500
)
def test_the_list_search_reads_a_number_as_the_import_does(registered, q, found):
    searched = SuggestionFilter({"q": q}, queryset=Suggestion.objects.all()).qs
    assert [s.number for s in searched] == found

"""The handling report's sentences that adapt to the figures, and the report of a session with nothing in it."""

from suggestions import report, statistics
from suggestions.models import Suggestion
from tests.test_handling_report import TODAY


def figures(gov, closed, satisfied, basic=0, unsatisfied=0, replied=None, **history):
    """The figures ``outcome_sentence`` reads; by default every suggestion had one round, so the first
    round's ratings are the final ones (``history`` overrides them)."""
    rated = satisfied + basic + unsatisfied
    first = {
        "first_satisfied": satisfied,
        "first_basically_satisfied": basic,
        "first_unsatisfied": unsatisfied,
        "ever_unsatisfied": unsatisfied,
        "rehandling": 0,
        **history,
    }
    first_rated = first["first_satisfied"] + first["first_basically_satisfied"] + first["first_unsatisfied"]
    return {
        **first,
        "first_rated": first_rated,
        "first_satisfaction_rate": statistics.rate(
            first["first_satisfied"] + first["first_basically_satisfied"], first_rated
        ),
        "government_handled": gov,
        "closed": closed,
        "replied": closed if replied is None else replied,
        "rated": rated,
        "satisfied": satisfied,
        "basically_satisfied": basic,
        "unsatisfied": unsatisfied,
        "completion_rate": statistics.rate(closed, gov),
        "satisfaction_rate": statistics.rate(satisfied + basic, rated),
    }


def test_all_closed_and_satisfied_reads_like_the_seed_report():
    assert report.outcome_sentence(figures(61, 61, 61)) == (
        "截至目前，61件建议全部办理完结并取得代表满意，办结率和满意率均为100%。"
    )


def test_all_closed_with_an_unsatisfied_rating_gives_the_satisfaction_rate_apart():
    assert report.outcome_sentence(figures(30, 30, 28, 1, 1)) == (
        "截至目前，30件建议全部办理完结，办结率100%，满意率96.7%（其中满意28件、基本满意1件、不满意1件）。"
    )


def test_unrated_replies_are_counted_and_no_rating_at_all_is_said():
    assert report.outcome_sentence(figures(10, 4, 3, replied=6)) == (
        "截至目前，已办结4件，办结率40%，满意率100%（其中满意3件），另有3件答复代表尚未评价。"
    )
    assert report.outcome_sentence(figures(5, 0, 0)) == "截至目前，已办结0件，办结率0%，代表尚未作出评价。"


def test_percent_reads_like_the_report():
    assert [report.percent(r) for r in (1.0, 0.9672, 0.5, 0.3333, 0.0, None)] == [
        "100%",
        "96.7%",
        "50%",
        "33.3%",
        "0%",
        "—",
    ]


def test_an_empty_session_says_there_is_nothing(session, categories):
    text = report.compose(Suggestion.objects.filter(session=session), session=session, today=TODAY).text()
    assert "2025年八届人大五次会议期间，暂无登记的代表建议、批评和意见。" in text
    assert "重点建议" in text  # the statistics tables are still there, with zeros

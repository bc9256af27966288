"""不满意: re-handling starts at once, or after the office has read the comment, as the rules say."""

import pytest

from suggestions import workflow
from suggestions.models import Notification, Rehandling, Suggestion

S = Suggestion.State


@pytest.fixture
def confirm_first(settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "unsatisfied_rehandling": "office_confirms"}


def test_by_default_an_unsatisfied_rating_sends_it_back_at_once(journey):
    s = journey.assign().reply().rate(overall=1, comment="路面仍未修复").s
    assert s.state == S.REHANDLING
    assert Rehandling.objects.get().reason == "路面仍未修复"


def test_the_office_may_confirm_first(journey, office, confirm_first, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s = journey.assign().reply().rate(overall=1, comment="路面仍未修复").s
    s.refresh_from_db()
    assert (s.state, s.rating, s.rated_unsatisfied) == (S.REPLIED, 1, True)
    assert not Rehandling.objects.exists()
    note = Notification.objects.get(recipient=office, kind="rate")
    assert note.text == "赵明远对第1号建议的答复评价：不满意（路面仍未修复），请确认是否重新办理。"
    assert note.call == "去确认"
    workflow.perform("rehandle", user=office, suggestion=s, at=journey.step(), reason="请补充修复计划")
    assert s.state == S.REHANDLING
    rehandling = Rehandling.objects.get()
    assert rehandling.rating.comment == "路面仍未修复"  # the round remembers the rating that caused it

from suggestions.models import Event, Suggestion


def test_whole_life_reaches_closed(journey, office):
    from suggestions import workflow

    journey.assign().reply("A").rate(3)
    workflow.perform("close", user=office, suggestion=journey.s, at=journey.step())
    journey.s.refresh_from_db()
    assert journey.s.state == Suggestion.State.CLOSED
    assert list(Event.objects.filter(suggestion=journey.s).values_list("action", flat=True)) == [
        "register",
        "assign",
        "sign_for",
        "draft_reply",
        "sign_reply",
        "submit_reply",
        "review_reply",
        "rate",
        "close",
    ]

"""The suggestion page: what it shows, the buttons each person gets (exactly ``workflow.available_actions``),
and a number of queries that does not grow with the suggestion's records."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import workflow
from suggestions.forms import ACTION_FORMS
from suggestions.models import Deputy, HandlingUnit
from tests.conftest import AT, Journey
from tests.view_helpers import buttons, dated_today, detail_url, section, text, timeline

pytestmark = pytest.mark.django_db


def open_page(client, user, suggestion):
    client.force_login(user)
    response = client.get(detail_url(suggestion))
    assert response.status_code == 200
    return response


def expected_buttons(suggestion, user):
    """What the workflow says this person may do now; "edit" is a link to its own page, not a modal."""
    return [a.name for a in workflow.available_actions(suggestion, user) if a.name in ACTION_FORMS]


def test_the_page_shows_the_suggestion_its_units_and_its_timeline(client, journey, office):
    s = journey.assign().sign().s
    response = open_page(client, office, s)
    html = text(response)
    assert "第1号 关于农村道路提档升级的建议" in html
    assert "赵明远" in html and "钱晓梅" in html  # lead and joint deputies
    steps = timeline(response)
    assert "交办" in steps and "签收" in steps
    assert "市交通运输局" in html and "市财政局" in html
    assert "办理中" in html


def assert_buttons(client, request, journey, users):
    """Each person's buttons are what the workflow offers them now; no actions card when it offers nothing.
    Returns the buttons shown to each (the lists themselves are asserted in test_workflow_permissions)."""
    shown_to = {}
    for user in users:
        person = request.getfixturevalue(user)
        response = open_page(client, person, journey.s)
        shown = buttons(response)
        assert sorted(shown) == sorted(expected_buttons(journey.s, person)), (user, journey.s.state, shown)
        if not shown:
            assert 'id="actions"' not in text(response)
        shown_to[user] = shown
    return shown_to


def test_the_buttons_are_exactly_the_available_actions(client, request, journey):
    """At each point of the suggestion's life, each person's buttons are what the workflow offers them."""
    journey = dated_today(journey)  # the reassignment window is still open
    readers = ["congress", "deputy_user"]
    shown = [assert_buttons(client, request, journey, ["office", *readers])]
    journey.assign()
    shown.append(
        assert_buttons(client, request, journey, ["clerk", "co_clerk", "leader_user", *readers, "office"])
    )
    journey.sign().draft()
    shown.append(assert_buttons(client, request, journey, ["head", "clerk"]))
    journey.sign_off().submit()
    shown.append(assert_buttons(client, request, journey, ["office", "clerk"]))
    journey.accept()
    shown.append(assert_buttons(client, request, journey, [*readers, "joint_deputy_user", "clerk", "office"]))
    assert all(any(step.values()) for step in shown)  # somebody has buttons at every step
    assert any(not names for step in shown for names in step.values())  # and a page without any is seen


def test_each_button_opens_a_form_posting_to_its_own_address(client, journey, clerk):
    s = dated_today(journey).assign().s
    response = open_page(client, clerk, s)
    lead = journey.lead
    modal = section(response, f"action-sign_for-{lead.pk}")
    assert f'action="{reverse("suggestions:act_on", args=[s.pk, "sign_for", lead.pk])}"' in modal
    assert "确认签收" in modal
    assert 'method="post"' in modal and "csrfmiddlewaretoken" in modal


def test_two_modals_on_one_page_never_share_an_element_id(client, journey, office, units):
    workflow.perform(
        "assign", user=office, suggestion=journey.s, separate_units=[units["transport"], units["housing"]]
    )
    found = re.findall(r'\sid="([^"]+)"', text(open_page(client, office, journey.s)))
    assert len(found) == len(set(found)), sorted(i for i in found if found.count(i) > 1)


def test_office_sees_the_edit_link_while_editable_and_others_never(client, journey, office, clerk):
    s = journey.assign().s
    edit = reverse("suggestions:edit", args=[s.pk])
    assert edit in text(open_page(client, office, s))
    assert edit not in text(open_page(client, clerk, s))


def test_a_deputy_reads_the_reply_only_once_the_office_accepted_it(
    client, journey, deputy_user, congress, office
):
    journey.assign().sign().draft(text="拟稿：尚未签发的内容")
    for user in (deputy_user, congress, office):  # a draft stays inside the unit
        assert "尚未签发的内容" not in text(open_page(client, user, journey.s))
    journey.sign_off().submit()
    assert "尚未签发的内容" in section(open_page(client, office, journey.s), "reply")
    assert "尚未签发的内容" not in text(open_page(client, deputy_user, journey.s))
    journey.accept()
    response = open_page(client, deputy_user, journey.s)
    assert "尚未签发的内容" in section(response, "reply")
    assert "尚未签发的内容" in section(open_page(client, congress, journey.s), "reply")


def test_the_failed_form_is_shown_again_with_the_modal_reopened(client, journey, clerk):
    s = journey.assign().sign().s
    client.force_login(clerk)
    response = client.post(
        reverse("suggestions:act_on", args=[s.pk, "log_contact", journey.lead.pk]), {"method": "phone"}
    )
    assert response.status_code == 400
    # static/js/page.js reopens the dialog the page names (tests/browser/test_content_security_policy.py)
    assert f'data-open-modal="action-log_contact-{journey.lead.pk}"' in text(response)
    assert f'id="action-log_contact-{journey.lead.pk}"' in text(response)
    assert "记录沟通" not in timeline(response)


# --- queries ----------------------------------------------------------------------------------------------


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_contacts(journey, n):
    for i in range(n):
        workflow.perform(
            "log_contact", user=journey.clerk, suggestion=journey.s, assignment=journey.lead,
            method="phone", contacted_on=datetime.date(2025, 3, 4), participants=f"周敏{i}", summary="电话沟通",
        )  # fmt: skip


def add_paper_ratings(journey, office, n):
    """``n`` more joint deputies, each rating the reply on the paper form."""
    joint = [
        Deputy.objects.create(name=f"代表{journey.s.number}-{i}", delegation=journey.s.delegation)
        for i in range(n)
    ]
    journey.s.joint_deputies.add(*joint)
    for deputy in joint:
        workflow.perform("record_rating", user=office, suggestion=journey.s, deputy=deputy, overall=3)


@pytest.fixture
def second(office, session, categories, deputies, units, clerk, head, deputy_user):
    """A second suggestion, to grow while the first one's count is known."""
    s = workflow.register(
        user=office, at=AT, session=session, number=2, title="关于增设候车亭的建议",
        lead_deputy=deputies["lead"], joint_deputies=[deputies["joint"]], category=categories["城建交通"],
    )  # fmt: skip
    return Journey(s, office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user)


def assert_constant(client, request, users, small_case, large_case, django_assert_max_num_queries):
    """Each person's page of the large case takes no more queries than the small case's."""
    for user in users:
        client.force_login(request.getfixturevalue(user))
        small = queries_for(client, detail_url(small_case))
        with django_assert_max_num_queries(small):
            client.get(detail_url(large_case))


def test_detail_queries_do_not_grow_with_contact_records(
    client, request, journey, second, django_assert_max_num_queries
):
    for j, n in ((journey, 1), (second, 5)):
        j.assign().sign()
        add_contacts(j, n)
    users = ["office", "clerk", "deputy_user", "congress"]
    assert_constant(client, request, users, journey.s, second.s, django_assert_max_num_queries)


def test_detail_queries_do_not_grow_with_ratings(
    client, request, journey, second, office, django_assert_max_num_queries
):
    for j, n in ((journey, 1), (second, 5)):
        j.assign().reply("B")
        add_paper_ratings(j, office, n)
    users = ["office", "clerk", "deputy_user", "congress"]
    assert_constant(client, request, users, journey.s, second.s, django_assert_max_num_queries)


def assigned_to_one_and_five_units(journey, second, office, units):
    more = [HandlingUnit.objects.create(name=f"协办单位{i}") for i in range(4)]
    for j, co_units in ((journey, []), (second, [units["finance"], *more])):
        workflow.perform(
            "assign", user=office, suggestion=j.s, lead_unit=units["transport"], co_units=co_units
        )
        j.sign()


def test_detail_queries_do_not_grow_with_assignments(
    client, request, journey, second, office, units, django_assert_max_num_queries
):
    assigned_to_one_and_five_units(journey, second, office, units)
    users = ["office", "clerk", "head", "leader_user", "deputy_user", "congress"]
    assert_constant(client, request, users, journey.s, second.s, django_assert_max_num_queries)

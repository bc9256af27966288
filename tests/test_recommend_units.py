"""建议交办单位: the lead unit proposed from similar past suggestions, with its reason (``suggestions.recommend``)."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from suggestions import recommend, search
from suggestions.models import Assignment, Suggestion
from tests.view_helpers import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

# Measured on the demo (88 suggestions with a lead unit): top-1 42/88 (0.48), top-3 63/88 (0.72); the most
# frequent lead unit alone would be right 16/88 (0.18).
TOP1, TOP3 = 0.45, 0.68


def leave_one_out():
    """Each demo suggestion with a lead unit, recommended from the others: (top-1 hits, top-3 hits, cases)."""
    top1 = top3 = cases = 0
    for s in Suggestion.objects.filter(lead_unit__isnull=False).order_by("pk"):
        units = [
            u.pk for u, _, _ in recommend.recommend_units(search.suggestion_text(s), exclude=s.pk, top=3)
        ]
        cases += 1
        top1 += bool(units) and units[0] == s.lead_unit_id
        top3 += s.lead_unit_id in units
    return top1, top3, cases


def test_leave_one_out_on_the_demo_finds_the_lead_unit(capsys):
    top1, top3, cases = leave_one_out()
    with capsys.disabled():
        print(f"\nrecommend_units leave-one-out on the demo: top-1 {top1}/{cases}, top-3 {top3}/{cases}")
    assert cases >= 80
    assert top1 / cases >= TOP1
    assert top3 / cases >= TOP3


def run(*args):
    out = StringIO()
    call_command("recommend_units", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_command_never_uses_the_suggestions_own_assignment():
    s = Suggestion.objects.get(session__name="第八届人民代表大会第四次会议", number=2)
    with_itself = run("--text", search.suggestion_text(s))
    assert with_itself[0]["unit"] == s.lead_unit.name  # its own assignment would decide
    rows = run("--session", s.session.name, "--number", "2", "--top", "3")
    assert rows == run("--suggestion", str(s.pk), "--top", "3")
    assert rows[0]["unit"] != s.lead_unit.name
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert rows[0]["reason"].startswith("最相似的10件中") and "主办" in rows[0]["reason"]
    expected = recommend.recommend_units(search.suggestion_text(s), exclude=s.pk, top=3)
    assert [r["unit"] for r in rows] == [u.name for u, _, _ in expected]


def test_a_unit_the_suggestion_was_moved_away_from_counts_against_it():
    moved = Assignment.objects.filter(state=Assignment.State.REASSIGNED, role="lead").select_related(
        "suggestion", "unit"
    )[0]
    found = recommend.proposals(search.suggestion_text(moved.suggestion), top=10)["lead"]
    units = [p.unit for p in found]
    assert units[0] == moved.suggestion.lead_unit  # where it went and stayed
    assert moved.unit not in units or "已调整给其他单位" in found[units.index(moved.unit)].reason


def test_the_command_refuses_what_it_cannot_find():
    with pytest.raises(CommandError, match="没有 ID 为 0 的建议"):
        run("--suggestion", "0")
    with pytest.raises(CommandError, match="没有可检索的词语"):
        run("--text", "的")


def test_the_office_sees_the_proposed_units_and_their_reason_on_the_assign_form(client):
    s = Suggestion.objects.filter(state=Suggestion.State.REGISTERED).order_by("pk")[0]
    client.force_login(User.objects.get(username="office"))
    page = text(client.get(reverse("suggestions:detail", args=[s.pk])))
    best = recommend.recommend_units(search.suggestion_text(s), exclude=s.pk)[0]
    assert f"建议主办：{best.unit.name}（{best.reason}）" in page
    assert "仅供参考，未预先选择" in page
    assert f'data-fill="lead_unit" data-value="{best.unit.pk}"' in page  # a button fills it (form-tools.js)
    lead_select = re.search(r'<select name="lead_unit".*?</select>', page, re.S).group(0)
    assert '<option value="" selected>' in lead_select  # nothing chosen for the office


def test_congress_staff_who_cannot_assign_see_no_proposal(client):
    s = Suggestion.objects.filter(state=Suggestion.State.REGISTERED).order_by("pk")[0]
    client.force_login(User.objects.get(username="congress"))
    response = client.get(reverse("suggestions:detail", args=[s.pk]))
    assert response.status_code == 200
    assert "建议主办：" not in text(response)

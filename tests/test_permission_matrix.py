"""The permission matrix: every named URL of the URL configuration, with a real demo object, asked by every kind
of person (anonymous, the office, the leader, the assigned unit's clerk and its head, another unit, the deputy on
the suggestion, another deputy, congress staff) with GET and with POST, answers what the table below says.

The URLs come from walking ``config.urls``, not from the table: a URL added without a row here fails
``test_every_url_has_a_row``. One client per role, logged in once for the module; each test runs in a savepoint
of the demo's transaction, so a POST that goes through is undone before the next test.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from suggestions import jobs, publication, tallies, workflow
from suggestions.models import Assignment, Delivery, Job, Notification, Reply, Suggestion, SupervisionNote

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

ROLES = (
    "anonymous",
    "office",
    "leader",
    "unit",
    "other_unit",
    "unit_head",
    "deputy",
    "other_deputy",
    "congress",
)
LOGIN = "login"  # a 302 to the login page
ADMIN_LOGIN = "admin login"  # a 302 to the admin's login page
REDIRECT = "302"  # any other redirect (back to the page, after a POST that went through or was refused)


def named_urls(resolver=None, prefix=""):
    """{namespaced name: route} of every named URL, walked from the root URL configuration."""
    found = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            found.update(
                named_urls(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            )
        elif pattern.name:
            found.setdefault(prefix + pattern.name, str(pattern.pattern))
    return found


# --- the demo objects and one client per role ------------------------------------------------------------------


@dataclass
class Demo:
    suggestion: Suggestion  # deputy1's current No. 1: replied, waiting for the rating
    lead: Assignment  # its lead unit's part (市交通运输局)
    reply: Reply  # the accepted reply, with a signed letter on file
    note: SupervisionNote
    users: dict  # role -> User
    job: Job  # the office's finished export, its file in 「我的下载」
    delivery: Delivery  # a mail to the lead unit's clerk that failed


@pytest.fixture(scope="module")
def demo(seeded, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "MEDIA_ROOT", str(media))
        s = Suggestion.objects.get(session__year=2025, number=1)
        lead = s.assignments.get(role=Assignment.Role.LEAD, round=s.round)
        reply = Reply.objects.get(assignment=lead, state=Reply.State.ACCEPTED)
        reply.attachment.save("demo-letter.pdf", ContentFile(b"%PDF-1.4\n% signed letter\n"), save=True)
        office = User.objects.get(username="office")
        workflow.perform(
            "supervise",
            user=office,
            suggestion=s,
            at=timezone.now(),
            kind="supervise",
            method="phone",
            text="请于本周内回访代表。",
        )
        on_it = {d.pk for d in s.deputies}
        unit_ids = set(s.assignments.values_list("unit_id", flat=True))
        users = {
            "office": office,
            "leader": User.objects.get(username="leader"),
            "unit": User.objects.get(unit=lead.unit, role="unit_staff"),
            "other_unit": User.objects.filter(role="unit_staff").exclude(unit__in=unit_ids).order_by("pk")[0],
            "unit_head": User.objects.get(unit=lead.unit, role="unit_head"),
            "deputy": User.objects.get(deputy=s.lead_deputy),
            "other_deputy": User.objects.filter(role="deputy").exclude(deputy__in=on_it).order_by("pk")[0],
            "congress": User.objects.get(username="congress"),
        }
        job = Job.objects.create(
            owner=office,
            kind=Job.Kind.SUMMARY,
            title="建议办理情况汇总表",
            state=Job.State.DONE,
            done=1,
            total=1,
            filename="汇总表.xlsx",
            expires_at=jobs.keep_until(timezone.now()),
        )
        job.file.save("summary.xlsx", ContentFile(b"PK\x03\x04 workbook"), save=True)
        delivery = Delivery.objects.create(
            notification=Notification.objects.filter(recipient=users["unit"]).latest("pk"),
            channel=Delivery.Channel.EMAIL,
            address="clerk@example.cn",
            state=Delivery.State.FAILED,
            attempts=3,
            last_error="SMTPException",
        )
        note = SupervisionNote.objects.filter(suggestion=s).latest("pk")
        tallies.figures_for(office)  # the figures' tallies, as the office's first dashboard keeps them
        yield Demo(s, lead, reply, note, users, job, delivery)


@pytest.fixture(scope="module")
def clients(demo, django_db_blocker):
    """role -> (client, its session key): logged in once, in the demo's transaction."""
    found = {"anonymous": (Client(), None)}
    with django_db_blocker.unblock():
        for role, user in demo.users.items():
            client = Client()
            client.force_login(user)
            found[role] = (client, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return found


def ask(clients, role, method, url):
    client, key = clients[role]
    if key:  # a POST to the logout page ends the session; the next test's savepoint brings it back
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = getattr(client, method.lower())(url)
    if response.status_code == 302:
        where = response["Location"].split("?")[0]
        if where == reverse("admin:login"):
            return ADMIN_LOGIN
        return LOGIN if where == reverse("login") else REDIRECT
    return response.status_code


# --- the URLs, each with a real object --------------------------------------------------------------------------


def url_of(label, demo):
    """The address a row of the table asks: ``name`` or ``name (sample)`` for a second sample of one name."""
    name = label.split(" (")[0]
    s, lead = demo.suggestion, demo.lead
    kwargs = {
        "suggestions:detail": {"pk": s.pk},
        "suggestions:edit": {"pk": s.pk},
        "suggestions:similar": {"pk": s.pk},
        "suggestions:act (supervise)": {"pk": s.pk, "action": "supervise"},
        "suggestions:act (rate)": {"pk": s.pk, "action": "rate"},
        "suggestions:act (comment)": {"pk": s.pk, "action": "comment"},
        "suggestions:act_on": {"pk": s.pk, "action": "sign_for", "assignment_id": lead.pk},
        "suggestions:reply_form": {"pk": s.pk, "assignment_id": lead.pk},
        "suggestions:reply_attachment": {"pk": demo.reply.pk},
        "suggestions:reply_letter": {"pk": demo.reply.pk},
        "suggestions:assignment_notice": {"pk": lead.pk},
        "suggestions:supervision_notice": {"pk": demo.note.pk},
        "suggestions:job": {"pk": demo.job.pk},
        "suggestions:job_progress": {"pk": demo.job.pk},
        "suggestions:job_file": {"pk": demo.job.pk},
        "suggestions:delivery_retry": {"pk": demo.delivery.pk},
        "suggestions:holiday_delete": {"year": 2027},
        "suggestions:filter_options": {"name": "deputy"},
        "suggestions:public_reply": {"pk": publication.published_replies().values_list("pk", flat=True)[0]},
        "suggestions:public_reply (unpublished)": {
            "pk": Reply.objects.exclude(pk__in=publication.published_replies().values("pk"))
            .values_list("pk", flat=True)
            .first()
        },
        "account_deactivate": {"pk": demo.users["deputy"].pk},
        "account_reactivate": {"pk": demo.users["deputy"].pk},
        "admin:app_list": {"app_label": "suggestions"},
        "admin:auth_user_password_change": {"id": demo.users["deputy"].pk},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(Suggestion).pk,
            "object_id": s.pk,
        },
    }.get(label)
    if kwargs is None and name.endswith(("_change", "_delete", "_history")) and name.count("_") >= 2:
        kwargs = {"object_id": _admin_object(name, demo)}
    query = {
        "suggestions:handling_report": f"?session={s.session_id}",
        "suggestions:unit_notice": f"?unit={lead.unit_id}&session={s.session_id}",
    }.get(label, "")
    return reverse(name, kwargs=kwargs) + query


def _admin_object(name, demo):
    app_model = name.split(":")[1].rsplit("_", 1)[0]
    model = ContentType.objects.get_by_natural_key(*_split_app_model(app_model)).model_class()
    chosen = {
        Suggestion: demo.suggestion.pk,
        Assignment: demo.lead.pk,
        Reply: demo.reply.pk,
        User: demo.users["deputy"].pk,
    }
    if model in chosen:
        return chosen[model]
    pk = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
    return pk if pk is not None else 0


def _split_app_model(app_model):
    for app in ("django_tasks_database", "accounts", "suggestions", "auth", "axes"):
        if app_model.startswith(app + "_"):
            return app, app_model[len(app) + 1 :]
    raise AssertionError(app_model)


# --- the table --------------------------------------------------------------------------------------------------
# One row per URL (a second sample of one name in brackets): what each role gets, in the order of ROLES:
#     anonymous, office, leader, unit (the lead unit's clerk), other_unit, unit_head (the lead unit's head),
#     deputy (the lead deputy), other_deputy, congress
# The suggestion is deputy1's current No. 1, replied and waiting for the rating: the reply form and sign-for
# are refused by its state (a redirect with the reason), the rating is open (an empty form is a 400).

L, A, R = LOGIN, ADMIN_LOGIN, REDIRECT
READ_ONLY = "read-only"  # GET only: a POST is a 405 for whoever may read it (see post_expected)

TABLE = {
    # label: (GET, POST)
    "login": ((200,) * 9, (200,) * 9),  # a POST without a password: the form again, with the error
    "logout": ((L, *(405,) * 8), (L,) * 9),
    "password_change": ((L, *(200,) * 8), (L, *(200,) * 8)),
    "password_change_done": ((L, *(200,) * 8), (L, *(405,) * 8)),
    "suggestions:home": ((L, *(200,) * 8), READ_ONLY),
    "suggestions:list": ((L, *(200,) * 8), READ_ONLY),
    "suggestions:notifications": ((L, *(200,) * 8), READ_ONLY),
    "suggestions:mark_read": ((L, *(405,) * 8), (L, *(R,) * 8)),
    "suggestions:detail": ((L, 200, 200, 200, 404, 200, 200, 404, 200), READ_ONLY),
    "suggestions:similar_clusters": ((L, 200, *(403,) * 7), READ_ONLY),  # 相关建议: the office's
    "suggestions:reply_attachment": ((L, 200, 200, 200, 404, 200, 200, 404, 200), READ_ONLY),
    # the 答复函 (Word) of the accepted reply: the office side, the unit that wrote it, the deputy, congress staff
    "suggestions:reply_letter": ((L, 200, 200, 200, 404, 200, 200, 404, 200), READ_ONLY),
    "suggestions:reply_form": ((L, R, R, R, 404, R, R, 404, R), (L, R, R, R, 404, R, R, 404, R)),
    "suggestions:edit": ((L, R, *(403,) * 7), (L, 200, *(403,) * 7)),  # an empty POST shows the form
    "suggestions:act (supervise)": ((L, *(405,) * 8), (L, 400, *(403,) * 7)),
    "suggestions:act (rate)": ((L, *(405,) * 8), (L, 403, 403, 403, 403, 403, 400, 404, 403)),
    "suggestions:act (comment)": ((L, *(405,) * 8), (L, 403, 400, *(403,) * 6)),
    "suggestions:act_on": ((L, *(405,) * 8), (L, 403, 403, R, 404, R, 403, 403, 403)),
    "suggestions:batch": ((L, *(405,) * 8), (L, 400, *(403,) * 7)),
    "suggestions:register": ((L, 200, *(403,) * 7), (L, 200, *(403,) * 7)),
    "suggestions:dashboard": ((L, 200, 200, 403, 403, 403, 403, 403, 200), READ_ONLY),
    "suggestions:assessment": ((L, 200, 200, 403, 403, 403, 403, 403, 200), READ_ONLY),
    "suggestions:commitments": ((L, 200, 200, 403, 403, 403, 403, 403, 200), READ_ONLY),
    # the exports and the report: a GET of a small one answers at once; a POST starts it (a long one as a job)
    "suggestions:handling_report": ((L, 200, 200, 403, 403, 403, 403, 403, 200),) * 2,
    "suggestions:export_summary": ((L, 200, 200, 200, 200, 200, 403, 403, 200),) * 2,
    "suggestions:export_statistics": ((L, 200, 200, 200, 200, 200, 403, 403, 200),) * 2,
    "suggestions:assignment_notice": ((L, 200, 403, 200, 404, 200, 403, 403, 403), READ_ONLY),
    "suggestions:unit_notice": ((L, 200, 403, 200, 404, 200, 403, 403, 403), READ_ONLY),
    "suggestions:supervision_notice": ((L, 200, *(403,) * 7), READ_ONLY),
    "suggestions:deadline_preview": ((L, 200, *(403,) * 7), READ_ONLY),
    "suggestions:number_hint": ((L, 200, *(403,) * 7), READ_ONLY),
    "suggestions:similar_titles": ((L, 200, *(403,) * 7), READ_ONLY),
    # the list's 代表 filter as a person types: for whoever is offered it (the office, leaders, congress staff)
    "suggestions:filter_options": ((L, 200, 200, *(403,) * 5, 200), READ_ONLY),
    # 相似建议 on the page: the office and the suggestion's units (another unit cannot see the suggestion)
    "suggestions:similar": ((L, 200, 403, 200, 404, 200, 403, 403, 403), READ_ONLY),
    "suggestions:import_upload": ((L, 200, *(403,) * 7), (L, 200, *(403,) * 7)),
    "suggestions:import_preview": ((L, R, *(403,) * 7), READ_ONLY),  # nothing uploaded: back to the upload
    "suggestions:import_confirm": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    "suggestions:import_cancel": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    "suggestions:import_template": ((L, 200, *(403,) * 7), READ_ONLY),
    # 历史导入: the same pages for a past session's 汇总表, the office's only
    "suggestions:history_upload": ((L, 200, *(403,) * 7), (L, 200, *(403,) * 7)),
    "suggestions:history_preview": ((L, R, *(403,) * 7), READ_ONLY),  # nothing uploaded: back to the upload
    "suggestions:history_confirm": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    "suggestions:history_cancel": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    # the admin's own pages: only the office is staff; anyone else is sent to the admin's login
    # 「我的下载」: each person's own jobs; the demo's job is the office's, so nobody else finds it
    "suggestions:downloads": ((L, *(200,) * 8), READ_ONLY),
    "suggestions:job": ((L, 200, *(404,) * 7), READ_ONLY),
    "suggestions:job_progress": ((L, 200, *(404,) * 7), READ_ONLY),
    "suggestions:job_file": ((L, 200, *(404,) * 7), READ_ONLY),
    # 消息发送: the office's
    "suggestions:deliveries": ((L, 200, *(403,) * 7), READ_ONLY),
    "suggestions:delivery_retry": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    "suggestions:delivery_retry_failed": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    # 节假日安排: the office's; an empty POST shows the page again with what is missing, a delete of a year
    # not entered says so and goes back to the page
    "suggestions:holidays": ((L, 200, *(403,) * 7), READ_ONLY),
    "suggestions:holiday_save": ((L, *(405,) * 8), (L, 400, *(403,) * 7)),
    "suggestions:holiday_delete": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    # 公开: the public portal, open to anyone, logged in or not; a reply not published is not found
    "suggestions:public": ((200,) * 9, READ_ONLY),
    "suggestions:public_reply": ((200,) * 9, READ_ONLY),
    "suggestions:public_reply (unpublished)": ((404,) * 9, READ_ONLY),
    # the office's account pages
    "account_list": ((L, 200, *(403,) * 7), READ_ONLY),
    "account_events": ((L, 200, *(403,) * 7), READ_ONLY),
    "lockouts": ((L, 200, *(403,) * 7), READ_ONLY),
    # the office deactivates the demo deputy first, whose session ends with it: the deputy's own try finds no login
    "account_deactivate": ((L, *(405,) * 8), (L, R, 403, 403, 403, 403, L, 403, 403)),
    "account_reactivate": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    "unlock": ((L, *(405,) * 8), (L, R, *(403,) * 7)),
    "admin:login": ((200, R, *(200,) * 7), (200,) * 9),
    "admin:logout": ((A, 405, *(R,) * 7), (A, L, *(R,) * 7)),
    "admin:index": ((A, 200, *(A,) * 7), (A, *(405,) * 8)),
    "admin:app_list": ((A, 200, *(A,) * 7), (A, *(405,) * 8)),
    # the admin's read-only pages answer a POST with 405 before the admin looks at who asks
    "admin:jsi18n": ((A, 200, *(A,) * 7), (A, *(405,) * 8)),
    "admin:autocomplete": ((A, 403, *(A,) * 7), (A, *(405,) * 8)),  # without a field to complete
    "admin:password_change": ((A, 200, *(A,) * 7), (A, 200, *(A,) * 7)),
    "admin:password_change_done": ((A, 200, *(A,) * 7), (A, *(405,) * 8)),
    "admin:view_on_site": ((A, 404, *(A,) * 7), (A, *(405,) * 8)),  # a suggestion has no public page
    "admin:auth_user_password_change": ((L, 200, *(A,) * 7), (L, 200, *(A,) * 7)),
}

# The admin's model pages: what the office gets (GET, POST) on each; anonymous is sent to the app's login, anyone
# else to the admin's. Reference data is kept there; records of the work are read-only there (they change only
# through the workflow) and nothing is ever deleted.
REFERENCE = {
    "add": (200, 200),
    "changelist": (200, 200),
    "change": (200, 200),
    "delete": (403, 403),
    "history": (200, 200),
}
RECORD = {
    "add": (403, 403),
    "changelist": (200, 200),
    "change": (200, 403),
    "delete": (403, 403),
    "history": (200, 200),
}
ADMIN_MODELS = {
    "accounts_user": REFERENCE,
    "suggestions_congresssession": REFERENCE,
    "suggestions_delegation": REFERENCE,
    "suggestions_deputy": REFERENCE,
    "suggestions_category": REFERENCE,
    "suggestions_leader": REFERENCE,
    "suggestions_handlingunit": REFERENCE,
    "suggestions_suggestion": {**RECORD, "add": (200, 200)},  # registered there too, through the workflow
    "suggestions_assignment": RECORD,
    "suggestions_reassignmentrequest": RECORD,
    "suggestions_extensionrequest": RECORD,
    "suggestions_contactrecord": RECORD,
    "suggestions_counitopinion": RECORD,
    "suggestions_reply": RECORD,
    "suggestions_rating": RECORD,
    "suggestions_rehandling": RECORD,
    "suggestions_supervisionnote": RECORD,
    "suggestions_commitmentfollowup": RECORD,
    "suggestions_commitment": RECORD,
    # the demo's commitments have no milestones and no target passed unreported
    "suggestions_milestone": {**RECORD, "change": (R, R), "history": (R, R)},
    "suggestions_commitmentreminder": {**RECORD, "change": (R, R), "history": (R, R)},
    "suggestions_event": RECORD,
    "suggestions_notification": RECORD,
    "suggestions_delivery": RECORD,
    "suggestions_job": RECORD,
    "suggestions_searchdocument": RECORD,  # 相似建议's index, kept by the workflow
    "suggestions_searchterm": RECORD,
    "suggestions_suggestionsearchtext": RECORD,  # the list's keyword search rows, kept by the workflow
    "suggestions_figurerevision": RECORD,  # kept by the database's triggers
    "suggestions_figuretally": RECORD,  # the figures' tallies, kept as the pages read them
    # entered on the office's page, which counts the deadlines again; the demo enters none
    "suggestions_holidayday": {**RECORD, "change": (R, R), "history": (R, R)},
    # the demo sends no reminder: a missing object sends the office back to the list
    "suggestions_reminder": {**RECORD, "change": (R, R), "history": (R, R)},
    # the task queue is the worker's: not the office's to read or change (no task in the demo either)
    "django_tasks_database_dbtaskresult": {**{k: (403, 403) for k in REFERENCE}, "history": (R, R)},
    # the login records are django-axes': the office reads and unlocks them on its own page (lockouts)
    "axes_accessattempt": {**{k: (403, 403) for k in REFERENCE}, "history": (R, R)},
    "axes_accessfailurelog": {**{k: (403, 403) for k in REFERENCE}, "history": (R, R)},
    "axes_accesslog": {**{k: (403, 403) for k in REFERENCE}, "history": (R, R)},
}


def admin_rows():
    rows = {}
    for model, views in ADMIN_MODELS.items():
        for view, (get, post) in views.items():
            if view == "history":  # a read-only page: a POST is a 405 before the admin looks at who asks
                rows[f"admin:{model}_{view}"] = ((L, get, *(A,) * 7), (L, *(405,) * 8))
            else:
                rows[f"admin:{model}_{view}"] = ((L, get, *(A,) * 7), (L, post, *(A,) * 7))
    return rows


ROWS = {**TABLE, **admin_rows()}


def post_expected(label):
    """A read-only page answers a POST with 405 to whoever may read it; to anyone else, with the refusal a GET
    gets, or 405."""
    get, post = ROWS[label]
    if post != READ_ONLY:
        return post
    return tuple(g if g in (L, A) else 405 if g in (200, R) else {g, 405} for g in get)


def expected(label, method):
    return ROWS[label][0] if method == "GET" else post_expected(label)


def test_every_url_has_a_row():
    """A URL added to the configuration fails here until the table says who may open it."""
    covered = {label.split(" (")[0] for label in ROWS}
    assert sorted(set(named_urls()) - covered) == []
    assert sorted(covered - set(named_urls())) == []  # and no row is left for a URL that is gone


CASES = [(label, method) for label in ROWS for method in ("GET", "POST")]


@pytest.mark.parametrize(("label", "method"), CASES)
def test_each_role_gets_what_the_table_says(demo, clients, label, method):
    url = url_of(label, demo)
    want = expected(label, method)
    got = {role: ask(clients, role, method, url) for role in ROLES}
    wrong = {
        role: f"{got[role]} (expected {w})"
        for role, w in zip(ROLES, want, strict=True)
        if got[role] != w and not (isinstance(w, set) and got[role] in w)
    }
    assert wrong == {}, f"{method} {url}"

"""A suggestion and its assignments to handling units.

States change only through ``suggestions.workflow``. A few fields here (``lead_unit``, ``deadline``,
``replied_at``, ``result_class``, ``rating``) summarise the current round for lists, filters and statistics;
the workflow keeps them up to date.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.roles import UNIT_ROLES, Role

from .. import rules
from ..formats import number_label
from .reference import Category, CongressSession, Delegation, Deputy, HandlingUnit, Leader


class RatingLevel(models.IntegerChoices):
    """Ordered so that the worst rating of several is the minimum."""

    UNSATISFIED = 1, "不满意"
    BASIC = 2, "基本满意"
    SATISFIED = 3, "满意"


class SuggestionQuerySet(models.QuerySet):
    @staticmethod
    def visibility_key(user) -> str | None:
        """A name for what ``visible_to(user)`` holds, when that depends on nothing but the suggestions' own
        rows: ``all`` (the office, congress staff), ``leader:<id>`` (a portfolio and its supervised key
        suggestions); None otherwise. The figures' tallies are kept per key (``suggestions.tallies``): a change
        to ``visible_to`` changes this beside it."""
        if not user.is_authenticated or not user.is_active:
            return None
        if user.is_superuser or user.has_perm("suggestions.view_all"):
            return "all"
        if user.role == Role.LEADER and user.leader_id:
            return f"leader:{user.leader_id}"
        return None

    def visible_to(self, user):
        """What ``user`` may open: the office and congress staff everything, a leader their portfolio and the
        key suggestions they supervise, a unit those it handles (not one moved to another unit), a deputy the
        suggestions they lead or joined. What of it they may read is ``suggestions.access``'s answer."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_perm("suggestions.view_all"):
            return self
        role = user.role
        if role == Role.LEADER and user.leader_id:
            return self.filter(Q(leader_id=user.leader_id) | Q(supervising_leader_id=user.leader_id))
        if role in UNIT_ROLES and user.unit_id:
            mine = Assignment.objects.filter(suggestion=OuterRef("pk"), unit_id=user.unit_id).exclude(
                state=Assignment.State.REASSIGNED
            )
            return self.filter(Exists(mine))
        if role == Role.DEPUTY and user.deputy_id:
            # One IN over a UNION of two indexed look-ups (led, joined): the database fetches the deputy's few
            # ids and joins them, where ``lead_deputy = X OR EXISTS(joined)`` tested every row of the table.
            led = Suggestion.objects.filter(lead_deputy_id=user.deputy_id).values("pk")
            joined = Suggestion.joint_deputies.through.objects.filter(deputy_id=user.deputy_id)
            return self.filter(pk__in=led.union(joined.values("suggestion_id")))
        return self.none()

    def government_handled(self):
        return self.exclude(state__in=[Suggestion.State.NOT_GOVERNMENT, Suggestion.State.WITHDRAWN])

    def open(self):
        return self.filter(state__in=Suggestion.OPEN_STATES)

    def overdue(self, today=None):
        return self.filter(Suggestion.overdue_condition(today))

    def with_overdue(self, today=None):
        """Each row fetched comes with its late parts (``late_parts``: one query for all the rows fetched,
        by their ids), so that a list asking ``is_overdue()`` of every row asks the database once. An
        annotation would cost a pass over every late part of the table at 100,000 suggestions."""
        late = Assignment.objects.filter(Assignment.late_condition(today)).only("id", "suggestion_id")
        return self.prefetch_related(models.Prefetch("assignments", queryset=late, to_attr="late_parts"))

    def with_overdue_flag(self, today=None):
        """As ``with_overdue``, in the rows' own query: ``has_late_part``, a correlated ``EXISTS`` for each row
        fetched. For a query of a page's few rows by their ids (the list), one query less than the prefetch;
        over a whole table it would test every row."""
        late = Assignment.objects.filter(Assignment.late_condition(today), suggestion=OuterRef("pk"))
        return self.annotate(has_late_part=Exists(late))


class SuggestionState(models.TextChoices):
    REGISTERED = "registered", "已登记"
    ASSIGNED = "assigned", "已交办"
    IN_HANDLING = "in_handling", "办理中"
    REPLIED = "replied", "已答复"
    REHANDLING = "rehandling", "重新办理"
    CLOSED = "closed", "已办结"
    NOT_GOVERNMENT = "not_government", "非政府承办"
    WITHDRAWN = "withdrawn", "已撤回"


SUGGESTION_STATES = SuggestionState.values


class Suggestion(models.Model):
    State = SuggestionState

    class Source(models.TextChoices):
        SESSION = "session", "会议期间"
        RECESS = "recess", "闭会期间"

    # A suggestion is being handled (the deadline runs) in these states.
    HANDLING_STATES = (State.ASSIGNED, State.IN_HANDLING, State.REHANDLING)
    OPEN_STATES = (State.REGISTERED, *HANDLING_STATES, State.REPLIED)

    session = models.ForeignKey(
        CongressSession, verbose_name="届次会议", on_delete=models.PROTECT, related_name="suggestions"
    )
    number = models.PositiveIntegerField("建议编号")
    title = models.CharField("案由", max_length=300)
    content = models.TextField("内容", blank=True)
    source = models.CharField("提出时间", max_length=10, choices=Source.choices, default=Source.SESSION)
    submitted_on = models.DateField("提出日期", null=True, blank=True)
    lead_deputy = models.ForeignKey(
        Deputy, verbose_name="领衔代表", on_delete=models.PROTECT, related_name="led_suggestions"
    )
    joint_deputies = models.ManyToManyField(
        Deputy, verbose_name="联名代表", blank=True, related_name="joined_suggestions"
    )
    delegation = models.ForeignKey(
        Delegation, verbose_name="代表团", on_delete=models.PROTECT, related_name="suggestions"
    )
    category = models.ForeignKey(
        Category, verbose_name="类别", on_delete=models.PROTECT, related_name="suggestions"
    )
    leader = models.ForeignKey(
        Leader,
        verbose_name="分管领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portfolio_suggestions",
        help_text="按分管领域归类",
    )
    is_key = models.BooleanField("重点建议", default=False)
    supervising_leader = models.ForeignKey(
        Leader,
        verbose_name="督办领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_suggestions",
    )
    key_order = models.PositiveSmallIntegerField(
        "重点建议顺序",
        null=True,
        blank=True,
        help_text="办理情况报告列出重点建议的顺序，1在最前；不填的按建议编号排在后面",
    )
    state = models.CharField("办理状态", max_length=20, choices=State.choices, default=State.REGISTERED)
    other_organ = models.CharField(
        "转交机关", max_length=100, blank=True, help_text="非政府承办时，转交的法院、检察院或党委部门"
    )
    remarks = models.TextField("备注", blank=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)

    # Summary of the current round, kept by the workflow.
    lead_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_on = models.DateField("交办日期", null=True, blank=True)
    deadline = models.DateField("办理期限", null=True, blank=True)
    deadline_estimated = models.BooleanField(
        "期限为估算",
        default=False,
        help_text="本轮主办（分办）单位的期限跨入尚无节假日安排的年份，按周末休息估算",
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    result_class = models.CharField(
        "答复类别", max_length=rules.MAX_CODE_LENGTH, choices=rules.field_choices, blank=True
    )
    rating = models.PositiveSmallIntegerField(
        "代表评价", choices=RatingLevel.choices, null=True, blank=True, help_text="本轮答复的评价（最终评价）"
    )
    first_rating = models.PositiveSmallIntegerField(
        "初次办理评价", choices=RatingLevel.choices, null=True, blank=True, help_text="第一轮答复的评价"
    )
    rated_unsatisfied = models.BooleanField(
        "曾评价不满意", default=False, help_text="任一轮答复被评价为不满意"
    )
    # Kept by the workflow when a contact record is written (``log_contact``, the history import), so that
    # 沟通率 and 见面率 are counted with the other figures, without a pass over the contact records.
    contacted = models.BooleanField("已沟通", default=False, help_text="有任一沟通记录（含电话交流）")
    met = models.BooleanField("见面沟通", default=False, help_text="有登门走访、座谈或实地调研的沟通记录")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    # 相关建议: marked by the office (from the page of similar suggestions), kept both ways, across sessions.
    related = models.ManyToManyField("self", symmetrical=True, blank=True, verbose_name="相关建议")
    # 并案: a suggestion handled together with its main one (主建议) of the same session, which the lead unit
    # answers; the workflow repeats the main one's handling on it (suggestions/workflow/merging.py).
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并案主建议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = "建议"
        verbose_name_plural = "建议"
        ordering = ["session_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"],
                name="unique_number_per_session",
                violation_error_message="本届次会议中已有该编号的建议。",
            ),
            models.CheckConstraint(
                name="key_suggestion_has_supervising_leader",
                condition=Q(is_key=False) | Q(supervising_leader__isnull=False),
                violation_error_message="重点建议必须指定督办领导。",
            ),
            models.CheckConstraint(
                name="suggestion_state_valid",
                condition=Q(state__in=SUGGESTION_STATES),
            ),
            models.CheckConstraint(
                name="suggestion_not_merged_into_itself",
                condition=~Q(merged_into=F("pk")),
                violation_error_message="建议不能与自己并案。",
            ),
            models.CheckConstraint(
                name="suggestion_number_positive",
                condition=Q(number__gte=1),
                violation_error_message="建议编号必须为正整数。",
            ),
        ]
        indexes = [
            # The figures (``suggestions.statistics``) read only these columns: on PostgreSQL an index-only scan
            # of this narrow index serves them instead of a pass over the wide rows (titles, contents).
            models.Index(
                fields=["session", "state"],
                include=[
                    "id",
                    "category",
                    "leader",
                    "supervising_leader",
                    "lead_unit",
                    "is_key",
                    "deadline",
                    "replied_at",
                    "result_class",
                    "rating",
                    "first_rating",
                    "rated_unsatisfied",
                    "contacted",
                    "met",
                ],
                name="suggestion_figures",
            ),  # fmt: skip
            models.Index(fields=["session", "category"]),
            models.Index(fields=["lead_unit", "state"]),
            models.Index(fields=["leader", "state"]),
            models.Index(fields=["state", "deadline"]),
            # the key suggestions (1 in 100) of a leader or a session: the leaders' and congress staff's cards
            models.Index(fields=["leader", "session"], condition=Q(is_key=True), name="suggestion_key"),
        ]

    def __str__(self):
        return f"{self.number_label} {self.title}"

    @staticmethod
    def overdue_condition(today=None):
        """超期: being handled while a unit's part of it is late (``Assignment.late_condition``: the lead's or
        a 分办 unit's reply, or a co-unit's opinion, past its deadline). The one definition the list's filter,
        the to-do cards and the figures use, so the office's card of late parts and the list count the same
        suggestions."""
        late = Assignment.objects.filter(Assignment.late_condition(today)).values("suggestion_id")
        return Q(state__in=Suggestion.HANDLING_STATES, pk__in=late)  # uncorrelated: the database hashes it

    @property
    def number_label(self):
        return number_label(self.number)

    @property
    def is_government_handled(self):
        return self.state not in (self.State.NOT_GOVERNMENT, self.State.WITHDRAWN)

    def is_overdue(self, today=None, parts=None):
        """``overdue_condition`` for this suggestion: from ``parts`` when the caller has all its current parts
        at hand, from ``late_parts`` or ``has_late_part`` when the queryset fetched them (``with_overdue``,
        ``with_overdue_flag``) and ``today`` is the day they were fetched for, else asked of the database
        (whatever a prefetch left out)."""
        if self.state not in self.HANDLING_STATES:
            return False
        if parts is not None:
            return any(part.is_overdue(today) for part in parts)
        if today in (None, timezone.localdate()):
            if "has_late_part" in self.__dict__:
                return self.has_late_part
            if "late_parts" in self.__dict__:
                return bool(self.late_parts)
        return self.assignments.filter(Assignment.late_condition(today)).exists()

    def days_left(self, today=None):
        if self.deadline is None:
            return None
        return (self.deadline - (today or timezone.localdate())).days

    @property
    def deputies(self):
        """Lead deputy first, then the joint deputies."""
        return [self.lead_deputy, *self.joint_deputies.all()]


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The parts of the suggestions ``user`` may open that they may see listed (``access``)."""
        from ..access import part_condition

        if not user.is_authenticated or not user.is_active:
            return self.none()
        parts = self.filter(part_condition(user))
        if user.is_superuser or user.has_perm("suggestions.view_all"):
            return parts
        return parts.filter(suggestion__in=Suggestion.objects.visible_to(user))

    def current(self):
        """Parts that count now: not moved away to another unit."""
        return self.exclude(state=Assignment.State.REASSIGNED)

    def open(self):
        return self.filter(state__in=Assignment.OPEN_STATES)

    def overdue(self, today=None):
        return self.filter(Assignment.overdue_condition(today))


class AssignmentState(models.TextChoices):
    PENDING = "pending", "待签收"
    SIGNED = "signed", "已签收"
    REASSIGN_REQUESTED = "reassign_requested", "申请调整"
    REASSIGNED = "reassigned", "已调整"
    DRAFTED = "drafted", "答复待签发"
    REVISING = "revising", "负责人退回修改"
    SIGNED_OFF = "signed_off", "已签发"
    SUBMITTED = "submitted", "已报送待审核"
    RETURNED = "returned", "审核退回"
    REPLIED = "replied", "已答复"
    OPINION_SENT = "opinion_sent", "已反馈协办意见"


ASSIGNMENT_STATES = AssignmentState.values
# The unit still has work to do (the office's review of a submitted reply is not the unit's delay).
UNIT_OPEN_ASSIGNMENT_STATES = (
    AssignmentState.PENDING,
    AssignmentState.SIGNED,
    AssignmentState.REASSIGN_REQUESTED,
    AssignmentState.DRAFTED,
    AssignmentState.REVISING,
    AssignmentState.SIGNED_OFF,
    AssignmentState.RETURNED,
)


class Assignment(models.Model):
    """交办: one unit's part of a suggestion in one handling round."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "协办"
        SEPARATE = "separate", "分办"

    State = AssignmentState

    OPEN_STATES = (
        State.PENDING,
        State.SIGNED,
        State.REASSIGN_REQUESTED,
        State.DRAFTED,
        State.REVISING,
        State.SIGNED_OFF,
        State.SUBMITTED,
        State.RETURNED,
    )
    UNIT_OPEN_STATES = UNIT_OPEN_ASSIGNMENT_STATES

    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        HandlingUnit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField("承办方式", max_length=10, choices=Role.choices)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    assigned_on = models.DateField("交办日期")
    deadline = models.DateField("办理期限")
    original_deadline = models.DateField("原定期限")
    # How the deadline was computed, so that it can be computed again when a year's holidays are entered: N
    # months from ``assigned_on`` (None: a date the office set, an extension granted).
    deadline_months = models.PositiveSmallIntegerField("期限月数", null=True, blank=True)
    deadline_estimated = models.BooleanField(
        "期限为估算", default=False, help_text="期限跨入尚无节假日安排的年份，按周末休息估算"
    )
    deadline_note = models.TextField(
        "期限说明", blank=True, help_text="跳过的节假日、计入的调休上班日、批准的延期"
    )
    reassignment_until = models.DateField("申请调整截止", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name="调整后承办",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    # 协办: the answering part (主办 or 分办) whose unit the co-unit sends its opinion to; empty for the lead unit
    supports = models.ForeignKey(
        "self",
        verbose_name="配合的承办单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supporters",
        help_text="分办时协办单位配合的分办单位；为空时配合主办单位",
    )
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_at = models.DateTimeField("交办时间", default=timezone.now)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["suggestion", "round", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "round"],
                condition=Q(role="lead") & ~Q(state="reassigned"),
                name="one_lead_unit_per_round",
                violation_error_message="每轮办理只能有一个主办单位。",
            ),
            models.UniqueConstraint(
                fields=["suggestion", "round", "unit"],
                condition=~Q(state="reassigned"),
                name="unit_once_per_round",
                violation_error_message="同一单位在一轮办理中只能承办一次。",
            ),
            models.CheckConstraint(
                name="assignment_role_valid", condition=Q(role__in=["lead", "co", "separate"])
            ),
            models.CheckConstraint(name="assignment_state_valid", condition=Q(state__in=ASSIGNMENT_STATES)),
            models.CheckConstraint(
                name="deadline_not_before_assignment",
                condition=Q(deadline__gte=models.F("assigned_on")),
                violation_error_message="办理期限不能早于交办日期。",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state"]),
            # 超期 (``late_condition``): the parts a unit still owes, by deadline, a small share of the table once
            # years of closed suggestions are in it; the figures' and the list's overdue counts read only these.
            models.Index(
                fields=["deadline", "suggestion"],
                condition=Q(state__in=UNIT_OPEN_ASSIGNMENT_STATES),
                name="assignment_unit_open_deadline",
            ),
            models.Index(fields=["state", "deadline"]),
        ]

    def __str__(self):
        return f"{self.unit}（{self.get_role_display()}）"

    @staticmethod
    def late_condition(today=None):
        """The unit still owes work on this part past its deadline (the office's review of a submitted reply
        is not the unit's delay)."""
        return Q(state__in=Assignment.UNIT_OPEN_STATES, deadline__lt=today or timezone.localdate())

    @staticmethod
    def overdue_condition(today=None):
        """超期 of a part: late (``late_condition``) on a suggestion still being handled. A suggestion with
        such a part is overdue (``Suggestion.overdue_condition``)."""
        return Assignment.late_condition(today) & Q(suggestion__state__in=Suggestion.HANDLING_STATES)

    @property
    def answers(self):
        """Lead and separate units write a reply; co-units send an opinion to the lead unit."""
        return self.role in (self.Role.LEAD, self.Role.SEPARATE)

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    def is_overdue(self, today=None):
        """``late_condition`` of this part."""
        return self.state in self.UNIT_OPEN_STATES and self.deadline < (today or timezone.localdate())

    def days_left(self, today=None):
        return (self.deadline - (today or timezone.localdate())).days

    def reassignment_window_open(self, today: datetime.date | None = None):
        if self.reassignment_until is None:
            return False
        return (today or timezone.localdate()) <= self.reassignment_until

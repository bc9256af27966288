"""What happens while a suggestion is handled: requests and rulings, contacts, opinions, replies, ratings,
re-handling, supervision and follow-up of commitments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .. import rules
from ..formats import date_cn
from .reference import Deputy, HandlingUnit
from .suggestion import Assignment, RatingLevel, Suggestion


def _user_fk(verbose_name, **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **kwargs,
    )


class Ruling(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "不同意"


class UnitRequest(models.Model):
    """What a unit asks of the office about its part (调整 or 延期), and the office's ruling on it."""

    requested_by = _user_fk("申请人")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    status = models.CharField("审批结果", max_length=10, choices=Ruling.choices, default=Ruling.PENDING)
    ruling_note = models.TextField("审批意见", blank=True)
    ruled_by = _user_fk("审批人")
    ruled_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at"]

    @property
    def is_pending(self):
        return self.status == Ruling.PENDING


class ReassignmentRequest(UnitRequest):
    """申请调整 (退回): a unit says the suggestion is not theirs and proposes another unit."""

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="reassignment_requests"
    )
    reason = models.TextField("申请理由")
    proposed_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name="建议调整至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_state = models.CharField("申请前状态", max_length=20, choices=Assignment.State.choices)
    new_unit = models.ForeignKey(
        HandlingUnit, verbose_name="调整至", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(UnitRequest.Meta):
        verbose_name = "调整申请"
        verbose_name_plural = "调整申请"
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="one_pending_reassignment_per_assignment",
                violation_error_message="已有待审批的调整申请。",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} 申请调整"


class ExtensionRequest(UnitRequest):
    """申请延期: asked before the deadline, with grounds and the date the unit needs."""

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="extension_requests"
    )
    grounds = models.TextField("延期理由")
    requested_deadline = models.DateField("申请延至")
    granted_deadline = models.DateField("批准延至", null=True, blank=True)

    class Meta(UnitRequest.Meta):
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_assignment",
                violation_error_message="已有待审批的延期申请。",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} 申请延期至 {self.requested_deadline}"


class ContactRecord(models.Model):
    """沟通记录 (面商): the unit talks to the deputy before replying."""

    class Method(models.TextChoices):
        VISIT = "visit", "登门走访"
        PHONE = "phone", "电话交流"
        SITE = "site", "实地调研"
        MEETING = "meeting", "座谈"
        OTHER = "other", "其他"

    # 见面 (面商): the methods that meet the deputy in person; 见面率 counts these, 沟通率 any method.
    FACE_TO_FACE = (Method.VISIT, Method.MEETING, Method.SITE)

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="contacts"
    )
    method = models.CharField("沟通方式", max_length=10, choices=Method.choices)
    contacted_on = models.DateField("沟通日期")
    participants = models.CharField("参加人员", max_length=200)
    deputies = models.ManyToManyField(Deputy, verbose_name="沟通代表", blank=True, related_name="+")
    summary = models.TextField("沟通情况")
    recorded_by = _user_fk("记录人")
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "沟通记录"
        verbose_name_plural = "沟通记录"
        ordering = ["-contacted_on", "-id"]

    def __str__(self):
        return f"{self.get_method_display()} {self.contacted_on}"


class CoUnitOpinion(models.Model):
    """协办意见: a co-unit's written opinion to the lead unit."""

    assignment = models.OneToOneField(
        Assignment, verbose_name="协办交办", on_delete=models.CASCADE, related_name="opinion"
    )
    text = models.TextField("协办意见")
    signer = models.CharField("单位负责人", max_length=50, blank=True)
    sent_by = _user_fk("报送人")
    sent_at = models.DateTimeField("报送时间", default=timezone.now)

    class Meta:
        verbose_name = "协办意见"
        verbose_name_plural = "协办意见"
        ordering = ["sent_at"]

    def __str__(self):
        return f"{self.assignment.unit} 协办意见"


class ReplyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The replies ``user`` may read: on a suggestion they may open, in a state ``access`` shows them."""
        from ..access import reply_condition

        return self.filter(
            reply_condition(user), assignment__suggestion__in=Suggestion.objects.visible_to(user)
        )


def reply_upload_path(reply, filename):
    return f"replies/{reply.assignment.suggestion.session_id}/{reply.assignment.suggestion_id}/{filename}"


class Reply(models.Model):
    """答复函: written by the lead (or a 分办) unit, signed by its head, reviewed by the office."""

    class State(models.TextChoices):
        DRAFT = "draft", "待签发"
        SIGNED = "signed", "已签发"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "审核退回"
        ACCEPTED = "accepted", "已答复"

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="replies"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    document_number = models.CharField("文号", max_length=60)
    contact_person = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    text = models.TextField("答复内容")
    result_class = models.CharField("答复类别", max_length=rules.MAX_CODE_LENGTH, choices=rules.field_choices)
    commitment = models.TextField(
        "承诺事项", blank=True, help_text="承诺类答复（默认B类）：正在解决或列入计划解决的事项"
    )
    commitment_due = models.DateField("承诺完成时间", null=True, blank=True)
    commitment_done_on = models.DateField("承诺落实日期", null=True, blank=True)
    attachment = models.FileField("签发件（PDF）", upload_to=reply_upload_path, blank=True)
    revision_note = models.TextField("修改意见", blank=True, help_text="单位负责人退回修改时的意见")
    drafted_by = _user_fk("拟稿人")
    drafted_at = models.DateTimeField("拟稿时间", default=timezone.now)
    signer = models.CharField("签发人", max_length=50, blank=True)
    signed_by = _user_fk("签发账号")
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reviewed_by = _user_fk("审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    is_public = models.BooleanField("公开", default=True)
    withheld_reason = models.TextField("不公开理由", blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["assignment__round", "drafted_at"]
        constraints = [
            # the classes are the office's scheme (suggestions.rules), checked by the workflow; the database
            # holds that a commitment has both its text and its date, or neither
            models.CheckConstraint(
                name="reply_commitment_has_text_and_date",
                condition=Q(commitment="", commitment_due__isnull=True)
                | (~Q(commitment="") & Q(commitment_due__isnull=False)),
                violation_error_message="承诺事项和承诺完成时间必须同时填写。",
            ),
            models.CheckConstraint(
                name="withheld_reply_has_reason",
                condition=Q(is_public=True) | ~Q(withheld_reason=""),
                violation_error_message="不公开的答复必须说明理由。",
            ),
            models.UniqueConstraint(
                fields=["assignment"],
                condition=~Q(state__in=["accepted", "returned"]),
                name="one_open_reply_per_assignment",
                violation_error_message="该单位已有正在办理的答复。",
            ),
        ]
        indexes = [
            models.Index(fields=["result_class", "commitment_done_on"]),
            # the open commitments (the office's 承诺 30天内到期 card, by due date): a few thousand of 100,000
            # replies, counted and listed from this index alone
            models.Index(
                fields=["commitment_due", "id"],
                condition=Q(state="accepted", commitment_done_on__isnull=True, commitment_due__isnull=False),
                name="reply_commitment_open",
            ),
        ]

    def __str__(self):
        return f"{self.document_number}（{self.assignment.unit}）"

    @property
    def suggestion(self):
        return self.assignment.suggestion

    @property
    def commitment_open(self):
        return self.commitment_due is not None and self.commitment_done_on is None


class Rating(models.Model):
    """评价: one deputy's rating of one reply, given online or recorded by the office from the paper form."""

    class Source(models.TextChoices):
        ONLINE = "online", "代表在线评价"
        PAPER = "paper", "征询意见表（政府办录入）"

    reply = models.ForeignKey(Reply, verbose_name="答复", on_delete=models.CASCADE, related_name="ratings")
    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="ratings")
    overall = models.PositiveSmallIntegerField("总体评价", choices=RatingLevel.choices)
    process = models.PositiveSmallIntegerField("办理态度", choices=RatingLevel.choices, null=True, blank=True)
    result = models.PositiveSmallIntegerField("办理结果", choices=RatingLevel.choices, null=True, blank=True)
    comment = models.TextField("意见", blank=True)
    source = models.CharField("评价方式", max_length=10, choices=Source.choices, default=Source.ONLINE)
    recorded_by = _user_fk("录入人")
    rated_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "代表评价"
        verbose_name_plural = "代表评价"
        ordering = ["rated_at"]
        indexes = [
            # the 不满意 ratings, newest first (congress staff's card): a few percent of the ratings
            models.Index(
                fields=["rated_at", "id"],
                condition=Q(overall=RatingLevel.UNSATISFIED),
                name="rating_unsatisfied",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "deputy"],
                name="one_rating_per_deputy_per_reply",
                violation_error_message="该代表已评价过这份答复。",
            ),
            models.CheckConstraint(name="rating_overall_valid", condition=Q(overall__in=[1, 2, 3])),
            models.CheckConstraint(
                name="rating_process_valid", condition=Q(process__isnull=True) | Q(process__in=[1, 2, 3])
            ),
            models.CheckConstraint(
                name="rating_result_valid", condition=Q(result__isnull=True) | Q(result__in=[1, 2, 3])
            ),
        ]

    def __str__(self):
        return f"{self.deputy}：{self.get_overall_display()}"


class Rehandling(models.Model):
    """重新办理: a round opened by an unsatisfied rating (or by the office), with its own deadline."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="rehandlings"
    )
    round = models.PositiveSmallIntegerField("办理轮次")
    rating = models.ForeignKey(
        Rating, verbose_name="不满意评价", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField("重新办理原因")
    deadline = models.DateField("办理期限")
    created_by = _user_fk("发起人")
    created_at = models.DateTimeField("发起时间", default=timezone.now)

    class Meta:
        verbose_name = "重新办理"
        verbose_name_plural = "重新办理"
        ordering = ["suggestion", "round"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "round"], name="one_rehandling_per_round"),
        ]

    def __str__(self):
        return f"{self.suggestion} 第{self.round}轮"


class SupervisionNote(models.Model):
    """督办 / 催办 notes by the office and 批示 by the supervising leader."""

    class Kind(models.TextChoices):
        CHASE = "chase", "催办"
        SUPERVISE = "supervise", "督办"
        COMMENT = "comment", "领导批示"

    class Method(models.TextChoices):
        SITE = "site", "实地调研"
        PHONE = "phone", "电话督查"
        MEETING = "meeting", "专题会议"
        DOCUMENT = "document", "书面"
        OTHER = "other", "其他"

    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="supervision_notes"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    method = models.CharField("方式", max_length=10, choices=Method.choices, default=Method.OTHER)
    text = models.TextField("内容")
    due_on = models.DateField(
        "要求办结时间", null=True, blank=True, help_text="督办、催办时要求承办单位办结的日期"
    )
    author = _user_fk("记录人")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["-created_at"]

    def __str__(self):
        due = f"（{self.due_label}）" if self.due_on else ""
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}{due}"

    @property
    def due_label(self):
        """「要求2025年6月30日前办结」, or "" when the note set no date: for the page and the 督办通知单."""
        return f"要求{date_cn(self.due_on)}前办结" if self.due_on else ""


class CommitmentFollowUp(models.Model):
    """落实跟踪 (回头看): progress on a B-class commitment, after closing too."""

    reply = models.ForeignKey(Reply, verbose_name="答复", on_delete=models.CASCADE, related_name="follow_ups")
    commitment = models.ForeignKey(
        "suggestions.Commitment",
        verbose_name="承诺事项",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    percent = models.PositiveSmallIntegerField("落实进度（%）", null=True, blank=True)
    progress = models.TextField("落实进展")
    followed_on = models.DateField("跟踪日期")
    is_done = models.BooleanField("已落实", default=False)
    recorded_by = _user_fk("记录人")
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "落实跟踪"
        verbose_name_plural = "落实跟踪"
        ordering = ["-followed_on", "-id"]

    def __str__(self):
        return f"{self.reply} 跟踪 {self.followed_on}"

"""Forms: registering a suggestion, and one small form per workflow action.

An action form knows the suggestion (and the assignment) it acts on, validates what a person typed, and gives
``perform`` its keyword arguments through ``action_data()``. The rules themselves stay in ``workflow``.
"""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy

from . import deadlines, workflow
from .models import (
    ContactRecord,
    Deputy,
    HandlingUnit,
    Leader,
    RatingLevel,
    ReassignmentRequest,
    Reply,
    ResultClass,
    Ruling,
    Suggestion,
    SupervisionNote,
)
from .workflow import accepted_replies, current_replies
from .workflow.rules import size_label

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 4})
YES_NO = [("1", "同意"), ("0", "不同意")]


def style(form):
    """Bootstrap classes on the widgets, so templates only lay fields out."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
            field.empty_label = "请选择"  # Django's "- Select an option -" has no Chinese translation
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["class"] = (
                form.fields[name].widget.attrs.get("class", "") + " is-invalid"
            )


def _units():
    return HandlingUnit.objects.filter(is_active=True)


class PdfField(forms.FileField):
    """A reply letter; the workflow checks it is a PDF within the size limit (``rules.checked_letter``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", lazy(lambda: f"PDF文件, 不超过{size_label(settings.UPLOAD_MAX_BYTES)}", str)()
        )
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = "application/pdf,.pdf"


class SuggestionForm(forms.ModelForm):
    """登记 / 修改: what the office types in for a suggestion."""

    class Meta:
        model = Suggestion
        fields = workflow.REGISTRATION_FIELDS
        widgets = {
            "submitted_on": DATE_INPUT,
            "content": forms.Textarea(attrs={"rows": 8}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "joint_deputies": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegation"].required = False
        self.fields["delegation"].help_text = "不填则取领衔代表所在代表团"
        self.fields["lead_deputy"].queryset = Deputy.objects.select_related("delegation")
        self.fields["joint_deputies"].queryset = Deputy.objects.select_related("delegation")
        if self.instance.pk:
            del self.fields["session"]
        style(self)

    def _post_clean(self):
        # Uniqueness and constraints are checked by the workflow on save; the model is not ready before that.
        pass


class ActionForm(forms.Form):
    """Base of the action forms. Subclasses add fields and may override ``action_data``."""

    def __init__(self, *args, suggestion, assignment=None, user=None, **kwargs):
        self.suggestion, self.assignment, self.user = suggestion, assignment, user
        super().__init__(*args, **kwargs)
        self.setup()
        style(self)

    def setup(self):
        pass

    def action_data(self):
        return dict(self.cleaned_data)


class ConfirmForm(ActionForm):
    pass


class NoteForm(ActionForm):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(ActionForm):
    MODES = [("lead", "主办 + 协办"), ("separate", "分办 (各单位分别答复)")]
    mode = forms.ChoiceField(label="交办方式", choices=MODES, initial="lead", widget=forms.RadioSelect)
    lead_unit = forms.ModelChoiceField(label="主办单位", queryset=HandlingUnit.objects.none(), required=False)
    co_units = forms.ModelMultipleChoiceField(
        label="协办单位", queryset=HandlingUnit.objects.none(), required=False
    )
    separate_units = forms.ModelMultipleChoiceField(
        label="分办单位", queryset=HandlingUnit.objects.none(), required=False
    )
    assigned_on = forms.DateField(label="交办日期", widget=DATE_INPUT)
    months = forms.TypedChoiceField(label="办理期限", coerce=int)
    leader = forms.ModelChoiceField(
        label="分管领导", queryset=Leader.objects.filter(is_active=True), required=False
    )
    is_key = forms.BooleanField(label="重点建议", required=False)
    supervising_leader = forms.ModelChoiceField(
        label="督办领导", queryset=Leader.objects.filter(is_active=True), required=False
    )

    def setup(self):
        for name in ("lead_unit", "co_units", "separate_units"):
            self.fields[name].queryset = _units()
        self.fields["assigned_on"].initial = timezone.localdate()
        usual, longest = deadlines.rule("handling_months"), deadlines.rule("max_handling_months")
        self.fields["months"].choices = [
            (n, f"{n}个月" + (" (默认)" if n == usual else " (经批准)" if n > usual else ""))
            for n in range(1, longest + 1)
        ]
        self.fields["months"].initial = usual
        s = self.suggestion
        self.fields["leader"].initial = s.leader_id
        self.fields["is_key"].initial = s.is_key
        self.fields["supervising_leader"].initial = s.supervising_leader_id

    def clean(self):
        # the mode says which of the unit fields count; the workflow checks the choice
        data = super().clean()
        if data.get("mode") == "separate":
            data["lead_unit"], data["co_units"] = None, []
        else:
            data["separate_units"] = []
        return data

    def action_data(self):
        data = dict(self.cleaned_data)
        data.pop("mode")
        if data.get("leader") is None:
            data.pop("leader")
        return data


class HandOverForm(ActionForm):
    other_organ = forms.CharField(
        label="转交机关", max_length=100, help_text="如 市人民法院、市人民检察院、市委组织部"
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(ActionForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class RequestReassignmentForm(ActionForm):
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}))
    proposed_unit = forms.ModelChoiceField(
        label="建议调整至", queryset=HandlingUnit.objects.none(), required=False
    )

    def setup(self):
        self.fields["proposed_unit"].queryset = _units().exclude(pk=self.assignment.unit_id)


class RuleReassignmentForm(ActionForm):
    approve = forms.TypedChoiceField(
        label="审批意见", choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    new_unit = forms.ModelChoiceField(label="调整至", queryset=HandlingUnit.objects.none(), required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        self.fields["new_unit"].queryset = _units().exclude(pk=self.assignment.unit_id)
        request = ReassignmentRequest.objects.filter(
            assignment=self.assignment, status=Ruling.PENDING
        ).first()
        self.request = request
        if request and request.proposed_unit_id:
            self.fields["new_unit"].initial = request.proposed_unit_id


class RequestExtensionForm(ActionForm):
    grounds = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}))
    requested_deadline = forms.DateField(label="申请延至", widget=DATE_INPUT)


class RuleExtensionForm(ActionForm):
    approve = forms.TypedChoiceField(
        label="审批意见", choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    granted_deadline = forms.DateField(
        label="批准延至", required=False, widget=DATE_INPUT, help_text="不填则按申请日期"
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        self.request = self.assignment.extension_requests.filter(status=Ruling.PENDING).first()
        if self.request:
            self.fields["granted_deadline"].initial = self.request.requested_deadline


class LogContactForm(ActionForm):
    method = forms.ChoiceField(label="沟通方式", choices=ContactRecord.Method.choices)
    contacted_on = forms.DateField(label="沟通日期", widget=DATE_INPUT)
    participants = forms.CharField(label="参加人员", max_length=200)
    deputies = forms.ModelMultipleChoiceField(
        label="沟通代表", queryset=Deputy.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label="沟通情况", widget=TEXTAREA)

    def setup(self):
        self.fields["contacted_on"].initial = timezone.localdate()
        ids = [d.pk for d in self.suggestion.deputies]
        self.fields["deputies"].queryset = Deputy.objects.filter(pk__in=ids)
        self.fields["deputies"].initial = ids[:1]


class SendOpinionForm(ActionForm):
    text = forms.CharField(label="协办意见", widget=forms.Textarea(attrs={"rows": 6}))
    signer = forms.CharField(label="单位负责人", max_length=50, required=False)


class DraftReplyForm(ActionForm):
    document_number = forms.CharField(label="文号", max_length=60, help_text="如 霍交函〔2025〕12号")
    contact_person = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=30)
    result_class = forms.ChoiceField(label="答复类别", choices=ResultClass.choices, widget=forms.RadioSelect)
    text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 10}))
    commitment = forms.CharField(
        label="承诺事项", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="B类答复必填"
    )
    commitment_due = forms.DateField(
        label="承诺完成时间", required=False, widget=DATE_INPUT, help_text="B类答复必填"
    )
    attachment = PdfField(label="签发件 (PDF, 可稍后上传)", required=False)

    def setup(self):
        # Start from this unit's latest letter on the suggestion: a redraft, or the reply of an earlier round.
        previous = (
            Reply.objects.filter(
                assignment__suggestion=self.suggestion, assignment__unit_id=self.assignment.unit_id
            )
            .order_by("-drafted_at")
            .first()
        )
        if previous and not self.is_bound:
            for name in (
                "document_number",
                "contact_person",
                "contact_phone",
                "result_class",
                "text",
                "commitment",
            ):
                self.fields[name].initial = getattr(previous, name)
            self.fields["commitment_due"].initial = previous.commitment_due
        elif not self.is_bound:
            prefix = self.assignment.unit.document_prefix
            if prefix:
                self.fields["document_number"].initial = f"{prefix}〔{timezone.localdate().year}〕号"
            if self.user:
                self.fields["contact_person"].initial = self.user.display_name
                self.fields["contact_phone"].initial = self.user.phone


class SignReplyForm(ActionForm):
    signer = forms.CharField(label="签发人", max_length=50)

    def setup(self):
        if self.user:
            self.fields["signer"].initial = self.user.display_name


class SubmitReplyForm(ActionForm):
    attachment = PdfField(label="签发件扫描件 (PDF)", required=False)


class ReviewReplyForm(ActionForm):
    accept = forms.TypedChoiceField(
        label="审核结果",
        choices=[("1", "通过, 答复代表"), ("0", "退回修改")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="退回理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class _RatingFields(ActionForm):
    overall = forms.TypedChoiceField(
        label="总体评价",
        choices=[(v, label) for v, label in reversed(RatingLevel.choices)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    process = forms.TypedChoiceField(
        label="办理态度",
        choices=[("", "不单独评价"), *reversed(RatingLevel.choices)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    result = forms.TypedChoiceField(
        label="办理结果",
        choices=[("", "不单独评价"), *reversed(RatingLevel.choices)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reply = forms.ModelChoiceField(label="答复", queryset=None, required=False, empty_label=None)

    def setup(self):
        replies = current_replies(self.suggestion)
        self.fields["reply"].queryset = replies
        self.fields["reply"].label_from_instance = lambda r: f"{r.assignment.unit.name} {r.document_number}"
        if replies.count() <= 1:
            self.fields["reply"].widget = forms.HiddenInput()


class RateForm(_RatingFields):
    field_order = ["overall", "process", "result", "comment", "reply"]


class RecordRatingForm(_RatingFields):
    deputy = forms.ModelChoiceField(label="代表", queryset=Deputy.objects.none())
    field_order = ["deputy", "overall", "process", "result", "comment", "reply"]

    def setup(self):
        super().setup()
        self.fields["deputy"].queryset = Deputy.objects.filter(
            pk__in=[d.pk for d in self.suggestion.deputies]
        )
        self.fields["deputy"].initial = self.suggestion.lead_deputy_id


class PublishForm(ActionForm):
    publish = forms.TypedChoiceField(
        label="是否公开",
        choices=[("1", "全文公开 (隐去联系方式)"), ("0", "不予公开")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    reason = forms.CharField(label="不公开理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SuperviseForm(ActionForm):
    kind = forms.ChoiceField(
        label="类型",
        choices=[(SupervisionNote.Kind.SUPERVISE, "督办"), (SupervisionNote.Kind.CHASE, "催办")],
    )
    # No preselected method: the office says how it supervised (an unchosen first choice would be recorded).
    method = forms.ChoiceField(
        label="方式",
        choices=[("", "请选择"), *SupervisionNote.Method.choices],
        error_messages={"required": "请选择督办方式。"},
    )
    text = forms.CharField(label="内容", widget=TEXTAREA)
    due_on = forms.DateField(
        label="要求办结时间",
        required=False,
        widget=DATE_INPUT,
        help_text="选填。要求承办单位在此日期前办结，写入督办通知单。",
    )

    def setup(self):
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class CommentForm(ActionForm):
    text = forms.CharField(label="批示内容", widget=TEXTAREA)


class FollowUpForm(ActionForm):
    reply = forms.ModelChoiceField(label="B类答复", queryset=None, required=False, empty_label=None)
    followed_on = forms.DateField(label="跟踪日期", widget=DATE_INPUT)
    progress = forms.CharField(label="落实进展", widget=TEXTAREA)
    is_done = forms.BooleanField(label="承诺事项已全部落实", required=False)

    def setup(self):
        open_ids = [r.pk for r in accepted_replies(self.suggestion) if r.commitment_open]
        self.fields["reply"].queryset = Reply.objects.filter(pk__in=open_ids).select_related(
            "assignment__unit"
        )
        self.fields["reply"].label_from_instance = lambda r: f"{r.document_number}: {r.commitment[:30]}"
        self.fields["followed_on"].initial = timezone.localdate()


ACTION_FORMS = {
    "assign": AssignForm,
    "hand_over": HandOverForm,
    "withdraw": ReasonForm,
    "sign_for": ConfirmForm,
    "request_reassignment": RequestReassignmentForm,
    "rule_reassignment": RuleReassignmentForm,
    "request_extension": RequestExtensionForm,
    "rule_extension": RuleExtensionForm,
    "log_contact": LogContactForm,
    "send_opinion": SendOpinionForm,
    "draft_reply": DraftReplyForm,
    "sign_reply": SignReplyForm,
    "submit_reply": SubmitReplyForm,
    "review_reply": ReviewReplyForm,
    "rate": RateForm,
    "record_rating": RecordRatingForm,
    "rehandle": ReasonForm,
    "close": NoteForm,
    "publish": PublishForm,
    "supervise": SuperviseForm,
    "comment": CommentForm,
    "follow_up": FollowUpForm,
}

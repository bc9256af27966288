"""The handling actions' forms, from 交办 to 报送协办意见."""

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from .. import deadlines, recommend, search
from ..models import (
    ContactRecord,
    Deputy,
    HandlingUnit,
    Leader,
    ReassignmentRequest,
    Ruling,
)
from .base import (
    DATE_INPUT,
    TEXTAREA,
    YES_NO,
    ActionForm,
    _units,
    picker,
    unit_keywords,
)


class AssignForm(ActionForm):
    MODES = [("lead", "主办 + 协办"), ("separate", "分办（各单位分别答复）")]
    mode = forms.ChoiceField(label="交办方式", choices=MODES, initial="lead", widget=forms.RadioSelect)
    # 主办 and 协办 show in the 主办+协办 mode, 分办 in the 分办 mode; ``clean`` drops the other mode's fields.
    lead_unit = forms.ModelChoiceField(
        label="主办单位",
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=picker("输入单位名称查找", when="mode=lead", multiple=False, keywords=unit_keywords),
    )
    co_units = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=picker(
            "输入单位名称查找，可选多个", when="mode=lead", exclude_from="lead_unit", keywords=unit_keywords
        ),
    )
    separate_units = forms.ModelMultipleChoiceField(
        label="分办单位",
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=picker("输入单位名称查找，至少选两个", when="mode=separate", keywords=unit_keywords),
    )
    # 分办 with co-units: they support one of the 分办 units (more are added to the others by 补充交办)
    separate_co_units = forms.ModelMultipleChoiceField(
        label="协办单位（分办）",
        queryset=HandlingUnit.objects.none(),
        required=False,
        help_text="可不选；所选协办单位向下面的分办单位报送协办意见，其他分办单位的协办单位可交办后补充",
        widget=picker("输入单位名称查找，可选多个", when="mode=separate", keywords=unit_keywords),
    )
    supported_unit = forms.ModelChoiceField(
        label="协办单位配合的分办单位",
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=picker(
            "须是上面所选的分办单位之一", when="mode=separate", multiple=False, keywords=unit_keywords
        ),
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
    key_order = forms.IntegerField(
        label="重点建议顺序",
        required=False,
        help_text="选填。办理情况报告列出重点建议的顺序，1在最前。",
    )

    def setup(self):
        for name in ("lead_unit", "co_units", "separate_units", "separate_co_units", "supported_unit"):
            self.fields[name].queryset = _units()
        self.fields["assigned_on"].initial = timezone.localdate()
        usual, longest = deadlines.rule("handling_months"), deadlines.rule("max_handling_months")
        self.fields["months"].choices = [
            (n, f"{n}个月" + ("（默认）" if n == usual else "（经批准）" if n > usual else ""))
            for n in range(1, longest + 1)
        ]
        self.fields["months"].initial = usual
        s = self.suggestion
        self.fields["leader"].initial = s.leader_id
        self.fields["is_key"].initial = s.is_key
        self.fields["supervising_leader"].initial = s.supervising_leader_id
        self.fields["key_order"].initial = s.key_order

    @cached_property
    def proposals(self):
        """The units the most similar past suggestions suggest (``recommend``), shown above the fields: the
        office reads them and chooses; nothing is preselected. Never this suggestion's own assignment."""
        s = self.suggestion
        return recommend.proposals(search.suggestion_text(s), exclude=s.pk, top=3)

    def clean(self):
        # the mode says which of the unit fields count; the workflow checks the choice
        data = super().clean()
        if data.get("mode") == "separate":
            data["lead_unit"], data["co_units"] = None, list(data.get("separate_co_units") or [])
        else:
            data["separate_units"], data["supported_unit"] = [], None
        return data

    def action_data(self):
        data = dict(self.cleaned_data)
        data.pop("mode")
        data.pop("separate_co_units", None)
        if data.get("leader") is None:
            data.pop("leader")
        return data


class AddUnitForm(ActionForm):
    """补充交办: a unit added while the suggestion is handled; the workflow decides what may be added."""

    ROLES = [("co", "协办"), ("separate", "分办（单独答复）")]
    role = forms.ChoiceField(label="承办方式", choices=ROLES, initial="co", widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(
        label="补充交办单位",
        queryset=HandlingUnit.objects.none(),
        widget=picker("输入单位名称查找", multiple=False, keywords=unit_keywords),
    )
    supports = forms.ModelChoiceField(
        label="配合的分办单位",
        queryset=None,
        required=False,
        help_text="分办的建议增加协办单位时选择",
    )
    deadline = forms.DateField(
        label="办理期限",
        required=False,
        widget=DATE_INPUT,
        help_text="可不填：协办意见期限、分办办理期限按规定从今天起算",
    )
    reason = forms.CharField(label="补充交办理由", widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        s = self.suggestion
        current = s.assignments.current().filter(round=s.round)
        self.fields["unit"].queryset = _units().exclude(pk__in=current.values("unit"))
        separate = current.filter(role="separate").select_related("unit")
        self.fields["supports"].queryset = separate
        self.fields["supports"].label_from_instance = lambda a: a.unit.name
        if not separate.exists():  # a suggestion with a lead unit takes co-units only
            del self.fields["supports"]
            self.fields["role"].choices = self.ROLES[:1]


class HandOverForm(ActionForm):
    other_organ = forms.CharField(
        label="转交机关", max_length=100, help_text="如 市人民法院、市人民检察院、市委组织部"
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


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
        request = (
            ReassignmentRequest.objects.filter(assignment=self.assignment, status=Ruling.PENDING)
            .select_related("assignment__unit", "proposed_unit", "requested_by")
            .first()
        )
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
        self.request = (
            self.assignment.extension_requests.filter(status=Ruling.PENDING)
            .select_related("assignment__unit", "requested_by")
            .first()
        )
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

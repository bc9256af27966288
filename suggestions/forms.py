"""Forms: registering a suggestion, and one small form per workflow action.

An action form knows the suggestion (and the assignment) it acts on, validates what a person typed, and gives
``perform`` its keyword arguments through ``action_data()``. The rules themselves stay in ``workflow``.
"""

import datetime
import re

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property, lazy

from . import batch, deadlines, recommend, rules, search, workflow
from .choicelists import ChoiceLists
from .models import (
    Assignment,
    Commitment,
    ContactRecord,
    Deputy,
    HandlingUnit,
    Leader,
    RatingLevel,
    ReassignmentRequest,
    Reply,
    Ruling,
    Suggestion,
    SupervisionNote,
)
from .widgets import FastSelect, FastSelectMultiple
from .workflow import accepted_replies, current_replies
from .workflow.rules import earlier_commitments, size_label

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 4})
# a line of 更多承诺事项与阶段目标: 2026-06-30 完成改造 (or 2026/6/30, 2026年6月30日)
PLAN_LINE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*(\S.*)$")
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


def _is_active(unit):
    """What ``_units()`` keeps, for a field served by ``ChoiceLists``."""
    return unit.is_active


class PickerSelect(FastSelect):
    """A select ``static/js/form-tools.js`` makes a searchable picker (Tom Select). ``keywords(obj)`` gives
    more words an option is found by (a unit's short name: 住建局 finds 市住房和城乡建设管理局)."""

    def __init__(self, attrs=None, keywords=None):
        super().__init__(attrs)
        self.keywords = keywords

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if self.keywords and instance is not None and (words := self.keywords(instance)):
            option["attrs"]["data-keywords"] = words
        return option


class PickerSelectMultiple(PickerSelect, FastSelectMultiple):
    pass


def unit_keywords(unit):
    return unit.short_name


def picker(placeholder, *, when=None, exclude_from=None, multiple=True, keywords=None):
    """A searchable select. ``when="mode=lead"`` shows it only in that mode; ``exclude_from="lead_unit"``
    leaves out what that select has chosen."""
    attrs = {"data-picker": "", "data-placeholder": placeholder}
    if when:
        attrs["data-when"] = when
    if exclude_from:
        attrs["data-exclude-from"] = exclude_from
    return (PickerSelectMultiple if multiple else PickerSelect)(attrs=attrs, keywords=keywords)


class PdfField(forms.FileField):
    """A reply letter; the workflow checks it is a PDF within the size limit (``rules.checked_letter``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", lazy(lambda: f"PDF文件，不超过{size_label(settings.UPLOAD_MAX_BYTES)}", str)()
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
            "lead_deputy": picker("输入代表姓名查找", multiple=False),
            "joint_deputies": picker("输入代表姓名查找，可选多位", exclude_from="lead_deputy"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegation"].required = False
        self.fields["delegation"].help_text = "不填则取领衔代表所在代表团"
        self.fields["lead_deputy"].queryset = Deputy.objects.select_related("delegation")
        self.fields["joint_deputies"].queryset = Deputy.objects.select_related("delegation")
        if self.instance.pk:
            del self.fields["session"]
        else:
            self._hint_while_typing()
        style(self)

    # Registering: while the office types, the page asks for the next free number and for titles like this one
    # (``views.tools``); the answers are hints shown under the two fields, never a refusal.
    hints = ()

    def _hint_while_typing(self):
        self.hints = ("number", "title")
        self.fields["number"].widget.attrs.update(
            {
                "hx-get": reverse("suggestions:number_hint"),
                "hx-trigger": "load, input changed delay:400ms, change from:[name=session]",
                "hx-include": "[name=session]",
                "hx-target": "#hint-number",
            }
        )
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": reverse("suggestions:similar_titles"),
                "hx-trigger": (
                    "load, input changed delay:500ms, change from:[name=lead_deputy], change from:[name=session]"
                ),
                "hx-include": "[name=session], [name=lead_deputy], [name=content]",
                "hx-target": "#hint-title",
            }
        )

    def _post_clean(self):
        # Uniqueness and constraints are checked by the workflow on save; the model is not ready before that.
        pass


class ActionForm(forms.Form):
    """Base of the action forms. Subclasses add fields and may override ``action_data``."""

    warnings = ()  # shown above the fields: allowed, but worth knowing before confirming

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


class DraftReplyForm(ActionForm):
    document_number = forms.CharField(label="文号", max_length=60, help_text="如 霍交函〔2025〕12号")
    contact_person = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=30)
    result_class = forms.ChoiceField(
        label="答复类别", choices=rules.result_class_choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 10}))
    commitment = forms.CharField(
        label="承诺事项", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="B类答复必填"
    )
    commitment_due = forms.DateField(
        label="承诺完成时间", required=False, widget=DATE_INPUT, help_text="B类答复必填"
    )
    commitment_plan = forms.CharField(
        label="更多承诺事项与阶段目标",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="选填，每行一项：「2026-06-30 完成某事」为又一项承诺；以“-”开头的「- 2026-03-31 完成设计」"
        "为上一项承诺（最前面的属于上面的承诺事项）的阶段目标。",
    )
    attachment = PdfField(label="签发件（PDF，可稍后上传）", required=False)

    def clean_commitment_plan(self):
        """Lines of 「date text」: a commitment, or (starting with “-”) a milestone of the one before."""
        found = []
        for n, raw in enumerate(self.cleaned_data["commitment_plan"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            milestone = line[0] in "-－—"
            match = PLAN_LINE.match(line.lstrip("-－— "))
            if not match:
                raise forms.ValidationError(f"第{n}行应以日期开头，如「2026-06-30 完成道路改造」。")
            try:
                due = datetime.date(*(int(g) for g in match.groups()[:3]))
            except ValueError:
                raise forms.ValidationError(f"第{n}行的日期不存在。") from None
            if milestone and not found and not self.data.get("commitment", "").strip():
                raise forms.ValidationError("阶段目标之前应先写明承诺事项。")
            found.append({"milestone": milestone, "due": due, "text": match.group(4).strip()})
        return found

    MEMBER_NUMBER = "member_number_"  # + a merged suggestion's pk: its own 文号 (empty: the main one's)

    def action_data(self):
        data = dict(self.cleaned_data)
        own = {}
        for name in [n for n in data if n.startswith(self.MEMBER_NUMBER)]:
            number = data.pop(name).strip()
            if number:
                own[int(name.removeprefix(self.MEMBER_NUMBER))] = number
        if own:
            data["member_document_numbers"] = own
        plan = data.pop("commitment_plan", [])
        if plan:
            items = []
            if data.get("commitment") or data.get("commitment_due"):
                items.append(
                    {
                        "text": data.get("commitment") or "",
                        "due": data.get("commitment_due"),
                        "milestones": [],
                    }
                )
            for line in plan:
                entry = {"text": line["text"], "due": line["due"]}
                if line["milestone"] and items:
                    items[-1]["milestones"].append(entry)
                else:
                    items.append({**entry, "milestones": []})
            data["commitments"] = items
        return data

    def setup(self):
        self._member_numbers()
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
            kept = list(previous.commitments.prefetch_related("milestones"))
            if kept:
                self.fields["commitment"].initial, self.fields["commitment_due"].initial = (
                    kept[0].text,
                    kept[0].due,
                )
                lines = [f"- {m.due.isoformat()} {m.text}" for m in kept[0].milestones.all()]
                for c in kept[1:]:
                    lines.append(f"{c.due.isoformat()} {c.text}")
                    lines += [f"- {m.due.isoformat()} {m.text}" for m in c.milestones.all()]
                self.fields["commitment_plan"].initial = "\n".join(lines)
        elif not self.is_bound:
            prefix = self.assignment.unit.document_prefix
            if prefix:
                self.fields["document_number"].initial = f"{prefix}〔{timezone.localdate().year}〕号"
            if self.user:
                self.fields["contact_person"].initial = self.user.display_name
                self.fields["contact_phone"].initial = self.user.phone

    def _member_numbers(self):
        """并案: one 文号 per suggestion merged into this one (in its round), each deputy's letter its own; left
        empty, the main one's. Prefilled on a redraft with the number the member's draft already has."""
        members = merged_in_step(self.suggestion)
        if not members:
            return
        drafts = dict(
            Reply.objects.filter(
                assignment__suggestion__in=members,
                assignment__unit_id=self.assignment.unit_id,
                state=Reply.State.DRAFT,
            ).values_list("assignment__suggestion_id", "document_number")
        )
        main = Reply.objects.filter(assignment=self.assignment, state=Reply.State.DRAFT).first()
        fields = list(self.fields.items())
        at = [name for name, _ in fields].index("document_number") + 1
        added = []
        for m in members:
            field = forms.CharField(
                label=f"并案的{m.number_label}（{m.lead_deputy.name}）的文号",
                max_length=60,
                required=False,
                help_text="不填则与本件的文号相同",
            )
            own = drafts.get(m.pk, "")
            field.initial = "" if main is not None and own == main.document_number else own
            added.append((f"{self.MEMBER_NUMBER}{m.pk}", field))
        self.fields = dict(fields[:at] + added + fields[at:])


def merged_in_step(suggestion):
    """The suggestions merged into ``suggestion`` that take its handling now (its round), by number."""
    return list(
        suggestion.merged.filter(round=suggestion.round).select_related("lead_deputy").order_by("number")
    )


class SignReplyForm(ActionForm):
    signer = forms.CharField(label="签发人", max_length=50)

    def setup(self):
        if self.user:
            self.fields["signer"].initial = self.user.display_name
        # 并案: the head signs every deputy's letter at once, so the form names each one's 文号
        members = merged_in_step(self.suggestion) if self.assignment else []
        if members:
            numbers = dict(
                Reply.objects.filter(
                    assignment__suggestion__in=[self.suggestion, *members],
                    assignment__unit_id=self.assignment.unit_id,
                    state=Reply.State.DRAFT,
                ).values_list("assignment__suggestion_id", "document_number")
            )
            letters = "；".join(
                f"{s.number_label}：{numbers.get(s.pk, '（尚无答复稿）')}"
                for s in [self.suggestion, *members]
            )
            self.warnings = [f"并案办理，一并签发{len(members) + 1}件答复（{letters}）。"]


class ReturnDraftForm(ActionForm):
    reason = forms.CharField(
        label="修改意见", widget=forms.Textarea(attrs={"rows": 3}), help_text="经办人将按此修改答复稿"
    )


class SubmitReplyForm(ActionForm):
    attachment = PdfField(label="签发件扫描件（PDF）", required=False)


class ReviewReplyForm(ActionForm):
    accept = forms.TypedChoiceField(
        label="审核结果",
        choices=[("1", "通过，答复代表"), ("0", "退回修改")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="退回理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        missing = workflow.opinions_missing(self.assignment)
        if missing:
            names = "、".join(a.unit.name for a in missing)
            self.warnings = [f"协办单位{names}尚未报送协办意见，答复未能载明其意见。"]


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
    """The deputy's own rating: one tap for 满意 or 基本满意; 不满意 is confirmed first, with the reason."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    field_order = ["overall", "process", "result", "comment", "reply"]
    asks_confirmation = False

    @property
    def consequence(self):
        if deadlines.rule("unsatisfied_rehandling") == "office_confirms":
            return "提交后，政府办将根据您的意见确认是否重新办理。"
        return "提交后，该建议将退回承办单位重新办理。"

    def clean(self):
        data = super().clean()
        if data.get("overall") == RatingLevel.UNSATISFIED and not data.get("confirmed"):
            self.asks_confirmation = True
            raise forms.ValidationError(f"请确认您的评价为不满意，并写明意见。{self.consequence}")
        return data


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
        choices=[("1", "全文公开（隐去联系方式）"), ("0", "不予公开")],
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


class OrderKeyForm(ActionForm):
    key_order = forms.IntegerField(
        label="重点建议顺序",
        required=False,
        help_text="办理情况报告列出重点建议的顺序，1在最前；不填则按建议编号排在有顺序的之后。",
    )

    def setup(self):
        self.fields["key_order"].initial = self.suggestion.key_order


class CommentForm(ActionForm):
    text = forms.CharField(label="批示内容", widget=TEXTAREA)


class FollowUpForm(ActionForm):
    commitment = forms.ModelChoiceField(label="承诺事项", queryset=None, required=False, empty_label=None)
    followed_on = forms.DateField(label="跟踪日期", widget=DATE_INPUT)
    percent = forms.IntegerField(label="落实进度（%）", required=False, min_value=0, max_value=100)
    progress = forms.CharField(label="落实进展", widget=TEXTAREA)
    is_done = forms.BooleanField(label="该承诺事项已落实", required=False)

    def setup(self):
        open_ids = [r.pk for r in accepted_replies(self.suggestion) if r.commitment_open]
        self.fields["commitment"].queryset = Commitment.objects.filter(
            reply_id__in=open_ids, done_on__isnull=True
        ).select_related("reply")
        self.fields["commitment"].label_from_instance = lambda c: (
            f"{c.reply.document_number}：{c.text[:30]}（{c.percent}%，承诺{c.due.isoformat()}完成）"
        )
        self.fields["followed_on"].initial = timezone.localdate()


class MergeForm(ActionForm):
    """并案 with this suggestion as the main one: the others of its session, and why."""

    members = forms.ModelMultipleChoiceField(
        label="一并办理的建议",
        queryset=Suggestion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择要并案的建议。", "invalid_choice": "只能选择本次会议的建议。"},
    )
    reason = forms.CharField(
        label="并案理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请写明并案的理由。"},
    )

    def setup(self):
        self.fields["members"].queryset = (
            Suggestion.objects.visible_to(self.user)
            .filter(session_id=self.suggestion.session_id)
            .exclude(pk=self.suggestion.pk)
        )
        self.fields["members"].label_from_instance = lambda s: f"{s.number_label} {s.title}"


class RelateForm(ActionForm):
    """相关建议: the other suggestion, any session."""

    other = forms.ModelChoiceField(
        label="相关建议",
        queryset=Suggestion.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"required": "请选择相关的建议。", "invalid_choice": "没有这件建议，或您无权查看。"},
    )

    def setup(self):
        self.fields["other"].queryset = Suggestion.objects.visible_to(self.user).select_related("session")


class LinkCommitmentForm(ActionForm):
    """The list offers at most ``SHOWN`` earlier commitments, latest session first: those of the units and the
    deputies of this suggestion, then the newest others (a province's ten years hold tens of thousands; listing
    them all made the page take 30 s). Any earlier commitment is accepted."""

    SHOWN = 200

    commitment = forms.ModelChoiceField(label="往届答复的承诺事项", queryset=None, empty_label=None)

    def setup(self):
        s = self.suggestion
        field = self.fields["commitment"]
        field.queryset = earlier_commitments(s).exclude(repeated_by=s)
        joint = Suggestion.joint_deputies.through.objects.filter(suggestion=s).values("deputy_id")
        parts = Assignment.objects.filter(unit_id__in=s.assignments.current().values("unit_id")).values("pk")
        parts = parts.union(
            Assignment.objects.filter(suggestion__lead_deputy_id=s.lead_deputy_id).values("pk"),
            Assignment.objects.filter(suggestion__lead_deputy_id__in=joint).values("pk"),
        )  # each an index look-up; an OR of the three would test every earlier commitment
        shown = field.queryset.select_related("reply__assignment__suggestion__session").order_by("-id")
        near = list(shown.filter(reply__assignment_id__in=parts)[: self.SHOWN])
        others = list(shown.exclude(pk__in=[c.pk for c in near])[: self.SHOWN])  # a fixed two queries
        offered = (near + others)[: self.SHOWN]
        field.widget.choices = [
            (c.pk, f"{c.reply.assignment.suggestion.session.short_name}{c.reply.assignment.suggestion.number_label}："
             f"{c.text[:30]}")
            for c in sorted(offered, key=lambda c: (-c.reply.assignment.suggestion.session.term,
                                                           -c.reply.assignment.suggestion.session.meeting, c.pk))
        ]  # fmt: skip


class SuggestionIdsField(forms.Field):
    """The ticked rows of the list: suggestion ids, each once, at most ``batch.MAX_BATCH``."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        try:
            ids = list(dict.fromkeys(int(v) for v in values))
        except (TypeError, ValueError):
            raise forms.ValidationError("所选建议有误，请刷新页面后重新勾选。") from None
        if any(i < 1 for i in ids):
            raise forms.ValidationError("所选建议有误，请刷新页面后重新勾选。")
        if len(ids) > batch.MAX_BATCH:
            raise forms.ValidationError(f"一次最多办理{batch.MAX_BATCH}件。")
        return ids


class BatchForm(forms.Form):
    """批量办理 on the list: the ticked suggestions, the action, and what that action needs.

    ``action_data()`` is what each suggestion's ``workflow.perform`` gets; the workflow decides, one by one."""

    ids = SuggestionIdsField(error_messages={"required": "请先勾选要办理的建议。"})
    action = forms.ChoiceField(label="批量操作")
    lead_unit = forms.ModelChoiceField(
        label="主办单位",
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=picker("输入单位名称查找", when="action=assign", multiple=False, keywords=unit_keywords),
    )
    co_units = forms.ModelMultipleChoiceField(
        label="协办单位（可不选）",
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=picker(
            "输入单位名称查找，可选多个",
            when="action=assign",
            exclude_from="lead_unit",
            keywords=unit_keywords,
        ),
    )
    method = forms.ChoiceField(
        label="催办方式",
        choices=SupervisionNote.Method.choices,
        required=False,
        initial=SupervisionNote.Method.PHONE,
        widget=forms.Select(attrs={"data-when": "action=chase"}),
    )
    text = forms.CharField(
        label="催办内容",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"data-when": "action=chase", "placeholder": "如：请于本周内报送答复"}),
    )
    note = forms.CharField(
        label="办结说明（可不填）",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"data-when": "action=close"}),
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput)  # the list's filters, to return to

    # the fields each action posts to the workflow; the others are ignored
    FIELDS = {"assign": ("lead_unit", "co_units"), "chase": ("method", "text"), "close": ("note",)}

    def __init__(self, *args, user, choice_lists=None, **kwargs):
        """``choice_lists``: the list page's ``ChoiceLists``, so the units its filters read serve here too."""
        super().__init__(*args, **kwargs)
        self.actions = batch.batch_actions_for(user)
        self.fields["action"].choices = [(a.name, a.label) for a in self.actions]
        choice_lists = choice_lists or ChoiceLists()
        for name in ("lead_unit", "co_units"):
            self.fields[name].queryset = _units()
            choice_lists.serve(self.fields[name], keep=_is_active)  # the rows ``_units()`` holds
        style(self)
        for field in self.fields.values():  # a bar above the list: small inputs
            css = field.widget.attrs.get("class", "")
            size = "form-select-sm" if "form-select" in css else "form-control-sm" if css else ""
            field.widget.attrs["class"] = f"{css} {size}".strip()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("lead_unit"):
            self.add_error("lead_unit", "请选择主办单位。")
        if action == "chase" and not (data.get("text") or "").strip():
            self.add_error("text", "请填写催办内容。")
        return data

    def action_data(self):
        return {name: self.cleaned_data[name] for name in self.FIELDS[self.cleaned_data["action"]]}


ACTION_FORMS = {
    "assign": AssignForm,
    "add_unit": AddUnitForm,
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
    "return_draft": ReturnDraftForm,
    "submit_reply": SubmitReplyForm,
    "review_reply": ReviewReplyForm,
    "rate": RateForm,
    "record_rating": RecordRatingForm,
    "rehandle": ReasonForm,
    "close": NoteForm,
    "publish": PublishForm,
    "supervise": SuperviseForm,
    "order_key": OrderKeyForm,
    "comment": CommentForm,
    "follow_up": FollowUpForm,
    "relate": RelateForm,
    "unrelate": RelateForm,
    "merge": MergeForm,
    "split": ReasonForm,
    "link_commitment": LinkCommitmentForm,
}

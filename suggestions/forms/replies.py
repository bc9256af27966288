"""The reply's forms: 拟写、签发、退回修改、报送、审核答复, and the deputy's rating (评价, 录入评价)."""

import datetime

from django import forms
from django.utils import timezone

from .. import deadlines, rules, workflow
from ..models import (
    Deputy,
    RatingLevel,
    Reply,
)
from ..workflow import current_replies
from .base import (
    DATE_INPUT,
    PLAN_LINE,
    ActionForm,
    PdfField,
)


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
        s = self.suggestion
        replies = current_replies(s)
        self.fields["reply"].queryset = replies
        self.fields["reply"].label_from_instance = lambda r: f"{r.assignment.unit.name} {r.document_number}"
        if self.accepted is None:
            current = replies.count()
        else:  # ``current_replies`` from those the page holds
            current = sum(r.assignment.round == s.round for r in self.accepted)
        if current <= 1:
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

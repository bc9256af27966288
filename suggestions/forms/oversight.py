"""The office's and leaders' forms beside the handling: 公开, 督办, 重点排序, 批示, 落实进展, 并案 and 相关建议,
关联往届承诺."""

from django import forms
from django.utils import timezone

from ..formats import number_label
from ..models import (
    Commitment,
    CongressSession,
    Suggestion,
    SupervisionNote,
)
from ..workflow.rules import earlier_commitments
from .base import (
    DATE_INPUT,
    TEXTAREA,
    ActionForm,
)


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
        open_ids = [r.pk for r in self.accepted_replies() if r.commitment_open]
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
        on = Commitment.objects.values("pk")
        near_ids = on.filter(reply__assignment__unit_id__in=s.assignments.current().values("unit_id")).union(
            on.filter(reply__assignment__suggestion__lead_deputy_id=s.lead_deputy_id),
            on.filter(reply__assignment__suggestion__lead_deputy_id__in=joint),
        )  # each an index look-up; an OR of the three would test every earlier commitment. The ids of the
        # commitments, not of the parts: a set of parts' ids made PostgreSQL read every part to join it back
        at = "reply__assignment__suggestion__"
        shown = field.queryset.order_by("-id").values_list(
            "pk", "text", f"{at}number", f"{at}session__term", f"{at}session__meeting"
        )  # what an option shows, as plain rows: 200 of them cost a few model instances each otherwise
        near = list(shown.filter(pk__in=near_ids)[: self.SHOWN])
        others = []  # the newest others, when those near leave room (two queries at most)
        if len(near) < self.SHOWN:
            others = list(shown.exclude(pk__in=[row[0] for row in near])[: self.SHOWN - len(near)])
        sessions = {}

        def label(pk, text, number, term, meeting):
            if (term, meeting) not in sessions:
                sessions[term, meeting] = CongressSession(term=term, meeting=meeting).short_name
            return f"{sessions[term, meeting]}{number_label(number)}：{text[:30]}"

        offered = sorted(near + others, key=lambda row: (-row[3], -row[4], row[0]))
        field.widget.choices = [(row[0], label(*row)) for row in offered]

"""批量操作: the list's batch bar."""

from django import forms

from .. import batch
from ..choicelists import ChoiceLists
from ..models import (
    HandlingUnit,
    SupervisionNote,
)
from ..widgets import speed_up
from .base import (
    _is_active,
    _units,
    picker,
    style,
    unit_keywords,
)


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

    CHOICE_MODELS = (HandlingUnit,)  # what its pickers offer (``ChoiceLists.expect``)

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
            speed_up(field)  # a stock select or input: the same HTML, written in Python
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

"""登记: the suggestion's registration form."""

from django import forms
from django.urls import reverse

from .. import workflow
from ..models import (
    Deputy,
    Suggestion,
)
from .base import (
    DATE_INPUT,
    picker,
    style,
)


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

"""The pieces every form shares: styling, the pickers, the PDF field, and ``ActionForm`` (an action's form
knows its suggestion and assignment and gives ``perform`` its data through ``action_data()``)."""

import re

from django import forms
from django.conf import settings
from django.utils.functional import lazy

from ..models import (
    HandlingUnit,
)
from ..widgets import FastSelect, FastSelectMultiple
from ..workflow.rules import size_label

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
        self.keywords = keywords  # also read by ``FastSelect.flat_options``

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


class ActionForm(forms.Form):
    """Base of the action forms. Subclasses add fields and may override ``action_data``."""

    warnings = ()  # shown above the fields: allowed, but worth knowing before confirming

    def __init__(self, *args, suggestion, assignment=None, user=None, accepted=None, **kwargs):
        self.suggestion, self.assignment, self.user = suggestion, assignment, user
        # the suggestion's accepted replies, when the page holds them (``SuggestionPage.accepted``)
        self.accepted = accepted
        super().__init__(*args, **kwargs)
        self.setup()
        style(self)

    def setup(self):
        pass

    def accepted_replies(self):
        """The suggestion's accepted replies: those the page handed over, else from the database."""
        from ..workflow import accepted_replies

        return accepted_replies(self.suggestion) if self.accepted is None else self.accepted

    def action_data(self):
        return dict(self.cleaned_data)


class ConfirmForm(ActionForm):
    pass


class NoteForm(ActionForm):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(ActionForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))

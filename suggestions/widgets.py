"""Selects written in Python: the same HTML as Django's ``select.html`` and ``select_option.html``.

Django renders each option of a select through two template includes; the list's filters offer every deputy,
unit and leader (about 800 options at a province's scale), and those includes were most of the list page's
time (docs/benchmarks.md). These widgets build the same markup in Python, escaping alike
(as ``conditional_escape``)."""

import html

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import mark_safe


def escape(text) -> str:
    """``conditional_escape`` (what ``format_html`` applies to each argument) without its lazy-string wrapper,
    which costs more than the escaping for each of hundreds of options."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def _attrs(attrs) -> str:
    """As ``attrs.html``: ``name="value"``, a bare name for True, nothing for False."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget, written=False) -> str:
    """``written``: the options come as their HTML already (``FastSelect.flat_options``)."""
    # an option is a few string joins, not three format_html calls (a third of the list's time at 800 options)
    parts = [f'<select name="{escape(widget["name"])}"', _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if written:
            parts.extend(group_choices)
            continue
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in group_choices:
            attrs = _attrs(option["attrs"]) if option["attrs"] else ""
            # the include ends a line
            parts.append(
                f'\n  <option value="{escape(option["value"])}"{attrs}>{escape(option["label"])}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


# the templates of Django's inputs that are ``input.html`` alone (email, password, url … would be the same)
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html" for kind in ("text", "number", "hidden", "search", "email", "url")
)


def input_html(widget) -> str:
    """``input.html`` with ``attrs.html``; Django's form renderer strips the result, so no line ends it."""
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


class FastInput:
    """Mixed into an input widget: the same HTML without rendering two templates (the list's filter and
    batch bar draw six inputs)."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.template_name not in INPUT_TEMPLATES:  # a subclass with its own template
            return super().render(name, value, attrs, renderer)
        return mark_safe(input_html(self.get_context(name, value, attrs)["widget"]))


class FastTextInput(FastInput, forms.TextInput):
    pass


class FastNumberInput(FastInput, forms.NumberInput):
    pass


class FastHiddenInput(FastInput, forms.HiddenInput):
    pass


FAST_INPUTS = {
    forms.TextInput: FastTextInput,
    forms.NumberInput: FastNumberInput,
    forms.HiddenInput: FastHiddenInput,
}


def speed_up(field):
    """Give ``field`` the widget of the same HTML written in Python, when it has a stock Django one."""
    fast = {forms.Select: FastSelect, **FAST_INPUTS}.get(type(field.widget))
    if fast is not None:
        field.widget.__class__ = fast


class FastSelect(forms.Select):
    """``keywords(obj)``: more words a model choice's option is found by (``data-keywords``, for a picker)."""

    keywords = None

    def render(self, name, value, attrs=None, renderer=None):
        if type(self).optgroups is forms.Select.optgroups:  # Django's options: written straight from choices
            widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
            if self.allow_multiple_selected:
                widget["attrs"]["multiple"] = True  # as ``Select.get_context``
            options = self.flat_options(widget["value"])
            if options is not None:
                return mark_safe(select_html({**widget, "optgroups": [(None, options, 0)]}, written=True))
        return mark_safe(select_html(self.get_context(name, value, attrs)["widget"]))

    def flat_options(self, values):
        """The options' HTML as ``optgroups`` and ``create_option`` make them and ``select_html`` writes them,
        without a dict per option (the batch bar's two unit pickers offer 80 units each); None when the choices
        have groups."""
        written, has_selected, multiple = [], False, self.allow_multiple_selected
        for value, label in self.choices:
            if isinstance(label, (list, tuple)):
                return None
            if value is None:
                value = ""
            selected = (not has_selected or multiple) and str(value) in values
            has_selected |= selected
            attrs = " selected" if selected else ""
            instance = getattr(value, "instance", None)
            if self.keywords and instance is not None and (words := self.keywords(instance)):
                attrs += f' data-keywords="{escape(words)}"'
            written.append(f'\n  <option value="{escape(value)}"{attrs}>{escape(label)}</option>\n')
        return written


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


class OnDemandSelect(FastSelect):
    """A select that draws only its empty choice and the chosen one; ``static/js/form-tools.js`` makes it a
    picker that asks ``data-options-url`` (``suggestions:filter_options``) for the matches of what is typed.
    The list's 代表 filter offered every deputy (640 options at a province's scale, a third of the list page's
    time, docs/benchmarks.md). Without JavaScript the filter still applies the value in the address.

    ``chosen(value)`` gives the object a value stands for, or None (the field's own check: a chosen unit is
    found among the page's shared rows, a deputy by its id)."""

    def __init__(self, chosen, empty_label=None, attrs=None):
        super().__init__(attrs)
        self.chosen = chosen
        self.empty_label = empty_label

    def optgroups(self, name, value, attrs=None):
        values = [v for v in value if v not in ("", None)]
        options = []
        if self.empty_label is not None:
            options.append(self.create_option(name, "", self.empty_label, not values, 0))
        for raw in values:
            obj = self.chosen(raw)
            if obj is not None:
                options.append(self.create_option(name, str(obj.pk), str(obj), True, len(options)))
        return [(None, options, 0)]

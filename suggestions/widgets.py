"""Selects written in Python: the same HTML as Django's ``select.html`` and ``select_option.html``.

Django renders each option of a select through two template includes; the list's filters offer every deputy,
unit and leader (about 800 options at a province's scale), and those includes were most of the list page's
time (docs/benchmarks.md). These widgets build the same markup with ``format_html``, escaping alike."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _attrs(attrs) -> str:
    """As ``attrs.html``: ``name="value"``, a bare name for True, nothing for False."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget) -> str:
    parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            parts.append(format_html('\n  <option value="{}"', option["value"]))
            parts.append(_attrs(option["attrs"]))
            parts.append(format_html(">{}</option>\n", option["label"]))  # the include ends a line
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        return mark_safe(select_html(self.get_context(name, value, attrs)["widget"]))


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass

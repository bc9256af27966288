"""The suggestion list's filters. The screen, the exports and the dashboard's links read the same FilterSet,
over ``Suggestion.objects.visible_to(user)``, so a filtered view, its workbook and its counts agree."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES

from accounts.roles import UNIT_ROLES, Role

from . import access, formats, listsearch, rules
from .models import (
    Assignment,
    Category,
    CongressSession,
    Delegation,
    Deputy,
    HandlingUnit,
    Leader,
    Rating,
    RatingLevel,
    Reply,
    Suggestion,
)
from .widgets import OnDemandSelect, speed_up

YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]
ALL_SESSIONS = "all"  # ?session=all: every session (the dashboard's 全部届次); no session: the current one
RATED_STATES = (Suggestion.State.REPLIED, Suggestion.State.CLOSED)


class SessionField(django_filters.fields.ModelChoiceField):
    """A session's id, or ``all`` for every session: cleaned to None, so no session filter applies."""

    def to_python(self, value):
        return None if value == ALL_SESSIONS else super().to_python(value)


class SessionFilter(django_filters.ModelChoiceFilter):
    field_class = SessionField


# The filters a deputy and a unit are shown (and applied: one not shown is ignored in the address too); the
# office, the leaders and congress staff get them all. A deputy looks up their own suggestions; a unit its
# work: what is due, overdue, key, how it answered and how the deputies rated it, not which other unit leads.
DEPUTY_FILTERS = ("q", "session", "state", "category")
UNIT_FILTERS = (*DEPUTY_FILTERS, "is_key", "overdue", "due_within", "result_class", "rating")
OVERVIEW_ROLES = (Role.OFFICE, Role.LEADER, Role.CONGRESS)
# The selects drawn with their chosen value only, whose options the picker asks ``suggestions:filter_options``
# for while a person types (the deputies are never read whole for the page; the units are the page's shared rows).
ON_DEMAND = {"deputy": "输入代表姓名查找", "lead_unit": "输入单位名称查找", "co_unit": "输入单位名称查找"}


class StableOrdering(django_filters.OrderingFilter):
    """A sort the person chose, then 届次 and 编号 (unique together): suggestions that tie on the chosen column
    (the same category, unit or state) keep one order, so paging shows each of them once."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in value), "session_id", "number")


class SuggestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="关键词",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "编号、标题、内容、代表、单位或文号"}),
    )
    session = SessionFilter(label="届次会议", queryset=CongressSession.objects.all())
    category = django_filters.ModelChoiceFilter(label="类别", queryset=Category.objects.all())
    state = django_filters.ChoiceFilter(
        label="办理状态",
        choices=[("open", "未办结（全部）"), ("government", "政府承办（全部）"), *Suggestion.State.choices],
        method="filter_state",
    )
    lead_unit = django_filters.ModelChoiceFilter(label="主办单位", queryset=HandlingUnit.objects.all())
    co_unit = django_filters.ModelChoiceFilter(
        label="协办单位", queryset=HandlingUnit.objects.all(), method="filter_co_unit"
    )
    leader = django_filters.ModelChoiceFilter(label="分管领导", queryset=Leader.objects.all())
    is_key = django_filters.BooleanFilter(label="重点建议", widget=forms.Select(choices=YES_NO))
    result_class = django_filters.ChoiceFilter(label="答复类别", choices=rules.result_class_choices)
    rating = django_filters.ChoiceFilter(
        label="代表评价（任一轮）", choices=[*RatingLevel.choices, ("none", "未评价")], method="filter_rating"
    )
    final_rating = django_filters.ChoiceFilter(
        label="代表评价（最终评价）",
        choices=[*RatingLevel.choices, ("none", "未评价")],
        method="filter_final_rating",
    )
    overdue = django_filters.BooleanFilter(
        label="超期", method="filter_overdue", widget=forms.Select(choices=YES_NO)
    )
    due_within = django_filters.NumberFilter(
        label="N天内到期",
        method="filter_due_within",
        min_value=0,
        max_value=3660,  # ten years: past it a date overflows
        widget=forms.NumberInput(attrs={"min": 0, "max": 3660}),
    )
    delegation = django_filters.ModelChoiceFilter(label="代表团", queryset=Delegation.objects.all())
    deputy = django_filters.ModelChoiceFilter(
        label="代表（领衔或联名）", queryset=Deputy.objects.all(), method="filter_deputy"
    )
    ordering = StableOrdering(
        label="排序",
        fields=(
            ("number", "number"),
            ("title", "title"),
            ("category__order", "category"),
            ("lead_unit__name", "lead_unit"),
            ("state", "state"),
            ("deadline", "deadline"),
            ("replied_at", "replied_at"),
        ),
        field_labels={
            "number": "编号",
            "title": "案由",
            "category__order": "类别",
            "lead_unit__name": "主办单位",
            "state": "状态",
            "deadline": "办理期限",
            "replied_at": "答复时间",
        },
    )

    class Meta:
        model = Suggestion
        fields = []

    def __init__(self, *args, user=None, today=None, choice_lists=None, **kwargs):
        """``choice_lists``: the page's ``ChoiceLists``, shared with its other forms (the batch bar); without
        it (an export, a job) the form is never drawn and a chosen value is looked up alone, as Django does."""
        self.user = user
        self.today = today or timezone.localdate()
        self.choice_lists = choice_lists
        super().__init__(*args, **kwargs)
        shown = self.shown_filters(user)
        for name in list(self.filters):
            if name != "ordering" and name not in shown:
                del self.filters[name]
        for name, field in self.form.fields.items():
            if choice_lists is not None and isinstance(field, forms.ModelChoiceField) and name != "deputy":
                choice_lists.serve(field)  # each over its model's ``objects.all()``
            if name in ON_DEMAND:
                _on_demand(field, name)
            speed_up(field)  # a stock select or input: the same HTML, written in Python
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    @classmethod
    def shown_filters(cls, user):
        """The names of the filters ``user`` is offered: decided here alone, for the list and its export."""
        if user is None or user.is_superuser or user.role in OVERVIEW_ROLES:
            return tuple(cls.base_filters)
        return UNIT_FILTERS if user.role in UNIT_ROLES else DEPUTY_FILTERS  # a deputy, or no role at all

    @classmethod
    def choice_models(cls, user):
        """The tables the selects offer ``user`` reads (the deputies' filter asks as a person types)."""
        return [
            f.queryset.model
            for name, f in cls.base_filters.items()
            if name in cls.shown_filters(user)
            and name != "deputy"
            and isinstance(f, django_filters.ModelChoiceFilter)
        ]

    def search(self, queryset, name, value):
        """编号, 案由, 内容, the lead and joint deputies' names, the units of the current parts (full or short
        name) and the 文号 of the replies the reader may read (``access.reply_condition``: a deputy finds an
        accepted reply's 文号, never a draft's).

        One ``IN (subquery)`` over the search rows (``listsearch``), so a suggestion with two matching units
        is still one row; on PostgreSQL their bigram index finds the candidates, two-character terms included
        (docs/benchmarks.md)."""
        value = value.strip()
        if not value:
            return queryset
        lists = self.choice_lists
        condition = listsearch.condition(
            value,
            readable=self._readable_replies(),
            using=queryset.db,
            all_units=lists.rows(HandlingUnit) if lists is not None else None,
        )
        number = formats.parse_number(value)  # 12, 第12号, 012
        if number is not None:
            condition |= Q(number=number)
        return queryset.filter(condition)

    def _readable_replies(self):
        if self.user is None:  # no reader named (a script): only what everyone may read
            return Q(state=Reply.State.ACCEPTED)
        return access.reply_condition(self.user)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=Suggestion.OPEN_STATES)
        if value == "government":  # what the figures per category, unit and portfolio count
            return queryset.government_handled()
        return queryset.filter(state=value)

    def filter_co_unit(self, queryset, name, unit):
        co = Assignment.objects.current().filter(
            suggestion=OuterRef("pk"), unit=unit, role=Assignment.Role.CO
        )
        return queryset.filter(Exists(co))

    def filter_rating(self, queryset, name, value):
        """Rated so in any round: a round's rating is the worst its deputies gave (as ``Suggestion.rating``
        and the 汇总表 read it), so 不满意 finds every suggestion that was ever rated 不满意. 未评价: the
        latest reply is not rated yet."""
        if value == "none":
            return self.filter_final_rating(queryset, name, value)
        rounds = (
            Rating.objects.filter(reply__assignment__suggestion=OuterRef("pk"))
            .values("reply__assignment__round")
            .annotate(worst=Min("overall"))
            .filter(worst=int(value))
        )
        return queryset.filter(Exists(rounds))

    def filter_final_rating(self, queryset, name, value):
        """The final rating: the latest round's (what 满意率（最终评价） counts)."""
        if value == "none":
            return queryset.filter(rating__isnull=True, state__in=RATED_STATES)
        return queryset.filter(rating=int(value))

    def filter_overdue(self, queryset, name, value):
        overdue = Suggestion.overdue_condition(self.today)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_within(self, queryset, name, days):
        end = self.today + datetime.timedelta(days=int(days))
        return queryset.filter(
            state__in=Suggestion.HANDLING_STATES, deadline__gte=self.today, deadline__lte=end
        )

    def filter_deputy(self, queryset, name, deputy):
        joined = Suggestion.joint_deputies.through.objects.filter(suggestion=OuterRef("pk"), deputy=deputy)
        return queryset.filter(Q(lead_deputy=deputy) | Exists(joined))


def _on_demand(field, name):
    """Draw ``field`` with its chosen value only (``OnDemandSelect``), the value looked up once for the
    check and the drawing."""
    check = field.to_python
    found = {}

    def to_python(value):
        if not isinstance(value, str):
            return check(value)
        if value not in found:
            found[value] = check(value)
        return found[value]

    def chosen(value):
        try:
            return to_python(str(value))
        except ValidationError:
            return None  # refused by the check: the page says so, the select offers nothing chosen

    field.to_python = to_python
    attrs = {
        "data-picker": "",
        "data-placeholder": ON_DEMAND[name],
        "data-options-url": reverse("suggestions:filter_options", args=[name]),
    }
    field.widget = OnDemandSelect(chosen, empty_label=field.empty_label, attrs=attrs)

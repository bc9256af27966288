"""The suggestion list's filters; the screen and the exports read the same FilterSet."""

import django_filters
from django import forms
from django.db.models import Q

from .models import Category, CongressSession, HandlingUnit, Suggestion


class SuggestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="关键词", method="search", widget=forms.TextInput(attrs={"placeholder": "编号、标题或内容"})
    )
    session = django_filters.ModelChoiceFilter(label="届次会议", queryset=CongressSession.objects.all())
    state = django_filters.ChoiceFilter(label="办理状态", choices=Suggestion.State.choices)
    category = django_filters.ModelChoiceFilter(label="类别", queryset=Category.objects.all())
    lead_unit = django_filters.ModelChoiceFilter(label="主办单位", queryset=HandlingUnit.objects.all())
    is_key = django_filters.BooleanFilter(
        label="重点建议", widget=forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])
    )
    ordering = django_filters.OrderingFilter(
        label="排序",
        fields=(
            ("number", "number"),
            ("deadline", "deadline"),
            ("state", "state"),
            ("created_at", "created_at"),
        ),
        field_labels={"number": "编号", "deadline": "办理期限", "state": "状态", "created_at": "登记时间"},
    )

    class Meta:
        model = Suggestion
        fields = ["q", "session", "state", "category", "lead_unit", "is_key"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(title__icontains=value) | Q(content__icontains=value)
        digits = value.removeprefix("第").removesuffix("号")
        if digits.isdigit():
            condition |= Q(number=int(digits))
        return queryset.filter(condition)

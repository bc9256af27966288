"""System checks (``manage.py check``, and before ``migrate`` and ``runserver``): the rules file is readable and
keeps every result class still stored."""

from django.core import checks
from django.db import DatabaseError

from . import rules


@checks.register()
def rules_file(app_configs=None, **kwargs):
    message = rules.problem()
    if message:
        return [
            checks.Error(
                message, hint="见 docs/rules/ 中的示例和 README 的「地方规则」一节。", id="suggestions.E001"
            )
        ]
    return stored_result_classes()


def stored_result_classes():
    """A scheme may rename a class but not drop a code that replies or suggestions still carry."""
    from .models import Reply, Suggestion

    known = set(rules.codes())
    try:
        stored = set(Reply.objects.order_by().values_list("result_class", flat=True).distinct())
        stored |= set(
            Suggestion.objects.exclude(result_class="")
            .order_by()
            .values_list("result_class", flat=True)
            .distinct()
        )
    except DatabaseError:  # no tables yet (before the first migrate) or no database: nothing stored to keep
        return []
    missing = sorted(stored - known - {""})
    if not missing:
        return []
    return [
        checks.Error(
            f"答复类别方案缺少已有答复使用的代码：{'、'.join(missing)}。已保存的类别不能删除，"
            "请在规则文件的 result_classes 中保留它们（可以改说明）。",
            id="suggestions.E002",
        )
    ]

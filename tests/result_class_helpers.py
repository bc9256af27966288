"""A fourth result class, as some counties write them, for tests that a class added to the choices shows up
wherever the figures are read, without a template or a caller written for it."""

import sys

import pytest
from django.db import models

from suggestions.models import ResultClass


class FourClasses(models.TextChoices):
    A = "A", "A 已经解决或基本解决"
    B = "B", "B 正在解决或有关工作已启动"
    C = "C", "C 已列入规划逐步解决"
    D = "D", "D 因条件限制留作参考"


@pytest.fixture
def four_result_classes(monkeypatch):
    """Every module of the app that names ``ResultClass`` reads ``FourClasses`` instead (the model fields keep
    their choices: a suggestion's ``result_class`` may then be set to D with ``update``)."""
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] == "suggestions" and getattr(module, "ResultClass", None) is ResultClass:
            monkeypatch.setattr(module, "ResultClass", FourClasses)
    return FourClasses

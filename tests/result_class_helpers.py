"""The result-class schemes shipped in docs/rules/, for tests that a county's scheme shows up wherever the
figures are read, without a template or a caller written for it."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from suggestions import rules

RULES_DIR = Path(django_settings.BASE_DIR) / "docs" / "rules"
FOUR_CLASSES = RULES_DIR / "four-classes.toml"
JIA_YI_BING = RULES_DIR / "jia-yi-bing.toml"
HUOZHOU = RULES_DIR / "huozhou.toml"

# docs/rules/four-classes.toml's classes, as screens name them
FOUR_CLASS_LABELS = [
    "A 所提问题已经解决或基本解决",
    "B 所提问题正在解决",
    "C 所提问题已列入规划逐步解决",
    "D 因条件限制留作参考",
]


@pytest.fixture
def four_result_classes(settings):
    """The office's rules file is docs/rules/four-classes.toml: A-D, with B and C carrying commitments."""
    settings.SUGGESTION_RULES_FILE = str(FOUR_CLASSES)
    return rules.result_classes()


@pytest.fixture
def jia_yi_bing(settings):
    settings.SUGGESTION_RULES_FILE = str(JIA_YI_BING)
    return rules.result_classes()

"""The people and bodies around a suggestion: sessions, delegations, deputies, categories, leaders, units."""

from django.db import models


class CongressSession(models.Model):
    """届次会议, e.g. 第八届人民代表大会第四次会议 (2024)."""

    name = models.CharField("届次会议", max_length=100, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    term = models.PositiveSmallIntegerField("届", help_text="第几届人民代表大会")
    meeting = models.PositiveSmallIntegerField("次", help_text="第几次会议")
    opened_on = models.DateField("开幕日期", null=True, blank=True)
    is_current = models.BooleanField("当前会议", default=False)

    class Meta:
        verbose_name = "届次会议"
        verbose_name_plural = "届次会议"
        ordering = ["-year", "-meeting"]
        constraints = [
            models.UniqueConstraint(fields=["term", "meeting"], name="unique_term_meeting"),
        ]

    def __str__(self):
        return self.name

    @property
    def short_name(self):
        """八届人大四次会议, as reports name it."""
        digits = "〇一二三四五六七八九十"

        def cn(n):
            if n <= 10:
                return digits[n]
            tens, ones = divmod(n, 10)
            return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")

        return f"{cn(self.term)}届人大{cn(self.meeting)}次会议"


class Delegation(models.Model):
    """代表团: deputies are elected and grouped by town or sector."""

    name = models.CharField("代表团", max_length=50, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "代表团"
        verbose_name_plural = "代表团"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Deputy(models.Model):
    """人大代表."""

    name = models.CharField("姓名", max_length=50)
    delegation = models.ForeignKey(
        Delegation, verbose_name="代表团", on_delete=models.PROTECT, related_name="deputies"
    )
    workplace = models.CharField("工作单位及职务", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("在任", default=True)

    class Meta:
        verbose_name = "人大代表"
        verbose_name_plural = "人大代表"
        ordering = ["delegation__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "delegation"], name="unique_deputy_per_delegation"),
        ]

    def __str__(self):
        return self.name


class Category(models.Model):
    """类别: configurable; the seed report uses five."""

    name = models.CharField("类别", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "类别"
        verbose_name_plural = "类别"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


DEFAULT_CATEGORIES = ["城建交通", "农林水利", "教科文卫", "社会民生", "经济环保"]


class Leader(models.Model):
    """市长 / 分管副市长 and their portfolio (分管领域)."""

    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50, default="副市长")
    portfolio = models.CharField("分管领域", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("在任", default=True)

    class Meta:
        verbose_name = "领导"
        verbose_name_plural = "领导"
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.title}{self.name}" if self.title else self.name


class HandlingUnit(models.Model):
    """承办单位. ``leader`` is the vice-mayor whose portfolio the unit belongs to."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "政府部门"
        TOWNSHIP = "township", "乡镇街道"
        ENTERPRISE = "enterprise", "国有企业"
        OTHER_ORGAN = "other", "其他机关"

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    leader = models.ForeignKey(
        Leader,
        verbose_name="分管领导",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    document_prefix = models.CharField("文号前缀", max_length=20, blank=True, help_text="如 霍交函")
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

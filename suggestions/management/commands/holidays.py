"""manage.py holidays --year 2027 FILE: enter a year's holidays and make-up working days (节假日安排) from a CSV
or TOML file, and count the open deadlines again (docs/operations.md, 节假日安排). ``--delete`` removes a
year's entered schedule; without FILE the year's entered days are listed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from suggestions import holidays
from suggestions.formats import date_cn
from suggestions.models import HolidayDay


class Command(BaseCommand):
    help = (
        "录入一年的节假日安排（休息日和调休上班日，CSV或TOML文件，格式见docs/operations.md），"
        "并重新计算受影响的未办结期限。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年份，如2027")
        parser.add_argument("file", nargs="?", help="节假日安排文件（.csv或.toml）")
        parser.add_argument("--delete", action="store_true", help="删除该年已录入的节假日安排")

    def handle(self, *args, year, file=None, delete=False, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("年份应在2000至2100之间。")
        if delete:
            if file:
                raise CommandError("删除时不需要文件。")
            saved = holidays.delete_year(year)
            self.stdout.write(f"已删除{year}年的节假日安排（{saved.days}天）。")
            self._report(saved)
            return
        if not file:
            days = HolidayDay.objects.filter(year=year)
            for day in days:
                self.stdout.write(f"{date_cn(day.date)}\t{day.get_kind_display()}\t{day.name}")
            if not days:
                self.stdout.write(f"尚未录入{year}年的节假日安排。")
            return
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件{file}：{exc.strerror or exc}") from exc
        try:
            days = holidays.parse(holidays.decode(content), year, filename=path.name)
        except holidays.HolidayFileError as exc:
            raise CommandError("节假日安排文件有误，未作任何修改：\n" + "\n".join(exc.messages)) from exc
        saved = holidays.save_year(year, days)
        self.stdout.write(self.style.SUCCESS(f"已录入{year}年的节假日安排：{saved.days}天。"))
        self._report(saved)

    def _report(self, saved):
        for event in saved.events:
            self.stdout.write(f"{event.suggestion.number_label}《{event.suggestion.title}》：{event.note}")
        self.stdout.write(f"重新计算期限：调整{len(saved.events)}件，期限不变{saved.cleared}件。")

"""Print (or write) docs/workflow.md: the action table and the state diagrams, drawn from the workflow."""

from pathlib import Path

from django.core.management.base import BaseCommand

from suggestions.workflow import table


class Command(BaseCommand):
    help = "生成办理流程表（docs/workflow.md）：各操作的起止状态、角色和可见范围。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="写入的文件，如 docs/workflow.md；不填则打印")

    def handle(self, *args, output=None, **options):
        text = table.markdown()
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"已写入 {output}")
        else:
            self.stdout.write(text, ending="")

import os
import resource
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from suggestions import bench_data
from suggestions.models import CongressSession, Suggestion


def demo_session_names():
    from suggestions.demo import SESSIONS, _fixture

    return {_fixture(plan.fixture)["session"]["name"] for plan in SESSIONS}


def bulk_count():
    """Suggestions seed_bench added: those of its delegations (the demo's deputies are in the demo's own)."""
    names = [f"{town}代表团" for town in bench_data.TOWNS]
    return Suggestion.objects.filter(delegation__name__in=names).count()


class Command(BaseCommand):
    help = (
        "为性能基准填充一个一次性数据库：先载入演示数据（seed_demo，演示账号和建议不变），"
        "再加入约60个承办单位、600名代表、10次往届会议和指定件数的建议（当前会议约占一成），"
        "含交办、答复、评价、沟通记录、办理日志和相似建议索引。"
        "只用于测试库：DEBUG 关闭时数据库名须含 bench；库中已有演示以外的数据时须加 --force。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--suggestions", type=int, default=100_000, help="加入的建议件数（默认100000）")
        parser.add_argument("--seed", type=int, default=12, help="随机数种子")
        parser.add_argument("--force", action="store_true", help="库中已有演示以外的数据时仍然加入")

    def handle(self, *args, suggestions, seed, force, **options):
        name = str(connection.settings_dict["NAME"])
        if not settings.DEBUG and "bench" not in name:
            raise CommandError(f"数据库「{name}」的名称不含 bench，且未开启 DEBUG：拒绝写入基准数据。")
        if suggestions < 1:
            raise CommandError("建议件数必须为正整数。")
        others = CongressSession.objects.exclude(name__in=demo_session_names()).count()
        if (others or bulk_count() > 0) and not force:
            raise CommandError(
                f"数据库「{name}」中已有演示以外的数据（{others}次其他会议，{bulk_count()}件建议）："
                "拒绝写入。确需加入请使用 --force。"
            )
        started = time.monotonic()
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
        demo_done = time.monotonic()
        self.stdout.write(f"演示数据：用时{demo_done - started:.1f}秒")
        out = self.stdout.write if options["verbosity"] > 0 else None
        generator = bench_data.Generator(bench_data.Plan(suggestions=suggestions, seed=seed), out=out)
        counts = generator.run()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write("加入：" + "，".join(f"{label} {count}" for label, count in sorted(counts.items())))
        if generator.long_timeline_id:
            self.stdout.write(f"长时间线建议：ID {generator.long_timeline_id}")
        self.stdout.write(
            self.style.SUCCESS(
                f"基准数据：{suggestions}件建议，用时{time.monotonic() - demo_done:.1f}秒，内存峰值{peak:.0f} MB"
            )
        )

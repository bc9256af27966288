import time

from django.core.management.base import BaseCommand

from suggestions import demo

from .session_stats import columns


class Command(BaseCommand):
    help = (
        "载入演示数据：类别、代表团与代表、市政府领导、承办单位；"
        "第八届人民代表大会第四次会议（2024年，已全部办结，数字与霍州市年度办理情况报告一致）；"
        "第八届人民代表大会第五次会议（当前会议，日期相对今天，覆盖办理流程的各个状态）；"
        f"以及演示账号（密码均为 {demo.DEMO_PASSWORD}）。"
        "可重复运行：参考数据和账号按名称更新，密码重置，已存在的届次会议跳过。"
        "所有状态变化都经由办理流程（workflow）完成。"
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        report = demo.seed()
        self.stdout.write(
            "参考数据：" + "，".join(f"{label}{count}" for label, count in report.reference.items())
        )
        for name, loaded in report.sessions:
            if loaded is None:
                self.stdout.write(f"{name}：已存在，跳过")
            else:
                self.stdout.write(self.style.SUCCESS(f"{name}：载入建议{loaded}件"))
        self.stdout.write(f"用时{time.monotonic() - started:.1f}秒")
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        rows = [("账号", "角色", "姓名", "所在单位")]
        rows += [(a.username, a.role_label, a.name, a.affiliation) for a in demo.demo_accounts()]
        self.stdout.write("\n".join(columns(rows)))

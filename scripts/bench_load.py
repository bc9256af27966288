"""The load run with faults (`make bench-load`; docs/benchmarks.md has the figures).

Two gunicorn instances of the production settings on one PostgreSQL database, the background worker beside them,
and locust on 127.0.0.1 playing office staff, unit clerks and deputies (scripts/load_locustfile.py) for DURATION
seconds. Mid-run one gunicorn worker and the task worker are killed (the worker is started again, as systemd
would), then PostgreSQL itself is restarted. Afterwards every write the app acknowledged must be in the database,
and both instances must answer again without being restarted.

    .venv/bin/python scripts/bench_load.py        # USERS=20 DURATION=60 LOAD_DB=suggestions_load
    FAULTS=0 USERS=60 THINK=0,0.2 .venv/bin/python scripts/bench_load.py   # throughput: no faults, brisk people

With ``FAULTS=0`` nothing is killed or restarted (the throughput run of issue 12: requests per second and p99 for
the same page mix); ``THINK`` is each person's pause between clicks, ``min,max`` seconds (default 0.5,2).

It drops and re-creates the database LOAD_DB, and restarts the machine's PostgreSQL: run it on a development
machine, never beside a real office's database.
"""

import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent
OUT = ROOT / "var" / "bench"
USERS = int(os.environ.get("USERS", 20))
DURATION = int(os.environ.get("DURATION", 60))
DB = os.environ.get("LOAD_DB", "suggestions_load")
FAULTS = os.environ.get("FAULTS", "1") != "0"
PORTS = (8191, 8192)
KILL_AT, RESTART_DB_AT = DURATION // 3, DURATION // 2 + 5

ENV = {
    **os.environ,
    "DJANGO_ENV": "production",
    "SECRET_KEY": "load-run-only-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "ALLOW_PLAIN_HTTP": "1",  # locust speaks plain HTTP to gunicorn: the cookies may not demand TLS
    "EMAIL_HOST": "127.0.0.1",  # production wants SMTP; deliveries that fail are retried, which the run exercises
    "VAR_DIR": str(OUT / "var"),
    "MEDIA_ROOT": str(OUT / "var" / "uploads"),
    "TASKS_BACKEND": "database",
    "LOG_LEVEL": "ERROR",
}
ENV.pop("DEBUG", None)


def manage(*args, capture=False):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=capture, text=True
    )
    return result.stdout


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def pg_cluster():
    version = sorted(os.listdir("/etc/postgresql"))[0]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"{url} 无响应")


def office_list(port):
    """Log in as the office on one instance and open the list: the status of the list page (200 when well)."""
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/", timeout=10)
    token = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": "office", "password": "Demo@2024", "csrfmiddlewaretoken": token}
    )
    request = urllib.request.Request(f"{base}/accounts/login/", data=form.encode(), headers={"Referer": base})
    opener.open(request, timeout=10)
    try:
        with opener.open(f"{base}/suggestions/", timeout=10) as response:
            return response.status if "/accounts/login/" not in response.url else 403
    except urllib.error.HTTPError as error:
        return error.code


TARGETS = """
import json
from accounts.models import User
from suggestions import workflow
from suggestions.models import Assignment, Suggestion
log_contact = workflow.ACTIONS["log_contact"]
units = {}
for user in User.objects.filter(username__regex=r"^unit[0-9]+$"):
    parts = Assignment.objects.visible_to(user).filter(unit=user.unit).select_related("suggestion")
    ok = [(a.suggestion_id, a.pk) for a in parts if workflow.refusal(log_contact, user, a.suggestion, a) is None]
    if ok:
        units[user.username] = ok
deputies = {}
for user in User.objects.filter(username__startswith="deputy"):
    mine = list(Suggestion.objects.visible_to(user).values_list("pk", flat=True)[:20])
    if mine:
        deputies[user.username] = mine
office = list(Suggestion.objects.values_list("pk", flat=True)[:200])
print(json.dumps({"office": office, "units": units, "deputies": deputies}))
"""

FOUND = """
import json, os
from suggestions.models import ContactRecord
markers = [line.strip() for line in open(os.environ["LOAD_ACKS"], encoding="utf-8") if line.strip()]
found = set()
for text in ContactRecord.objects.filter(summary__contains="压测").values_list("summary", flat=True):
    found.add(text.rsplit("。", 1)[-1])
print(json.dumps({"acknowledged": len(markers), "found": len(set(markers) & found), "in_db": len(found)}))
"""


def prepare():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    manage("migrate", "--no-input", "-v0")
    manage("seed_demo")
    manage("collectstatic", "--no-input", "-v0")
    return manage("shell", "-c", TARGETS, capture=True).strip().splitlines()[-1]


def start(args, log):
    return subprocess.Popen(
        args, cwd=ROOT, env=ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def gunicorn(port, log):
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    args = [str(VENV / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "30"]
    if conf.exists():
        args[1:1] = ["-c", str(conf)]
    return start(args, log)


def worker(log):
    return start([sys.executable, "manage.py", "db_worker"], log)


def children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0


def window(log, start, end):
    rows = [r for r in log if start <= r[0] < end]
    return {"requests": len(rows), "errors": sum(r[1] for r in rows)}


def main():
    targets = prepare()
    with open(OUT / "servers.log", "w") as logs, open(OUT / "locust.log", "w") as locust_log:
        run(targets, logs, locust_log)


def inject_faults(servers, task_worker, logs, began, faults):
    """At KILL_AT a gunicorn worker and the task worker are killed (the task worker started again, as systemd
    would); at RESTART_DB_AT PostgreSQL is restarted. Returns the new task worker."""
    time.sleep(KILL_AT)
    victim = children(servers[0].pid)[0]
    os.kill(victim, signal.SIGKILL)
    task_worker.send_signal(signal.SIGKILL)
    task_worker.wait()
    faults.append(f"{time.time() - began:.0f} s: gunicorn 工作进程 {victim} 与后台任务进程被 SIGKILL")
    time.sleep(2)
    task_worker = worker(logs)
    time.sleep(max(0, RESTART_DB_AT - (time.time() - began)))
    t0 = time.time()
    subprocess.run([*pg_cluster(), "restart"], check=True)
    faults.append(f"{t0 - began:.0f} s: PostgreSQL 重启（用时 {time.time() - t0:.1f} s）")
    return task_worker


def run(targets, logs, locust_log):
    servers = [gunicorn(port, logs) for port in PORTS]
    task_worker = worker(logs)
    for port in PORTS:
        wait_for(f"http://127.0.0.1:{port}/accounts/login/")
    acks, log_file = OUT / "acks.txt", OUT / "requests.json"
    env = {
        **ENV,
        "LOAD_HOSTS": ",".join(f"http://127.0.0.1:{p}" for p in PORTS),
        "LOAD_TARGETS": targets,
        "LOAD_ACKS": str(acks),
        "LOAD_LOG": str(log_file),
    }
    locust = subprocess.Popen(
        [str(VENV / "locust"), "-f", "scripts/load_locustfile.py", "--headless", "--only-summary"]
        + ["-u", str(USERS), "-r", str(max(1, USERS // 4)), "-t", f"{DURATION}s"]
        + ["--host", f"http://127.0.0.1:{PORTS[0]}", "--csv", str(OUT / "load")],
        cwd=ROOT,
        env=env,
        stdout=locust_log,
        stderr=subprocess.STDOUT,
    )
    began = time.time()
    faults = []
    if FAULTS:
        task_worker = inject_faults(servers, task_worker, logs, began, faults)
    locust.wait()

    answers = {port: office_list(port) for port in PORTS}
    ENV["LOAD_ACKS"] = str(acks)
    found = json.loads(manage("shell", "-c", FOUND, capture=True).strip().splitlines()[-1])
    alive = [s.poll() is None for s in servers] + [task_worker.poll() is None]
    for process in [*servers, task_worker]:
        os.killpg(process.pid, signal.SIGTERM)

    log = json.loads(log_file.read_text())
    times = [r[2] for r in log if not r[1]]
    elapsed = max((r[0] for r in log), default=1)
    report = {
        "users": USERS,
        "duration_s": DURATION,
        "requests": len(log),
        "requests_per_s": round(len(log) / elapsed, 1),
        "p50_ms": percentile(times, 0.5),
        "p99_ms": percentile(times, 0.99),
        "before_faults": window(log, 0, KILL_AT),
        "during_faults": window(log, KILL_AT, RESTART_DB_AT + 10),
        "after_faults": window(log, RESTART_DB_AT + 10, DURATION + 5),
        "faults": faults,
        "writes": {**found, "lost": found["acknowledged"] - found["found"]},
        "answers_after": answers,
        "processes_alive_after": alive,
    }
    (OUT / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if report["writes"]["lost"] or not all(alive) or set(answers.values()) != {200}:
        raise SystemExit("压测失败：有已确认的写入丢失，或服务未能自行恢复。")


if __name__ == "__main__":
    main()

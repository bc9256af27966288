"""The users of the load run (scripts/bench_load.py starts locust with this file; see docs/benchmarks.md).

Three kinds of people, in the proportions of a working day: the office reads the list, a suggestion and the
dashboard; a unit clerk opens their home and a suggestion and records a contact with the deputy (the write);
a deputy opens their home and their suggestion. Each person logs in on one of the two app instances (LOAD_HOSTS)
and stays there, as a browser would behind a load balancer with sticky sessions off: the next login may land on
the other.

A write counts as acknowledged when the app answered it with the page that says 「记录沟通：已完成。」 (or the
half-width form used before the punctuation sweep); its marker goes to LOAD_ACKS, one per line, so the run can
look for every acknowledged write in the database afterwards. Every request's time and outcome go to LOAD_LOG
(seconds since the start, 1 for a failure) so the run can tell errors during the faults from errors after.
"""

import json
import os
import random
import re
import time
import uuid

from locust import HttpUser, between, events, task

HOSTS = os.environ["LOAD_HOSTS"].split(",")
TARGETS = json.loads(os.environ["LOAD_TARGETS"])  # {"office": [pk...], "units": {...}, "deputies": {...}}
PASSWORD = os.environ.get("LOAD_PASSWORD", "Demo@2024")
ACKS = os.environ["LOAD_ACKS"]
LOG = os.environ["LOAD_LOG"]
START = time.time()
DONE = re.compile("记录沟通[:：] ?已完成")

_acks = []
_log = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    _log.append((round(time.time() - START, 2), 1 if exception else 0, round(response_time, 1)))


@events.quitting.add_listener
def _write(environment, **kwargs):
    with open(ACKS, "w", encoding="utf-8") as f:
        f.writelines(marker + "\n" for marker in _acks)
    with open(LOG, "w", encoding="utf-8") as f:
        json.dump(_log, f)


class Person(HttpUser):
    abstract = True
    wait_time = between(*(float(s) for s in os.environ.get("THINK", "0.5,2").split(",")))
    username = ""

    def on_start(self):
        self.client.base_url = random.choice(HOSTS)
        self.log_in()

    def log_in(self):
        self.client.cookies.clear()
        page = self.client.get("/accounts/login/", name="登录页")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": page.url},
            name="登录",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure("登录未成功")

    def page(self, path, name):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.ok and "/accounts/login/" in response.url:
                response.failure("会话丢失，需重新登录")
                self.log_in()


class Office(Person):
    weight = 2
    username = "office"

    @task(3)
    def suggestion_list(self):
        self.page("/suggestions/", "列表")

    @task(3)
    def suggestion(self):
        self.page(f"/suggestions/{random.choice(TARGETS['office'])}/", "建议详情")

    @task(1)
    def dashboard(self):
        self.page("/dashboard/", "统计")


class UnitClerk(Person):
    weight = 2

    def on_start(self):
        self.username, self.parts = random.choice(list(TARGETS["units"].items()))
        super().on_start()

    @task(3)
    def home(self):
        self.page("/", "单位首页")

    @task(3)
    def suggestion(self):
        pk, _ = random.choice(self.parts)
        self.page(f"/suggestions/{pk}/", "建议详情")

    @task(2)
    def log_contact(self):
        pk, assignment = random.choice(self.parts)
        path = f"/suggestions/{pk}/act/log_contact/{assignment}/"
        marker = f"压测{uuid.uuid4().hex}"
        data = {
            "method": "phone",
            "contacted_on": time.strftime("%Y-%m-%d"),
            "participants": "经办人",
            "summary": f"电话沟通办理进度。{marker}",
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
        }
        headers = {"Referer": self.client.base_url + f"/suggestions/{pk}/"}
        with self.client.post(path, data=data, headers=headers, name="记录沟通", catch_response=True) as r:
            if r.ok and DONE.search(r.text):
                _acks.append(marker)
            elif r.ok:
                r.failure("未确认写入")


class Deputy(Person):
    weight = 3

    def on_start(self):
        self.username, self.mine = random.choice(list(TARGETS["deputies"].items()))
        super().on_start()

    @task(2)
    def home(self):
        self.page("/", "代表首页")

    @task(3)
    def suggestion(self):
        self.page(f"/suggestions/{random.choice(self.mine)}/", "建议详情")

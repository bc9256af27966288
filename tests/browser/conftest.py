"""Browser journeys: Playwright drives Debian's Chromium against the live server.

They run when Chromium is installed (``apt-get install chromium fonts-noto-cjk``) and are skipped, with a line
saying so, when it is not. Screenshots of each role's home page are kept in ``var/screenshots``.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Not under test-results/, which pytest-playwright empties at the start of every run.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make there are still
# synchronous, one at a time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_report_header(config):
    if CHROMIUM.exists():
        return f"浏览器测试：使用 {CHROMIUM}"
    return f"浏览器测试：未找到 {CHROMIUM}，跳过（安装：apt-get install chromium fonts-noto-cjk）"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        # pytest-django, whose hook ran before, puts the journeys near the end, and there they stay: once
        # Playwright has run, the tests' thread gets another database connection (seen on PostgreSQL: the first
        # one is left open and the test database cannot be dropped). Among them, the whole life of a suggestion
        # (twenty seconds, no demo) goes first, so that the run ends on short journeys, which --dist worksteal
        # shares out between the workers.
        places = [n for n, item in enumerate(items) if "browser" in item.keywords]
        journeys = sorted((items[n] for n in places), key=lambda item: "demo_snapshot" in item.fixturenames)
        for n, item in zip(places, journeys, strict=True):
            items[n] = item
        return
    skip = pytest.mark.skip(reason=f"未安装 Chromium（{CHROMIUM}），跳过浏览器测试")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_FLAGS}


@pytest.fixture
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class Desk:
    """One person at their browser: logs in once, then visits pages and takes actions through the modals."""

    def __init__(self, page, base_url):
        self.page, self.base_url = page, base_url

    def login(self, username, password):
        self.page.goto(f"{self.base_url}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.base_url}/")
        return self

    def open(self, path):
        self.page.goto(f"{self.base_url}{path}")
        return self

    def act(self, action, fields=None, selects=None, checks=(), radios=None, press=None, then=None):
        """Take an action from the suggestion's page: its form opens in a dialog, on a page of its own (the
        reply) or is already on the page (the deputy's rating); fill it, confirm (``press``, and ``then`` when
        the first press asks for a confirmation) and wait for the page to come back."""
        trigger = self.page.locator(f"[data-action={action}]").first
        href = trigger.get_attribute("href")
        if href and href.startswith("#"):
            modal = self.page.locator(href)  # the form is on the page, further down
        elif href:
            with self.page.expect_navigation():
                trigger.click()
            modal = self.page.locator(f"form#action-{action}-{href.rstrip('/').split('/')[-1]}")
        else:
            trigger.click()
            modal = self.page.locator(".modal.show")
        modal.wait_for()
        for name, value in (fields or {}).items():
            modal.locator(f"[name={name}]").fill(value)
        for name, label in (selects or {}).items():
            modal.locator(f"select[name={name}]").select_option(label=label)
        for name, value in (radios or {}).items():
            modal.locator(f"input[name={name}][value='{value}']").check(force=True)
        for name in checks:
            modal.locator(f"input[name={name}]").check()
        button = modal.locator(press or "button[type=submit]").first
        if then:
            button.click()  # asks to confirm, on the same page
            button = modal.locator(then)
            button.wait_for()
        with self.page.expect_navigation():
            button.click()
        return self.page.locator(".alert").first.inner_text()


@pytest.fixture
def desk(new_context, live_server):
    """A factory of logged-in people, each in their own browser context."""

    def make(username, password, **options):
        """``options`` go to the browser context: ``viewport={...}, is_mobile=True`` for a phone."""
        context = new_context(
            **{"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, "reduced_motion": "reduce"}
            | options
        )
        context.set_default_timeout(10_000)
        # a page that comes back after a POST (the server's work, then the next page with its similar suggestions
        # and proposed units) on a CI machine whose two cores also run the other xdist worker: once over 10 s
        context.set_default_navigation_timeout(30_000)
        return Desk(context.new_page(), live_server.url).login(username, password)

    return make


@pytest.fixture
def demo_db(demo_snapshot, transactional_db):
    """The demo's rows (both sessions), committed for the live server; the test's flush empties the tables after
    it. Returns the current session."""
    from django.db import transaction

    from suggestions.models import CongressSession

    with transaction.atomic():
        demo_snapshot.load()
    return CongressSession.objects.get(is_current=True)

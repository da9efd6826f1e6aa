"""``manage.py loadtest`` for a few seconds against the test database: gunicorn starts,
Locust's virtual users warm it up and then walk every journey of every role, and no
page answers with a server error.

The numbers come from running it for real (``make load``, docs/benchmarks.md); no
timing is asserted here.
"""

import importlib
import re
import sys
from io import StringIO

import pytest
from django.apps import apps as installed_apps
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.loadtest.forms import Form, find_form
from devtools.loadtest.journeys import JOURNEYS, PAGES
from devtools.loadtest.report import ALL, Sample, summarise, table
from devtools.loadtest.setup import Member, Plan

pytestmark = pytest.mark.timeout(180)


def restore_data_migrations():
    """A transactional test flushes what the data migrations made; load it again."""
    for module, loader in (
        ("servicepoint.migrations.0002_topics", "create_topics"),
        ("omarm.migrations.0002_areas", "create_areas"),
        ("procurement.migrations.0002_category_tree", "load_tree"),
    ):
        getattr(importlib.import_module(module), loader)(installed_apps, None)


def rows_of(output: str) -> dict[str, list[str]]:
    """The Markdown table's rows by page name."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith("| page "):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.django_db(transaction=True)
def test_every_journey_runs_against_gunicorn_without_server_errors():
    restore_data_migrations()
    out = StringIO()
    call_command(
        "loadtest",
        users=3,
        duration=12,
        think=0,
        warmup=1,
        workers=2,
        threads=2,
        markdown=True,
        stdout=out,
    )
    output = out.getvalue()
    # The warm-up walked every journey twice (once per gunicorn worker) and then ended by
    # itself, not at its time limit.
    warm_up = re.search(r"Warming up: every journey 2 times.*\n +(\d+) requests, 0 5xx", output)
    assert warm_up and int(warm_up[1]) > 2 * len(JOURNEYS), output
    rows = rows_of(output)
    missing = [page for page in PAGES if page not in rows]
    assert not missing, output
    # requests, req/s, p50, p95, p99, 5xx, no answer, other, queries, Django p95
    for page, cells in rows.items():
        assert int(cells[0]) > 0, page
        assert cells[5:8] == ["0", "0", "0"], (page, output)
        assert cells[8] != "-", f"{page}: the server reported no query count"
    assert "Unexpected answers" not in output, output
    assert re.search(r"journeys completed, 0 cut short", output), output
    assert "No server errors." in output
    # Locust patches the standard library for gevent: it ran in a process of its own.
    assert "locust" not in sys.modules


def test_bad_arguments_are_refused():
    for options in ({"users": 0}, {"duration": 0}, {"workers": 0}, {"think": -1}):
        with pytest.raises(CommandError):
            call_command("loadtest", **options)


def test_forms_are_sent_as_a_browser_sends_them():
    html = """
    <form method="get" action="/zoeken/"><input name="q"></form>
    <form method="post" action="/vraag/">
      <input type="hidden" name="csrfmiddlewaretoken" value="abc">
      <input type="radio" name="topic" value="1" required>
      <input type="radio" name="topic" value="2" required>
      <input type="radio" name="contact" value="email" checked>
      <input type="radio" name="contact" value="phone">
      <input name="subject" required>
      <input type="email" name="email" required>
      <input type="date" name="wanted_by" required>
      <input name="website" tabindex="-1">
      <input type="checkbox" name="kinds" value="geld">
      <input type="checkbox" name="agree" value="ja" checked>
      <select name="area"><option value="">---</option><option value="3">Oost</option></select>
      <select name="size"><option value="s">S</option><option value="m" selected>M</option></select>
      <textarea name="text">
Eerste regel</textarea>
      <input type="file" name="files">
      <button name="suggest" value="1">Zoek eerst</button>
      <button type="submit">Verstuur</button>
    </form>
    """
    form = find_form(html, has="subject")
    assert isinstance(form, Form) and form.action == "/vraag/"
    data = dict(form.data({"subject": "Terras", "kinds": ["geld", "netwerk"]}))
    pairs = form.data({"kinds": ["geld", "netwerk"]})
    assert ("kinds", "geld") in pairs and ("kinds", "netwerk") in pairs
    assert data["csrfmiddlewaretoken"] == "abc"
    assert data["topic"] == "1"  # the first of a required group nobody chose
    assert data["contact"] == "email"
    assert data["subject"] == "Terras"
    assert data["email"].endswith(".invalid")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["wanted_by"])
    assert data["website"] == ""  # the honeypot stays empty
    assert data["agree"] == "ja"
    assert data["area"] == "3" and data["size"] == "m"
    assert data["text"] == "Eerste regel"
    assert "suggest" not in data and "files" not in data
    assert dict(form.data(button="suggest"))["suggest"] == "1"
    assert find_form(html, action="/elders/") is None


def test_report_counts_errors_per_page_and_overall():
    samples = [Sample("home", 200, n, queries=0, server_ms=n / 2) for n in range(1, 101)]
    samples += [
        Sample("event", 500, 200, expected=False),
        Sample("event", 0, 30_000, expected=False),
        Sample("event", 403, 10, expected=False),
        Sample("event", 200, 50, queries=4),
    ]
    rows = {row.page: row for row in summarise(samples, 10, ["home", "event"])}
    home = rows["home"]
    assert (home.p50, home.p95, home.p99) == pytest.approx((50.5, 95.05, 99.01))
    assert home.django_p95 == "48"  # 47.525
    assert rows["home"].rate == 10.0 and rows["home"].queries == "0"
    event = rows["event"]
    assert (event.server_errors, event.no_answer, event.other) == (1, 1, 1)
    assert event.queries == "4" and event.failed
    assert rows[ALL].requests == 104 and rows[ALL].queries == "0-4"
    text = table(list(rows.values()))
    assert "p95 ms" in text and "no answer" in text
    assert text.splitlines()[0].split()[:3] == ["page", "requests", "req/s"]
    markdown = table(list(rows.values()), markdown=True)
    assert markdown.splitlines()[1].startswith("|:---")
    assert rows_of(markdown)["event"][5:8] == ["1", "1", "1"]


def test_the_plan_reaches_the_locust_process_unchanged(tmp_path):
    plan = Plan(
        session_cookie="sessionid",
        password="geheim",
        members={"entrepreneur": [Member("a@loadtest.invalid", "s1", "")]},
        articles=["vergunningen"],
        questions=[3, 5],
    )
    plan.dump(tmp_path / "plan.json")
    assert Plan.load(tmp_path / "plan.json") == plan

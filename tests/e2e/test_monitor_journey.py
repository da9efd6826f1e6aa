"""The coordinator reads the programme monitor in the browser and takes the figures along.

The coordinator logs in (password and authenticator code) straight onto the monitor,
which opens on the current quarter. They switch to the second quarter of 2026 with 2025
as the baseline (nulmeting), step to the quarter before and back, download the Excel
workbook and one figure as CSV, and open the printable report. The workbook opens with
openpyxl and holds every number the page shows; axe-core checks every page.

Elements are found by ids and data attributes, never by their (translated) text.
"""

import csv
import importlib
import io
import re

from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.e2e.journey import main, path_is, staff_log_in
from tests.factories import UserFactory
from tests.monitor.conftest import event_data, omarm_data, servicepoint_data, supplier_data

MONITOR = reverse("monitor:index")


def shown_tables(page: Page) -> dict[str, dict]:
    """Per figure on the page: its caption and {row key: [data-value per period]}."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('table[data-table]')].map(
            (table) => [table.dataset.table, {
                caption: table.caption.textContent.trim(),
                rows: Object.fromEntries([...table.querySelectorAll('tbody tr')].map(
                    (row) => [row.dataset.row, [...row.querySelectorAll('td[data-column]')]
                        .map((cell) => cell.dataset.value)]
                )),
                labels: [...table.querySelectorAll('tbody th')].map((th) => th.textContent),
            }]
        ))"""
    )


def as_number(value):
    if value in (None, ""):
        return None
    return float(value)


def test_coordinator_switches_period_and_downloads_the_workbook(live_server, page: Page):
    # An earlier transactional test may have flushed the data migrations' topics.
    from django.apps import apps as installed_apps

    # So may the Omarm areas: both loaders are idempotent.
    for module, loader in (
        ("servicepoint.migrations.0002_topics", "create_topics"),
        ("omarm.migrations.0002_areas", "create_areas"),
    ):
        getattr(importlib.import_module(module), loader)(installed_apps, None)
    servicepoint_data()
    omarm_data()
    supplier_data()
    event_data()
    coordinator = UserFactory(staff=True, roles=[Role.COORDINATOR], totp=True)

    # 1. Straight onto the monitor: the current quarter, with the link in the header.
    staff_log_in(page, live_server, coordinator, MONITOR)
    expect(page.locator(f'.account-nav a[href="{MONITOR}"]')).to_have_count(1)
    expect(main(page).locator("#monitor-period-form")).to_be_visible()
    expect(main(page).locator("table[data-table]")).to_have_count(20)
    expect(main(page).locator('svg.monitor-chart[role="img"]')).to_have_count(16)

    # 2. Switch to Q2 2026 with 2025 as the baseline.
    form = page.locator("#monitor-period-form")
    form.locator('input[name="soort"][value="kwartaal"]').check()
    form.locator("#id_jaar").select_option("2026")
    form.locator("#id_kwartaal").select_option("2")
    form.locator("#id_nulmeting_van").fill("2025-01-01")
    form.locator("#id_nulmeting_tot").fill("2025-12-31")
    form.locator("#monitor-show").click()
    page.wait_for_url(re.compile(r".*[?&]kwartaal=2(&|$).*"))
    received = main(page).locator(
        'table[data-table="servicepunt-kerncijfers"] tr[data-row="received"] td[data-column]'
    )
    expect(received).to_have_count(3)
    assert [received.nth(i).get_attribute("data-value") for i in range(3)] == ["7", "2", "1"]
    within = main(page).locator(
        'table[data-table="servicepunt-kerncijfers"] tr[data-row="service_level_rate"] '
        'td[data-column="current"]'
    )
    expect(within).to_have_attribute("data-value", "60")
    expect(main(page).locator(".monitor-columns dd")).to_have_count(3)

    # 3. The quarter before, and back again with the "next period" link.
    page.locator("#monitor-previous").click()
    page.wait_for_url(re.compile(r".*[?&]kwartaal=1(&|$).*"))
    expect(received.first).to_have_attribute("data-value", "2")
    page.locator("#monitor-next").click()
    page.wait_for_url(re.compile(r".*[?&]kwartaal=2(&|$).*"))
    expect(received.first).to_have_attribute("data-value", "7")
    tables = shown_tables(page)
    assert tables["omarm-kerncijfers"]["rows"]["matches_started"] == ["5", "1", "0"]
    assert tables["leveranciers-kerncijfers"]["rows"]["verified"] == ["3", "2", "2"]

    # 4. The Excel workbook holds every figure as shown.
    with page.expect_download() as download_info:
        page.locator("#monitor-workbook").click()
    download = download_info.value
    assert download.suggested_filename == "voortgangsrapportage-2026-q2.xlsx"
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()))
    assert len(workbook.sheetnames) == 5
    sheet_rows = [row for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    for slug, table in tables.items():
        start = next(i for i, row in enumerate(sheet_rows) if row[0] == table["caption"])
        body = sheet_rows[start + 2 : start + 2 + len(table["rows"])]
        for (key, values), label, row in zip(
            table["rows"].items(), table["labels"], body, strict=True
        ):
            assert label.startswith(row[0]), (slug, key)
            # Label, unit, this period, previous period, change, baseline, change.
            assert [as_number(row[2]), as_number(row[3]), as_number(row[5])] == [
                as_number(value) for value in values
            ], (slug, key)

    # 5. One figure as CSV.
    with page.expect_download() as download_info:
        page.locator('a[data-csv="omarm-themas"]').click()
    download = download_info.value
    assert download.suggested_filename == "monitor-omarm-themas-2026-q2.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_text("utf-8-sig")), delimiter=";"))
    assert [row[2] for row in rows[1:]] == [
        value[0] for value in tables["omarm-themas"]["rows"].values()
    ]

    # 6. The printable report: the same figures without the form.
    page.locator("#monitor-report").click()
    page.wait_for_url(path_is(live_server, reverse("monitor:report")))
    expect(main(page).locator("#monitor-period-form")).to_have_count(0)
    expect(main(page).locator("#monitor-print")).to_be_visible()  # added by its script
    assert shown_tables(page) == tables

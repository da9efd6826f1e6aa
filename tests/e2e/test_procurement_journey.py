"""Platform Goed Inkopen from a new supplier profile to an inquiry, in the browser.

An entrepreneur creates the company's supplier profile with a product and a PSO label
and submits it; it is not findable yet. The coordinator verifies it in the admin. A
procurement officer then finds it by MVOI theme + label + a misspelt word, puts it on
a new shortlist, downloads the shortlist as CSV and sends the suppliers an inquiry,
which is queued for the supplier's contact address. axe-core checks every page.
"""

import csv
import importlib
import io
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.constants import OrganisationKind
from accounts.roles import Role
from impactportal.outbox.models import OutboxMessage
from procurement.constants import LabelKind, MvoiTheme, PsoLevel, Region, SizeClass
from procurement.models import Category, Supplier
from tests.e2e.conftest import axe_check
from tests.e2e.journey import main, member_log_in, path_is, staff_log_in
from tests.factories import MembershipFactory, OrganisationFactory, SupplierFactory, UserFactory

COMPANY = "Stadjers Schoon Coöperatie"
CONTACT = "offerte@stadjersschoon.example"
PRODUCT = "Kantoorschoonmaak"
CLEANING = "90900000"


def load_category_tree():
    """A transactional test flushes the data migration's categories: load them again."""
    tree = importlib.import_module("procurement.migrations.0002_category_tree").TREE
    by_code = {}
    for code, name, parent in tree:
        by_code[code] = Category.objects.update_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent)}
        )[0]


def submit(page: Page, form_selector: str) -> None:
    page.locator(f"{form_selector} button[type=submit]").last.click()


def test_profile_verified_found_shortlisted_exported_and_asked(live_server, page: Page, new_page):
    load_category_tree()
    company = OrganisationFactory(name=COMPANY, kind=OrganisationKind.COMPANY)
    owner = MembershipFactory(
        organisation=company, user__name="Mirjam de Vries", user__roles=[Role.ENTREPRENEUR]
    ).user
    coordinator = UserFactory(staff=True, roles=[Role.COORDINATOR], totp=True)
    officer = UserFactory(name="Ingrid Inkoper", roles=[Role.PROCUREMENT_OFFICER])
    # Someone else in the same theme, without the label: the label filter leaves it out.
    SupplierFactory(name="Glans en Zorg", themes=[MvoiTheme.SOCIAL_RETURN])
    today = timezone.localdate()

    # 1. The entrepreneur creates the profile -------------------------------------------
    member_log_in(page, live_server, owner, reverse("procurement:my_profiles"))
    main(page).locator(f"a[href*='{company.uuid}']").click()
    expect(page.locator("#id_name")).to_have_value(COMPANY)
    page.locator("#id_short_description").fill(
        "Schoonmaak van kantoren en scholen door vaste teams met een afstand tot de arbeidsmarkt."
    )
    page.locator("#id_description").fill(
        "Wij bieden leerwerkplekken en begeleiden medewerkers naar een vaste baan."
    )
    page.locator(f"input[name=themes][value='{MvoiTheme.SOCIAL_RETURN}']").check()
    page.locator(f"input[name=themes][value='{MvoiTheme.ENVIRONMENT}']").check()
    page.locator("#id_municipality").fill("Groningen")
    page.locator("#id_region").select_option(Region.CITY)
    page.locator("#id_size").select_option(SizeClass.SMALL)
    page.locator("#id_contact_email").fill(CONTACT)
    page.locator("#id_target_group_share").fill("60")
    submit(page, "main form[enctype]")
    supplier = Supplier.objects.get(organisation=company)
    edit_path = reverse("procurement:edit", kwargs={"slug": supplier.slug})
    page.wait_for_url(path_is(live_server, edit_path))

    page.locator(
        f"a[href='{reverse('procurement:product_create', kwargs={'slug': supplier.slug})}']"
    ).click()
    page.locator("#id_name").fill(PRODUCT)
    page.locator("#id_description").fill("Dagelijkse schoonmaak met milieuvriendelijke middelen.")
    page.locator("#id_category").select_option(str(Category.objects.get(code=CLEANING).pk))
    submit(page, "main form")
    page.wait_for_url(path_is(live_server, re.compile(re.escape(edit_path) + "(#.*)?")))

    page.locator(
        f"a[href='{reverse('procurement:label_create', kwargs={'slug': supplier.slug})}']"
    ).click()
    page.locator("#id_kind").select_option(LabelKind.PSO)
    page.locator("#id_pso_level").select_option(PsoLevel.STEP_2)
    page.locator("#id_valid_from").fill((today - timedelta(days=100)).isoformat())
    page.locator("#id_valid_until").fill((today + timedelta(days=600)).isoformat())
    page.locator("#id_evidence_url").fill("https://www.pso-nederland.nl/register/")
    submit(page, "main form")
    page.wait_for_url(path_is(live_server, re.compile(re.escape(edit_path) + "(#.*)?")))
    expect(main(page)).to_contain_text("PSO")

    submit_path = reverse("procurement:profile_submit", kwargs={"slug": supplier.slug})
    page.locator(f"form[action='{submit_path}'] button").click()
    page.wait_for_url(path_is(live_server, re.compile(re.escape(edit_path) + "(#.*)?")))
    supplier.refresh_from_db()
    assert supplier.state == "submitted"

    # Not findable before verification.
    page.goto(f"{live_server.url}{reverse('procurement:index')}?q=schoonmaak")
    found = page.locator("#search-results")
    expect(found.get_by_role("link", name="Glans en Zorg")).to_be_visible()
    expect(found.get_by_role("link", name=COMPANY)).to_have_count(0)

    # 2. The coordinator verifies it in the admin ---------------------------------------
    admin_page = new_page()
    changelist = reverse("admin:procurement_supplier_changelist")
    staff_log_in(admin_page, live_server, coordinator, changelist)
    row = admin_page.locator("#result_list tbody tr").filter(has_text=COMPANY)
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    admin_page.locator("select[name=action]").select_option("verify")
    admin_page.locator("button[name=index]").click()
    expect(admin_page.locator(".messagelist .success")).to_be_visible()
    supplier.refresh_from_db()
    assert supplier.state == "verified" and supplier.verified_by == coordinator

    # 3. The procurement officer finds it by theme + label + a typo ---------------------
    buyer = new_page()
    search_path = reverse("procurement:index")
    member_log_in(buyer, live_server, officer, search_path)
    buyer.locator("#id_q").fill("schoonmak")  # "schoonmaak" misspelt
    buyer.locator("#id_q").press("Enter")
    buyer.wait_for_url(re.compile(r".*q=schoonmak.*"))
    buyer.locator(f"input[name=thema][value='{MvoiTheme.SOCIAL_RETURN}']").check()
    buyer.wait_for_url(re.compile(r".*thema=social-return.*"))
    buyer.locator(f"input[name=label][value='{LabelKind.PSO}']").check()
    buyer.wait_for_url(re.compile(r".*label=pso.*"))
    results = buyer.locator("#search-results")
    expect(results.get_by_role("link", name=COMPANY)).to_be_visible()
    expect(results.get_by_role("link", name="Glans en Zorg")).to_have_count(0)
    # A state no page load shows: the results htmx swapped in.
    axe_check(buyer)

    # The shareable URL gives the same result without JavaScript.
    shared = buyer.url
    results.get_by_role("link", name=COMPANY).click()
    buyer.wait_for_url(path_is(live_server, supplier.get_absolute_url()))

    # 4. Shortlist, export, inquiry ------------------------------------------------------
    details = main(buyer).locator("details.shortlist-add")
    details.locator("summary").click()
    details.locator("input[name=title]").fill("Schoonmaak stadskantoren 2027")
    details.locator("button[type=submit]").click()
    buyer.wait_for_url(path_is(live_server, supplier.get_absolute_url()))
    shortlist = officer.shortlists.get()
    assert list(shortlist.entries.values_list("supplier__name", flat=True)) == [COMPANY]

    buyer.goto(f"{live_server.url}{shortlist.get_absolute_url()}")
    expect(main(buyer).get_by_role("link", name=COMPANY)).to_be_visible()
    with buyer.expect_download() as download_info:
        buyer.locator("#export-csv").click()
    content = open(download_info.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [COMPANY]
    assert CONTACT in rows[1]

    buyer.locator("#send-inquiry").click()
    buyer.locator("#id_subject").fill("Marktverkenning schoonmaak stadskantoren")
    buyer.locator("#id_message").fill(
        "Wij oriënteren ons op de schoonmaak van vier stadskantoren vanaf 2027. "
        "Kunt u laten weten of u daarvoor belangstelling en capaciteit heeft?"
    )
    submit(buyer, "main form")
    inquiry = officer.inquiries.get()
    buyer.wait_for_url(path_is(live_server, inquiry.get_absolute_url()))
    expect(main(buyer)).to_contain_text(COMPANY)
    mail = OutboxMessage.objects.get(kind="procurement/inquiry")
    assert mail.recipient == CONTACT and mail.reply_to == officer.email

    # The shared search link, opened by someone else, shows the same supplier.
    visitor = new_page()
    visitor.goto(shared)
    expect(visitor.locator("#search-results").get_by_role("link", name=COMPANY)).to_be_visible()

from django.urls import reverse
from accounts.roles import Role
from tests.e2e.journey import member_log_in
from tests.factories import UserFactory
from tests.monitor.conftest import event_data, omarm_data, servicepoint_data, supplier_data

def test_shot(live_server, page):
    servicepoint_data(); omarm_data(); supplier_data(); event_data()
    viewer = UserFactory(roles=[Role.VIEWER])
    q = "?soort=kwartaal&jaar=2026&kwartaal=2&nulmeting_van=2025-01-01&nulmeting_tot=2025-12-31"
    member_log_in(page, live_server, viewer, reverse("monitor:index"))
    page.goto(live_server.url + reverse("monitor:index") + q)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/shot1.png", full_page=False)
    page.locator("#figuur-servicepunt-onderwerpen").screenshot(path="/tmp/shot2.png")
    page.locator("#figuur-sdg-hulpvragen").screenshot(path="/tmp/shot3.png")
    page.goto(live_server.url + reverse("monitor:report") + q)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 760, "height": 1000})
    page.locator("#leveranciers").screenshot(path="/tmp/shot4.png")
    page.pdf(path="/tmp/report.pdf")
    page.goto(live_server.url + reverse("monitor:index") + "?soort=jaar&jaar=0")
    page.emulate_media(media="screen")
    page.screenshot(path="/tmp/shot5.png", full_page=False)

"""Only the coordinator and monitor readers open the monitor or any of its exports."""

import pytest
from django.urls import reverse

from accounts.demo import LOGINS, load_demo_accounts
from accounts.models import User
from accounts.roles import Role
from monitor.report import figure_slugs
from tests.factories import UserFactory

QUERY = "?soort=kwartaal&jaar=2026&kwartaal=2"


def monitor_urls() -> list[str]:
    return [
        reverse("monitor:index"),
        reverse("monitor:report"),
        reverse("monitor:workbook"),
        *(reverse("monitor:figure_csv", kwargs={"slug": slug}) for slug in figure_slugs()),
    ]


OTHER_ROLES = [role for role in Role if role not in (Role.COORDINATOR, Role.VIEWER)]


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in monitor_urls():
        response = client.get(url + QUERY)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.django_db
@pytest.mark.parametrize("role", OTHER_ROLES, ids=[role.value for role in OTHER_ROLES])
def test_every_other_role_gets_403_on_every_monitor_url(client, role):
    client.force_login(UserFactory(roles=[role], staff=role in (Role.ACCOUNT_MANAGER,)))
    for url in monitor_urls():
        assert client.get(url + QUERY).status_code == 403, url
    # Not even an unknown figure reveals anything.
    assert client.get(reverse("monitor:figure_csv", kwargs={"slug": "nope"})).status_code == 403


@pytest.mark.django_db
def test_figures_kept_for_a_reader_are_not_served_to_anyone_else(client):
    reader = UserFactory(roles=[Role.VIEWER])
    client.force_login(reader)
    assert b"monitor-made" in client.get(reverse("monitor:index") + QUERY).content
    client.logout()
    response = client.get(reverse("monitor:index") + QUERY)
    assert response.status_code == 302
    client.force_login(UserFactory(roles=[Role.ENTREPRENEUR]))
    response = client.get(reverse("monitor:index") + QUERY)
    assert response.status_code == 403
    assert b"monitor-area" not in response.content


@pytest.mark.django_db
def test_a_user_without_roles_and_a_superuser_without_a_reader_role_get_403(client):
    for user in [
        UserFactory(),
        UserFactory(staff=True),
        UserFactory(is_superuser=True, staff=True),  # with an authenticator app, as required
    ]:
        client.force_login(user)
        for url in monitor_urls():
            assert client.get(url + QUERY).status_code == 403, (user, url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.VIEWER])
def test_coordinator_and_viewer_open_every_monitor_url(client, role):
    client.force_login(UserFactory(roles=[role]))
    for url in monitor_urls():
        assert client.get(url + QUERY).status_code == 200, url
    assert client.get(reverse("monitor:figure_csv", kwargs={"slug": "nope"})).status_code == 404


@pytest.mark.django_db
def test_an_inactive_coordinator_is_refused(client):
    user = UserFactory(roles=[Role.COORDINATOR])
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(reverse("monitor:index"))
    # An inactive account is no longer logged in at all: to the login page.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_only_get_is_allowed(client):
    client.force_login(UserFactory(roles=[Role.COORDINATOR]))
    for url in monitor_urls():
        assert client.post(url + QUERY).status_code == 405, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, shown",
    [(Role.COORDINATOR, True), (Role.VIEWER, True), (Role.ENTREPRENEUR, False)],
)
def test_the_header_links_to_the_monitor_for_readers_only(client, role, shown):
    client.force_login(UserFactory(roles=[role]))
    page = client.get(reverse("home")).content.decode()
    assert (f'href="{reverse("monitor:index")}"' in page) is shown


@pytest.mark.django_db
def test_no_monitor_link_for_anonymous_visitors(client):
    assert f'href="{reverse("monitor:index")}"' not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_demo_has_a_council_staff_login_that_reads_the_monitor_only(client):
    load_demo_accounts()
    login = next(login for login in LOGINS if login.role == Role.VIEWER)
    user = User.objects.get(email=login.email)
    assert user.has_role(Role.VIEWER)
    assert not user.is_staff
    assert not user.get_all_permissions()
    client.force_login(user)
    assert client.get(reverse("monitor:index")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302  # not staff: to the login


@pytest.mark.django_db
def test_the_header_link_follows_the_roles_at_the_next_visit(client):
    user = UserFactory(roles=[Role.VIEWER])
    client.force_login(user)
    link = f'href="{reverse("monitor:index")}"'
    assert link in client.get(reverse("home")).content.decode()
    user.groups.clear()
    assert client.get(reverse("monitor:index")).status_code == 403
    assert link not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_header_link_costs_no_query(client, django_assert_num_queries):
    client.force_login(UserFactory(roles=[Role.ENTREPRENEUR]))
    client.get(reverse("home"))
    with django_assert_num_queries(2):  # the session and the user, nothing for roles
        client.get(reverse("home"))

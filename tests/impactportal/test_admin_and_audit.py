import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.audit.selectors import audit_history_for
from impactportal.audit.services import audit_diff, audit_log
from impactportal.outbox.models import OutboxMessage
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def coordinator(db, client):
    user = UserFactory(staff=True, roles=[Role.COORDINATOR], totp=True)
    client.force_login(user)
    return user


def test_audit_diff_lists_only_changed_fields():
    assert audit_diff({"a": 1, "b": "x"}, {"a": 2, "b": "x", "c": None}) == {"a": [1, 2]}


@pytest.mark.django_db
def test_audit_log_records_actor_object_and_changes():
    actor = UserFactory(email="marieke@groningen.example")
    organisation = OrganisationFactory(name="Peers")
    entry = audit_log(
        actor=actor,
        action="organisation.changed",
        obj=organisation,
        changes={"name": ["Peers", "Peers BV"]},
    )
    assert entry.actor_label == "marieke@groningen.example"
    assert entry.object_repr == "Peers"
    assert list(audit_history_for(organisation)) == [entry]
    system = audit_log(actor=None, action="outbox.swept")
    assert system.actor is None and system.actor_label == "system"


@pytest.mark.django_db
def test_history_inline_shows_changes_on_the_admin_page(client, coordinator):
    organisation = OrganisationFactory(name="Oude naam")
    services.organisation_update(organisation=organisation, actor=coordinator, name="Nieuwe naam")
    page = client.get(f"/beheer/accounts/organisation/{organisation.pk}/change/").content.decode()
    assert "organisation.changed" in page
    assert "Oude naam" in page and "Nieuwe naam" in page


@pytest.mark.django_db
def test_audit_log_is_read_only_in_admin(client, coordinator):
    entry = audit_log(actor=coordinator, action="x", obj=coordinator)
    assert client.get(f"/beheer/audit/auditlogentry/{entry.pk}/change/").status_code == 200
    assert client.post(f"/beheer/audit/auditlogentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/beheer/audit/auditlogentry/add/").status_code == 403
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_entrepreneur_cannot_read_audit_or_outbox(client, user):
    client.force_login(user)
    for path in ["/beheer/audit/auditlogentry/", "/beheer/outbox/outboxmessage/"]:
        response = client.get(path)
        # Not staff: the admin sends them to its login, which refuses them (403).
        assert response.status_code == 302
        assert response["Location"].startswith("/beheer/login/")


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/beheer/audit/auditlogentry/",
        "/beheer/outbox/outboxmessage/",
        "/beheer/accounts/organisation/",
        "/beheer/accounts/user/",
    ],
)
def test_admin_lists_keep_a_constant_number_of_queries(client, coordinator, path):
    def add_rows(count):
        for _ in range(count):
            organisation = OrganisationFactory()
            person = UserFactory()
            audit_log(
                actor=person,
                action="organisation.changed",
                obj=organisation,
                changes={"name": ["a", "b"]},
            )
            OutboxMessage.objects.create(
                kind="t", recipient=person.email, language="nl", subject="s", body_text="b"
            )

    add_rows(2)
    few = _count_queries(client, path)
    add_rows(20)
    many = _count_queries(client, path)
    assert few == many, f"{path}: {few} queries with few rows, {many} with many"
    assert many <= 15


@pytest.mark.django_db
def test_health_check(client):
    response = client.get("/gezondheid/")
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_written_out_action_checkbox_is_djangos_markup():
    from django.contrib import admin as django_admin
    from django.utils import translation

    from impactportal.admin_site import ActionCheckboxMixin

    class Row:
        pk = 7

        def __str__(self):
            return "Vraag <script>\"&'"

    for language in ("nl", "en"):
        with translation.override(language):
            ours = ActionCheckboxMixin().action_checkbox(Row())
            djangos = django_admin.ModelAdmin.action_checkbox(None, Row())
            assert ours == djangos
            assert "<script>" not in ours

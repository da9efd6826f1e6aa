"""Beat tasks of Platform Goed Inkopen: label expiry reminders, the yearly request to
confirm a profile, "niet recent bevestigd", the nightly word list and the pruning of
the search cache's change markers."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from procurement import services, tasks
from procurement.constants import LabelKind, SupplierState
from procurement.models import Label, SearchWord
from tests.factories import LabelFactory, MembershipFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = date(2026, 3, 2)


def frozen(day: date, hour=8):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, 15, tzinfo=AMSTERDAM), tick=False
    )


def outbox(kind):
    return OutboxMessage.objects.filter(kind=f"procurement/{kind}")


def owned_supplier(**values):
    supplier = SupplierFactory(**values)
    owner = MembershipFactory(organisation=supplier.organisation, user=UserFactory()).user
    return supplier, owner


def label_until(supplier, days, **values):
    return LabelFactory(
        supplier=supplier,
        valid_from=TODAY - timedelta(days=300),
        valid_until=TODAY + timedelta(days=days),
        **values,
    )


# Label reminders ------------------------------------------------------------------------


def test_label_expiring_within_three_months_is_reminded_once():
    supplier, owner = owned_supplier()
    soon = label_until(supplier, 90)
    label_until(supplier, 100, kind=LabelKind.BCORP, pso_level="")
    label_until(supplier, -1, kind=LabelKind.CODE_SOCIAL, pso_level="")  # expired
    with frozen(TODAY):
        assert tasks.send_label_reminders() == 1
        assert tasks.send_label_reminders() == 0
    assert list(outbox("label_expiring").values_list("recipient", flat=True)) == [owner.email]
    soon.refresh_from_db()
    assert soon.reminder_sent_at == datetime(2026, 3, 2, 8, 15, tzinfo=AMSTERDAM)
    entry = AuditLogEntry.objects.get(action="supplier.label_reminder_sent")
    assert entry.object_id == str(supplier.pk) and entry.actor is None

    # Ten days later the B Corp label is within the window too, and gets its own.
    with frozen(TODAY + timedelta(days=10)):
        assert tasks.send_label_reminders() == 1
    assert outbox("label_expiring").count() == 2


def test_the_last_day_is_still_reminded_and_the_window_edge_counts():
    supplier, _owner = owned_supplier()
    last_day = label_until(supplier, 0)
    edge = label_until(supplier, 91, kind=LabelKind.BCORP, pso_level="")
    outside = label_until(supplier, 92, kind=LabelKind.CODE_SOCIAL, pso_level="")
    with frozen(TODAY):
        assert tasks.send_label_reminders() == 2
    assert set(
        Label.objects.filter(reminder_sent_at__isnull=False).values_list("pk", flat=True)
    ) == {last_day.pk, edge.pk}
    outside.refresh_from_db()
    assert outside.reminder_sent_at is None


@pytest.mark.parametrize(
    ("state", "reminded"),
    [
        (SupplierState.VERIFIED, True),
        (SupplierState.SUBMITTED, True),
        (SupplierState.DRAFT, False),
        (SupplierState.SENT_BACK, False),
        (SupplierState.WITHDRAWN, False),
    ],
)
def test_only_public_or_submitted_profiles_are_reminded(state, reminded):
    supplier, _owner = owned_supplier(state=state)
    label_until(supplier, 30)
    with frozen(TODAY):
        assert tasks.send_label_reminders() == int(reminded)
    assert outbox("label_expiring").exists() is reminded


def test_a_renewed_label_is_reminded_again():
    supplier, owner = owned_supplier()
    label = label_until(supplier, 60)
    with frozen(TODAY):
        assert tasks.send_label_reminders() == 1
    # The owner uploads the new certificate: a year later it expires again.
    with frozen(TODAY + timedelta(days=20)):
        services.label_save(
            supplier=supplier,
            actor=owner,
            label=Label.objects.get(pk=label.pk),
            data={"valid_until": TODAY + timedelta(days=60 + 365)},
        )
    label.refresh_from_db()
    assert label.reminder_sent_at is None
    with frozen(TODAY + timedelta(days=21)):
        assert tasks.send_label_reminders() == 0  # far from expiring now
    with frozen(TODAY + timedelta(days=60 + 365 - 90)):
        assert tasks.send_label_reminders() == 1
    assert outbox("label_expiring").count() == 2


def test_a_label_already_followed_by_a_new_one_is_not_reminded():
    supplier, _owner = owned_supplier()
    label_until(supplier, 30)
    LabelFactory(
        supplier=supplier,
        pso_level="trede-3",
        valid_from=TODAY + timedelta(days=31),
        valid_until=TODAY + timedelta(days=31 + 730),
    )
    other, other_owner = owned_supplier()
    label_until(other, 30, kind=LabelKind.OTHER, pso_level="", name="Keurmerk A")
    label_until(other, 400, kind=LabelKind.OTHER, pso_level="", name="Keurmerk B")
    with frozen(TODAY):
        assert tasks.send_label_reminders() == 1  # only Keurmerk A: B is another label
    assert outbox("label_expiring").get().recipient == other_owner.email


def test_reminder_task_runs_through_celery():
    supplier, _owner = owned_supplier()
    label_until(supplier, 10)
    with frozen(TODAY):
        assert tasks.send_label_reminders.delay().get() == 1


# Yearly confirmation --------------------------------------------------------------------


def test_reconfirmation_is_asked_once_after_a_year():
    with frozen(TODAY):
        supplier, owner = owned_supplier()
        SupplierFactory(draft=True)
    with frozen(TODAY + timedelta(days=364)):
        assert tasks.request_reconfirmations() == 0
    with frozen(TODAY + timedelta(days=366)):
        assert tasks.request_reconfirmations() == 1
        assert tasks.request_reconfirmations() == 0
    with frozen(TODAY + timedelta(days=400)):
        assert tasks.request_reconfirmations() == 0
    assert list(outbox("reconfirm").values_list("recipient", flat=True)) == [owner.email]
    supplier.refresh_from_db()
    assert supplier.reconfirm_requested_at is not None
    assert AuditLogEntry.objects.filter(action="supplier.reconfirm_requested").count() == 1

    # The owner confirms; a year after that the request goes out again.
    with frozen(TODAY + timedelta(days=401)):
        services.supplier_confirm(supplier=supplier, actor=owner)
    with frozen(TODAY + timedelta(days=401 + 364)):
        assert tasks.request_reconfirmations() == 0
    with frozen(TODAY + timedelta(days=401 + 366)):
        assert tasks.request_reconfirmations() == 1
    assert outbox("reconfirm").count() == 2


def test_not_recently_confirmed_after_a_year_and_the_grace_period(client):
    with frozen(TODAY):
        supplier, owner = owned_supplier(name="Stil Bedrijf")
        SupplierFactory(name="Nieuw Bedrijf", draft=True)
    coordinator = UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)

    def not_recent():
        client.force_login(coordinator)  # a session from another year has expired
        response = client.get("/beheer/procurement/supplier/?bevestigd=niet-recent")
        assert response.status_code == 200
        return [s.name for s in response.context["cl"].result_list]

    with frozen(TODAY + timedelta(days=366)):
        tasks.request_reconfirmations()
        assert not_recent() == []
    with frozen(TODAY + timedelta(days=365 + 59)):
        assert not_recent() == []
    with frozen(TODAY + timedelta(days=365 + 61)):
        assert not_recent() == ["Stil Bedrijf"]
    with frozen(TODAY + timedelta(days=365 + 62)):
        services.supplier_confirm(supplier=supplier, actor=owner)
        assert not_recent() == []


# Search words ---------------------------------------------------------------------------


def test_rebuild_search_words_keeps_only_words_of_public_profiles():
    public = SupplierFactory(name="Groenkracht", short_description="Tuinonderhoud")
    hidden = SupplierFactory(name="Geheimzinnig", short_description="Verborgen")
    assert SearchWord.objects.filter(word="geheimzinnig").exists()
    hidden.state = SupplierState.WITHDRAWN
    hidden.save(update_fields=["state"])
    count = tasks.rebuild_search_words()
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert count == len(words) > 0
    assert "groenkracht" in words and "tuinonderhoud" in words
    assert "geheimzinnig" not in words
    assert public.pk


# Change markers of the search cache -------------------------------------------------------


def change_markers() -> list[tuple[int, datetime]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, changed_at FROM procurement_searchchange ORDER BY id")
        return cursor.fetchall()


def add_marker(xact: int, changed_at: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procurement_searchchange (xact, changed_at) VALUES (%s::xid8, %s)"
            " RETURNING id",
            [str(xact), changed_at],
        )
        return cursor.fetchone()[0]


def test_old_change_markers_are_pruned_and_the_newest_always_stays():
    now = datetime(2026, 3, 2, 3, 10, tzinfo=AMSTERDAM)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procurement_searchchange")
    old = [add_marker(n, now - timedelta(days=30 - n)) for n in range(1, 4)]
    recent = add_marker(10, now - timedelta(hours=2))
    with time_machine.travel(now, tick=False):
        assert tasks.prune_search_changes() == 3
    assert [pk for pk, _ in change_markers()] == [recent]
    assert recent > max(old)

    # Every marker old: the newest still stays, so the version of kept answers holds.
    newest = add_marker(11, now + timedelta(hours=1))
    assert services.search_changes_prune(now=now + timedelta(days=2)) == 1
    assert [pk for pk, _ in change_markers()] == [newest]
    assert services.search_changes_prune(now=now + timedelta(days=400)) == 0
    assert [pk for pk, _ in change_markers()] == [newest]


def test_writes_still_move_the_version_on_after_pruning():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procurement_searchchange")
    kept = add_marker(1, datetime(2020, 1, 1, tzinfo=AMSTERDAM))
    assert services.search_changes_prune() == 0
    SupplierFactory(name="Na het opruimen")
    assert change_markers()[-1][0] > kept


def test_pruning_runs_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["procurement-search-changes"]
    assert entry["task"] == tasks.prune_search_changes.name

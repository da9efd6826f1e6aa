"""Demo data is declared by each app and loaded in their order, once."""

import pytest
from django.core.management import call_command

from impactportal import demo


def test_every_app_declares_its_demo_data_and_accounts_come_first():
    names = [loader.name for loader in demo.loaders()]
    assert names == ["accounts", "servicepoint", "omarm", "events", "procurement"]


def test_a_loader_is_registered_once():
    with pytest.raises(ValueError):
        demo.register("accounts", lambda: None, order=99)


@pytest.mark.django_db
def test_loading_twice_adds_nothing_the_second_time(capsys):
    from django.apps import apps

    call_command("load_demo_data")
    counts = {model._meta.label: model._base_manager.count() for model in apps.get_models()}
    out = capsys.readouterr().out
    assert "Demo logins" in out
    call_command("load_demo_data")
    again = {model._meta.label: model._base_manager.count() for model in apps.get_models()}
    assert again == counts

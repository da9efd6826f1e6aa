import pytest


@pytest.mark.django_db
def test_home_renders_in_dutch_by_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()

import pytest
from accounts.roles import Role
from tests.factories import UserFactory, SupplierFactory, LabelFactory, QuestionFactory, MatchFactory

@pytest.mark.django_db
def test_smoke(client):
    SupplierFactory(sdgs=[8, 11]); LabelFactory(); QuestionFactory(); MatchFactory()
    client.force_login(UserFactory(roles=[Role.COORDINATOR]))
    r = client.get("/monitor/")
    assert r.status_code == 200, r.content[:3000]
    open("/tmp/monitor.html","wb").write(r.content)
    r = client.get("/monitor/?soort=jaar&jaar=2026&nulmeting_van=2025-01-01&nulmeting_tot=2025-12-31")
    assert r.status_code == 200
    open("/tmp/monitor2.html","wb").write(r.content)
    r = client.get("/monitor/excel/?soort=jaar&jaar=2026")
    assert r.status_code == 200
    open("/tmp/monitor.xlsx","wb").write(r.content)
    r = client.get("/monitor/csv/servicepunt-kerncijfers/?soort=jaar&jaar=2026&nulmeting_van=2025-01-01&nulmeting_tot=2025-12-31")
    print(r.content.decode())
    r = client.get("/monitor/rapportage/")
    assert r.status_code == 200

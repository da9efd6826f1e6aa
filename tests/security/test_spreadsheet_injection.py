"""Every CSV and Excel file the portal produces, filled with names that are formulas.

People, organisations, suppliers, topics, directorates, help requests, offers, notes and
registration answers are named ``=HYPERLINK(...)``, ``+1``, ``-2+3``, ``@SUM(A1)``, ``\\tx``
and ``\\rx``; every export is opened and no cell of it may start like a formula.

Which exports exist is not taken on trust: every file is written by
``impactportal.spreadsheets``, and this test reads the product's source for every place
that asks the kernel for a response. A place that none of the requests below reaches
fails the test, so a new export is driven here in the same commit that adds it. Code that
writes CSV or Excel past the kernel fails ``test_no_spreadsheet_is_written_past_the_kernel``.
"""

from __future__ import annotations

import ast
import csv
import inspect
import io
import re
from importlib.util import resolve_name
from pathlib import Path
from typing import get_type_hints

import pytest
from django.conf import settings
from django.http import HttpResponseBase
from django.urls import reverse
from openpyxl import load_workbook

from accounts.constants import OrganisationKind
from accounts.roles import Role
from events.constants import QuestionKind, RegistrationStatus
from events.models import Registration, RegistrationQuestion
from impactportal import spreadsheets
from monitor.report import figure_slugs
from procurement.constants import LabelKind
from tests.events.test_registration import make_event
from tests.factories import (
    AssignmentFactory,
    DirectorateFactory,
    HelpRequestFactory,
    LabelFactory,
    MatchFactory,
    OfferFactory,
    OrganisationFactory,
    QuestionFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SupplierFactory,
    TopicFactory,
    UserFactory,
)

HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx")
# XML keeps no carriage return: Excel (and openpyxl) read "\r" in a workbook back as "\n".
AS_READ = {text.replace("\r", "\n"): text for text in HOSTILE} | {text: text for text in HOSTILE}
FORMATS = ("csv", "xlsx")
# What the product code is: every package of the project but the tests and dev tooling.
PRODUCT = sorted(
    path
    for path in Path(settings.BASE_DIR).iterdir()
    if (path / "__init__.py").exists() and path.name not in {"tests", "devtools"}
)
KERNEL = Path(spreadsheets.__file__).resolve()
# A CSV cell that is a number as written by the kernel (a negative one starts with "-").
NUMBER = re.compile(r"-?\d+([.,]\d+)?")


# Where the product asks the kernel for a spreadsheet ----------------------------------------


def kernel_responses() -> set[str]:
    """The kernel's public functions that return a response."""
    return {
        name
        for name, function in inspect.getmembers(spreadsheets, inspect.isfunction)
        if function.__module__ == spreadsheets.__name__
        and not name.startswith("_")
        and issubclass(get_type_hints(function).get("return", type(None)), HttpResponseBase)
    }


def product_modules():
    for root in PRODUCT:
        for path in sorted(root.rglob("*.py")):
            if path.resolve() == KERNEL:
                continue
            parts = path.relative_to(settings.BASE_DIR).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            package = module if parts[-1] == "__init__" else module.rpartition(".")[0]
            yield module, package, path, ast.parse(path.read_text(), filename=str(path))


class KernelCalls(ast.NodeVisitor):
    """Calls of the kernel's response functions, by the qualified name of the function
    they are made in (as ``code.co_qualname`` names it) and the kernel function called."""

    def __init__(self, module: str, package: str, responses: set[str]):
        self.module, self.package, self.responses = module, package, responses
        self.kernel_names: set[str] = set()  # what the kernel module is called here
        self.imported: dict[str, str] = {}  # response functions imported by name
        self.scope: list[str] = []
        self.found: set[tuple[str, str]] = set()

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name == spreadsheets.__name__:
                self.kernel_names.add(alias.asname or alias.name)

    def visit_ImportFrom(self, node):
        base = resolve_name("." * node.level + (node.module or ""), self.package)
        for alias in node.names:
            if f"{base}.{alias.name}" == spreadsheets.__name__:
                self.kernel_names.add(alias.asname or alias.name)
            elif base == spreadsheets.__name__ and alias.name in self.responses:
                self.imported[alias.asname or alias.name] = alias.name

    def _scoped(self, node, inner: str):
        self.scope += [node.name, inner]
        self.generic_visit(node)
        del self.scope[-2:]

    def visit_ClassDef(self, node):
        self._scoped(node, "")

    def visit_FunctionDef(self, node):
        self._scoped(node, "<locals>")

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        func = node.func
        called = None
        if isinstance(func, ast.Attribute) and ast.unparse(func.value) in self.kernel_names:
            called = func.attr if func.attr in self.responses else None
        elif isinstance(func, ast.Name):
            called = self.imported.get(func.id)
        if called:
            qualname = ".".join(part for part in self.scope[:-1] if part) or "<module>"
            self.found.add((f"{self.module}.{qualname}", called))
        self.generic_visit(node)


def kernel_call_sites() -> set[tuple[str, str]]:
    responses = kernel_responses()
    sites = set()
    for module, package, _path, tree in product_modules():
        visitor = KernelCalls(module, package, responses)
        visitor.visit(tree)
        sites |= visitor.found
    return sites


def test_no_spreadsheet_is_written_past_the_kernel():
    """No CSV writer, no openpyxl workbook, no CSV or Excel content type outside the kernel."""
    offences = []
    for _module, _package, path, tree in product_modules():
        for node in ast.walk(tree):
            where = f"{path.relative_to(settings.BASE_DIR)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call) and ast.unparse(node.func) in {
                "csv.writer",
                "csv.DictWriter",
                "openpyxl.Workbook",
            }:
                offences.append(f"{where} {ast.unparse(node.func)}")
            if isinstance(node, ast.ImportFrom) and node.module == "openpyxl":
                if any(alias.name == "Workbook" for alias in node.names):
                    offences.append(f"{where} imports openpyxl.Workbook")
            if isinstance(node, ast.keyword) and node.arg == "content_type":
                value = ast.unparse(node.value)
                if "text/csv" in value or "spreadsheetml" in value:
                    offences.append(f"{where} content_type={value}")
    assert offences == [], "write spreadsheets with impactportal.spreadsheets"


def test_the_source_scan_sees_the_kernel_calls():
    sites = kernel_call_sites()
    assert ("omarm.admin.matches.MatchAdmin.export_view", "csv_response") in sites
    assert ("procurement.exports.export_response", "streaming_csv_response") in sites
    assert kernel_responses() == {"csv_response", "streaming_csv_response", "xlsx_response"}


# The hostile data -------------------------------------------------------------------------


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR])


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROCUREMENT_OFFICER])


@pytest.fixture
def hostile_world(coordinator, officer):
    """Everything a person can name, named like a formula; what the exports need to open."""
    shortlist = ShortlistFactory(owner=officer, title=HOSTILE[0])
    event = make_event(slug="vijandig", title=HOSTILE[0])
    for index, name in enumerate(HOSTILE):
        # Service point and monitor: topics, directorates, questions.
        topic = TopicFactory(slug=f"vijandig-{index}", name=name, name_en=name)
        question = QuestionFactory(
            topic=topic, subject=name, name=name, requester=UserFactory(name=name)
        )
        directorate = DirectorateFactory(slug=f"vijandig-{index}", name=name)
        AssignmentFactory(question=question, directorate=directorate)
        # Platform Goed Inkopen: suppliers, their labels, shortlist notes.
        supplier = SupplierFactory(
            name=name, municipality=name, contact_name=name, contact_phone=name
        )
        LabelFactory(supplier=supplier, kind=LabelKind.OTHER, pso_level="", name=name)
        ShortlistEntryFactory(shortlist=shortlist, supplier=supplier, note=name)
        # Omarm: organisations, help requests, offers, matches.
        social = OrganisationFactory(kind=OrganisationKind.SOCIAL, name=name)
        business = OrganisationFactory(kind=OrganisationKind.COMPANY, name=name)
        MatchFactory(
            request=HelpRequestFactory(organisation=social, title=name),
            offer=OfferFactory(organisation=business, title=name),
            business=business,
        )
        # Events: attendees, the questions they answer and their answers.
        asked = RegistrationQuestion.objects.create(
            event=event, position=index, label=name, kind=QuestionKind.TEXT
        )
        Registration.objects.create(
            event=event,
            user=UserFactory(name=name, email=f"+{index}@example.nl"),
            status=RegistrationStatus.CONFIRMED,
            answers={str(asked.pk): name},
        )
    return {"shortlist": shortlist, "event": event}


def exports_of_the_portal(world) -> list[tuple[str, str, dict]]:
    """(who, address, query) of every spreadsheet the portal hands out."""
    officer = [
        *(("officer", reverse("procurement:search_export", args=[fmt]), {}) for fmt in FORMATS),
        *(
            (
                "officer",
                reverse("procurement:shortlist_export", args=[world["shortlist"].uuid, fmt]),
                {},
            )
            for fmt in FORMATS
        ),
    ]
    coordinator = [
        *(
            ("coordinator", reverse("monitor:figure_csv", args=[slug]), {})
            for slug in figure_slugs()
        ),
        ("coordinator", reverse("monitor:workbook"), {}),
        ("coordinator", reverse("events:organiser_export", args=[world["event"].slug]), {}),
        ("coordinator", reverse("admin:omarm_match_export"), {}),
        ("coordinator", reverse("admin:servicepoint_question_report"), {"export": "csv"}),
    ]
    return officer + coordinator


# Reading what came out --------------------------------------------------------------------


def cells(response) -> list[tuple[str, object]]:
    """(data type, value) of every cell of the file; "s" for every CSV field."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE:
        book = load_workbook(io.BytesIO(content))
        return [
            (cell.data_type, cell.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        ]
    assert response["Content-Type"] == spreadsheets.CSV_CONTENT_TYPE
    assert content.startswith("\ufeff".encode())
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return [("s", field) for row in reader for field in row]


def formula_like(data_type: str, value) -> bool:
    if data_type == "f":
        return True
    if not isinstance(value, str) or NUMBER.fullmatch(value):
        return False
    prefixes = spreadsheets.FORMULA_PREFIXES
    return value.startswith(prefixes) or value.lstrip().startswith(prefixes)


@pytest.fixture
def produced(monkeypatch) -> list[tuple[str, str]]:
    """(where in the product, kernel function) of every spreadsheet response made."""
    made = []
    attach = spreadsheets._attachment

    def recording(response, filename):
        frame = inspect.currentframe().f_back
        while frame.f_globals["__name__"] == spreadsheets.__name__:
            called, frame = frame.f_code.co_name, frame.f_back
        made.append((f"{frame.f_globals['__name__']}.{frame.f_code.co_qualname}", called))
        attach(response, filename)

    monkeypatch.setattr(spreadsheets, "_attachment", recording)
    return made


# The test ---------------------------------------------------------------------------------


def test_every_export_of_the_portal_neutralises_hostile_names(
    client, coordinator, officer, hostile_world, produced
):
    users = {"coordinator": coordinator, "officer": officer}
    neutralised: dict[tuple[str, str], set[str]] = {}
    for who, address, query in exports_of_the_portal(hostile_world):
        client.force_login(users[who])
        before = len(produced)
        response = client.get(address, query)
        assert response.status_code == 200, address
        assert len(produced) == before + 1, f"{address} is not written by the kernel"
        site = produced[-1]
        for data_type, value in cells(response):
            assert not formula_like(data_type, value), (address, value)
            if isinstance(value, str) and value.startswith("'") and value[1:] in AS_READ:
                neutralised.setdefault(site, set()).add(AS_READ[value[1:]])

    # Every place that writes a spreadsheet was reached, and showed the hostile names.
    sites = kernel_call_sites()
    assert set(produced) == sites, "drive every export in exports_of_the_portal()"
    for site in sites:
        assert neutralised.get(site) == set(HOSTILE), site

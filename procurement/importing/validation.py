"""The cells of one row as profile data, labels and products, with an error per cell
that is wrong (all of them, so the preview shows everything to fix at once)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from accounts.validators import normalise_number

from ..constants import LabelKind, Region, SizeClass
from ..models import Category
from .columns import COLUMN_BY_NAME, PROFILE_COLUMNS, _key, _plain
from .plan import PlannedLabel, PlannedProduct, _RowErrors
from .vocabulary import (
    _LABEL_KINDS,
    _NO,
    _OTHER_LABEL,
    _PSO_LEVELS,
    _REGIONS,
    _SIZES,
    _THEMES,
    _YES,
)

MAX_LABELS_PER_ROW = 20
MAX_PRODUCTS_PER_ROW = 100

_LABEL_ITEM = re.compile(
    r"^(?P<label>.+?)\s+"
    r"(?:(?:van|vanaf|from)\s+(?P<start>\S+)\s+)?"
    r"(?:tot\s+en\s+met|tot|t/m|until|to)\s+(?P<until>\S+)$",
    re.I,
)
_PRODUCT_ITEM = re.compile(r"^(?P<name>.*?)\s*\[(?P<code>[^\[\]]*)\]$")
_CPV_CODE = re.compile(r"^(?P<code>[0-9]{8})(?:-[0-9])?$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-/.]{4,28}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@")
_SPLIT_LIST = re.compile(r"[;\n]+")
_SPLIT_THEMES = re.compile(r"[,;\n]+")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
_url = URLValidator(schemes=["http", "https"])


def _text(value: str, column: str, errors: _RowErrors, *, single_line=True) -> str | None:
    if _CONTROL.search(value):
        errors.add(
            column,
            _("The cell contains invisible control characters; remove them."),
            "control_characters",
        )
        return None
    if single_line:
        value = " ".join(value.split())
    limit = COLUMN_BY_NAME[column].max_length
    if limit and len(value) > limit:
        errors.add(
            column,
            _("Too long: %(length)d characters, at most %(max)d.")
            % {"length": len(value), "max": limit},
            "too_long",
        )
        return None
    return value


def _no_formula(value: str, column: str, errors: _RowErrors) -> bool:
    if value.startswith(_FORMULA_START):
        errors.add(
            column,
            _("A cell may not start with =, +, - or @ (spreadsheet programs run it as a formula)."),
            "formula",
        )
        return False
    return True


def _profile_data(cells: Mapping[str, str], columns: list[str], errors: _RowErrors) -> dict:
    data: dict[str, Any] = {}
    for column in columns:
        if column not in PROFILE_COLUMNS:
            continue
        name = PROFILE_COLUMNS[column]
        value = _text(cells.get(column, ""), column, errors)
        if value is None:
            continue
        if not value:
            if COLUMN_BY_NAME[column].required:
                errors.add(column, _("This column is required."), "required")
            else:
                data[name] = _blank(name)
            continue
        parsed = _PARSERS.get(column, _free_text)(value, column, errors)
        if parsed is not _INVALID:
            data[name] = parsed
    return data


def _blank(name: str) -> Any:
    return {"themes": [], "impact_first": False}.get(name, "")


_INVALID = object()


def _free_text(value: str, column: str, errors: _RowErrors):
    return value if _no_formula(value, column, errors) else _INVALID


def _kvk(value: str, column: str, errors: _RowErrors):
    number = normalise_number(value)
    if not re.fullmatch(r"[0-9]{8}", number) or set(number) == {"0"}:
        errors.add(
            column, _("A KvK number has exactly 8 digits, for example 12345678."), "invalid_kvk"
        )
        return _INVALID
    return number


def _branch(value: str, column: str, errors: _RowErrors):
    number = normalise_number(value)
    if not re.fullmatch(r"[0-9]{12}", number) or set(number) == {"0"}:
        errors.add(
            column,
            _(
                "A branch number (vestigingsnummer) has exactly 12 digits, for example "
                "000012345678."
            ),
            "invalid_branch_number",
        )
        return _INVALID
    return number


def _choice(lookup: Mapping[str, str], code: str, choices):
    def parse(value: str, column: str, errors: _RowErrors):
        found = lookup.get(_key(value))
        if found is None:
            errors.add(
                column,
                _("Unknown value %(value)s; use one of: %(choices)s.")
                % {"value": _quote(value), "choices": ", ".join(v for v, _label in choices)},
                code,
            )
            return _INVALID
        return found

    return parse


def _themes(value: str, column: str, errors: _RowErrors):
    themes: list[str] = []
    for part in _SPLIT_THEMES.split(value):
        if not part.strip():
            continue
        theme = _THEMES.get(_key(part))
        if theme is None:
            errors.add(
                column,
                _("Unknown theme %(value)s; use one of: %(choices)s.")
                % {
                    "value": _quote(part),
                    "choices": "Klimaat, Milieu, Circulair, Ketenverantwoordelijkheid, "
                    "Social Return, Diversiteit & Inclusie",
                },
                "unknown_theme",
            )
            return _INVALID
        if theme not in themes:
            themes.append(theme)
    return themes


def _yes_no(value: str, column: str, errors: _RowErrors):
    key = _plain(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    errors.add(column, _("Write ja or nee."), "invalid_yes_no")
    return _INVALID


def _website(value: str, column: str, errors: _RowErrors):
    url = value if re.match(r"^[a-z][a-z0-9+.\-]*://", value, re.I) else f"https://{value}"
    try:
        _url(url)
    except ValidationError:
        errors.add(column, _("Not a web address, e.g. https://www.example.nl."), "invalid_url")
        return _INVALID
    if len(url) > COLUMN_BY_NAME[column].max_length:
        errors.add(column, _("Too long."), "too_long")
        return _INVALID
    return url


def _email(value: str, column: str, errors: _RowErrors):
    try:
        validate_email(value)
    except ValidationError:
        errors.add(column, _("Not an e-mail address."), "invalid_email")
        return _INVALID
    return value


def _phone(value: str, column: str, errors: _RowErrors):
    if not _PHONE.fullmatch(value):
        errors.add(column, _("Not a telephone number, e.g. 050 123 4567."), "invalid_phone")
        return _INVALID
    return value


_PARSERS = {
    "kvk": _kvk,
    "vestigingsnummer": _branch,
    "regio": _choice(_REGIONS, "unknown_region", Region.choices),
    "omvang": _choice(_SIZES, "unknown_size", SizeClass.choices),
    "themas": _themes,
    "impact_first": _yes_no,
    "website": _website,
    "email": _email,
    "telefoon": _phone,
}


def _quote(value: str) -> str:
    value = " ".join(value.split())
    return f"“{value[:40]}…”" if len(value) > 40 else f"“{value}”"


def _date(text: str, errors: _RowErrors, column: str) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
        if 1990 <= day.year <= 2100:
            return day
    errors.add(
        column,
        _("%(value)s is not a date; write it as 2027-06-30 or 30-06-2027.")
        % {"value": _quote(text)},
        "bad_date",
    )
    return None


def _labels(value: str, errors: _RowErrors, today: date) -> list[PlannedLabel]:
    column = "labels"
    if _CONTROL.search(value):
        errors.add(
            column,
            _("The cell contains invisible control characters; remove them."),
            "control_characters",
        )
        return []
    items = [" ".join(item.split()) for item in _SPLIT_LIST.split(value) if item.strip()]
    if len(items) > MAX_LABELS_PER_ROW:
        errors.add(
            column,
            _("At most %(max)d labels per supplier.") % {"max": MAX_LABELS_PER_ROW},
            "too_many",
        )
        return []
    labels: dict[tuple[str, str, str], PlannedLabel] = {}
    for item in items:
        match = _LABEL_ITEM.match(item)
        if match is None:
            errors.add(
                column,
                _("%(value)s: write a label with its end date, e.g. “PSO trede 2 tot 2027-06-30”.")
                % {"value": _quote(item)},
                "label_without_date",
            )
            continue
        label = _label_kind(match["label"], errors)
        until = _date(match["until"], errors, column)
        start = _date(match["start"], errors, column) if match["start"] else None
        if label is None or until is None or (match["start"] and start is None):
            continue
        kind, level, name = label
        if start is not None and start > until:
            errors.add(
                column,
                _("%(value)s: a label cannot end before it starts.") % {"value": _quote(item)},
                "period",
            )
            continue
        planned = PlannedLabel(kind, level, name, start, until)
        if planned.key() in labels:
            errors.add(
                column, _("%(value)s is listed twice.") % {"value": _quote(item)}, "duplicate_label"
            )
            continue
        labels[planned.key()] = planned
    return list(labels.values())


def _label_kind(text: str, errors: _RowErrors) -> tuple[str, str, str] | None:
    other = _OTHER_LABEL.match(text)
    if other:
        name = other["name"].strip()
        if len(name) > 100:
            errors.add(
                "labels", _("The name of a label can be at most 100 characters."), "too_long"
            )
            return None
        if not _no_formula(name, "labels", errors):
            return None
        return LabelKind.OTHER, "", name
    key = _key(text)
    if key == "pso" or key.startswith("pso "):
        level = _PSO_LEVELS.get(key[4:].strip())
        if level is None:
            errors.add(
                "labels",
                _("Unknown PSO level in %(value)s; use aspirant, basistrede, trede 1, 2 or 3.")
                % {"value": _quote(text)},
                "unknown_pso_level",
            )
            return None
        return LabelKind.PSO, level, ""
    kind = _LABEL_KINDS.get(key)
    if kind is None:
        errors.add(
            "labels",
            _(
                "Unknown label %(value)s; use PSO <level>, Code Sociale Ondernemingen, B Corp "
                "or “anders: <name>”."
            )
            % {"value": _quote(text)},
            "unknown_label",
        )
        return None
    return kind, "", ""


def _products(
    value: str, errors: _RowErrors, categories: Mapping[str, Category]
) -> list[PlannedProduct]:
    column = "producten"
    if _CONTROL.search(value):
        errors.add(
            column,
            _("The cell contains invisible control characters; remove them."),
            "control_characters",
        )
        return []
    items = [" ".join(item.split()) for item in _SPLIT_LIST.split(value) if item.strip()]
    if len(items) > MAX_PRODUCTS_PER_ROW:
        errors.add(
            column,
            _("At most %(max)d products per supplier.") % {"max": MAX_PRODUCTS_PER_ROW},
            "too_many",
        )
        return []
    products: dict[tuple[str, str], PlannedProduct] = {}
    for item in items:
        match = _PRODUCT_ITEM.match(item)
        if match is None or not match["name"]:
            errors.add(
                column,
                _(
                    "%(value)s: write a product with its category code, e.g. "
                    "“Glasbewassing [90900000]”."
                )
                % {"value": _quote(item)},
                "product_without_category",
            )
            continue
        name = match["name"]
        code_match = _CPV_CODE.match(match["code"].strip())
        category = categories.get(code_match["code"]) if code_match else None
        if category is None:
            errors.add(
                column,
                _("Unknown category code %(code)s; see the category list in the admin.")
                % {"code": _quote(match["code"])},
                "unknown_category",
            )
            continue
        if len(name) > 200:
            errors.add(column, _("A product name can be at most 200 characters."), "too_long")
            continue
        if not _no_formula(name, column, errors):
            continue
        products.setdefault((name.casefold(), category.code), PlannedProduct(name, category))
    return list(products.values())

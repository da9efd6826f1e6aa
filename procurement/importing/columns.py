"""The columns of a supplier list, the other names people give them, and how header and
value texts are compared."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("naam", required=True, max_length=200),
    Column("kvk", required=True),
    Column("vestigingsnummer"),
    Column("plaats", required=True, max_length=100),
    Column("regio", required=True),
    Column("omvang", required=True),
    Column("themas"),
    Column("labels"),
    Column("impact_first"),
    Column("korte_omschrijving", required=True, max_length=300),
    Column("website", max_length=200),
    Column("email", required=True, max_length=254),
    Column("telefoon", max_length=30),
    Column("contactpersoon", max_length=200),
    Column("producten"),
)
COLUMN_BY_NAME = {column.name: column for column in COLUMNS}
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)

# Other ways people head these columns; compared after ``_header_key``.
_HEADER_ALIASES = {
    "kvk_nummer": "kvk",
    "kvknummer": "kvk",
    "kvk_number": "kvk",
    "vestigingsnr": "vestigingsnummer",
    "vestiging": "vestigingsnummer",
    "thema": "themas",
    "mvoi_themas": "themas",
    "label": "labels",
    "keurmerken": "labels",
    "impactfirst": "impact_first",
    "omschrijving_kort": "korte_omschrijving",
    "e_mail": "email",
    "emailadres": "email",
    "e_mailadres": "email",
    "telefoonnummer": "telefoon",
    "contact": "contactpersoon",
    "gemeente": "plaats",
    "product": "producten",
    "producten_en_diensten": "producten",
}

# Column -> the profile field it fills (labels and products are handled apart).
PROFILE_COLUMNS = {
    "naam": "name",
    "kvk": "kvk_number",
    "vestigingsnummer": "branch_number",
    "plaats": "municipality",
    "regio": "region",
    "omvang": "size",
    "themas": "themes",
    "impact_first": "impact_first",
    "korte_omschrijving": "short_description",
    "website": "website",
    "email": "contact_email",
    "telefoon": "contact_phone",
    "contactpersoon": "contact_name",
}


def _header_key(text: str) -> str:
    text = _plain(text).replace("'", "").replace("\u2019", "")
    return re.sub(r"[\s\-]+", "_", text).strip("_")


def _plain(text: str) -> str:
    """Lower case without accents or surrounding space: "Fryslân " -> "fryslan"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _key(text: str) -> str:
    return " ".join(_plain(text).replace("&", " en ").replace("-", " ").split())

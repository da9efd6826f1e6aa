"""The words a supplier list may use in its choice columns (themes, regions, sizes,
labels, yes or no), compared after ``columns._key``."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..constants import LabelKind, MvoiTheme, PsoLevel, Region, SizeClass
from .columns import _key


def _choice_lookup(choices, aliases: Mapping[str, str]) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_key(value)] = value
        lookup[_key(str(label))] = value
    lookup.update({_key(alias): value for alias, value in aliases.items()})
    return lookup


_THEMES = _choice_lookup(
    MvoiTheme.choices,
    {
        "Klimaat": MvoiTheme.CLIMATE,
        "Milieu": MvoiTheme.ENVIRONMENT,
        "Circulair": MvoiTheme.CIRCULAR,
        "Circulaire economie": MvoiTheme.CIRCULAR,
        "Ketenverantwoordelijkheid": MvoiTheme.SUPPLY_CHAIN,
        "Internationale sociale voorwaarden": MvoiTheme.SUPPLY_CHAIN,
        "Social Return": MvoiTheme.SOCIAL_RETURN,
        "SROI": MvoiTheme.SOCIAL_RETURN,
        "Diversiteit & Inclusie": MvoiTheme.DIVERSITY,
        "Diversiteit": MvoiTheme.DIVERSITY,
    },
)
_REGIONS = _choice_lookup(
    Region.choices,
    {
        "Gemeente Groningen": Region.CITY,
        "Stad Groningen": Region.CITY,
        "Ommelanden": Region.PROVINCE,
        "Provincie Groningen": Region.PROVINCE,
        "Rest van de provincie Groningen": Region.PROVINCE,
        "Friesland": Region.FRYSLAN,
        "Elders": Region.ELSEWHERE,
        "Elders in Nederland": Region.ELSEWHERE,
        "Nederland": Region.ELSEWHERE,
    },
)
_SIZES = _choice_lookup(
    SizeClass.choices,
    {
        "zzp'er": SizeClass.SOLO,
        "zelfstandige": SizeClass.SOLO,
        "1": SizeClass.SOLO,
        "2-9": SizeClass.MICRO,
        "10-49": SizeClass.SMALL,
        "50-249": SizeClass.MEDIUM,
        "250+": SizeClass.LARGE,
        "midden": SizeClass.MEDIUM,
        "middelgroot": SizeClass.MEDIUM,
    },
)
_PSO_LEVELS = _choice_lookup(
    PsoLevel.choices,
    {
        "trede1": PsoLevel.STEP_1,
        "trede2": PsoLevel.STEP_2,
        "trede3": PsoLevel.STEP_3,
        "basis": PsoLevel.BASE,
        "basis trede": PsoLevel.BASE,
    },
)
_LABEL_KINDS = {
    _key(name): kind
    for name, kind in (
        ("Code Sociale Ondernemingen", LabelKind.CODE_SOCIAL),
        ("Code Sociaal Ondernemen", LabelKind.CODE_SOCIAL),
        ("Code Sociale Onderneming", LabelKind.CODE_SOCIAL),
        ("CSO", LabelKind.CODE_SOCIAL),
        ("B Corp", LabelKind.BCORP),
        ("BCorp", LabelKind.BCORP),
        ("B Corporation", LabelKind.BCORP),
    )
}
_OTHER_LABEL = re.compile(r"^(?:anders|overig|ander label|other)\s*:\s*(?P<name>.+)$", re.I)
_YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
_NO = {"nee", "n", "no", "false", "onwaar", "0", ""}

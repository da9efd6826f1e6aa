"""The Sustainable Development Goals, the programme's shared vocabulary of impact.

Suppliers state theirs on their profile, Omarm themes stand for some of them, and the
monitor's SDG view counts both.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The goals the impact agenda monitors (Provincie Drenthe: SDG 8, 10, 11 and 17); the
# monitor always lists them, also when nothing counts toward them yet.
FOCUS_SDGS = (8, 10, 11, 17)


class Sdg(models.IntegerChoices):
    NO_POVERTY = 1, _("1 No poverty")
    ZERO_HUNGER = 2, _("2 Zero hunger")
    HEALTH = 3, _("3 Good health and well-being")
    EDUCATION = 4, _("4 Quality education")
    GENDER = 5, _("5 Gender equality")
    WATER = 6, _("6 Clean water and sanitation")
    ENERGY = 7, _("7 Affordable and clean energy")
    WORK = 8, _("8 Decent work and economic growth")
    INDUSTRY = 9, _("9 Industry, innovation and infrastructure")
    INEQUALITY = 10, _("10 Reduced inequalities")
    CITIES = 11, _("11 Sustainable cities and communities")
    CONSUMPTION = 12, _("12 Responsible consumption and production")
    CLIMATE = 13, _("13 Climate action")
    BELOW_WATER = 14, _("14 Life below water")
    ON_LAND = 15, _("15 Life on land")
    PEACE = 16, _("16 Peace, justice and strong institutions")
    PARTNERSHIPS = 17, _("17 Partnerships for the goals")


def sdg_rows(per_column: list[dict[int, int]]):
    """The monitor's rows of a figure per goal: every focus goal, and every goal with a
    count in any column (``{sdg: count}`` per column)."""
    from .figures import rows

    used = set(FOCUS_SDGS)
    for counts in per_column:
        used |= {sdg for sdg, count in counts.items() if count}
    goals = [(sdg, Sdg(sdg).label) for sdg in sorted(used)]
    return rows(goals, per_column, focus=FOCUS_SDGS)

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..access import shows_monitor_link
from ..charts import bar_chart as _bar_chart
from ..report import COUNT, DAYS, EURO, HOURS, PERCENT

register = template.Library()


@register.filter
def monitor_link(request) -> bool:
    """``{% if request|monitor_link %}``: the header links to the monitor (no query)."""
    return shows_monitor_link(request)


def _number(value, decimals=None) -> str:
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def _plain(value, unit: str, *, signed: bool = False) -> str:
    sign = "+" if signed and value > 0 else ""
    if unit == PERCENT:
        if signed:
            return _("%(value)s pt") % {"value": f"{sign}{_number(value)}"}
        return f"{_number(value)}%"
    if unit == EURO:
        return f"{sign}€ {_number(value, 2)}"
    if unit in (DAYS, HOURS):
        return f"{sign}{_number(value, 1)}"
    if isinstance(value, float | Decimal):
        return f"{sign}{_number(value, 1)}"
    return f"{sign}{_number(value)}"


def _missing():
    return format_html(
        '<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>', _("no data")
    )


@register.filter
def figure_value(value, unit=COUNT):
    """A figure as people read it: 1.234, 2,5, 75%, € 1.234,50; "–" when there is none."""
    if value is None:
        return _missing()
    return _plain(value, unit)


@register.filter
def figure_text(value, unit=COUNT) -> str:
    """Like ``figure_value`` as plain text (for SVG text)."""
    return "–" if value is None else _plain(value, unit)


@register.filter
def figure_change(value, unit=COUNT):
    """A change with its sign: +3, -2, +5 pt (percentage points), 0."""
    if value is None:
        return _missing()
    return _plain(value, unit, signed=True)


@register.simple_tag
def bar_chart(figure, columns):
    return _bar_chart(figure, columns)

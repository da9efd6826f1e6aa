"""The period selector: a GET form (works without JavaScript, every choice is a link)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from .periods import (
    CUSTOM,
    FIRST_DAY,
    KINDS,
    LAST_DAY,
    MAX_DAYS,
    MONTH,
    QUARTER,
    YEAR,
    Period,
)

# The GET parameters the form reads; any other parameter is ignored.
FIELDS = ("soort", "jaar", "maand", "kwartaal", "van", "tot", "nulmeting_van", "nulmeting_tot")
# Per kind of period the fields it uses; the others stay in the form (one form for all
# kinds, as it works without JavaScript) but whatever they hold is not read.
USED = {
    MONTH: {"jaar", "maand"},
    QUARTER: {"jaar", "kwartaal"},
    YEAR: {"jaar"},
    CUSTOM: {"van", "tot"},
}
PERIOD_FIELDS = {"jaar", "maand", "kwartaal", "van", "tot"}


def _years() -> list[tuple[int, int]]:
    return [(year, year) for year in range(timezone.localdate().year + 1, FIRST_DAY.year - 1, -1)]


class _DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        # The browser's date input wants ISO dates, whatever the interface language.
        return value.isoformat() if isinstance(value, date) else value


CHOOSE = {
    "invalid_choice": _("Choose one of the options."),
    "required": _("Choose a value."),
}
DATE = {"invalid": _("Enter a valid date, for example 2026-03-31.")}


class PeriodForm(forms.Form):
    soort = forms.ChoiceField(
        label=_("Period"), choices=KINDS, widget=forms.RadioSelect, error_messages=CHOOSE
    )
    jaar = forms.TypedChoiceField(
        label=_("Year"),
        choices=_years,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=CHOOSE,
    )
    kwartaal = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[(q, f"Q{q}") for q in range(1, 5)],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=CHOOSE,
        help_text=_("With the period “Quarter”."),
    )
    maand = forms.TypedChoiceField(
        label=_("Month"),
        choices=list(MONTHS.items()),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=CHOOSE,
        help_text=_("With the period “Month”."),
    )
    van = forms.DateField(
        label=_("From"),
        required=False,
        widget=_DateInput,
        error_messages=DATE,
        help_text=_("With the period “Own dates”."),
    )
    tot = forms.DateField(
        label=_("Up to and including"),
        required=False,
        widget=_DateInput,
        error_messages=DATE,
        help_text=_("With the period “Own dates”."),
    )
    nulmeting_van = forms.DateField(
        label=_("Baseline from"), required=False, widget=_DateInput, error_messages=DATE
    )
    nulmeting_tot = forms.DateField(
        label=_("Baseline up to and including"),
        required=False,
        widget=_DateInput,
        error_messages=DATE,
    )

    @classmethod
    def for_request(cls, query) -> PeriodForm:
        """Bound to the request's parameters, or to the current quarter when there are none."""
        data = {name: query.get(name) for name in FIELDS if query.get(name) not in (None, "")}
        if not data:
            data = Period.quarter_of(timezone.localdate()).query()
        unused = PERIOD_FIELDS - USED.get(data.get("soort"), PERIOD_FIELDS)
        return cls({name: value for name, value in data.items() if name not in unused})

    def _require(self, *names) -> bool:
        missing = [name for name in names if self.cleaned_data.get(name) is None]
        for name in missing:
            if name not in self.errors:
                self.add_error(name, forms.ValidationError(CHOOSE["required"], code="required"))
        return not missing

    def _dates(self, start_name: str, end_name: str) -> Period | None:
        start, end = self.cleaned_data.get(start_name), self.cleaned_data.get(end_name)
        if start is None or end is None:
            return None
        if start > end:
            self.add_error(
                end_name,
                forms.ValidationError(
                    _("The end date must not be before the start date."), code="order"
                ),
            )
            return None
        period = Period.custom(start, end)
        if not period.within_limits():
            self.add_error(
                start_name,
                forms.ValidationError(
                    _("Choose dates between %(first)s and %(last)s.")
                    % {"first": FIRST_DAY.year, "last": LAST_DAY.year},
                    code="out_of_range",
                ),
            )
            return None
        if period.days > MAX_DAYS:
            self.add_error(
                end_name,
                forms.ValidationError(_("Choose a period of at most ten years."), code="too_long"),
            )
            return None
        return period

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("soort")
        period = None
        if kind == MONTH and self._require("jaar", "maand"):
            period = Period.month(cleaned["jaar"], cleaned["maand"])
        elif kind == QUARTER and self._require("jaar", "kwartaal"):
            period = Period.quarter(cleaned["jaar"], cleaned["kwartaal"])
        elif kind == YEAR and self._require("jaar"):
            period = Period.year(cleaned["jaar"])
        elif kind == CUSTOM and self._require("van", "tot"):
            period = self._dates("van", "tot")
        cleaned["period"] = period

        baseline = None
        given = [cleaned.get(n) is not None for n in ("nulmeting_van", "nulmeting_tot")]
        if any(given) and not all(given):
            self._require("nulmeting_van", "nulmeting_tot")
        elif all(given):
            baseline = self._dates("nulmeting_van", "nulmeting_tot")
        cleaned["baseline"] = baseline
        return cleaned

    def query(self, period: Period | None = None) -> dict[str, str]:
        """GET parameters for ``period`` (default: the chosen one) with the chosen baseline."""
        params = dict((period or self.cleaned_data["period"]).query())
        baseline = self.cleaned_data.get("baseline")
        if baseline is not None:
            params["nulmeting_van"] = baseline.start.isoformat()
            params["nulmeting_tot"] = baseline.end.isoformat()
        return params

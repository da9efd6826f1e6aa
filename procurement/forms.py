"""Forms of Platform Goed Inkopen's owner pages. They only check input;
procurement.services does the writing (and checks again what the model requires).

HTML is kept as typed and escaped wherever it is shown. Uploads are checked by
``impactportal.uploads`` against the policies below.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalise_number, validate_branch_number, validate_kvk_number
from impactportal.uploads import (
    DocumentPolicy,
    ImagePolicy,
    check_document,
    check_image,
    with_random_name,
)

from .constants import LabelKind, MvoiTheme, PsoLevel, Region, Sdg, SizeClass
from .models import Category
from .services import PROFILE_FIELDS

MAX_NAME = 200
MAX_SHORT_DESCRIPTION = 300
MAX_DESCRIPTION = 5_000
MAX_PRODUCT_DESCRIPTION = 1_000
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO = ImagePolicy(
    max_bytes=MAX_LOGO_BYTES,
    formats={"PNG", "JPEG"},
    name_must_match=True,
    wrong_type=_("Upload the logo as a PNG or JPEG image."),
    too_large=_("The logo is %(size)s; it may be at most %(max)s."),
)
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE = DocumentPolicy(
    max_bytes=MAX_EVIDENCE_BYTES,
    extensions={".pdf", ".png", ".jpg", ".jpeg"},
    wrong_type=_("Upload the certificate as a PDF, PNG or JPEG file."),
)
# Label periods outside these years are typing mistakes (e.g. 0202 for 2020).
FIRST_YEAR, LAST_YEAR = 1990, 2100
URL_SCHEMES = ["http", "https"]

_PHONE = RegexValidator(
    r"^\+?[0-9][0-9 ()\-.]{4,28}$",
    message=_("Enter a telephone number with digits only, for example 050 123 4567."),
    code="invalid_phone",
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class LineField(forms.CharField):
    """A one-line text: runs of whitespace (also pasted newlines) become one space."""

    def to_python(self, value):
        value = super().to_python(value)
        return " ".join(value.split()) if value else value


def _text(label, *, max_length, rows=4, required=True, help_text=""):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _url(label, *, help_text=""):
    return forms.URLField(
        label=label,
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=help_text,
        error_messages={"invalid": _("Enter a web address, for example https://www.example.nl.")},
    )


def _check_url_scheme(value: str) -> str:
    if value and value.split(":", 1)[0].lower() not in URL_SCHEMES:
        raise ValidationError(
            _("Enter a web address starting with https:// or http://."), code="invalid_url"
        )
    return value


def _choices_with_blank(choices, blank_label):
    return [("", blank_label), *choices]


# --- supplier profile ---------------------------------------------------------------------


class SupplierForm(forms.Form):
    """The profile the owner keeps: every field in ``services.PROFILE_FIELDS`` and the logo."""

    name = LineField(label=_("Company name"), max_length=MAX_NAME)
    kvk_number = LineField(
        label=_("KvK number"),
        max_length=20,
        help_text=_("Eight digits, as registered at the Chamber of Commerce."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    branch_number = LineField(
        label=_("Branch number"),
        max_length=20,
        required=False,
        help_text=_("Vestigingsnummer: twelve digits, if known."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    short_description = _text(
        _("Short description"),
        max_length=MAX_SHORT_DESCRIPTION,
        rows=2,
        help_text=_("One or two sentences shown in the search results. At most 300 characters."),
    )
    description = _text(
        _("Description"),
        max_length=MAX_DESCRIPTION,
        rows=8,
        required=False,
        help_text=_("What you do, for whom and what impact you make. At most 5,000 characters."),
    )
    themes = forms.MultipleChoiceField(
        label=_("MVOI themes"),
        choices=MvoiTheme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose at least one before you submit the profile."),
        error_messages={"invalid_choice": _("Choose from the themes listed.")},
    )
    sdgs = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals (SDGs)"),
        choices=Sdg.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the goals listed.")},
    )
    impact = forms.ChoiceField(
        label=_("Kind of company"),
        choices=[
            ("first", _("Impact first: the social or ecological mission comes before profit")),
            ("second", _("Impact second: a business that works responsibly")),
        ],
        widget=forms.RadioSelect,
        initial="second",
        error_messages={"required": _("Choose impact first or impact second.")},
    )
    target_group_share = forms.IntegerField(
        label=_("Staff from the target group (%)"),
        required=False,
        validators=[
            MinValueValidator(0, message=_("Enter a percentage from 0 to 100.")),
            MaxValueValidator(100, message=_("Enter a percentage from 0 to 100.")),
        ],
        help_text=_("Share of staff with a distance to the labour market, from 0 to 100."),
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter a whole number from 0 to 100.")},
    )
    municipality = LineField(label=_("Municipality"), max_length=100)
    region = forms.ChoiceField(
        label=_("Region"),
        choices=_choices_with_blank(Region.choices, _("Choose a region")),
        error_messages={"invalid_choice": _("Choose one of the regions.")},
    )
    size = forms.ChoiceField(
        label=_("Size"),
        choices=_choices_with_blank(SizeClass.choices, _("Choose a size")),
        help_text=_("Number of people working at the company."),
        error_messages={"invalid_choice": _("Choose one of the sizes.")},
    )
    website = _url(_("Website"))
    contact_name = LineField(label=_("Contact person"), max_length=MAX_NAME, required=False)
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        max_length=254,
        help_text=_("Inquiries from buyers go to this address."),
    )
    contact_phone = LineField(
        label=_("Contact telephone"),
        max_length=30,
        required=False,
        validators=[_PHONE],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("A PNG or JPEG image of at most 2 MB."),
        error_messages={"empty": _("The logo file is empty.")},
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def __init__(self, *args, has_logo=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_logo:
            del self.fields["remove_logo"]

    @classmethod
    def initial_for(cls, supplier) -> dict:
        initial = {field: getattr(supplier, field) for field in PROFILE_FIELDS}
        initial["impact"] = "first" if supplier.impact_first else "second"
        return initial

    def clean_kvk_number(self):
        value = normalise_number(self.cleaned_data["kvk_number"])
        validate_kvk_number(value)
        return value

    def clean_branch_number(self):
        value = normalise_number(self.cleaned_data["branch_number"])
        if value:
            validate_branch_number(value)
        return value

    def clean_website(self):
        return _check_url_scheme(self.cleaned_data["website"])

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        return check_image(logo, LOGO) if logo else None

    def values(self) -> dict:
        """The profile fields as ``services.supplier_create``/``supplier_update`` take them."""
        data = {f: self.cleaned_data[f] for f in PROFILE_FIELDS if f in self.cleaned_data}
        data["impact_first"] = self.cleaned_data["impact"] == "first"
        data["branch_number"] = data.get("branch_number") or ""
        return data


# --- products and services --------------------------------------------------------------


def category_choices(categories: dict[str, Category]):
    """Options grouped by top-level category, each "code name", from ``category_tree()``."""
    by_pk = {category.pk: category for category in categories.values()}

    def root(category):
        while category.parent_id is not None:
            category = by_pk[category.parent_id]
        return category

    groups: dict[int, list] = {}
    for category in sorted(categories.values(), key=lambda c: c.code):
        groups.setdefault(root(category).pk, []).append((category.pk, str(category)))
    return [("", _("Choose a category"))] + [
        (by_pk[pk].name, options)
        for pk, options in sorted(groups.items(), key=lambda g: by_pk[g[0]].code)
    ]


class ProductForm(forms.Form):
    name = LineField(label=_("Product or service"), max_length=MAX_NAME)
    description = _text(
        _("Description"),
        max_length=MAX_PRODUCT_DESCRIPTION,
        rows=4,
        required=False,
        help_text=_("At most 1,000 characters."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        help_text=_("Buyers find you under this category and the ones above it."),
        error_messages={"invalid_choice": _("Choose one of the categories.")},
    )

    def __init__(self, *args, categories: dict[str, Category], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(categories)


# --- labels -------------------------------------------------------------------------------


class LabelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Label"),
        choices=_choices_with_blank(LabelKind.choices, _("Choose a label")),
        error_messages={"invalid_choice": _("Choose one of the labels.")},
    )
    pso_level = forms.ChoiceField(
        label=_("PSO level"),
        choices=_choices_with_blank(PsoLevel.choices, _("Not a PSO label")),
        required=False,
        help_text=_("Only for the PSO label: the step on the ladder you reached."),
        error_messages={"invalid_choice": _("Choose one of the PSO levels.")},
    )
    name = LineField(
        label=_("Name of the label"),
        max_length=100,
        required=False,
        help_text=_("Only for another label."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(
        label=_("Valid until"),
        widget=DateInput,
        help_text=_("As on the certificate. Three months before, we remind you to renew it."),
    )
    evidence = forms.FileField(
        label=_("Certificate"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        help_text=_("A PDF, PNG or JPEG file. The coordinator checks it; buyers do not see it."),
        error_messages={"empty": _("The certificate file is empty.")},
    )
    evidence_url = _url(
        _("Link to the evidence"), help_text=_("For example the label's public register.")
    )

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if not evidence:
            return None
        checked = check_document(evidence, EVIDENCE)
        return with_random_name(evidence, checked.extension)

    def clean_evidence_url(self):
        return _check_url_scheme(self.cleaned_data["evidence_url"])

    def _check_year(self, field):
        value = self.cleaned_data.get(field)
        if value is not None and not date(FIRST_YEAR, 1, 1) <= value <= date(LAST_YEAR, 12, 31):
            self.add_error(
                field,
                ValidationError(
                    _("Enter a date between %(first)d and %(last)d.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                    code="date_out_of_range",
                ),
            )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if (
            kind == LabelKind.PSO
            and not cleaned.get("pso_level")
            and not self.has_error("pso_level")
        ):
            self.add_error(
                "pso_level",
                ValidationError(_("Choose the PSO level."), code="pso_level_required"),
            )
        if kind == LabelKind.OTHER and not cleaned.get("name") and not self.has_error("name"):
            self.add_error(
                "name", ValidationError(_("Give the name of the label."), code="name_required")
            )
        self._check_year("valid_from")
        self._check_year("valid_until")
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start and not self.has_error("valid_until"):
            self.add_error(
                "valid_until",
                ValidationError(_("A label cannot end before it starts."), code="period"),
            )
        return cleaned

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "evidence"}
        if data.get("kind") != LabelKind.PSO:
            data["pso_level"] = ""
        if data.get("kind") != LabelKind.OTHER:
            data["name"] = ""
        return data

"""The facet choices and result cards of the search page, rendered in Python.

A page shows up to a hundred choices and twenty cards; as template loops they took
most of the time the search page spent in Django. The markup is the same as the
templates they replace, and every text is translated the same way.
"""

import html
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from procurement.constants import Region, choice_label

register = template.Library()


def esc(value) -> str:
    """``conditional_escape`` without its lazy-string wrapper (a page escapes some 500
    values): safe strings stay as they are, anything else is escaped the same way."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _count_texts(counts):
    """ "(12 leveranciers)" per count, translated once per distinct count."""
    texts = {}
    for count in counts:
        if count is not None and count not in texts:
            texts[count] = esc(ngettext("supplier", "suppliers", count))
    return texts


@register.simple_tag
def facet_options(facet):
    """The ``<li>`` choices of one facet, each a labelled checkbox or radio button."""
    counts = _count_texts(option.count for option in facet.options)
    back = esc(gettext("Back to"))
    name, input_type = esc(facet.name), esc(facet.input_type)
    items = []
    for option in facet.options:
        classes = "gi-facet__option"
        if option.kind:
            classes += f" gi-facet__option--{esc(option.kind)}"
        if option.depth:
            classes += f" gi-depth-{int(option.depth)}"
        input_id = f"f-{name}-{esc(option.input_id)}"
        label = esc(option.label)
        if option.kind == "up":
            label = (
                '<span class="gi-facet__up" aria-hidden="true">‹ </span>'
                f'<span class="visually-hidden">{back} </span>{label}'
            )
        if option.count is not None:
            label += (
                f' <span class="gi-count">({int(option.count)}<span class="visually-hidden">'
                f" {counts[option.count]}</span>)</span>"
            )
        checked = " checked" if option.selected else ""
        items.append(
            f'<li class="{classes}"><input type="{input_type}" name="{name}"'
            f' value="{esc(option.value)}" id="{input_id}"{checked} data-autosubmit>'
            f'<label for="{input_id}">{label}</label></li>'
        )
    return mark_safe("\n".join(items))  # noqa: S308 (every value above is escaped)


@lru_cache(maxsize=4096)
def _verified_on(day, language) -> str:
    """ "Verified on 3 March 2026", escaped; kept per day and language (``language`` is
    the key: the active one is what the texts are translated into)."""
    return esc(gettext("Verified on %(date)s") % {"date": dateformat.format(day, "j F Y")})


@register.simple_tag
def supplier_cards(suppliers, shortlisted, confirmed_since):
    """One ``<li>`` card per supplier of a result page (``selectors.results_page``: the
    long description is not loaded; ``valid_labels`` holds the labels valid today)."""
    # Slugs need no quoting, so one reversed URL serves every card.
    profile_url = reverse("procurement:supplier", kwargs={"slug": "-"})[:-2]
    texts = {
        "impact": esc(gettext("Impact first")),
        "shortlisted": esc(gettext("On your shortlist")),
        "themes": esc(gettext("MVOI themes")),
        "labels": esc(gettext("Labels:")),
        "stale": esc(gettext("Not recently confirmed")),
    }
    cards = []
    for supplier in suppliers:
        pk = int(supplier.pk)
        badges = ""
        if supplier.impact_first:
            badges += f' <span class="gi-badge gi-badge--impact">{texts["impact"]}</span>'
        if pk in shortlisted:
            badges += f' <span class="gi-badge gi-badge--shortlisted">{texts["shortlisted"]}</span>'
        themes = ""
        if supplier.theme_labels:
            items = "".join(f"<li>{esc(theme)}</li>" for theme in supplier.theme_labels)
            themes = (
                f'<p class="visually-hidden" id="supplier-{pk}-themes">{texts["themes"]}</p>'
                f'<ul class="tag-list gi-card__themes" aria-labelledby="supplier-{pk}-themes">'
                f"{items}</ul>"
            )
        labels = ""
        if supplier.valid_labels:
            spans = "".join(
                f'<span class="gi-label gi-label--valid">{esc(label.display_name)}</span>'
                for label in supplier.valid_labels
            )
            labels = (
                f'<p class="gi-card__labels"><span class="gi-card__labels-title">'
                f"{texts['labels']}</span> {spans}</p>"
            )
        verified = ""
        if supplier.verified_at:
            day = timezone.localdate(supplier.verified_at)
            verified = _verified_on(day, get_language())
        if not supplier.confirmed_at or supplier.confirmed_at < confirmed_since:
            verified += f' <span class="gi-badge gi-badge--stale">{texts["stale"]}</span>'
        cards.append(
            f'<li class="gi-card card">\n  <article aria-labelledby="supplier-{pk}">\n'
            f'    <h3 class="gi-card__title" id="supplier-{pk}">'
            f'<a href="{profile_url}{esc(supplier.slug)}/">{esc(supplier.name)}</a></h3>\n'
            f'    <p class="gi-card__meta"><span>{esc(supplier.municipality)} &middot; '
            f"{esc(choice_label(Region, supplier.region))}</span>{badges}</p>\n"
            f'    <p class="gi-card__summary">{esc(supplier.short_description)}</p>\n'
            f"    {themes}{labels}\n"
            f'    <p class="gi-card__verified">{verified}</p>\n  </article>\n</li>'
        )
    return mark_safe("\n".join(cards))  # noqa: S308 (every value above is escaped)

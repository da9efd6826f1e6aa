"""Forms read from a page and sent as a browser sends them.

A journey reads the form from the page it just got and posts what a browser would:
hidden fields such as the CSRF token, checked radios and selected options as they are;
required fields left empty get a plausible value; an empty field that is not required
(a honeypot) stays empty. So a change to a form needs no change here unless it adds a
field that must be filled in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

from django.utils import timezone

FILL_IN = {
    "email": "bezoeker@loadtest.invalid",
    "number": "1",
    "tel": "050 123 4567",
    "url": "https://loadtest.invalid/",
}
NOT_SENT = {"submit", "button", "image", "reset", "file"}


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    checked: bool = False
    required: bool = False
    disabled: bool = False
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    def value(self, name: str) -> str:
        return next((f.value for f in self.fields if f.name == name), "")

    def data(self, values: dict | None = None, *, button: str | None = None) -> list:
        """The pairs a browser sends: ``values`` (a string or a list per name) replace
        what the page has; fields left empty that the page marks required get a
        plausible value; unmarked empty fields (a honeypot) stay empty; of the buttons
        only ``button`` is sent."""
        values = values or {}
        pairs: list[tuple[str, str]] = []
        radios_done: set[str] = set()
        for f in self.fields:
            if f.disabled or f.name in values:
                continue
            if f.kind in NOT_SENT:
                if f.name == button:
                    pairs.append((f.name, f.value))
                continue
            if f.kind == "checkbox":
                if f.checked:
                    pairs.append((f.name, f.value or "on"))
            elif f.kind == "radio":
                if f.name in radios_done:
                    continue
                group = [g for g in self.fields if g.kind == "radio" and g.name == f.name]
                chosen = next((g for g in group if g.checked), None)
                if chosen is None and f.required:
                    chosen = group[0]
                if chosen is not None:
                    pairs.append((f.name, chosen.value))
                radios_done.add(f.name)
            elif f.kind == "select":
                chosen = [value for value, selected in f.options if selected]
                if not chosen and not f.multiple:
                    chosen = [value for value, _selected in f.options if value][:1]
                pairs += [(f.name, value) for value in chosen]
            else:
                pairs.append((f.name, f.value or (_fill_in(f.kind) if f.required else "")))
        for name, value in values.items():
            for one in value if isinstance(value, list | tuple) else [value]:
                pairs.append((name, str(one)))
        return pairs


def _fill_in(kind: str) -> str:
    if kind == "date":
        return (timezone.localdate() + timedelta(days=30)).isoformat()
    return FILL_IN.get(kind, "Belastingtest")


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: Field | None = None
        self.select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form((a.get("action") or "").strip(), (a.get("method") or "get").lower())
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        common = {"required": "required" in a, "disabled": "disabled" in a}
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            self.form.fields.append(
                Field(name, kind, a.get("value") or "", checked="checked" in a, **common)
            )
        elif tag == "button" and name:
            self.form.fields.append(
                Field(name, (a.get("type") or "submit").lower(), a.get("value") or "")
            )
        elif tag == "textarea" and name:
            self.textarea = Field(name, "textarea", **common)
            self.form.fields.append(self.textarea)
        elif tag == "select" and name:
            self.select = Field(name, "select", multiple="multiple" in a, **common)
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.options.append((a.get("value") or "", "selected" in a))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            # The newline right after <textarea> is not part of the value.
            if self.textarea.value.startswith("\n"):
                self.textarea.value = self.textarea.value[1:]
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data


def forms_of(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def find_form(html: str, *, has: str | None = None, action: str | None = None) -> Form | None:
    """The first POST form with a field named ``has`` and/or whose action contains
    ``action``."""
    for form in forms_of(html):
        if form.method != "post":
            continue
        if has is not None and not form.has(has):
            continue
        if action is not None and action not in form.action:
            continue
        return form
    return None

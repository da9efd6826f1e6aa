"""The accessibility checker itself: it must be able to fail."""

import pytest

PAGE = """<!DOCTYPE html>
<html lang="nl"><head><title>Formulier</title></head>
<body><main><h1>Formulier</h1><form>{field}<button type="submit">Verstuur</button></form></main>
</body></html>"""


def test_axe_detects_violation(page, axe_check):
    page.set_content(PAGE.format(field='<input type="text" name="kvk">'))
    expected = r"\[critical\] label: Form elements must have labels"
    with pytest.raises(AssertionError, match=expected) as failure:
        axe_check(page)
    assert '<input type="text" name="kvk">' in str(failure.value)


def test_axe_passes_labelled_form(page, axe_check):
    page.set_content(
        PAGE.format(field='<label for="kvk">KvK-nummer</label><input id="kvk" name="kvk">')
    )
    response = axe_check(page)
    assert response["testEngine"]["name"] == "axe-core"

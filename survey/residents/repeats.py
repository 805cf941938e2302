"""Fields a browser never sends twice, sent twice: refused by every form that stores answers.

A browser sends each checkbox value once and one value per radio group, text or hidden field.
A repeat is hand-made; refusing it (rather than collapsing it) means a count can never be
inflated by it and no answer of two is silently kept. The residents' questionnaire and the
interviewers' forms (survey/fieldwork/) each say so in their own words.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectMultipleField


def repeated_fields(form: Form, formdata: MultiDict[str, str]) -> list[str]:
    """Names of `form`'s fields that came more than once in `formdata`: a value repeated, or
    several values for a field that takes one."""
    return [
        name
        for name, values in formdata.lists()
        if name in form
        and len(values) > 1
        and (len(set(values)) < len(values) or not isinstance(form[name], SelectMultipleField))
    ]

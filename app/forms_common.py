"""WTForms glue shared by the streams: coded select fields and validators that call plain rule functions."""
from flask import request
from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField
from wtforms.validators import ValidationError


def coded_select(label, labels, required=True, description=""):
    """A select over a code → lazy label map (choices re-read per request, so the language follows)."""

    class _LazyChoices:
        def __iter__(self):
            if not required:
                yield ("", "")
            for code, text in labels.items():
                yield (code, str(text))

    return SelectField(label, choices=_LazyChoices(), widget=Select2Widget(), description=description,
                       validate_choice=True, default=None if not required else next(iter(labels)))


class RuleCheck:
    """Run `rule(form, field)` -> message or None as a WTForms validator."""

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, form, field):
        message = self.rule(form, field)
        if message:
            raise ValidationError(str(message))


def editing_pk():
    """The primary key of the row an edit form is saving (None on add)."""
    pk = (request.view_args or {}).get("pk")
    try:
        return int(pk) if pk is not None else None
    except (TypeError, ValueError):
        return None

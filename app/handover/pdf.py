"""Printable handover documents (WeasyPrint, fonts from static/fonts via file:// URLs, nothing from the
internet). Bilingual: Tibetan first, Chinese after (DESIGN.md §4)."""

import datetime

from flask_babel import lazy_gettext as _l

from app import clock
from app.formatting import local_time
from app.pdf import bilingual as _both, document_date, render_pdf
from app.handover.models import HouseholdCategory, ItemState, Stream
from app.retirees.models import Category, Ethnicity, Gender, PensionSource


TEXT = {
    "list_title": _l("Handover list of retirees"),
    "form_title": _l("Basic information confirmation form"),
    "batch": _l("Batch number"),
    "enterprise": _l("Enterprise"),
    "receiver": _l("Receiving place"),
    "no": _l("No."),
    "name": _l("Name"),
    "gender": _l("Gender"),
    "ethnicity": _l("Ethnicity"),
    "resident_id": _l("Resident ID number"),
    "birth_date": _l("Birth date"),
    "retirement_date": _l("Retirement date"),
    "category": _l("Category"),
    "community": _l("Receiving community"),
    "party_member": _l("Party member"),
    "pension_source": _l("Pension source"),
    "household": _l("Household registration category"),
    "residence": _l("Actual residence"),
    "handing_side": _l("Handing-over side"),
    "receiving_side": _l("Receiving side"),
    "signature": _l("Signature of the person in charge"),
    "seal": _l("Seal"),
    "date": _l("Date"),
    "retiree_signature": _l("Signature of the retiree"),
    "checklist": _l("Handover checklist"),
    "state": _l("State"),
    "submitted": _l("Submitted on"),
    "accepted": _l("Accepted on"),
    "printed": _l("Printed on"),
    "count": _l("Retirees"),
    "yes": _l("Yes"),
    "no_": _l("No"),
    "confirm_text": _l("I have checked the information above and confirm that it is correct."),
}


def _texts():
    return {k: _both(v) for k, v in TEXT.items()}


def _labels(table, value):
    return _both(table[value]) if value in table else ("", "")


def _person(retiree, case):
    return {
        "name_bo": retiree.name_bo or "", "name_zh": retiree.name_zh,
        "gender": _labels(Gender.LABELS, retiree.gender),
        "ethnicity": _labels(Ethnicity.LABELS, retiree.ethnicity),
        "resident_id": retiree.resident_id, "birth_date": retiree.birth_date.isoformat(),
        "retirement_date": retiree.retirement_date.isoformat(),
        "category": _labels(Category.LABELS, retiree.category),
        "party_member": _both(TEXT["yes"] if retiree.party_member else TEXT["no_"]),
        "pension_source": _labels(PensionSource.LABELS, retiree.pension_source),
        "household": _labels(HouseholdCategory.LABELS, case.household_category),
        "residence": retiree.actual_residence or "",
        "community": case.receiving_community or case.receiving_township or case.liaison_office,
    }


def _render(template, **context):
    return render_pdf(template, t=_texts(), printed=document_date(clock.today(), "both"), **context)


def handover_list(batch):
    rows = [(i + 1, _person(c.retiree, c)) for i, c in enumerate(batch.cases)]
    return _render("handover/pdf_handover_list.html", batch=batch, rows=rows,
                   submitted=_formal(batch.submitted_on), accepted=_formal(batch.accepted_on))


def _formal(timestamp):
    """A step's time on the list's date line: the formal date in both languages, then the Beijing time."""
    if timestamp is None:
        return ""
    local = datetime.datetime.strptime(local_time(timestamp), "%Y-%m-%d %H:%M:%S")
    return document_date(local, "both") + f" {local:%H:%M}"


def confirmation_form(case):
    items = [(_both(Stream.LABELS[i.stream]), _both(ItemState.LABELS[i.state]), i.on_date) for i in case.items]
    return _render("handover/pdf_confirmation.html", case=case, p=_person(case.retiree, case), items=items)


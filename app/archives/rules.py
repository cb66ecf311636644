"""Rules of the archive transfer as plain functions (policy 主要任务 (四))."""
from flask_babel import lazy_gettext as _l

from app.archives.models import Custodian, Destination
from app.handover.models import ItemState


def destination_problem(leader_cadre, custodian, destination):
    """Archives of SASAC, HR and enterprises go to the city or county archives; a former leader cadre's archive
    kept by the organization department stays there."""
    if leader_cadre and custodian == Custodian.ORGDEPT and destination != Destination.ORGDEPT:
        return _l("A former leader cadre's archive kept by the organization department stays there.")
    if destination == Destination.ORGDEPT and not (leader_cadre and custodian == Custodian.ORGDEPT):
        return _l("Only former leader cadres' archives kept by the organization department stay there.")
    return None


def archive_state(a):
    if a.received_on is not None:
        return ItemState.DONE
    if a.sorted_done or a.sent_on is not None:
        return ItemState.IN_PROGRESS
    return ItemState.NOT_STARTED


def archive_problems(a):
    problems = {}

    def add(field, message):
        if message:
            problems.setdefault(field, []).append(message)

    if a.custodian not in Custodian.LABELS:
        add("custodian", _l("Not a valid choice."))
    if a.destination not in Destination.LABELS:
        add("destination", _l("Not a valid choice."))
    leader = bool(a.retiree is not None and a.retiree.leader_cadre)
    add("destination", destination_problem(leader, a.custodian, a.destination))
    if a.volumes is not None and not 0 <= a.volumes <= 200:
        add("volumes", _l("Give a number of volumes between 0 and 200."))
    if (a.missing_materials or "").strip() and not (a.missing_explanation or "").strip():
        add("missing_explanation", _l("Explain why materials are missing."))
    if a.sent_on is not None and not a.sorted_done:
        add("sent_on", _l("An archive is sent only after it has been sorted."))
    if a.received_on is not None:
        if a.sent_on is None:
            add("received_on", _l("An archive can only be received after it was sent."))
        elif a.received_on < a.sent_on:
            add("received_on", _l("The date received cannot be before the date sent."))
    return problems


def receiver_roles(destination):
    """The archives confirm receipt; a former leader cadre's archive kept by the organization department stays
    there, which confirms it."""
    return {"orgdept"} if destination == Destination.ORGDEPT else {"archives"}


def may(user, action, row=None):
    """edit (sorting, volumes, sending), receive (row: the transfer)."""
    from app.security.access import granted, role_codes
    from app.security.roles import ARCHIVE_TRANSFER, WRITE

    if not granted(user, WRITE, ARCHIVE_TRANSFER):
        return False
    if action == "edit":
        return True
    if action == "receive":
        if row is None:
            return bool(role_codes(user) & {"archives", "orgdept"})
        return bool(role_codes(user) & receiver_roles(row.destination)) and row.sent_on is not None \
            and row.received_on is None
    return False

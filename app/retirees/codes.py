"""Codes of the ledger and who acts on it: plain constants with their labels, imported by the models, the rules,
the services and the views alike (no module of the stream needs another to know a code)."""
from flask_babel import lazy_gettext as _l


class Gender:
    MALE = "M"
    FEMALE = "F"
    LABELS = {MALE: _l("Male"), FEMALE: _l("Female")}


class Ethnicity:
    LABELS = {
        "tibetan": _l("Tibetan"),
        "han": _l("Han"),
        "monba": _l("Monba"),
        "lhoba": _l("Lhoba"),
        "hui": _l("Hui"),
        "other": _l("Other"),
    }


class Category:
    IN_REGION = "in_region"
    OUT_REGION = "out_region"
    LABELS = {IN_REGION: _l("In region"), OUT_REGION: _l("Out of region")}


class PensionSource:
    BASIC_INSURANCE = "basic_insurance"
    FISCAL = "fiscal"
    LABELS = {BASIC_INSURANCE: _l("Basic pension insurance"), FISCAL: _l("Fiscally funded")}


class EndReason:
    DECEASED = "deceased"
    DUPLICATE = "duplicate"
    ENTERED_IN_ERROR = "entered_in_error"
    OTHER = "other"
    LABELS = {
        DECEASED: _l("Deceased"),
        DUPLICATE: _l("Duplicate record"),
        ENTERED_IN_ERROR: _l("Entered in error"),
        OTHER: _l("Other reason"),
    }


class CorrectionStatus:
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LABELS = {REQUESTED: _l("Requested"), ACCEPTED: _l("Accepted"), REJECTED: _l("Rejected")}


ENTERPRISE, RECEIVING, OFFICE, SYSTEM = "enterprise", "receiving", "office", "system"
# The person's identity as the enterprise recorded it (names, gender, ethnicity, ID, birth date) and the
# enterprise itself: the enterprise owns them until its batch is submitted; afterwards only a correction request
# that the other side accepts changes them.
IDENTITY_FIELDS = ("name_zh", "name_bo", "gender", "ethnicity", "resident_id", "birth_date", "enterprise_id")
# What the receiving side records: where in its area the retiree lives and is served.
RECEIVING_FIELDS = ("receiving_township_id", "receiving_community_id", "actual_residence", "note")
# Fields a correction request may change (scalar columns of the enterprise's record).
CORRECTABLE_FIELDS = ("name_zh", "name_bo", "gender", "ethnicity", "resident_id", "birth_date", "retirement_date",
                      "category", "pension_source", "registered_residence", "party_member", "leader_cadre",
                      "special_unit", "medical_local", "is_lixiu")
RECEIVING_ROLES = {"county", "township", "community"}
SIDE_LABELS = {ENTERPRISE: _l("Enterprise"), RECEIVING: _l("Receiving place"), OFFICE: _l("City SASAC"),
               SYSTEM: _l("System")}

"""Social-security linkage after the handover (policy 二(二) 社会保障管理服务有效衔接, 四(二) 部门责任) as plain
functions: which department records which fact.

- the HR bureau (人社局) confirms that the pension keeps being paid on time and in full (养老保险待遇衔接) and links
  work-injury insurance benefits (工伤保险待遇衔接);
- the medical insurance bureau (医保局) records the transfer of a medical-insurance relation not yet under local
  management (from where, to where, when) and that the old mutual-aid benefits stay on their channel (原渠道);
- the receiving county/township/community records that a fiscally funded pension was applied for through the
  original channel (由接收单位按照原渠道进行申报发放).
Each fact is recorded only by the unit responsible for it; the figures count those records.
"""
from flask_babel import lazy_gettext as _l

HR_FIELDS = ("pension_confirmed_through", "work_injury", "injury_level", "injury_linked_on")
MEDICAL_FIELDS = ("medical_from", "medical_to", "medical_transferred_on", "mutual_aid", "mutual_aid_channel")
RECEIVING_FIELDS = ("fiscal_applied_on",)
OWNERS = {
    "hrss": HR_FIELDS,
    "medins": MEDICAL_FIELDS,
    "county": RECEIVING_FIELDS,
    "township": RECEIVING_FIELDS,
    "community": RECEIVING_FIELDS,
}
FIELD_SIDES = {**{f: _l("Human resources and social security bureau") for f in HR_FIELDS},
               **{f: _l("Medical insurance bureau") for f in MEDICAL_FIELDS},
               **{f: _l("Receiving place") for f in RECEIVING_FIELDS}}


def editable_fields(roles):
    fields = set()
    for role in roles:
        fields.update(OWNERS.get(role, ()))
    return fields


def field_problems(roles, changed, fiscal_pension, medical_local):
    """{field: [message]} for every changed field this user may not record (or that does not apply)."""
    allowed = editable_fields(roles)
    problems = {}
    for field in changed:
        if field not in FIELD_SIDES:
            continue
        if field not in allowed:
            problems[field] = [_l("Recorded by the %(side)s only.", side=FIELD_SIDES[field])]
        elif field in RECEIVING_FIELDS and not fiscal_pension:
            problems[field] = [_l("Only a fiscally funded pension is applied for through the original channel.")]
        elif field in ("medical_from", "medical_to", "medical_transferred_on") and medical_local:
            problems[field] = [_l("This retiree's medical insurance is already under local management: nothing to "
                                  "transfer.")]
    return problems


def injury_problem(work_injury, level):
    if work_injury and level is not None and not 1 <= level <= 10:
        return _l("The disability level is 1 to 10.")
    if not work_injury and level is not None:
        return _l("A disability level is given only with work-injury insurance benefits.")
    return None


def may(user, action, row=None):
    from app.security.access import role_codes

    roles = role_codes(user)
    if action in ("open", "edit"):
        return bool(editable_fields(roles))
    return False

"""Import planning and the all-or-nothing commit. Planning writes nothing: it parses every cell, runs the
ledger's write service's checks in their batched form (app/retirees/services.batch_problems: the ledger's rules,
the enterprise's field rules and the handover lock) on every row and says, per row, add / update / unchanged with
the fields that change — or lists every problem by spreadsheet row and column header. The commit writes through
the same service (create_many for new rows, update_retiree for changed ones), acting for the enterprise."""
from dataclasses import dataclass, field

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from app.dates import parse_date
from app.extensions import db
from app.org.cache import all_orgs
from app.retirees import idcard, services
from app.retirees.codes import ENTERPRISE
from app.retirees.models import Retiree
from app.retirees.services import RetireeDraft
from app.roster.columns import BOOL, CHOICE, COLUMNS, COLUMNS_BY_KEY, DATE, ORG, RESIDENT_ID, TEXT
from app.text import Bilingual
from app.tibetan import forms

CHUNK = 900  # IN-list size that every database accepts
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "✓", "√", "ཡིན", "ཡིན།", "ཡོད", "ཡོད།", "ཡིན། 是"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "མིན", "མིན།", "མེད", "མེད།", "-", "—", "མིན། 否"}


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def text(self):
        if not self.row:
            return gettext("Header, %(column)s: %(message)s", column=self.column, message=self.message)
        return gettext("Row %(row)s, %(column)s: %(message)s", row=self.row, column=self.column,
                       message=self.message)


@dataclass
class RowPlan:
    row: int
    resident_id: str
    action: str  # add | update | unchanged
    values: dict
    changes: dict = field(default_factory=dict)  # key -> (old display, new display)
    existing_id: int = None


@dataclass
class ImportPlan:
    enterprise: object
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems

    def count(self, action):
        return sum(1 for r in self.rows if r.action == action)


def _choice_lookup(column):
    from flask_babel import force_locale

    from app.roster.workbook import bilingual_value

    table = {}
    for code, label in column.choices.items():
        table[code.lower()] = code
        for lang in ("zh", "bo"):
            with force_locale(lang):
                table[str(label).strip().rstrip("།").lower()] = code
        table[bilingual_value(label).strip().rstrip("།").lower()] = code  # the Tibetan template's value
    return table


def _org_lookup(kind):
    table = {}
    for org in all_orgs():
        if org.kind == kind:
            for name in (org.code, org.name_zh, org.name_bo, org.name_bo.rstrip("།"), f"{org.name_bo} {org.name_zh}"):
                table[name] = org
    return table


def _convert(column, raw, lookups):
    """(value, problem message or None) for one cell."""
    if raw is None:
        return None, None
    if column.kind == TEXT:
        text = str(raw).strip()
        if column.max_length and len(text) > column.max_length:
            return None, _l("Longer than %(n)s characters.", n=column.max_length)
        return text, None
    if column.kind == RESIDENT_ID:
        return idcard.normalize(raw), None
    if column.kind == DATE:
        try:
            return parse_date(raw), None
        except (ValueError, OverflowError):
            return None, _l("Not a date (write it as 2020-06-30).")
    if column.kind == BOOL:
        if isinstance(raw, bool):
            return raw, None
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, _l("Write 是 or 否.")
    if column.kind == CHOICE:
        code = lookups[column.key].get(str(raw).strip().rstrip("།").lower())
        if code is None:
            allowed = "、".join(str(label) for label in column.choices.values())
            return None, _l("Not one of: %(allowed)s.", allowed=allowed)
        return code, None
    if column.kind == ORG:
        org = lookups[column.key].get(str(raw).strip())
        if org is None:
            return None, _l("No such unit: %(name)s.", name=str(raw).strip())
        return org, None
    return raw, None


def _existing_by_id(numbers):
    """resident ID -> (retiree id, enterprise id) for the numbers already in the ledger, in a few queries."""
    found = {}
    numbers = sorted(numbers)
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start:start + CHUNK]
        for rid, pk, ent in db.session.execute(
            select(Retiree.resident_id, Retiree.id, Retiree.enterprise_id).where(Retiree.resident_id.in_(chunk))
        ):
            found[rid] = (pk, ent)
    return found


def _display(value):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return str(getattr(value, "name", value))


def _rule_column(field_name):
    """The roster column a rule's field maps to (a relationship name maps to its column)."""
    column = COLUMNS_BY_KEY.get(field_name)
    if column is None and field_name.endswith("_id"):
        column = COLUMNS_BY_KEY.get(field_name[:-3])
    return column


def plan_import(sheet, enterprise):
    plan = ImportPlan(enterprise=enterprise)
    present = [c for c in COLUMNS if c.key in sheet.columns]
    header = {c.key: sheet.columns[c.key] for c in present}
    missing = [c for c in COLUMNS if c.required and c.key not in sheet.columns]
    if missing:
        for column in missing:
            plan.problems.append(Problem(0, column.header_in("zh"), str(_l("This column is missing."))))
        return plan

    lookups = {c.key: _choice_lookup(c) for c in present if c.kind == CHOICE}
    lookups.update({c.key: _org_lookup(c.org_kind) for c in present if c.kind == ORG})

    parsed = []
    for row_number, raw in sheet.rows:
        values, problems = {}, []
        for column in present:
            value, problem = _convert(column, raw.get(column.key), lookups)
            if problem:
                problems.append(Problem(row_number, header[column.key], str(problem)))
            elif value is not None:
                values[column.key] = value
        parsed.append((row_number, values, problems))

    numbers = {v["resident_id"] for _, v, _ in parsed if v.get("resident_id")}
    existing = _existing_by_id(numbers)
    own_ids = [pk for pk, ent in existing.values() if ent == enterprise.id]
    own_rows = {}
    for start in range(0, len(own_ids), CHUNK):
        for r in db.session.scalars(select(Retiree).where(Retiree.id.in_(own_ids[start:start + CHUNK]))):
            own_rows[r.resident_id] = r
    holders = {o.id: o for o in all_orgs()}
    locked = services.locked_ids(r.id for r in own_rows.values())
    first_row_of = {}

    for row_number, values, problems in parsed:
        plan.problems.extend(problems)
        number = values.get("resident_id")
        if not number:
            if not problems:
                plan.problems.append(Problem(row_number, header["resident_id"], str(_l("This field is required."))))
            continue
        if number in first_row_of:
            plan.problems.append(Problem(row_number, header["resident_id"], str(
                _l("The same resident ID number is already in row %(row)s of this file.", row=first_row_of[number]))))
            continue
        first_row_of[number] = row_number
        if number in existing and existing[number][1] != enterprise.id:
            holder = holders.get(existing[number][1])
            plan.problems.append(Problem(row_number, header["resident_id"], str(
                _l("This resident ID number is already registered by %(enterprise_agt)s.",
                   **forms(enterprise=Bilingual.of_org(holder) if holder else "?")))))
            continue
        current = own_rows.get(number)
        start = {}
        if current is not None:
            start = {c.key: getattr(current, c.key) for c in COLUMNS}
            start.update(id=current.id, receiving_township=current.receiving_township,
                         receiving_community=current.receiving_community)
        candidate = RetireeDraft(**{**start, **values, "enterprise": enterprise})
        changed = [] if current is None else [
            f"{key}_id" if COLUMNS_BY_KEY[key].kind == ORG else key for key, value in values.items()
            if getattr(current, key) != value]
        unreadable = {p.column for p in problems}
        refused = bool(problems)
        row_problems = services.batch_problems(ENTERPRISE, candidate, changed if current is not None
                                               else services.set_columns(candidate), current is not None
                                               and current.id in locked)
        for field_name, messages in row_problems.items():
            column = _rule_column(field_name)
            label = header.get(column.key, column.header_in("zh")) if column else field_name
            if label in unreadable:
                continue  # the cell could not be read; its parse problem says why
            refused = True
            for message in messages:
                plan.problems.append(Problem(row_number, label, message))
        if refused:
            continue  # a refused row counts as a problem, not as an add or update
        if current is None:
            plan.rows.append(RowPlan(row_number, number, "add", values))
        else:
            changes = {key: (_display(getattr(current, key)), _display(value)) for key, value in values.items()
                       if getattr(current, key) != value}
            plan.rows.append(RowPlan(row_number, number, "update" if changes else "unchanged", values, changes,
                                     current.id))
    plan.problems.sort(key=lambda p: p.row)
    return plan


def apply_import(plan, actor=None):
    """Write the plan (made by plan_import in this transaction) through the ledger's write service, acting for
    the enterprise, in one transaction; any error rolls everything back."""
    if not plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    try:
        updates = {r.existing_id: r for r in plan.rows if r.action == "update"}
        for start in range(0, len(updates), CHUNK):
            ids = list(updates)[start:start + CHUNK]
            for retiree in db.session.scalars(select(Retiree).where(Retiree.id.in_(ids))):
                for key, value in updates[retiree.id].values.items():
                    setattr(retiree, key, value)
                services.update_retiree(actor, retiree, side=ENTERPRISE)
        added = [RetireeDraft(**row.values, enterprise=plan.enterprise) for row in plan.rows if row.action == "add"]
        if added:
            services.create_many(actor, added, side=ENTERPRISE)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {"add": plan.count("add"), "update": plan.count("update"), "unchanged": plan.count("unchanged")}

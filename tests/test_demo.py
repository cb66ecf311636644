"""`flask seed-demo`: the policy's numbers, valid synthetic IDs, names in both scripts, one account per
role — deterministic and idempotent."""
import re

from sqlalchemy import func, select

from app.demo import data
from app.extensions import db
from app.org.models import Organization, OrgKind
from app.retirees import idcard
from app.retirees.models import Retiree
from app.security.roles import ROLE_DEFINITIONS

SHANNAN_CODES = {c[0] for c in data.COUNTIES}


def _demo_retirees(session):
    # retirees that tests add use enterprise E-S02/E-C03 and are deleted again; count by the seed's IDs.
    # The policy's 965 are the people retired by the survey (2020-06-30); the demo adds a few who retired in
    # recent months (routine handovers, DESIGN.md §7), checked in test_routine_handovers_of_recent_months.
    from app.demo.seed import SURVEY_DATE

    return session.scalars(select(Retiree).where(Retiree.retirement_date <= SURVEY_DATE)).all()


def test_routine_handovers_of_recent_months(app):
    """Today's story: people who retired in the last months are being handed over (a batch waits for the
    county), and the 2020 backlog is mostly handed over, with stragglers left with their enterprises."""
    import datetime

    from app import clock
    from app.demo.seed import SURVEY_DATE
    from app.handover.models import BatchStatus, HandoverBatch, HandoverCase, OverallStatus

    with app.app_context():
        recent = db.session.scalars(select(Retiree).where(Retiree.retirement_date > SURVEY_DATE)).all()
        assert len(recent) >= 3
        assert all(clock.today() - r.retirement_date < datetime.timedelta(days=200) for r in recent)
        cases = {c.retiree_id: c for c in db.session.scalars(select(HandoverCase).where(
            HandoverCase.retiree_id.in_([r.id for r in recent])))}
        assert any(c.batch is not None and c.batch.status == BatchStatus.SUBMITTED for c in cases.values())
        assert any(c.place_confirmed_on is None for c in cases.values())
        statuses = [c.summary_status for c in db.session.scalars(select(HandoverCase))]
        assert statuses.count(OverallStatus.HANDED_OVER) > len(statuses) / 2
        assert statuses.count(OverallStatus.NOT_HANDED_OVER) > 0
        accepted = db.session.scalars(select(HandoverBatch).where(HandoverBatch.status == BatchStatus.ACCEPTED)).all()
        assert any(b.accepted_on.year == 2020 for b in accepted)  # the backlog was handed over in 2020
        db.session.remove()


def test_policy_numbers(app):
    with app.app_context():
        rows = _demo_retirees(db.session)
        seeded = [r for r in rows if r.resident_id[:6] in SHANNAN_CODES]
        assert len(rows) == 965
        assert sum(r.category == "in_region" for r in rows) == 809
        assert sum(r.category == "out_region" for r in rows) == 156
        assert len(seeded) == 965
        db.session.remove()


def test_ids_names_and_flags_are_plausible(app):
    with app.app_context():
        rows = _demo_retirees(db.session)
        for r in rows:
            assert idcard.validate(r.resident_id) == r.resident_id
            assert idcard.birth_date_of(r.resident_id) == r.birth_date
            assert idcard.gender_of(r.resident_id) == r.gender
            assert r.retirement_date > r.birth_date
            assert re.search(r"[\u4e00-\u9fff]", r.name_zh) and re.search(r"[\u0f00-\u0fff]", r.name_bo)
            if r.category == "out_region":
                assert r.liaison_office is not None and r.receiving_county is None
            else:
                assert r.receiving_county is not None
        party = sum(r.party_member for r in rows) / len(rows)
        assert 0.25 < party < 0.5
        assert 0 < sum(r.leader_cadre for r in rows) < 0.1 * len(rows)
        assert 1 <= sum(r.is_lixiu for r in rows) <= 10
        assert len({r.enterprise.ownership_level for r in rows}) == 4
        db.session.remove()


def test_org_tree_has_the_twelve_divisions_in_both_scripts(app):
    with app.app_context():
        counties = db.session.scalars(select(Organization).where(Organization.kind == OrgKind.COUNTY)).all()
        assert {c.name_zh for c in counties} == {c[1] for c in data.COUNTIES}
        assert len(counties) == 12 and all(re.search(r"[\u0f00-\u0fff]", c.name_bo) for c in counties)
        assert all(c.path.startswith("/5405/") for c in counties)
        enterprises = db.session.scalar(select(func.count()).where(Organization.kind == OrgKind.ENTERPRISE))
        assert 18 <= enterprises <= 25
        db.session.remove()


def test_seed_is_idempotent_and_prints_accounts(app, runner):
    with app.app_context():
        before = db.session.scalar(select(func.count(Retiree.id)))
        db.session.remove()
    result = runner.invoke(args=["seed-demo", "--password", "Test-Pass-2020"])
    assert result.exit_code == 0, result.output
    lines = [l for l in result.output.splitlines() if "\t" in l]
    assert len(lines) == len(data.ACCOUNTS)
    roles_seen = set()
    for line in lines:
        username, role, org_code, org_name = line.split("\t")
        assert role.isascii() and org_code and org_name
        roles_seen.add(role)
    assert roles_seen == {r.code for r in ROLE_DEFINITIONS}
    assert sum(1 for l in lines if l.split("\t")[1] == "enterprise") >= 2
    assert sum(1 for l in lines if l.split("\t")[1] == "county") >= 2
    with app.app_context():
        assert db.session.scalar(select(func.count(Retiree.id))) == before  # nothing added twice
        assert len(_demo_retirees(db.session)) == 965
        db.session.remove()


def test_seed_demands_a_password(runner, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "password" in result.output.lower()

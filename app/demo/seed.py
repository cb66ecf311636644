"""`flask seed-demo`: a deterministic, idempotent demo of the whole city.

965 retirees (809 in region, 156 out of region, as the policy counts them), with valid synthetic resident
ID numbers (Shannan area codes), names in both scripts, and one account per role and scope.
"""
import datetime
import random

from sqlalchemy import func, select

from app.demo import data
from app.extensions import appbuilder, db
from app.org.models import Organization, OrgKind
from app import tibetan
from app.retirees import idcard
from app.retirees import services
from app.retirees.codes import SYSTEM, Category, PensionSource
from app.retirees.models import Retiree
from app.retirees.services import RetireeDraft
from app.security.scope import as_system

IN_REGION = 809
OUT_REGION = 156
SURVEY_DATE = datetime.date(2020, 6, 30)


def _org(code, kind, zh, bo, parent=None, **extra):
    org = db.session.scalars(select(Organization).where(Organization.code == code)).first()
    if org is None:
        org = Organization(code=code, kind=kind, name_zh=zh, name_bo=bo, parent=parent, **extra)
        db.session.add(org)
        db.session.flush()
    return org


def seed_orgs():
    city = _org(data.CITY[0], OrgKind.CITY, data.CITY[1], data.CITY[2])
    counties = {}
    for code, zh, bo, town_zh, town_bo in data.COUNTIES:
        county = counties[code] = _org(code, OrgKind.COUNTY, zh, bo, city)
        town = _org(f"{code}-01", OrgKind.TOWNSHIP, town_zh, town_bo, county)
        for suffix, c_zh, c_bo in data.COMMUNITY_SUFFIXES:
            _org(f"{code}-01-{suffix}", OrgKind.COMMUNITY, f"{town_zh}{c_zh}",
                 tibetan.compose(town_bo) + c_bo, town)
    for code, zh, bo, _role in data.DEPARTMENTS:
        _org(code, OrgKind.DEPARTMENT, zh, bo, city)
    for code, zh, bo in data.LIAISON_OFFICES:
        _org(code, OrgKind.LIAISON, zh, bo, city)
    sasac = db.session.scalars(select(Organization).where(Organization.code == "5405-GZW")).one()
    for code, zh, bo, level, county_code, _weight in data.ENTERPRISES:
        _org(code, OrgKind.ENTERPRISE, zh, bo, city, ownership_level=level,
             supervising_dept=sasac, location_county=counties[county_code])
    return city


def _name(rng, male, tibetan):
    if tibetan:
        first = rng.choice(data.TIBETAN_FIRST)
        second = rng.choice(data.TIBETAN_MALE if male else data.TIBETAN_FEMALE)
        return first[0] + second[0], first[1] + second[1]
    surname = rng.choice(data.HAN_SURNAMES)
    given = rng.choice(data.HAN_MALE if male else data.HAN_FEMALE)
    return surname[0] + given[0], surname[1] + given[1]


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def generate_retirees(rng, enterprises, counties, towns, communities, liaisons):
    """Yield dicts of column values; deterministic for a given rng seed."""
    weights = [e[5] for e in data.ENTERPRISES]
    county_codes = [c[0] for c in data.COUNTIES]
    used = set()
    lixiu_left = 5
    for i in range(IN_REGION + OUT_REGION):
        out_region = i >= IN_REGION
        ent_code = rng.choices([e[0] for e in data.ENTERPRISES], weights)[0]
        ent = enterprises[ent_code]
        male = rng.random() < 0.56
        roll = rng.random()
        ethnicity = "tibetan" if roll < 0.83 else "han" if roll < 0.97 else "monba" if roll < 0.99 else "hui"
        zh, bo = _name(rng, male, ethnicity != "han")
        lixiu = lixiu_left > 0 and i % 150 == 7
        if lixiu:
            lixiu_left -= 1
            born = datetime.date(rng.randint(1926, 1932), rng.randint(1, 12), rng.randint(1, 28))
            retired = _add_years(born, 60 if male else 55)
        else:
            age = (60 if male else 55) if rng.random() < 0.6 else (55 if male else 50)
            latest_birth_year = SURVEY_DATE.year - age - 1
            born = datetime.date(rng.randint(latest_birth_year - 25, latest_birth_year), rng.randint(1, 12),
                                 rng.randint(1, 28))
            retired = _add_years(born, age) + datetime.timedelta(days=rng.randint(0, 40))
        insured = ent.location_county if rng.random() < 0.7 else counties[rng.choice(county_codes)]
        birth_region = insured.code if rng.random() < 0.8 else rng.choice(county_codes)
        seq = i % 1000
        number = idcard.make(birth_region, born, seq, male)
        while number in used:
            seq += 2
            number = idcard.make(birth_region, born, seq, male)
        used.add(number)
        party = rng.random() < 0.38
        deceased = not lixiu and rng.random() < 0.012
        row = dict(
            enterprise=ent, name_zh=zh, name_bo=bo, gender="M" if male else "F", ethnicity=ethnicity,
            resident_id=number, birth_date=born, retirement_date=retired,
            category=Category.OUT_REGION if out_region else Category.IN_REGION,
            insured_county=insured, is_lixiu=lixiu, party_member=party or lixiu,
            leader_cadre=party and rng.random() < 0.11,
            special_unit=ent.ownership_level == "central" and rng.random() < 0.1,
            pension_source=PensionSource.FISCAL if rng.random() < 0.06 else PensionSource.BASIC_INSURANCE,
            medical_local=rng.random() < 0.85, deceased=deceased,
            death_date=retired + datetime.timedelta(days=rng.randint(200, 2000)) if deceased else None,
        )
        if row["death_date"] and row["death_date"] > SURVEY_DATE:
            row["death_date"] = SURVEY_DATE - datetime.timedelta(days=rng.randint(1, 300))
        if out_region:
            row["liaison_office"] = rng.choice(liaisons)
            row["registered_residence"] = row["actual_residence"] = "四川省成都市" if rng.random() < 0.6 else "青海省西宁市"
        else:
            row["receiving_county"] = insured
            town = towns[insured.code]
            row["registered_residence"] = f"{insured.name_zh}{town.name_zh}"
            row["actual_residence"] = row["registered_residence"]
            if rng.random() < 0.5:
                row["receiving_township"] = town
                row["receiving_community"] = rng.choice(communities[town.code])
        yield row


def seed_retirees():
    rng = random.Random(20200630)
    orgs = db.session.scalars(select(Organization)).all()
    by_code = {o.code: o for o in orgs}
    enterprises = {o.code: o for o in orgs if o.kind == OrgKind.ENTERPRISE}
    counties = {o.code: o for o in orgs if o.kind == OrgKind.COUNTY}
    towns = {c: by_code[f"{c}-01"] for c in counties}
    communities = {t.code: [o for o in orgs if o.parent_id == t.id] for t in towns.values()}
    liaisons = [by_code[code] for code, _, _ in data.LIAISON_OFFICES]
    existing = set(db.session.scalars(select(Retiree.resident_id)).all())
    rows = [row for row in generate_retirees(rng, enterprises, counties, towns, communities, liaisons)
            if row["resident_id"] not in existing]
    create_retirees(rows)
    return len(rows)


def create_retirees(rows):
    """The demo's retirees (dicts of column values and units) through the ledger's write service in its
    batched form, acting as the system: the same rows, dependent rows and audit rows as any other path."""
    with as_system("cli:seed-demo"):
        return services.create_many(None, [RetireeDraft(**row) for row in rows], side=SYSTEM)


def seed_accounts(password):
    sm = appbuilder.sm
    accounts = []
    for username, role_code, org_code in data.ACCOUNTS:
        org = db.session.scalars(select(Organization).where(Organization.code == org_code)).one()
        user = sm.find_user(username=username)
        if user is None:
            role = sm.find_role(role_code)
            if role is None:
                raise RuntimeError(f"role {role_code} missing: run `flask sync-roles` first")
            user = sm.add_user(username, username, "演示", f"{username}@demo.shannan.local", role, password)
            user.org_id = org.id
        accounts.append((username, role_code, org.code, org.name_zh))
    db.session.commit()
    return accounts


def seed_demo(password, if_empty=False):
    from app.demo.handover import seed_handover
    from app.workplan.demo import seed_demo_workplan
    from app.monthly.demo import seed_demo_monthly
    from app.supervision.demo import seed_demo_items
    from app.plans.demo import seed_demo_plans
    from app.demo.money import seed_demo_money
    from app.notices.demo import seed_demo_notices

    if if_empty and db.session.scalar(select(func.count(Retiree.id))):
        accounts = seed_accounts(password)
        seed_handover()
        seed_demo_workplan()
        seed_demo_monthly()
        seed_demo_items()
        seed_demo_plans()
        seed_demo_money()
        seed_demo_notices()
        return accounts
    seed_orgs()
    seed_retirees()
    db.session.commit()
    accounts = seed_accounts(password)
    seed_handover()
    seed_demo_workplan()
    seed_demo_monthly()
    seed_demo_items()
    seed_demo_plans()
    seed_demo_money()
    seed_demo_notices()
    return accounts

"""Social-security linkage (policy 二(二), 四(二)) through HTTP: each fact recorded only by the department
responsible for it (form and REST), the others' fields shown but never overwritten, figures = the records."""
import datetime

from sqlalchemy import func, select

from app import clock
from app.benefits.models import BenefitLink
from app.extensions import db
from app.handover.models import HandoverCase
from app.retirees.models import PensionSource, Retiree
from tests.conftest import count_rows, session_csrf


def _read(app, fn):
    with app.app_context():
        value = fn(db.session)
        db.session.remove()
        return value


def _link(app, *where):
    return _read(app, lambda s: s.scalars(select(BenefitLink).where(*where).order_by(BenefitLink.id).limit(1)).one())


def _form(link, **changes):
    data = {f: getattr(link, f) for f in ("pension_confirmed_through", "injury_level", "injury_linked_on",
                                           "medical_from", "medical_to", "medical_transferred_on",
                                           "mutual_aid_channel", "fiscal_applied_on", "note")}
    data = {k: (v.isoformat() if isinstance(v, datetime.date) else ("" if v is None else v)) for k, v in data.items()}
    for flag in ("work_injury", "mutual_aid"):
        if getattr(link, flag):
            data[flag] = "y"
    data.update(changes)
    return data


def test_each_department_records_only_its_own_facts(app, as_user):
    link = _link(app, BenefitLink.medical_from.is_(None))
    medins, hrss = as_user("medins"), as_user("hrss")
    # the HR bureau cannot record a medical transfer, through the API either
    r = hrss.put(f"/api/v1/benefitlink/{link.id}", json={"medical_from": "某地"},
                 headers={"X-CSRFToken": session_csrf(hrss)})
    assert r.status_code == 422 and "medical_from" in r.get_json()["message"]
    # the medical insurance bureau cannot confirm pensions
    r = medins.put(f"/api/v1/benefitlink/{link.id}", json={"pension_confirmed_through": "2030-01-01"},
                   headers={"X-CSRFToken": session_csrf(medins)})
    assert r.status_code == 422
    after = _link(app, BenefitLink.id == link.id)
    assert (after.medical_from, after.pension_confirmed_through) == (None, link.pension_confirmed_through)


def test_the_form_never_overwrites_another_departments_fields(app, as_user):
    link = _link(app, BenefitLink.pension_confirmed_through.is_not(None))
    medins = as_user("medins")
    page = medins.get(f"/benefits/edit/{link.id}").get_data(as_text=True)
    field = page.split('name="pension_confirmed_through"')[0].rsplit("<input", 1)[1] + page.split(
        'name="pension_confirmed_through"')[1].split(">")[0]
    assert "disabled" in field
    # a tampered form that sends the HR field changes nothing of it; the bureau's own note is saved
    data = _form(link, pension_confirmed_through="2001-01-01", note="医保已核对")
    medins.post(f"/benefits/edit/{link.id}", data={"csrf_token": session_csrf(medins), **data})
    after = _link(app, BenefitLink.id == link.id)
    assert after.pension_confirmed_through == link.pension_confirmed_through and after.note == "医保已核对"


def test_fiscal_channel_only_for_fiscal_pensions_and_by_the_receiving_place(app, as_user):
    ordinary = _link(app, BenefitLink.retiree_id.in_(select(Retiree.id).where(
        Retiree.pension_source != PensionSource.FISCAL)), BenefitLink.receiving_county_id.is_not(None))
    county = as_user("county1")
    r = county.put(f"/api/v1/benefitlink/{ordinary.id}", json={"fiscal_applied_on": clock.today().isoformat()},
                   headers={"X-CSRFToken": session_csrf(county)})
    assert r.status_code in (404, 422)
    assert _link(app, BenefitLink.id == ordinary.id).fiscal_applied_on is None
    hrss = as_user("hrss")
    r = hrss.put(f"/api/v1/benefitlink/{ordinary.id}", json={"fiscal_applied_on": clock.today().isoformat()},
                 headers={"X-CSRFToken": session_csrf(hrss)})
    assert r.status_code == 422


def test_one_record_per_retiree_and_enterprises_see_none(app, as_user):
    link = _link(app, BenefitLink.id > 0)
    before = count_rows(app, BenefitLink)
    hrss = as_user("hrss")
    page = hrss.post("/benefits/add", data={"csrf_token": session_csrf(hrss), "retiree": link.retiree_id,
                                            "work_injury": "y", "injury_level": "5"}, follow_redirects=True)
    assert "已有衔接记录" in page.get_data(as_text=True) and count_rows(app, BenefitLink) == before
    assert as_user("enterprise1").get("/benefits/list/").status_code in (302, 403)


def test_overview_counts_the_departments_records(app, as_user):
    page = as_user("sasac").get("/benefits/overview/").get_data(as_text=True)
    previous_month = (clock.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)

    def counts(s):
        confirmed = s.scalar(select(func.count()).select_from(BenefitLink).where(
            BenefitLink.pension_confirmed_through >= previous_month))
        accepted = s.scalar(select(func.count()).select_from(Retiree).join(
            HandoverCase, HandoverCase.retiree_id == Retiree.id).where(HandoverCase.accepted_on.is_not(None),
                                                                      Retiree.deceased.is_(False)))
        return confirmed, accepted

    confirmed, accepted = _read(app, counts)
    row = page.split('id="row-pension"')[1].split("</tr>")[0]
    assert f">{confirmed}</td>" in row and f">{accepted}</td>" in row
    assert 0 < confirmed < accepted  # the demo has late confirmations

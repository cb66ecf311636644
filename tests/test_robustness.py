"""0 × 500 on malformed input (issue 11, "Robustness"), over every registered ModelView and REST API: ids beyond
64 bits, bad or deeply nested rison, unknown actions, non-object JSON bodies, negative paging, NUL bytes and
lone surrogates, oversized bodies and text. The same cases fail with a 500 (on SQLite or PostgreSQL) when
`app/security/input_guard.py` is switched off."""
import pytest
from flask_appbuilder import ModelRestApi, ModelView

from tests.conftest import count_rows

HUGE = str(2 ** 70)
BEYOND_32 = str(2 ** 31)  # keys are INTEGER columns: 32 bits on PostgreSQL (found by the fuzz run)
DEEP_RISON = "(a:" * 3000 + "1" + ")" * 3000


def _views(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelView)]


def _apis(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi)]


def _resources(app):
    return [f"/api/v1/{a.resource_name}" for a in _apis(app)]


def _bases(app):
    return [v.route_base for v in _views(app)]


@pytest.fixture(scope="module")
def sasac(app):
    from tests.conftest import login

    return login(app.test_client(), "sasac")


@pytest.fixture(scope="module")
def sysadmin(app):
    from tests.conftest import login

    return login(app.test_client(), "sysadmin")


def _assert_no_500(responses):
    bad = [(what, r.status_code) for what, r in responses if r.status_code >= 500]
    assert not bad, bad


@pytest.mark.parametrize("big", [HUGE, BEYOND_32])
def test_ids_beyond_the_key_range_are_not_found(app, sasac, sysadmin, big):
    HUGE = big  # noqa: N806
    answers = []
    for client in (sasac, sysadmin):
        for base in _bases(app):
            for route in ("show", "edit", "delete"):
                answers.append((f"{base}/{route}/{HUGE}", client.get(f"{base}/{route}/{HUGE}")))
            answers.append((f"{base}/list/?_flt_0_id={HUGE}", client.get(f"{base}/list/?_flt_0_id={HUGE}")))
        for res in _resources(app):
            answers.append((f"{res}/{HUGE}", client.get(f"{res}/{HUGE}")))
            answers.append((f"PUT {res}/{HUGE}", client.put(f"{res}/{HUGE}", json={"note": "x"})))
            q = f"(filters:!((col:id,opr:eq,value:{HUGE})))"
            answers.append((f"{res}/?q=", client.get(f"{res}/?q={q}")))
    _assert_no_500(answers)
    assert all(r.status_code in (400, 403, 404, 405) for _w, r in answers), [
        (w, r.status_code) for w, r in answers if r.status_code not in (400, 403, 404, 405)]


def test_related_filter_with_text_is_400(app, sasac):
    """A relation filter's value goes to the database as the key: text there was a 500 on PostgreSQL."""
    q = "(filters:!((col:enterprise,opr:rel_o_m,value:abc)))"
    answers = [(api.resource_name, sasac.get(f"/api/v1/{api.resource_name}/", query_string={"q": q}))
               for api in _apis(app) if "enterprise" in (api.search_columns or [])]
    assert answers
    assert all(r.status_code == 400 for _w, r in answers), [(w, r.status_code) for w, r in answers]
    assert sasac.get("/retirees/list/?_flt_0_enterprise=abc").status_code == 400


@pytest.mark.parametrize("q", ["(((broken", DEEP_RISON, "!(" * 2000, "(page:-1,page_size:-5)",
                               "(page:0,page_size:99999999999999999999999)", "(filters:!((col:name_zh,opr:ct,value:'a\x00b')))"])
def test_bad_rison_is_400(app, sasac, q):
    answers = [(res, sasac.get(f"{res}/", query_string={"q": q})) for res in _resources(app)]
    answers += [(res, sasac.get(f"{res}/_info", query_string={"q": q})) for res in _resources(app)]
    _assert_no_500(answers)
    assert all(r.status_code in (400, 403) for _w, r in answers), [(w, r.status_code) for w, r in answers]


def test_unknown_action_is_404_on_every_view(app, sasac, sysadmin):
    from tests.conftest import session_csrf

    answers = []
    for client in (sasac, sysadmin):
        token = session_csrf(client)
        for base in _bases(app):
            r = client.post(f"{base}/action_post", data={"action": "no_such_action", "rowid": ["1"],
                                                         "csrf_token": token})
            answers.append((base, r))
            answers.append((base + " GET", client.get(f"{base}/action/no_such_action/1")))
    _assert_no_500(answers)
    assert all(r.status_code in (403, 404, 405) for _w, r in answers), [(w, r.status_code) for w, r in answers]


@pytest.mark.parametrize("body", ["[1,2,3]", "null", "3", '"text"', "{bad json"])
def test_non_object_json_bodies_are_422(app, sasac, body):
    from app.extensions import db
    from app.retirees.models import Retiree

    with app.app_context():
        pk = db.session.query(Retiree.id).order_by(Retiree.id).first()[0]
        db.session.remove()
    answers = []
    for res in _resources(app):
        for method, url in (("POST", f"{res}/"), ("PUT", f"{res}/{pk}")):
            r = sasac.open(url, method=method, data=body, content_type="application/json")
            answers.append((f"{method} {url}", r))
    _assert_no_500(answers)
    assert all(r.status_code in (400, 403, 404, 405, 422) for _w, r in answers)
    r = sasac.put(f"/api/v1/retiree/{pk}", data=body, content_type="application/json")
    assert r.status_code in (400, 422)


@pytest.mark.parametrize("paging", ["page_{m}=-1", "psize_{m}=-5", "page_{m}=99999999999999999999",
                                    "psize_{m}=abc"])
def test_bad_paging_is_400(app, sasac, paging):
    answers = []
    for view in _views(app):
        query = paging.format(m=view.__class__.__name__)
        answers.append((view.route_base, sasac.get(f"{view.route_base}/list/?{query}")))
    _assert_no_500(answers)
    assert all(r.status_code in (400, 403, 404) for _w, r in answers), [(w, r.status_code) for w, r in answers]


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b"])
def test_nul_and_lone_surrogates_never_reach_the_database(app, as_user, text):
    from app.extensions import db
    from app.retirees.models import Retiree
    from tests.conftest import session_csrf

    c = as_user("enterprise1")
    with app.app_context():
        from app.org.models import Organization

        pk = db.session.query(Retiree.id).join(Organization, Retiree.enterprise_id == Organization.id).filter(
            Organization.code == "E-S02").order_by(Retiree.id).first()[0]
        note = db.session.get(Retiree, pk).note
        db.session.remove()
    import json

    body = json.dumps({"note": text})  # \u0000 and \ud800 escapes: valid JSON, unstorable text
    answers = [("PUT", c.put(f"/api/v1/retiree/{pk}", data=body, content_type="application/json"))]
    answers.append(("list", c.get("/retirees/list/", query_string={"_flt_3_name_zh": "a\x00b"})))
    answers.append(("form", c.post(f"/retirees/edit/{pk}", data={"note": "a\x00b", "csrf_token": session_csrf(c)})))
    _assert_no_500(answers)
    assert answers[0][1].status_code == 422
    assert answers[1][1].status_code == 400 and answers[2][1].status_code == 400
    with app.app_context():
        assert db.session.get(Retiree, pk).note == note
        db.session.remove()


def test_json_body_over_the_limit_is_413(app, as_user):
    c = as_user("enterprise1")
    limit = app.config["MAX_JSON_BODY_KB"] * 1024
    r = c.put("/api/v1/retiree/1", data='{"note": "' + "x" * (limit + 10) + '"}', content_type="application/json")
    assert r.status_code == 413


def test_api_text_longer_than_the_form_allows_is_422(app, as_user):
    """The form's note allows 500 characters; the API took a megabyte."""
    from app.extensions import db
    from app.org.models import Organization
    from app.retirees.models import Retiree

    with app.app_context():
        pk = db.session.query(Retiree.id).join(Organization, Retiree.enterprise_id == Organization.id).filter(
            Organization.code == "E-S02").order_by(Retiree.id).first()[0]
        db.session.remove()
    c = as_user("enterprise1")
    before = count_rows(app, Retiree, Retiree.note == "n" * 501)
    assert c.put(f"/api/v1/retiree/{pk}", json={"note": "n" * 501}).status_code == 422
    assert count_rows(app, Retiree, Retiree.note == "n" * 501) == before


def test_every_api_text_field_is_limited_like_its_form(app):
    """Generic: each String field of every REST add/edit schema has a Length no longer than the column, the
    forms' Length validators over the same model, and MAX_TEXT_CHARS."""
    from marshmallow import fields, validate
    from sqlalchemy import String
    from wtforms.validators import Length

    unlimited = []
    for api in _apis(app):
        table = api.datamodel.obj.__table__
        forms = [v for v in _views(app) if v.datamodel.obj is api.datamodel.obj]
        for schema in (api.add_model_schema, api.edit_model_schema):
            for name, field in schema.fields.items():
                if not isinstance(field, fields.String) or name not in table.columns:
                    continue
                column = table.columns[name]
                bound = app.config["MAX_TEXT_CHARS"]
                if isinstance(column.type, String) and column.type.length:
                    bound = min(bound, column.type.length)
                for view in forms:
                    for v in (view.validators_columns or {}).get(name, []):
                        if isinstance(v, Length) and v.max and v.max > 0:
                            bound = min(bound, v.max)
                maxes = [v.max for v in field.validators if isinstance(v, validate.Length) and v.max is not None]
                if not maxes or min(maxes) > bound:
                    unlimited.append((api.resource_name, name, maxes, bound))
    assert not unlimited, unlimited


def test_upload_on_a_full_disk_leaves_nothing(app, as_user, monkeypatch):
    """A full disk while writing the plan: an answer for the user, no partial file, no record."""
    import errno
    import io
    import os

    from app import uploads
    from app.plans.demo import minimal_pdf
    from app.plans.models import PlanVersion
    from tests.conftest import session_csrf

    calls = []

    def full_disk(fh, chunk):
        calls.append(len(chunk))
        fh.write(chunk[: len(chunk) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    from app import storage

    monkeypatch.setattr(storage, "_write_chunk", full_disk)
    folder = app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    files_before = sorted(os.listdir(folder))
    versions_before = count_rows(app, PlanVersion)
    c = as_user("enterprise1")
    r = c.post("/plans/upload", data={"csrf_token": session_csrf(c),
                                     "file": (io.BytesIO(minimal_pdf("full disk") * 50), "方案.pdf")},
               content_type="multipart/form-data", follow_redirects=True)
    assert r.status_code < 500
    assert calls, "the upload was not written through storage._write_chunk"
    assert "服务器" in r.get_data(as_text=True)  # the user is told the server could not store it
    assert sorted(os.listdir(folder)) == files_before
    assert count_rows(app, PlanVersion) == versions_before


def test_csv_cell_over_the_field_limit_is_a_message(app, as_user):
    """csv refuses a field over 131,072 characters with csv.Error: the importer says so instead of a 500."""
    from tests.test_roster import upload

    c = as_user("enterprise1")
    data = ("身份证号码,姓名,性别,备注\n110101195001011234,张三,男," + "备" * 140_000 + "\n").encode("utf-8")
    r = upload(c, app, data, filename="roster.csv")
    assert r.status_code < 500
    assert "太长" in r.get_data(as_text=True)


def test_duplicate_organisation_code_is_a_message(app, as_user):
    from app.org.models import Organization
    from tests.conftest import session_csrf

    c = as_user("sysadmin")
    before = count_rows(app, Organization)
    body = {"code": "E-S02", "kind": "enterprise", "name_zh": "重复", "name_bo": "བསྐྱར་ཟློས།"}
    r = c.post("/api/v1/org/", json=body)
    assert r.status_code == 422, r.get_data(as_text=True)
    text = r.get_data(as_text=True)
    assert "code" in r.get_json()["message"] and "UNIQUE" not in text and "duplicate key" not in text
    r = c.post("/orgs/add", data={**body, "csrf_token": session_csrf(c)}, follow_redirects=True)
    assert r.status_code == 200 and "已存在" in r.get_data(as_text=True)  # FAB's unique check on the form
    assert count_rows(app, Organization) == before


def test_an_object_where_a_related_id_belongs_is_422(app, as_user):
    """marshmallow-sqlalchemy turned {"enterprise": {...}} into Organization(**{...}): a TypeError, a 500."""
    from app.handover.models import HandoverBatch

    c = as_user("enterprise1")
    before = count_rows(app, HandoverBatch)
    r = c.post("/api/v1/handoverbatch/", json={"enterprise": {"name_zh": "x"}, "receiving_county": [1]})
    assert r.status_code == 422
    assert set(r.get_json()["message"]) == {"enterprise", "receiving_county"}
    assert count_rows(app, HandoverBatch) == before


def test_integer_fields_beyond_32_bits_are_422(app, as_user):
    """PostgreSQL's INTEGER is 32 bits: a number beyond it in a JSON body was a 500 there."""
    from app.archives.models import ArchiveTransfer
    from app.extensions import db
    from app.org.models import Organization

    with app.app_context():
        pk = db.session.query(ArchiveTransfer.id).join(
            Organization, ArchiveTransfer.enterprise_id == Organization.id).filter(
            Organization.code == "E-S02").order_by(ArchiveTransfer.id).first()[0]
        db.session.remove()
    r = as_user("enterprise1").put(f"/api/v1/archivetransfer/{pk}", json={"volumes": 2 ** 40})
    assert r.status_code == 422

"""Every related-field source is narrowed by the one scope (issue 11, "Scope everywhere", after NetBox's
`restrict_form_fields`): for every REST resource's `_info` (add and edit columns) and every ModelView's add,
edit and search form dropdowns registered with appbuilder, for each unit-level demo user, the ids offered are a
subset of the ids that user can list through some registered view or API (a user may always see themselves:
/users/userinfo/)."""
import prison
import pytest
from flask import g
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_login import login_user

from app.extensions import db

UNIT_USERS = ["enterprise1", "enterprise2", "county1", "county2", "township1", "community1"]


def _may(sm, view, method):
    perm = (getattr(view, "method_permission_name", None) or {}).get(method, method)
    return sm.has_access(f"can_{perm}", view.class_permission_name)


def _listable(app, user):
    """model -> ids the user can list through any registered list page or REST list (their own user row
    included), computed as the views compute them (their base filters)."""
    sm = app.appbuilder.sm
    out = {type(user): {str(user.id)}}
    for view in app.appbuilder.baseviews:
        if isinstance(view, ModelView):
            method = "list"
        elif isinstance(view, ModelRestApi):
            method = "get_list"
        else:
            continue
        if not _may(sm, view, method):
            continue
        _count, rows = view.datamodel.query(view.datamodel.get_filters().add_filter_list(view.base_filters or []))
        model = view.datamodel.obj
        out.setdefault(model, set()).update(str(view.datamodel.get_pk_value(r)) for r in rows)
    return out


def _offered_by_forms(app, user):
    """(view, form kind, field, related model, ids offered) for every dropdown of every ModelView form the
    user may open."""
    sm = app.appbuilder.sm
    for view in app.appbuilder.baseviews:
        if not isinstance(view, ModelView):
            continue
        for kind, method in (("add_form", "add"), ("edit_form", "edit"), ("search_form", "list")):
            if not _may(sm, view, method):
                continue
            form = getattr(view, kind)()
            for field in form:
                if isinstance(field, (QuerySelectField, QuerySelectMultipleField)):
                    model = view.datamodel.get_related_model(field.name)
                    ids = {str(pk) for pk, _obj in field._get_object_list()}
                    yield type(view).__name__, kind, field.name, model, ids


def _user(app, username):
    return app.appbuilder.sm.find_user(username=username)


@pytest.mark.parametrize("username", UNIT_USERS)
def test_form_dropdowns_offer_only_listable_rows(app, username):
    checked = 0
    with app.test_request_context("/"):
        user = _user(app, username)
        login_user(user)
        g.user = user
        listable = _listable(app, user)
        leaks = []
        for view, kind, field, model, ids in _offered_by_forms(app, user):
            checked += 1
            extra = ids - listable.get(model, set())
            if extra:
                leaks.append((view, kind, field, model.__name__, len(extra)))
        db.session.rollback()
    assert checked, "no form dropdown was examined"
    assert not leaks, leaks


def _info(client, resource):
    q = prison.dumps({"keys": ["add_columns", "edit_columns"]})
    return client.get(f"/api/v1/{resource}/_info?q={q}")


def _apis(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi)]


@pytest.mark.parametrize("username", UNIT_USERS)
def test_rest_info_offers_only_listable_rows(app, as_user, username):
    client = as_user(username)
    with app.test_request_context("/"):
        user = _user(app, username)
        login_user(user)
        g.user = user
        listable = _listable(app, user)
        models = {}
        for api in _apis(app):
            for col in set(api.add_columns or []) | set(api.edit_columns or []):
                if api.datamodel.is_relation(col):
                    models[(api.resource_name, col)] = api.datamodel.get_related_model(col)
        db.session.rollback()
    answered = 0
    leaks = []
    for api in _apis(app):
        r = _info(client, api.resource_name)
        if r.status_code in (401, 403):
            continue
        assert r.status_code == 200, (api.resource_name, r.status_code)
        answered += 1
        body = r.get_json()
        for entry in body.get("add_columns", []) + body.get("edit_columns", []):
            if "values" not in entry:
                continue
            model = models[(api.resource_name, entry["name"])]
            allowed = listable.get(model, set())
            ids = {str(v["id"]) for v in entry["values"]}
            if not ids <= allowed or entry["count"] > len(allowed):
                leaks.append((api.resource_name, entry["name"], entry["count"], len(allowed)))
    assert answered
    assert not leaks, leaks


def test_handover_search_offers_only_own_batches(app, as_user):
    """The issue's case: the handover list's search form offered every batch number in the city."""
    from sqlalchemy import select

    from app.handover.models import HandoverBatch
    from app.org.models import Organization

    with app.app_context():
        foreign = db.session.scalars(select(HandoverBatch).join(Organization, HandoverBatch.enterprise_id == Organization.id)
                                     .where(Organization.code != "E-S02")).first()
        db.session.remove()
    assert foreign is not None
    with app.test_request_context("/"):
        user = _user(app, "enterprise1")
        login_user(user)
        g.user = user
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "HandoverCaseModelView")
        ids = {int(pk) for pk, _o in view.search_form().batch._get_object_list()}
        db.session.rollback()
    assert ids and foreign.id not in ids


def test_a_write_cannot_link_a_row_outside_the_scope(app):
    """REST payloads load related ids without the dropdown filters; the write check refuses a foreign row."""
    from sqlalchemy import select

    from app.handover.models import HandoverBatch, HandoverCase
    from app.org.models import Organization
    from app.scoped_views import check_related
    from app.security.scope import ScopeError

    with app.test_request_context("/"):
        user = _user(app, "enterprise1")
        login_user(user)
        g.user = user
        case = db.session.scalars(select(HandoverCase).where(HandoverCase.enterprise_id.in_(
            select(Organization.id).where(Organization.code == "E-S02")))).first()
        own_batch = db.session.scalars(
            select(HandoverBatch).where(HandoverBatch.enterprise_id == case.enterprise_id)).first()
        foreign_batch = db.session.scalars(
            select(HandoverBatch).where(HandoverBatch.enterprise_id != case.enterprise_id)).first()
        case.batch = own_batch
        check_related(case)  # an own batch is fine
        case.batch = foreign_batch
        with pytest.raises(ScopeError):
            check_related(case)
        db.session.rollback()

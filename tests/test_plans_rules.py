"""The implementation-plan rules as plain functions: each fails if its rule breaks."""
from app.plans import rules
from app.plans.models import VersionStatus as S


def test_only_the_enterprise_itself_uploads():
    assert rules.upload_problem({"enterprise"}, 7, 7) is None
    assert rules.upload_problem({"enterprise"}, 8, 7) is not None  # another enterprise
    assert rules.upload_problem({"enterprise"}, None, 7) is not None  # a user without a unit
    assert rules.upload_problem({"sasac"}, 7, 7) is not None  # SASAC reviews, it does not upload
    assert rules.upload_problem({"county"}, 7, 7) is not None
    assert rules.edit_problem({"sasac"}, 1, 7) is not None
    assert rules.edit_problem({"enterprise"}, 7, 7) is None


def test_only_sasac_reviews_and_only_once():
    assert rules.review_problem({"sasac"}, S.SUBMITTED) is None
    for role in ("enterprise", "supervision", "leading_group", "county", "hrss"):
        assert rules.review_problem({role}, S.SUBMITTED) is not None, role
    for done in (S.APPROVED, S.RETURNED, S.SUPERSEDED):
        assert rules.review_problem({"sasac"}, done) is not None, done
    assert str(rules.review_problem({"sasac"}, S.SUPERSEDED)) != str(rules.review_problem({"sasac"}, S.APPROVED))


def test_returning_needs_a_comment():
    assert rules.return_comment_problem("") is not None
    assert rules.return_comment_problem("   \n ") is not None
    assert rules.return_comment_problem(None) is not None
    assert rules.return_comment_problem("x" * (rules.COMMENT_MAX + 1)) is not None
    assert rules.return_comment_problem("请补充时间安排") is None
    assert rules.note_problem("x" * (rules.NOTE_MAX + 1)) is not None
    assert rules.note_problem("") is None


def test_an_upload_replaces_only_the_waiting_version():
    assert rules.statuses_after_upload([S.SUBMITTED]) == [S.SUPERSEDED]
    assert rules.statuses_after_upload([S.RETURNED, S.APPROVED, S.SUPERSEDED]) == [
        S.RETURNED, S.APPROVED, S.SUPERSEDED]
    assert rules.statuses_after_upload([]) == []


def test_an_approved_plan_stays_in_force_while_a_revision_waits():
    assert rules.has_approved_plan([S.SUBMITTED, S.APPROVED])
    assert not rules.has_approved_plan([S.RETURNED, S.SUPERSEDED, S.SUBMITTED])
    assert not rules.has_approved_plan([])

"""The main pages of the app as each kind of user sees them, and helpers to read what a page shows."""
import re
from html.parser import HTMLParser

from sqlalchemy import select

from app.extensions import db
from app.org.models import Organization
from app.retirees.models import Retiree


def main_pages(app):
    """(username or None for anonymous, url) for every main page."""
    with app.app_context():
        retiree = db.session.scalars(select(Retiree).order_by(Retiree.id).limit(1)).one().id
        org = db.session.scalars(select(Organization).order_by(Organization.id).limit(1)).one().id
        from app.archives.models import ArchiveTransfer
        from app.handover.models import HandoverBatch, HandoverCase
        from app.party.models import PartyTransfer

        # an accepted case of county1's county (the demo's backlog has accepted cases in every county)
        case = db.session.scalars(select(HandoverCase).join(
            Organization, Organization.id == HandoverCase.receiving_county_id).where(
            HandoverCase.accepted_on.is_not(None), Organization.code == "540502")
            .order_by(HandoverCase.id).limit(1)).one().id
        draft = db.session.scalars(select(HandoverBatch).where(HandoverBatch.status == "draft")
                                   .order_by(HandoverBatch.id).limit(1)).one()
        submitted = db.session.scalars(select(HandoverBatch).join(
            Organization, Organization.id == HandoverBatch.receiving_county_id).where(
            HandoverBatch.status == "submitted", Organization.code.in_(("540502", "540522")))
            .order_by(HandoverBatch.id).limit(1)).one()
        draft_owner = "enterprise2" if draft.enterprise.code == "E-C03" else "enterprise1"
        receiver = "county1" if submitted.receiving_county.code == "540502" else "county2"
        draft, submitted = draft.id, submitted.id
        party = db.session.scalars(select(PartyTransfer).order_by(PartyTransfer.id).limit(1)).one().id
        archive = db.session.scalars(select(ArchiveTransfer).order_by(ArchiveTransfer.id).limit(1)).one().id
        from app.workplan.models import WorkTask

        county_task = db.session.scalars(select(WorkTask).join(Organization, Organization.id == WorkTask.lead_org_id)
                                         .where(Organization.code == "540502").limit(1)).one().id
        milestone = db.session.scalars(select(WorkTask).where(WorkTask.is_milestone.is_(True))
                                       .order_by(WorkTask.id).limit(1)).one().id
        from app.monthly.models import MonthlyReport

        reports = {(r.org.code, r.month): r.id for r in db.session.scalars(select(MonthlyReport))}
        from app.supervision.models import SupervisionItem, WorkContact

        def unit_item(code, status=None):
            query = select(SupervisionItem).join(Organization, Organization.id == SupervisionItem.unit_id).where(
                Organization.code == code)
            if status:
                query = query.where(SupervisionItem.status == status)
            return db.session.scalars(query.order_by(SupervisionItem.id).limit(1)).one().id

        item_opened = unit_item("E-S02")
        item_responded = unit_item("540502", "responded")
        item_unit = db.session.scalar(select(Organization.id).where(Organization.code == "E-C03"))
        own_contact = db.session.scalar(select(WorkContact.id).join(
            Organization, Organization.id == WorkContact.org_id).where(Organization.code == "E-S02"))
        from app.plans.models import ImplementationPlan

        plans = {p.enterprise.code: p.id for p in db.session.scalars(select(ImplementationPlan))}
        db.session.remove()
    return [
        (None, "/login/"),
        ("sasac", "/"),
        ("sasac", "/retirees/list/"),
        ("sasac", f"/retirees/show/{retiree}"),
        ("sasac", "/retirees/add"),
        ("sasac", f"/retirees/edit/{retiree}"),
        ("sasac", "/orgs/list/"),
        ("sasac", f"/orgs/show/{org}"),
        ("sasac", "/users/userinfo/"),
        ("sasac", "/resetmypassword/form"),
        ("sasac", "/no-such-page"),
        ("county1", "/"),
        ("county1", "/retirees/list/"),
        ("enterprise1", "/roster/"),
        ("sasac", "/roster/quality"),
        ("sasac", "/roster/quality?check=retired_young"),
        ("auditadmin", "/audit/list/"),
        ("sysadmin", "/users/list/"),
        ("sysadmin", "/users/add"),
        ("sysadmin", "/roles/list/"),
        ("sysadmin", "/orgs/add"),
        ("secadmin", "/permissions/list/"),
        ("county1", "/handover/list/"),
        ("county1", f"/handover/show/{case}"),
        ("sasac", "/batches/list/"),
        (draft_owner, f"/batches/show/{draft}"),
        (draft_owner, "/batches/add"),
        (receiver, f"/batches/show/{submitted}"),
        ("orgdept", "/party/list/"),
        ("orgdept", f"/party/show/{party}"),
        ("orgdept", f"/party/edit/{party}"),
        ("orgdept", "/party-stalled/list/"),
        ("archives", "/archives/list/"),
        ("archives", f"/archives/show/{archive}"),
        ("enterprise1", f"/archives/edit/{archive}"),
        ("sasac", "/handover-figures/"),
        ("enterprise1", "/handover-figures/"),
        ("sasac", "/tasks/list/"),
        ("sasac", "/tasks/add"),
        ("sasac", f"/tasks/show/{milestone}"),
        ("sasac", f"/tasks/edit/{milestone}"),
        ("county1", "/tasks/list/"),
        ("county1", f"/tasks/show/{county_task}"),
        ("sasac", "/tasks/ranking"),
        ("county1", "/inbox/"),
        ("sasac", "/monthly/"),
        ("sasac", "/monthly/?from=2020-07&to=2020-09"),
        ("county1", "/monthly/"),
        ("sasac", "/monthly-reports/list/"),
        ("sasac", f"/monthly-reports/show/{reports['5405-RSJ', '2020-09']}"),
        ("county1", f"/monthly-reports/show/{reports['540502', '2020-08']}"),
        ("county2", f"/monthly-reports/edit/{reports['540522', '2020-09']}"),
        ("supervision", "/items/list/"),
        ("supervision", "/items/add"),
        ("supervision", f"/items/show/{item_responded}"),
        ("enterprise1", f"/items/show/{item_opened}"),
        ("leader", "/accountability/list/"),
        ("leader", f"/accountability/unit/{item_unit}"),
        ("supervision", "/accountability/add"),
        ("sasac", "/contacts/units/"),
        ("enterprise1", "/contacts/units/"),
        ("sasac", "/contacts/list/"),
        ("enterprise1", f"/contacts/edit/{own_contact}"),
        ("sasac", "/leading-group/list/"),
        ("sasac", "/leading-group/add"),
        ("sasac", "/plans/overview/"),
        ("sasac", "/plans/overview/?status=not_approved"),
        ("sasac", "/plans/list/"),
        ("sasac", f"/plans/show/{plans['E-S01']}"),  # waiting: the review forms
        ("enterprise2", f"/plans/show/{plans['E-C03']}"),  # returned: the comment and the upload form
        ("enterprise1", "/plans/overview/"),
        ("enterprise1", f"/plans/edit/{plans['E-S02']}"),
    ]


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style"}
    VISIBLE_ATTRS = {"placeholder", "title", "alt", "aria-label"}

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in self.VISIBLE_ATTRS and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html):
    parser = _TextExtractor()
    parser.feed(html)
    return " ".join(parser.parts)


def english_words(html, allowed=()):
    """Latin-letter words a reader would see; codes, numbers, e-mails and allowed names are not words."""
    found = set()
    text = visible_text(html)
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\.(xlsx|csv|pdf|docx|doc|wps|png|jpg)\b", " ", text)  # file-type names are not English words
    text = re.sub(r"\b\d+(\.\d+)?\s*[KM]B\b", " ", text)  # nor are file sizes
    for token in text.split():
        token = token.strip("()[]{}.,:;!?'\"«»|/*-")
        if not re.search(r"[A-Za-z]{2,}", token):
            continue
        if re.search(r"\d", token) or "@" in token or token in allowed:
            continue
        found.add(token)
    return found


EXTERNAL_URL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//(?!127\.0\.0\.1|localhost)""",
                          re.I)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//)""", re.I)

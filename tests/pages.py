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

        case = db.session.scalars(select(HandoverCase).where(HandoverCase.accepted_on.is_not(None))
                                  .order_by(HandoverCase.id).limit(1)).one().id
        draft = db.session.scalars(select(HandoverBatch).where(HandoverBatch.status == "draft")
                                   .order_by(HandoverBatch.id).limit(1)).one()
        submitted = db.session.scalars(select(HandoverBatch).where(HandoverBatch.status == "submitted")
                                       .order_by(HandoverBatch.id).limit(1)).one()
        draft_owner = "enterprise2" if draft.enterprise.code == "E-C03" else "enterprise1"
        receiver = "county1" if submitted.receiving_county.code == "540502" else "county2"
        draft, submitted = draft.id, submitted.id
        party = db.session.scalars(select(PartyTransfer).order_by(PartyTransfer.id).limit(1)).one().id
        archive = db.session.scalars(select(ArchiveTransfer).order_by(ArchiveTransfer.id).limit(1)).one().id
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
    text = re.sub(r"\.(xlsx|csv|pdf|docx|png|jpg)\b", " ", text)  # file-type names are not English words
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

"""Demo implementation plans: a few enterprises with versions in every state (one approved after a
return, one returned, one waiting, one approved at once); the others have none, as the overview shows.
The files are small real PDFs stored through save_upload like any upload."""
import datetime
import io

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app import clock
from app.extensions import appbuilder, db
from app.org.models import Organization
from app.plans import services
from app.plans.models import ImplementationPlan


def minimal_pdf(*lines):
    """A small valid one-page PDF (Helvetica, ASCII text): enough for a file that opens in any viewer."""
    text = " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj 0 -20 Td" for line in lines)
    stream = f"BT /F1 14 Tf 72 760 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_upload(filename, *lines):
    return FileStorage(stream=io.BytesIO(minimal_pdf(*lines)), filename=filename, content_type="application/pdf")


def _org(code):
    return db.session.scalars(select(Organization).where(Organization.code == code)).one()


def _upload(enterprise, user, filename, on, note=""):
    with clock.frozen(on):
        return services.add_version(enterprise, pdf_upload(filename, f"Implementation plan {enterprise.code}",
                                                           on.isoformat()), note, user.id if user else None)


def seed_demo_plans():
    """Idempotent: does nothing once any plan exists."""
    if db.session.scalar(select(func.count(ImplementationPlan.id))):
        return 0
    sm = appbuilder.sm
    sasac = sm.find_user(username="sasac")
    users = {name: sm.find_user(username=name) for name in ("enterprise1", "enterprise2")}
    d = datetime.datetime

    # enterprise1 (山南市国有资产经营有限公司): returned once, the second version approved
    es02 = _org("E-S02")
    first = _upload(es02, users["enterprise1"], "山南市国有资产经营有限公司实施方案.pdf", d(2020, 6, 15, 10))
    with clock.frozen(d(2020, 6, 18, 16)):
        services.return_version(sasac, first, "请补充党组织关系转接和人事档案移交的时间安排。")
    second = _upload(es02, users["enterprise1"], "山南市国有资产经营有限公司实施方案（修改稿）.pdf",
                     d(2020, 6, 22, 9), "已按意见补充时间安排")
    with clock.frozen(d(2020, 6, 24, 11)):
        services.approve(sasac, second)

    # enterprise2 (国网山南供电公司): returned, waiting for a new version
    ec03 = _org("E-C03")
    returned = _upload(ec03, users["enterprise2"], "ལྷོ་ཁ་གློག་མཁོ་སྤྲོད་ཀུང་སིའི་ལག་བསྟར་འཆར་གཞི།.pdf",
                       d(2020, 6, 20, 15))
    with clock.frozen(d(2020, 6, 23, 10)):
        services.return_version(sasac, returned, "移交范围未列明离休人员的处理方式，请修改后重新上传。")

    # 山南市城市投资建设有限公司: waiting for review; 西藏天路山南分公司: approved at once
    _upload(_org("E-S01"), None, "城投公司退休人员社会化管理实施方案.pdf", d(2020, 6, 28, 17))
    approved = _upload(_org("E-R01"), None, "天路山南分公司实施方案.pdf", d(2020, 6, 10, 9))
    with clock.frozen(d(2020, 6, 12, 9)):
        services.approve(sasac, approved)
    db.session.commit()
    return db.session.scalar(select(func.count(ImplementationPlan.id)))

"""Organizations: the administrative tree, departments, enterprises and liaison offices.

One table holds every unit so that a user's scope is a subtree: `path` lists the codes from the city
down to the unit ("/5405/540521/"), and a scope is every unit whose path starts with the user's.
"""
from flask_appbuilder import Model
from flask_babel import get_locale, lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship


class OrgKind:
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    COMMUNITY = "community"
    DEPARTMENT = "department"
    ENTERPRISE = "enterprise"
    LIAISON = "liaison"

    LABELS = {
        CITY: _l("City"),
        COUNTY: _l("County/District"),
        TOWNSHIP: _l("Township/Street"),
        COMMUNITY: _l("Community"),
        DEPARTMENT: _l("Department"),
        ENTERPRISE: _l("Enterprise"),
        LIAISON: _l("Liaison office"),
    }
    # The administrative levels, from the top: a receiving place is one of these.
    ADMINISTRATIVE = (CITY, COUNTY, TOWNSHIP, COMMUNITY)


class OwnershipLevel:
    CENTRAL = "central"
    REGION = "region"
    CITY = "city"
    COUNTY = "county"

    LABELS = {
        CENTRAL: _l("Central unit in Tibet"),
        REGION: _l("Autonomous region"),
        CITY: _l("City"),
        COUNTY: _l("County/District"),
    }


class Organization(Model):
    __tablename__ = "org_unit"
    __audited__ = True  # units are security data too: every change and deletion is in the audit log
    __audit_ignore__ = ("path",)  # derived from code and parent

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    kind = Column(String(16), nullable=False, index=True)
    name_zh = Column(String(120), nullable=False)
    name_bo = Column(String(240), nullable=False)
    parent_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    path = Column(String(400), nullable=False, index=True, default="/")
    # Enterprises only.
    ownership_level = Column(String(16))
    supervising_dept_id = Column(Integer, ForeignKey("org_unit.id"))
    location_county_id = Column(Integer, ForeignKey("org_unit.id"))

    parent = relationship("Organization", remote_side=[id], foreign_keys=[parent_id])
    supervising_dept = relationship("Organization", remote_side=[id], foreign_keys=[supervising_dept_id])
    location_county = relationship("Organization", remote_side=[id], foreign_keys=[location_county_id])

    @property
    def name(self):
        locale = get_locale()
        if locale is not None and locale.language == "bo":
            return self.name_bo
        return self.name_zh

    def kind_label(self):
        return str(OrgKind.LABELS.get(self.kind, self.kind))

    def ownership_label(self):
        return str(OwnershipLevel.LABELS.get(self.ownership_level, "")) if self.ownership_level else ""

    def __str__(self):
        return self.name or self.code

    def __repr__(self):
        return f"<Organization {self.code}>"


def compute_path(mapper, connection, target):
    parent = target.parent
    target.path = f"{parent.path if parent is not None else '/'}{target.code}/"


def _validate(org):
    problems = {}
    if org.kind not in OrgKind.LABELS:
        problems["kind"] = [_l("Not a valid choice.")]
    if org.ownership_level and org.ownership_level not in OwnershipLevel.LABELS:
        problems["ownership_level"] = [_l("Not a valid choice.")]
    if org.ownership_level and org.kind != OrgKind.ENTERPRISE:
        problems["ownership_level"] = [_l("Only enterprises have an ownership level.")]
    return problems


Organization.__validator__ = staticmethod(_validate)

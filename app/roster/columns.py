"""The roster's columns: one spec serves the template, the import, the export and their headers."""
from dataclasses import dataclass, field

from flask_babel import force_locale, lazy_gettext as _l

from app.org.models import OrgKind
from app.retirees.models import Category, Ethnicity, Gender, PensionSource

TEXT, RESIDENT_ID, DATE, CHOICE, BOOL, ORG = "text", "resident_id", "date", "choice", "bool", "org"
YES_NO = {True: _l("Yes"), False: _l("No")}


@dataclass(frozen=True)
class Column:
    key: str  # Retiree attribute
    label: object  # lazy label (English source, translated)
    kind: str = TEXT
    required: bool = False
    choices: dict = field(default_factory=dict)  # code -> lazy label (CHOICE)
    org_kind: str = None  # ORG columns: which kind of unit
    max_length: int = None
    width: int = 14
    aliases: tuple = ()  # other headers seen on real sheets

    def header_in(self, lang):
        with force_locale(lang):
            return str(self.label)

    def header(self):
        """The template's header cell: Chinese above Tibetan."""
        return f"{self.header_in('zh')}\n{self.header_in('bo')}"


COLUMNS = (
    Column("name_zh", _l("Name (Chinese)"), required=True, max_length=60,
           aliases=("姓名", "姓名（汉文）", "汉文姓名", "中文姓名", "姓名(汉文)")),
    Column("name_bo", _l("Name (Tibetan)"), max_length=120, width=18,
           aliases=("姓名（藏文）", "藏文姓名", "藏文名", "姓名(藏文)")),
    Column("resident_id", _l("Resident ID number"), RESIDENT_ID, required=True, width=22,
           aliases=("身份证号", "身份证号码", "公民身份号码", "身份证")),
    Column("gender", _l("Gender"), CHOICE, required=True, choices=Gender.LABELS, width=8),
    Column("ethnicity", _l("Ethnicity"), CHOICE, required=True, choices=Ethnicity.LABELS, width=8),
    Column("birth_date", _l("Birth date"), DATE, required=True, width=12, aliases=("出生年月", "出生年月日")),
    Column("retirement_date", _l("Retirement date"), DATE, required=True, width=12,
           aliases=("退休时间", "退休年月")),
    Column("category", _l("Category"), CHOICE, required=True, choices=Category.LABELS, width=10,
           aliases=("类别", "安置类别", "区内区外")),
    Column("pension_source", _l("Pension source"), CHOICE, required=True, choices=PensionSource.LABELS, width=14),
    Column("insured_county", _l("Insured place"), ORG, org_kind=OrgKind.COUNTY, width=12),
    Column("registered_residence", _l("Registered residence"), max_length=200, width=20),
    Column("actual_residence", _l("Actual residence"), max_length=200, width=20),
    Column("receiving_county", _l("Receiving county/district"), ORG, org_kind=OrgKind.COUNTY, width=12),
    Column("liaison_office", _l("Liaison office"), ORG, org_kind=OrgKind.LIAISON, width=16),
    Column("party_member", _l("Party member"), BOOL, width=8),
    Column("leader_cadre", _l("Former leader cadre"), BOOL, width=8),
    Column("is_lixiu", _l("Retired before 1949 system (lixiu)"), BOOL, width=8),
    Column("special_unit", _l("Financial or central unit (special rules)"), BOOL, width=8),
    Column("medical_local", _l("Medical insurance under local management"), BOOL, width=8),
    Column("deceased", _l("Deceased"), BOOL, width=8),
    Column("death_date", _l("Date of death"), DATE, width=12),
    Column("note", _l("Note"), max_length=500, width=20),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}

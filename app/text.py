"""Values that exist in both languages (a unit's name, a task's title) and read in the current locale, so
that the bilingual PDF helper (`app.pdf.bilingual`) renders them like translated labels."""
from flask_babel import get_locale


class Bilingual:
    __slots__ = ("zh", "bo")

    def __init__(self, zh, bo=None):
        self.zh, self.bo = zh or "", bo or zh or ""

    @classmethod
    def of_org(cls, org):
        return cls(org.name_zh, org.name_bo) if org is not None else cls("")

    def __str__(self):
        locale = get_locale()
        return self.bo if locale is not None and locale.language == "bo" else self.zh

    def __html__(self):
        from markupsafe import escape

        return str(escape(str(self)))

    def __eq__(self, other):
        return isinstance(other, Bilingual) and (self.zh, self.bo) == (other.zh, other.bo)

    def __hash__(self):
        return hash((self.zh, self.bo))

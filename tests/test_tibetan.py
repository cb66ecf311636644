"""Tibetan composition (app/tibetan.py) on real names, the catalogs' use of it, one term per concept."""
import pathlib
import re
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from app import tibetan
from app.demo import data
from app.tibetan import bare, compose, ending, forms, forms_in

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


def _pairs(lang):
    for m in _catalog(lang):
        if m.id:
            yield (m.id if isinstance(m.id, str) else m.id[0]), (m.string if isinstance(m.string, str)
                                                                  else m.string[0])


# --- the function -------------------------------------------------------------------------------------------

COUNTY = {code: bo for code, _zh, bo, *_ in data.COUNTIES}
ENTERPRISE = {code: bo for code, _zh, bo, *_ in data.ENTERPRISES}


@pytest.mark.parametrize("name, gen, agt", [
    # units of the demo (every one ends in a shad, which goes)
    (COUNTY["540502"], "སྣེ་གདོང་ཆུས་ཀྱི་", "སྣེ་གདོང་ཆུས་ཀྱིས་"),          # suffix ས
    (COUNTY["540522"], "གོང་དཀར་རྫོང་གི་", "གོང་དཀར་རྫོང་གིས་"),            # "ང་།": tsheg and shad go
    (COUNTY["540530"], "མཚོ་སྣ་གྲོང་ཁྱེར་གྱི་", "མཚོ་སྣ་གྲོང་ཁྱེར་གྱིས་"),    # suffix ར
    (ENTERPRISE["E-S02"], "ལྷོ་ཁ་གྲོང་ཁྱེར་རྒྱལ་གཉེར་རྒྱུ་ནོར་བཀོལ་སྤྱོད་ཚད་ཡོད་ཀུང་སིའི་",
     "ལྷོ་ཁ་གྲོང་ཁྱེར་རྒྱལ་གཉེར་རྒྱུ་ནོར་བཀོལ་སྤྱོད་ཚད་ཡོད་ཀུང་སིས་"),     # vowel sign ི
    ("རྩེད་ཐང་གྲོང་རྡལ་སྡེ་ཁུལ་དང་པོ།", "རྩེད་ཐང་གྲོང་རྡལ་སྡེ་ཁུལ་དང་པོའི་", "རྩེད་ཐང་གྲོང་རྡལ་སྡེ་ཁུལ་དང་པོས་"),
    ("ཡིག་ཚགས་ཁང་།", "ཡིག་ཚགས་ཁང་གི་", "ཡིག་ཚགས་ཁང་གིས་"),
    # people of the demo (Tibetan and Han names in Tibetan script)
    ("ཚེ་རིང་རྡོ་རྗེ", "ཚེ་རིང་རྡོ་རྗེའི་", "ཚེ་རིང་རྡོ་རྗེས་"),
    ("བསོད་ནམས་བཀྲ་ཤིས", "བསོད་ནམས་བཀྲ་ཤིས་ཀྱི་", "བསོད་ནམས་བཀྲ་ཤིས་ཀྱིས་"),
    ("ཟླ་བ་སྒྲོལ་མ", "ཟླ་བ་སྒྲོལ་མའི་", "ཟླ་བ་སྒྲོལ་མས་"),               # open syllable, no vowel sign
    ("ཡེ་ཤེས་དབྱངས་ཅན", "ཡེ་ཤེས་དབྱངས་ཅན་གྱི་", "ཡེ་ཤེས་དབྱངས་ཅན་གྱིས་"),  # suffix ན
    ("པདྨ་དོན་གྲུབ", "པདྨ་དོན་གྲུབ་ཀྱི་", "པདྨ་དོན་གྲུབ་ཀྱིས་"),           # suffix བ
    ("ཉི་མ་ཆོས་སྒྲོན", "ཉི་མ་ཆོས་སྒྲོན་གྱི་", "ཉི་མ་ཆོས་སྒྲོན་གྱིས་"),
    ("ཕུར་བུ་དབང་འདུས", "ཕུར་བུ་དབང་འདུས་ཀྱི་", "ཕུར་བུ་དབང་འདུས་ཀྱིས་"),
    ("ཀྲང་ཅིང", "ཀྲང་ཅིང་གི་", "ཀྲང་ཅིང་གིས་"),
    ("ཝང་ཅན་གོ", "ཝང་ཅན་གོའི་", "ཝང་ཅན་གོས་"),
    ("སྐལ་བཟང་ཕུ་ཁྲིད", "སྐལ་བཟང་ཕུ་ཁྲིད་ཀྱི་", "སྐལ་བཟང་ཕུ་ཁྲིད་ཀྱིས་"),    # suffix ད
    ("ལྷག་པ་བདེ་སྐྱིད", "ལྷག་པ་བདེ་སྐྱིད་ཀྱི་", "ལྷག་པ་བདེ་སྐྱིད་ཀྱིས་"),
    ("མིག་དམར་ལྷ་མོ", "མིག་དམར་ལྷ་མོའི་", "མིག་དམར་ལྷ་མོས་"),
    # edge cases
    ("བཀྲ་ཤིས་", "བཀྲ་ཤིས་ཀྱི་", "བཀྲ་ཤིས་ཀྱིས་"),                         # a trailing tsheg
    ("བཀྲ་ཤིས། ", "བཀྲ་ཤིས་ཀྱི་", "བཀྲ་ཤིས་ཀྱིས་"),                         # shad and a space
    ("བཀའ", "བཀའི་", "བཀས་"),                                             # suffix འ
    ("ལྷ་ས", "ལྷ་སའི་", "ལྷ་སས་"),                                        # a lone ས is the root, not a suffix
    ("ལས་ཁུངས།", "ལས་ཁུངས་ཀྱི་", "ལས་ཁུངས་ཀྱིས་"),                         # secondary suffix ས after ང
    ("ཐབས", "ཐབས་ཀྱི་", "ཐབས་ཀྱིས་"),                                       # secondary suffix ས after བ
    ("དབང་ཕྱུག", "དབང་ཕྱུག་གི་", "དབང་ཕྱུག་གིས་"),                          # suffix ག, no shad by convention
    ("ཤང་གྲོང་རྡལ(ཁྲོམ་གཞུང་)", "ཤང་གྲོང་རྡལ(ཁྲོམ་གཞུང་)གི་", "ཤང་གྲོང་རྡལ(ཁྲོམ་གཞུང་)གིས་"),
    ("96", "96གི་", "96གིས་"),                                              # དགུ་བཅུ་གོ་དྲུག, as the press writes it
    ("10", "10ཡི་", "10ཡིས་"),                                              # བཅུ
    ("2020-07", "2020-07གྱི་", "2020-07གྱིས་"),                             # བདུན
    ("DB-2020-0003", "DB-2020-0003གྱི་", "DB-2020-0003གྱིས་"),             # གསུམ
    ("1000", "1000གི་", "1000གིས་"),                                        # སྟོང
])
def test_genitive_and_agentive_follow_the_last_letter(name, gen, agt):
    assert compose(name, "gen") == gen
    assert compose(name, "agt") == agt


@pytest.mark.parametrize("name, inside, loc", [
    ("སྣེ་གདོང་ཆུས།", "སྣེ་གདོང་ཆུས་", "སྣེ་གདོང་ཆུས་སུ་"),
    ("གོང་དཀར་རྫོང་།", "གོང་དཀར་རྫོང་", "གོང་དཀར་རྫོང་དུ་"),
    ("ལྷ་ས", "ལྷ་ས་", "ལྷ་སར་"),
    ("དབང་ཕྱུག", "དབང་ཕྱུག་", "དབང་ཕྱུག་ཏུ་"),
    ("བཀའ", "བཀའ་", "བཀར་"),
    ("2020-07", "2020-07", "2020-07དུ་"),
    ("张三", "张三 ", "张三 རུ་"),  # a name with no Tibetan form: the particle stands apart
])
def test_inside_a_sentence_and_la_don(name, inside, loc):
    assert compose(name, "in") == inside
    assert compose(name, "loc") == loc


def test_bare_and_ending():
    assert bare("གོང་དཀར་རྫོང་། ") == "གོང་དཀར་རྫོང"
    assert ending("ས") == ("V", True)
    assert ending("སྒྲོལ་མ།") == ("V", True)
    assert ending("བཀྲ་ཤིས") == ("ས", True)
    assert ending("(ཆུས)") == ("ས", False)
    with pytest.raises(ValueError):
        compose("ཀ", "instrumental")


def test_forms_are_plain_in_chinese_and_composed_in_tibetan(app):
    unit = {"zh": "乃东区", "bo": "སྣེ་གདོང་ཆུས།"}
    assert forms_in({"unit": unit}, "zh") == {f"unit{s}": "乃东区" for s in ("", "_in", "_gen", "_agt", "_loc")}
    bo = forms_in({"unit": unit}, "bo")
    assert bo["unit"] == "སྣེ་གདོང་ཆུས།" and bo["unit_gen"] == "སྣེ་གདོང་ཆུས་ཀྱི་"
    values = forms(unit=unit)
    with app.test_request_context():
        with force_locale("bo"):
            assert str(values["unit_agt"]) == "སྣེ་གདོང་ཆུས་ཀྱིས་"
        with force_locale("zh"):
            assert str(values["unit_agt"]) == "乃东区"


def test_handover_refusals_name_the_person_in_tibetan(app):
    """The batch refusals named the Chinese name inside Tibetan sentences; now the Tibetan one, composed."""
    from app.handover import rules

    retiree = SimpleNamespace(name_zh="次仁多吉", name_bo="ཚེ་རིང་རྡོ་རྗེ", is_lixiu=False, deceased=False)
    batch = SimpleNamespace(id=1, enterprise_id=1, receiving_county_id=1, liaison_office_id=None)
    cases = {
        "lixiu": (SimpleNamespace(**{**vars(retiree), "is_lixiu": True}), None),
        "deceased": (SimpleNamespace(**{**vars(retiree), "deceased": True}), None),
        "no case": (retiree, None),
        "other enterprise": (retiree, SimpleNamespace(enterprise_id=2)),
        "other batch": (retiree, SimpleNamespace(enterprise_id=1, batch_id=9)),
        "place": (retiree, SimpleNamespace(enterprise_id=1, batch_id=None, place_confirmed_on=None)),
        "other place": (retiree, SimpleNamespace(enterprise_id=1, batch_id=None, place_confirmed_on=1,
                                                 receiving_county_id=2, liaison_office_id=None)),
    }
    with app.test_request_context():
        for why, (person, case) in cases.items():
            message = rules.batch_member_problem(person, case, batch)
            with force_locale("bo"):
                text = str(message)
            assert "ཚེ་རིང་རྡོ་རྗེ" in text and "次仁" not in text, (why, text)
            assert not re.search(r"[།] ?(ཡི|ལ|ནི)", text), (why, text)
            with force_locale("zh"):
                assert "次仁多吉" in str(message), why
        community_case = SimpleNamespace(receiving_county_id=1, retiree=retiree)
        with force_locale("bo"):
            text = str(rules.acceptance_problem(community_case, None))
        assert text.startswith("ཚེ་རིང་རྡོ་རྗེ་ལ་"), text
        with force_locale("bo"):
            text = str(rules.batch_member_problem(retiree, cases["other place"][1], batch))
        assert text.startswith("ཚེ་རིང་རྡོ་རྗེའི་རྩིས་ལེན་ས་"), text


def test_a_stored_notice_composes_the_unit_for_its_reader(app):
    from app.notify import render
    from app.supervision.services import MSG_OVERDUE_OFFICE, MSG_RESPONDED
    from app.notify import msgid

    params = {"unit": {"zh": "乃东区", "bo": "སྣེ་གདོང་ཆུས།"}, "number": "DB-2026-0007", "deadline": "2026-11-30"}
    with app.test_request_context(), force_locale("bo"):
        assert render(msgid(MSG_RESPONDED), params, "bo").startswith("སྣེ་གདོང་ཆུས་ཀྱིས་ལྟ་ཞིབ་")
        assert render(msgid(MSG_OVERDUE_OFFICE), params, "bo").startswith("སྣེ་གདོང་ཆུས་ཀྱི་ལྟ་ཞིབ་")
    with app.test_request_context(), force_locale("zh"):
        assert render(msgid(MSG_RESPONDED), params, "zh").startswith("乃东区已回复")


# --- the catalogs ---------------------------------------------------------------------------------------------

# particles whose form depends on the last letter before them
VARIABLE = r"(?:ཀྱིས|གྱིས|གིས|ཡིས|ཀྱི|གྱི|གི|འི|ཡི|ཏུ|དུ|སུ|རུ|ཀྱང|ཡང|འང)"
# placeholders holding free text that may end in a shad (not codes, numbers or months)
FREE_TEXT = {"name", "unit", "enterprise", "user", "status", "old", "new", "other_name", "title", "value",
             "reason", "comment", "message", "column", "values", "allowed"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def particle_problems(text):
    problems = []
    for match in PLACEHOLDER.finditer(text):
        key, rest = match.group(1), text[match.end():]
        composed = re.search(r"_(in|gen|agt|loc)$", key)
        if not composed and re.match(r"\s*་?\s*" + VARIABLE + r"(?=[་།\s]|$)", rest):
            problems.append(f"a particle typed after %({key})s")
        if key in FREE_TEXT and re.match(r"\s*[\u0f40-\u0fbc]", rest):
            problems.append(f"Tibetan right after %({key})s, which keeps its closing shad")
        if key in FREE_TEXT and re.match(r"\s*\u0f0d", rest):
            problems.append(f"a shad after %({key})s, which brings its own (།།)")
    return problems


def test_the_particle_check_catches_hand_written_particles():
    assert particle_problems("%(unit)s ཡི་ལྟ་ཞིབ།")
    assert particle_problems("%(unit)s ཡིས་ལན་བཏབ།")
    assert particle_problems("%(month)sཡི་ཟླ་རེའི་སྙན་ཞུ།")
    assert particle_problems("%(name)s ལ་སྡེ་ཁུལ།")
    assert not particle_problems("%(unit_gen)sལྟ་ཞིབ།")
    assert not particle_problems("%(name_in)sལ་སྡེ་ཁུལ།")
    assert not particle_problems("ཡིག་རྟགས་%(n)sལས་བརྒལ་ཡོད།")
    assert particle_problems("འཕྲེད་སྟར་ཨང་%(row)s། %(column)s ། %(message)s")
    assert not particle_problems("འཕྲེད་སྟར་ཨང་%(row)s། %(column)s %(message)s")


def test_no_tibetan_message_places_a_particle_after_a_placeholder_by_hand():
    bad = {msgid: particle_problems(text) for msgid, text in _pairs("bo") if particle_problems(text)}
    assert not bad, bad


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_catalog_placeholders_are_those_of_the_msgid(lang):
    """Babel's own check (pybabel compile fails on it): a translation may only use the msgid's placeholders,
    so a composed form must be named in the msgid too."""
    errors = [(m.id, [str(e) for e in errs]) for m, errs in _catalog(lang).check()]
    assert not errors, errors[:5]


# --- one word per concept -------------------------------------------------------------------------------------

# (Chinese term in the zh translation, Tibetan term to use, variants that must not appear for it)
ONE_TERM = [
    ("角色", "སྤྱོད་མཁན་རིགས", ["ལས་འགན"]),
    ("任务", "ལས་འགན", []),
    ("环节", "བྱ་རིམ", ["གོ་རིམ"]),
    ("步骤", "བྱ་རིམ", ["གོ་རིམ"]),
    ("排名", "གྲལ་རིམ", ["གོ་རིམ"]),
    ("排序", "གོ་རིམ", []),
    ("领导小组", "ཚོགས་ཆུང", ["ཚོ་ཆུང"]),
    ("登录", "ཐོ་འཇུག", ["ནང་འཛུལ"]),
    ("期限", "དུས་བཅད", ["དུས་བཀག"]),
]
ANYWHERE = ["ཚོ་ཆུང", "ནང་འཛུལ", "དུས་བཀག"]  # never right in this catalog


def test_one_tibetan_term_per_concept():
    zh = dict(_pairs("zh"))
    bad = []
    for msgid, bo in _pairs("bo"):
        for word in ANYWHERE:
            if word in bo:
                bad.append((msgid, word))
        chinese = zh.get(msgid, "")
        for term, tibetan_word, variants in ONE_TERM:
            if term in chinese:
                required = variants and not (term == "登录" and "退出登录" in chinese)  # logout: ཐོ་འབུད
                if required and tibetan_word not in bo:
                    bad.append((msgid, f"{term} should be {tibetan_word}"))
                bad.extend((msgid, f"{term} as {v}") for v in variants if v in bo)
    assert not bad, bad[:20]


def test_glossary_records_the_terms():
    glossary = (ROOT / "translations" / "GLOSSARY.md").read_text(encoding="utf-8")
    for _term, word, variants in ONE_TERM:
        assert word in glossary
    assert "tibetan.py" in glossary


def test_demo_community_names_keep_the_tsheg(app):
    from sqlalchemy import select

    from app.extensions import db
    from app.org.models import Organization, OrgKind

    with app.app_context():
        names = db.session.scalars(select(Organization.name_bo).where(Organization.kind == OrgKind.COMMUNITY)).all()
    assert names
    for name in names:
        assert "རྡལསྡེ" not in name and "རྡལ་སྡེ་ཁུལ་" in name, name

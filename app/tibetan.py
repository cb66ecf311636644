"""Composing Tibetan at run time: a name (a person, a unit, a status, a month) inside a Tibetan sentence.

One function (`compose`) does it for every message:
- the name drops its closing shad (and a trailing tsheg): "ཀུང་སི།" → "ཀུང་སི";
- a case particle follows the name's last letter (its suffix, or its secondary suffix ས/ད):
  genitive ཀྱི after ད བ ས, གྱི after ན མ ར ལ, གི after ག ང, འི after a vowel or འ (ཡི when it cannot be
  attached, after a digit or a bracket); agentive ཀྱིས/གྱིས/གིས/ས(ཡིས) the same way; the la-don
  (dative/locative) ཏུ after ག བ, དུ after ང ད ན མ ར ལ, སུ after ས, ར after a vowel or འ (རུ detached);
- Arabic digits are read as Tibetan numbers (96 = དགུ་བཅུ་གོ་དྲུག → "96གི"), attached as official text does.

Messages name the case in the placeholder: a msgid writes `%(name_gen)s`, `%(unit_agt)s`, `%(name_in)s` (the
name followed by an invariant particle or a word: ལ ནི ནས ལས དང …), `%(name_loc)s`; `forms()` fills them.
In Chinese and English every form is the plain value, so one msgid serves all languages. A value may be a
`Bilingual`, a {"zh", "bo"} dict or a string: in Tibetan the Tibetan name is used when there is one.
"""
import re

CASES = ("in", "gen", "agt", "loc")
SHADS = "\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f14"  # ། ༎ ༏ ༐ ༑ ༒ ༔
TSHEGS = "\u0f0b\u0f0c"
TSHEG = "\u0f0b"
CLOSERS = ")]}）】」』》”’\"'»›"
SUFFIXES = set("གངདནབམའརལས")

_GEN = {"ད": "ཀྱི", "བ": "ཀྱི", "ས": "ཀྱི", "ན": "གྱི", "མ": "གྱི", "ར": "གྱི", "ལ": "གྱི", "ག": "གི", "ང": "གི"}
_AGT = {k: v + "ས" for k, v in _GEN.items()}
_LOC = {"ག": "ཏུ", "བ": "ཏུ", "ང": "དུ", "ད": "དུ", "ན": "དུ", "མ": "དུ", "ར": "དུ", "ལ": "དུ", "ས": "སུ"}
_DETACHED_VOWEL = {"gen": "ཡི", "agt": "ཡིས", "loc": "རུ"}

# The last syllable of a number as read in Tibetan: units, and the word for a round number.
_UNITS = {"1": "ག", "2": "ས", "3": "མ", "4": "V", "5": "V", "6": "ག", "7": "ན", "8": "ད", "9": "V"}
# 10 བཅུ, 100 བརྒྱ, 1000 སྟོང, 10 000 ཁྲི, 100 000 འབུམ, 1 000 000 ས་ཡ
_ROUND = ["V", "V", "ང", "V", "མ", "V"]


def _is_base(ch):
    return "\u0f40" <= ch <= "\u0f6c"


def _is_mark(ch):  # vowel signs and other marks that sit on a letter
    return "\u0f71" <= ch <= "\u0f87"


def _is_subjoined(ch):
    return "\u0f8d" <= ch <= "\u0fbc"


def _is_tibetan_letter(ch):
    return _is_base(ch) or _is_mark(ch) or _is_subjoined(ch)


def bare(text):
    """The name without its closing punctuation: trailing shads, tshegs and spaces ("ང་།" included)."""
    text = str(text or "").rstrip()
    while text and (text[-1] in SHADS or text[-1] in TSHEGS or text[-1].isspace()):
        text = text[:-1]
    return text


def _syllable_ending(syllable):
    """The letter a particle follows in one syllable: a suffix letter, or "V" (open syllable: a vowel sign,
    a stack with no suffix, or a letter that cannot be a suffix)."""
    if not syllable:
        return "V"
    last = syllable[-1]
    if not _is_base(last):
        return "V"  # a vowel sign or a subjoined letter closes the syllable
    has_vowel = any(_is_mark(c) for c in syllable[:-1])
    stacks = sum(1 for c in syllable if _is_base(c))
    if not has_vowel and stacks == 1:
        return "V"  # a single stack reads with its inherent a: ས, ཆ
    return last if last in SUFFIXES else "V"


def _number_ending(digits):
    digits = digits.lstrip("0") or "0"
    if digits == "0":
        return "V"  # ཀླད་ཀོར
    last = digits[-1]
    if last != "0":
        return _UNITS[last]
    zeros = len(digits) - len(digits.rstrip("0"))
    return _ROUND[min(zeros, len(_ROUND)) - 1]


def ending(text):
    """(letter, attached): the letter the particle follows ("V" for a vowel) and whether the name ends in a
    Tibetan letter (particles join it with a tsheg) or in something else (digits, brackets, other scripts)."""
    text = bare(text)
    core = bare(text.rstrip(CLOSERS))
    attached = core == text
    if not core:
        return "V", False
    last = core[-1]
    if _is_tibetan_letter(last):
        start = len(core)
        while start > 0 and _is_tibetan_letter(core[start - 1]):
            start -= 1
        return _syllable_ending(core[start:]), attached
    if last.isdigit() and last.isascii():
        return _number_ending(re.search(r"[0-9]+$", core).group()), False
    if "\u0f20" <= last <= "\u0f29":  # Tibetan digits
        digits = "".join(str(ord(c) - 0x0F20) for c in re.search(r"[\u0f20-\u0f29]+$", core).group())
        return _number_ending(digits), False
    return "V", False


def _joiner(text):
    """How what follows joins the name: a tsheg after a Tibetan letter, nothing after digits or brackets
    (ཟླ་7ཚེས་16), a space after other scripts."""
    last = text[-1:]
    if not last:
        return ""
    if _is_tibetan_letter(last):
        return TSHEG
    if last.isdigit() or last in CLOSERS or "\u0f20" <= last <= "\u0f29":
        return ""
    return " "


def compose(name, case="in"):
    """The name as it stands inside a Tibetan sentence, with the case particle its last letter takes, ready
    to be followed by the next word ("in": the name alone, e.g. before ལ ནི ནས ལས དང or a verb).

    >>> compose("ལྷོ་ཁ་གྲོང་ཁྱེར་སྣེ་གདོང་ཆུས།", "agt")
    'ལྷོ་ཁ་གྲོང་ཁྱེར་སྣེ་གདོང་ཆུས་ཀྱིས་'
    """
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}")
    text = bare(name)
    if not text:
        return ""
    if case == "in":
        return text + _joiner(text)
    letter, attached = ending(text)
    tibetan_end = _is_tibetan_letter(text[-1])
    if letter == "V" or letter == "འ":
        if not tibetan_end:
            return text + _joiner(text) + _DETACHED_VOWEL[case] + TSHEG
        if case == "gen":
            return text + ("ི" if letter == "འ" else "འི") + TSHEG
        if case == "agt":
            return (text[:-1] if letter == "འ" else text) + "ས" + TSHEG
        return (text[:-1] if letter == "འ" else text) + "ར" + TSHEG
    particle = {"gen": _GEN, "agt": _AGT, "loc": _LOC}[case][letter]
    return text + _joiner(text) + particle + TSHEG


def _pick(value, lang):
    """A value in the given language: a Bilingual, a {"zh", "bo"} dict or anything printable."""
    if isinstance(value, dict) and "zh" in value:
        return value.get(lang) or value.get("zh") or ""
    zh, bo = getattr(value, "zh", None), getattr(value, "bo", None)
    if zh is not None or bo is not None:
        return (bo or zh or "") if lang == "bo" else (zh or "")
    return "" if value is None else str(value)


def _current_lang():
    from flask_babel import get_locale

    try:
        locale = get_locale()
    except Exception:  # outside a request or app context
        locale = None
    return locale.language if locale is not None else "zh"


class Form:
    """One placeholder's value, read in the language current when it is printed (a lazy message shown
    later, a notice read by another user)."""

    __slots__ = ("value", "case")

    def __init__(self, value, case=None):
        self.value, self.case = value, case

    def in_lang(self, lang):
        text = _pick(self.value, lang)
        if lang != "bo" or self.case is None:
            return text
        return compose(text, self.case)

    def __str__(self):
        return self.in_lang(_current_lang())

    def __html__(self):
        from markupsafe import escape

        return str(escape(str(self)))


def forms(**values):
    """Every placeholder form of each value: `name`, `name_in`, `name_gen`, `name_agt`, `name_loc`."""
    out = {}
    for key, value in values.items():
        out[key] = Form(value)
        for case in CASES:
            out[f"{key}_{case}"] = Form(value, case)
    return out


def forms_in(values, lang):
    """The same, as plain strings in one language (a stored notice rendered for one reader)."""
    return {key: form.in_lang(lang) for key, form in forms(**values).items()}


def colon(label):
    """A label followed by its colon, except where the label ends in Tibetan: a shad (or a syllable that takes
    no shad) already closes it, and "།:" is never written. Works on text and on markup (Jinja filter `colon`)."""
    from markupsafe import Markup, escape

    html = Markup(label.__html__()) if hasattr(label, "__html__") else escape(label)
    return html if ends_tibetan(html) else html + Markup(":")


def ends_tibetan(text):
    text = re.sub(r"<[^>]*>", "", str(text or "")).rstrip()
    return bool(text) and "\u0f00" <= text[-1] <= "\u0fff"


def with_colon(label, sep=": "):
    """Plain-text label and separator: "label: " in Chinese, "label། " (no colon) after Tibetan."""
    label = str(label)
    return label + " " if ends_tibetan(label) else label + sep


def join_list(items, sep):
    """Join labels with a separator that may itself be a shad ("། " in Tibetan) without doubling it: an item
    that already ends in a shad takes only the space."""
    out = []
    items = [str(i) for i in items]
    for i, item in enumerate(items):
        out.append(item)
        if i < len(items) - 1:
            out.append(sep.lstrip("\u0f0d") if item.rstrip().endswith("\u0f0d") and sep.startswith("\u0f0d") else sep)
    return "".join(out)

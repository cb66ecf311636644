"""Build static/fonts/NotoSerifTibetan-Tibetan.woff2 from the shipped TTF: only the Tibetan block
(U+0F00–U+0FFF) and the marks it needs, WOFF2-compressed (fontTools + brotli, both pinned). The web pages use
it through @font-face with a matching unicode-range (static/css/app.css), so a browser downloads it only for a
page that shows Tibetan; PDFs keep embedding subsets of the TTF (app/pdf.py).

    .venv/bin/python scripts/make_tibetan_woff2.py      (prints the file's version hash for app.css)
"""
import hashlib
import pathlib

from fontTools import subset

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "static" / "fonts" / "NotoSerifTibetan-Regular.ttf"
TARGET = ROOT / "static" / "fonts" / "NotoSerifTibetan-Tibetan.woff2"
# the Tibetan block, the dotted circle shown with a lone vowel sign, the zero-width (non-)joiners, and the few
# other characters the font has (space, no-break space, hyphen, bar): the space makes it the "first available
# font" of a Tibetan page, so line boxes keep the Tibetan font's ascent and descent there (app.css)
UNICODES = list(range(0x0F00, 0x1000)) + [0x25CC, 0x200C, 0x200D, 0x20, 0xA0, 0x2D, 0x7C]


def build():
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # every OpenType feature: stacking Tibetan needs ccmp, abvs, blws, …
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # screens of today render without TrueType hints; saves a third of the size
    font = subset.load_font(str(SOURCE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    subset.save_font(font, str(TARGET), options)
    return hashlib.sha256(TARGET.read_bytes()).hexdigest()[:12]


if __name__ == "__main__":
    digest = build()
    print(f"{TARGET.relative_to(ROOT)}\t{TARGET.stat().st_size} bytes\tv={digest}")

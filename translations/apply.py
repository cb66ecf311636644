#!/usr/bin/env python3
"""Apply translations from JSON files to the zh and bo catalogs, then report what is still empty.

    .venv/bin/python translations/apply.py translations/pending/*.json

Each JSON file: {"zh": {"msgid": "译文", ...}, "bo": {"msgid": "བོད་ཡིག", ...}}. Streams developed apart keep
their new strings in such a file, so that catalogs are merged by msgid, never by hand-resolved conflicts.
Run translations/extract.sh first, so that the catalogs hold every msgid.
"""
import json
import pathlib
import sys

from babel.messages.pofile import read_po, write_po

ROOT = pathlib.Path(__file__).resolve().parent


def main(paths):
    table = {"zh": {}, "bo": {}}
    for path in paths:
        data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        for lang in table:
            table[lang].update(data.get(lang, {}))
    missing_any = False
    for lang, strings in table.items():
        po = ROOT / lang / "LC_MESSAGES" / "messages.po"
        with open(po, "rb") as fh:
            catalog = read_po(fh)
        missing = []
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in strings:
                message.string = strings[key] if isinstance(message.id, str) else (strings[key],)
                message.flags.discard("fuzzy")
            elif not (message.string if isinstance(message.string, str) else message.string[0]):
                missing.append(key)
        with open(po, "wb") as fh:
            write_po(fh, catalog, width=100)
        if missing:
            missing_any = True
            print(f"{lang}: {len(missing)} still untranslated, e.g. {missing[:5]}")
    return 1 if missing_any else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

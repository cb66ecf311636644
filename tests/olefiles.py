"""Minimal OLE2 compound files (CFB version 3, 512-byte sectors) for the upload tests: a Word 97–2003 style
document is a compound file with a "WordDocument" stream; macros live in a "Macros" storage. Streams are made
at least 4,096 bytes long, so they sit in regular sectors (no mini stream to build)."""
import struct

END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _entry(name, kind, start=END, size=0, child=NOSTREAM, right=NOSTREAM):
    raw = name.encode("utf-16-le") + b"\x00\x00"
    e = raw.ljust(64, b"\x00")
    e += struct.pack("<HBB", len(raw), kind, 1)
    e += struct.pack("<III", NOSTREAM, right, child)
    e += b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
    e += struct.pack("<IQ", start, size)
    assert len(e) == 128
    return e


def compound_file(streams=(("WordDocument", b"Word document body"),), storages=()):
    """bytes of a compound file holding `streams` [(name, data)] and empty `storages` [name]."""
    datas = [(name, data.ljust(4096, b"\x00")) for name, data in streams]
    sector = 2  # 0: FAT, 1: directory
    fat = [FATSECT, END]
    placed = []
    for name, data in datas:
        n = len(data) // 512 + (1 if len(data) % 512 else 0)
        placed.append((name, sector, len(data)))
        fat += [sector + i + 1 for i in range(n - 1)] + [END]
        sector += n
    names = [(n, 2, s, size) for n, s, size in placed] + [(n, 1, END, 0) for n in storages]
    assert len(names) <= 3, "one directory sector: root + 3 entries"
    entries = [_entry("Root Entry", 5, child=1 if names else NOSTREAM)]
    for i, (name, kind, start, size) in enumerate(names, start=1):
        entries.append(_entry(name, kind, start, size, right=i + 1 if i < len(names) else NOSTREAM))
    directory = b"".join(entries).ljust(512, b"\x00")
    fat_sector = struct.pack("<128I", *(fat + [FREE] * (128 - len(fat))))
    header = MAGIC + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
    header += struct.pack("<109I", 0, *([FREE] * 108))
    assert len(header) == 512
    body = b"".join(data.ljust(-(-len(data) // 512) * 512, b"\x00") for _n, data in datas)
    return header + fat_sector + directory + body


WORD_DOC = compound_file()
WORD_WITH_MACROS = compound_file(storages=("Macros",))
EXCEL_97 = compound_file(streams=(("Workbook", b"xls body"),))

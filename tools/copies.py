"""Write the top-level copies of files whose one source is inside addin/ (they ship in the wheel).

    python tools/copies.py           # rewrite the copies from their sources
    python tools/copies.py --check   # list the copies that differ; exit 1 if any

The copies exist for reading and for people who fetch one file (the VBA module to import by hand,
the default message templates); edit the source, never the copy.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (source folder, copy folder, file pattern), relative to the repository root.
COPIES = (
    ("addin/messages/defaults", "workbook_templates/messages", "*.j2"),
    ("addin/excel/vba", "macros", "*.bas"),
)


def plan(root: Path = ROOT) -> list[tuple[Path, Path | None]]:
    """(source, copy) for every file to write, and (stray copy, None) for a copy without a source."""
    out: list[tuple[Path, Path | None]] = []
    for src, dst, pattern in COPIES:
        sources = {p.name: p for p in (root / src).glob(pattern)}
        out += [(p, root / dst / name) for name, p in sorted(sources.items())]
        out += [(p, None) for p in sorted((root / dst).glob(pattern)) if p.name not in sources]
    return out


def differences(root: Path = ROOT) -> list[str]:
    """The copies that are missing, differ from their source, or have no source, as repository paths."""
    bad = []
    for src, dst in plan(root):
        if dst is None:
            bad.append(f"{src.relative_to(root)} (no source)")
        elif not dst.exists() or dst.read_bytes() != src.read_bytes():
            bad.append(str(dst.relative_to(root)))
    return bad


def write(root: Path = ROOT) -> list[str]:
    """Bring every copy in line with its source; returns what changed."""
    changed = differences(root)
    for src, dst in plan(root):
        if dst is None:
            src.unlink()                      # a copy whose source was deleted or renamed
        elif not dst.exists() or dst.read_bytes() != src.read_bytes():
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only list the copies that differ")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    if args.check:
        bad = differences(args.root)
        for line in bad:
            print(f"differs: {line}  (regenerate: python tools/copies.py)")
        return 1 if bad else 0
    for line in write(args.root):
        print(f"wrote: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

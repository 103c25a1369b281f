"""One source for the default templates and the VBA module: the copies at the top are generated.

addin/messages/defaults/*.j2 -> workbook_templates/messages/, addin/excel/vba/*.bas -> macros/, by
tools/copies.py (run it after editing a source).
"""
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "tools" / "copies.py"


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--check", "--root", str(root)],
                          capture_output=True, text=True)


def test_the_copies_in_this_checkout_equal_their_sources():
    result = check(REPO)
    assert result.returncode == 0, result.stdout


def test_check_names_an_edited_copy_and_a_stray_one_and_the_generator_repairs_both(tmp_path):
    for folder in ("addin/messages/defaults", "addin/excel/vba", "workbook_templates/messages", "macros"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    assert check(tmp_path).returncode == 0
    (tmp_path / "macros" / "AfterSales.bas").write_text("' edited here by mistake\n", encoding="ascii")
    (tmp_path / "workbook_templates" / "messages" / "old_kind.j2").write_text("旧模板", encoding="utf-8")
    (tmp_path / "workbook_templates" / "messages" / "review_bad.j2").unlink()
    result = check(tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "differs: workbook_templates/messages/review_bad.j2  (regenerate: python tools/copies.py)",
        "differs: workbook_templates/messages/old_kind.j2 (no source)  (regenerate: python tools/copies.py)",
        "differs: macros/AfterSales.bas  (regenerate: python tools/copies.py)"]
    subprocess.run([sys.executable, str(SCRIPT), "--root", str(tmp_path)], check=True, capture_output=True)
    assert check(tmp_path).returncode == 0
    assert (tmp_path / "macros" / "AfterSales.bas").read_bytes() == \
        (REPO / "addin" / "excel" / "vba" / "AfterSales.bas").read_bytes()
    assert not (tmp_path / "workbook_templates" / "messages" / "old_kind.j2").exists()

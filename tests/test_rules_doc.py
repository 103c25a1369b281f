"""docs/rules.md is written from the code's tables (addin.rulebook) and lists every rule id the code uses.

When a table changes, regenerate: python -m addin.rulebook > docs/rules.md
"""
import re
from pathlib import Path

from addin import rulebook
from addin.core import case, deadlines, freight, reason_families, reasons, stage, status
from addin.core.policy import PARAMS, SOURCES
from addin.messages import reviews, sms, vendor_templates
from addin.messages.lint import LINT_RULES

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "rules.md"
REGENERATE = "docs/rules.md is stale: python -m addin.rulebook > docs/rules.md"


def doc_ids() -> set[str]:
    """Every `code span` of the document, the way it names ids."""
    return set(re.findall(r"`([^`]+)`", DOC.read_text(encoding="utf-8")))


def test_the_document_is_what_the_generator_writes():
    assert DOC.read_text(encoding="utf-8") == rulebook.markdown(), REGENERATE


def test_every_id_of_the_code_tables_is_in_the_document():
    table_ids = {
        "policy": [p.id for p in PARAMS],
        "freight": [r.id for r in freight.FREIGHT_RULES],
        "deadlines": list(deadlines.DEADLINE_KINDS),
        "reasons": [r.id for r in reasons.REASON_RULES] + [f"RC-{code}" for code in case.REASONS],
        "sms kinds": [k.id for k in sms.KINDS],
        "promises": [pid for pid, *_ in sms.PROMISE_RULES],
        "variables": [f"${{{v.name}}}" for v in vendor_templates.VARIABLES] + list(vendor_templates.VAR_RULES),
        "routes": [*reviews.ROUTES, reviews.MANUAL],
        "cues": [cid for cid, *_ in reviews.NEGATIVE_CUES] + [sid for sid, *_ in reviews.SARCASM_RULES],
        "stages": list(stage.STAGES) + [r.id for rules in stage.STATUS_RULES.values() for r in rules]
                  + [r.id for r in stage.SHIPPED_RULES],
        "families": [f.id for f in reason_families.FAMILIES],
        "lint": [r.id for r in LINT_RULES],
    }
    ids = doc_ids()
    missing = {table: [i for i in names if i not in ids] for table, names in table_ids.items()}
    assert not any(missing.values()), (missing, REGENERATE)
    text = DOC.read_text(encoding="utf-8")
    assert all(f"| {sid} |" in text for sid in SOURCES)
    assert all(f"| {word} |" in text for word in status.STATUSES)


# Rule ids as the code cites them in its outputs: Finding("SMS-5", ...), Compensation(x, "JD-PP", ...),
# rule="COMP-REF", rule = f"COMP-{platform}".
CITATION = re.compile(r'Finding\(\s*"([A-Z][A-Za-z0-9.-]*)"|Compensation\([^,()]*,\s*"([A-Z][A-Z0-9-]*)"'
                      r'|\brule\s*=\s*"([A-Z][A-Z0-9.-]*)"')


def test_every_rule_id_the_code_cites_is_in_the_document():
    cited = set()
    for path in (REPO / "addin").rglob("*.py"):
        for match in CITATION.finditer(path.read_text(encoding="utf-8")):
            cited.add(next(g for g in match.groups() if g))
    assert {"SMS-5", "JD-PP", "COMP-REF", "MANUAL", "LAD-3", "F4"} <= cited      # the scan sees them
    cited |= {f"COMP-{p}" for p in case.PLATFORMS}                                # f"COMP-{platform}"
    missing = sorted(cited - doc_ids())
    assert not missing, f"cited in addin/ but not in docs/rules.md: {missing}; add them to addin.rulebook.CITED"


def test_every_row_of_the_rulebooks_own_list_is_still_cited_somewhere():
    """CITED must not keep ids the code no longer uses (a renamed check would leave a dead row)."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "addin").rglob("*.py")
                       if p.name != "rulebook.py")
    platform_ids = {f"COMP-{p}" for p in case.PLATFORMS}
    dead = [rid for rid, *_ in rulebook.CITED if rid not in platform_ids and f'"{rid}"' not in source]
    assert not dead, dead

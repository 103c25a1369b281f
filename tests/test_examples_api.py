"""rules.md §5 examples 1-33 through the public API: row values -> Case -> engine -> output columns."""
import pytest

from addin.core.engine import compute_cases
from addin.core.policy import DEFAULT_POLICY
from addin.workbook.sheets.case_rows import case_from_row, output_values
from tests.examples import EXAMPLES, check


@pytest.mark.parametrize("example_id, policy_raw, rows, expected", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example(example_id, policy_raw, rows, expected):
    policy, errors = DEFAULT_POLICY.with_raw(policy_raw)
    assert not errors
    parsed = [case_from_row(r) for r in rows]
    assert all(not p.problems for p in parsed), [p.problems for p in parsed]
    results = compute_cases([p.case for p in parsed], policy)
    for want, result in zip(expected, results):
        out = output_values(result)
        assert check(want, out) == [], out

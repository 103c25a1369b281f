"""Fixtures several test files share. (Shared functions and data are in tests/helpers/.)"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from addin.cli import main


@pytest.fixture(scope="session")
def new_book_master(tmp_path_factory) -> Path:
    """A book as `aftersales new-workbook` makes it, built once for the run; tests take copies."""
    path = tmp_path_factory.mktemp("new_book") / "master.xlsm"
    assert main(["new-workbook", str(path)]) == 0
    return path


@pytest.fixture
def new_book(new_book_master, tmp_path) -> Path:
    """A fresh copy of a `new-workbook` book, the test's own to change."""
    return Path(shutil.copy(new_book_master, tmp_path / "售后.xlsm"))

"""Fixtures several test files share. (Shared functions and data are in tests/helpers/.)"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
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


@pytest.fixture
def small_tmpfs():
    """small_tmpfs(size) -> a folder on a tmpfs of that size ("600k"), for disk-full tests (root on Linux
    only; skipped where it cannot be mounted); unmounted after the test."""
    mounts = []

    def mount(size: str) -> Path:
        if not sys.platform.startswith("linux") or os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root on Linux")
        folder = Path(tempfile.mkdtemp(prefix="aftersales-full-"))
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            folder.rmdir()
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
        mounts.append(folder)
        return folder

    yield mount
    for folder in mounts:
        subprocess.run(["umount", str(folder)], check=False)
        folder.rmdir()

"""The size limits `make lint` enforces (tools/sizes.py): what they catch, and that the list of today's
offenders can only shrink."""

from __future__ import annotations

import ast
from pathlib import Path

from tools.sizes import ALLOWED, ROOT, Offence, _function_lengths, complexity_offences, line_offences, problems


def test_the_code_is_within_its_sizes_but_for_the_listed_offenders() -> None:
    assert problems(line_offences(ROOT) + complexity_offences(ROOT), ALLOWED) == []


def test_a_new_offender_is_reported() -> None:
    big = Offence("lines", "bot/new.py", "", 401, 400)
    assert problems([big], {}) == ["bot/new.py: lines 401 > 400  (split it up; see tools/sizes.py)"]


def test_an_offender_that_was_fixed_must_leave_the_list() -> None:
    fixed = {("complexity", "handlers/cases.py", "register"): "listeners"}
    (problem,) = problems([], fixed)
    assert "handlers/cases.py:register" in problem and "remove it from ALLOWED" in problem


def test_functions_are_named_the_way_the_list_names_them() -> None:
    tree = ast.parse("class A:\n    def m(self):\n        def inner():\n            pass\ndef f():\n    pass\n")
    assert [name for name, _ in _function_lengths(tree)] == ["A.m", "A.m.inner", "f"]


def test_a_long_module_and_function_are_measured(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    package.mkdir()
    body = "\n".join(f"    x{n} = {n}" for n in range(61))
    (package / "long.py").write_text("def f():\n" + body + "\n" + "\n" * 340, encoding="utf-8")
    found = {str(o) for o in line_offences(tmp_path)}
    assert found == {"bot/long.py: lines 402 > 400", "bot/long.py:f: lines 62 > 60"}

"""Data flows one way: ``assortment`` never imports ``dashboard``, and the rule modules import
each other without cycles (the pipeline composes classify -> compliance -> actions)."""

from __future__ import annotations

import ast
from pathlib import Path

import assortment
from assortment import classify

PACKAGE = Path(assortment.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any level (functions and TYPE_CHECKING blocks too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call):  # importlib.import_module("dashboard...")
            for arg in node.args:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and (arg.value == "dashboard" or arg.value.startswith("dashboard."))
                ):
                    found.add(arg.value)
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_assortment_never_imports_dashboard():
    offenders = {
        _module_name(path): sorted(m for m in _imports(path) if m.split(".")[0] == "dashboard")
        for path in PACKAGE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_would_catch_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from dashboard import auth\n    import dashboard.app\n")
    assert {"dashboard", "dashboard.auth", "dashboard.app"} <= _imports(bad)


def test_classify_does_not_know_compliance_or_actions():
    imported = _imports(PACKAGE / "classify.py")
    for other in ("assortment.actions", "assortment.compliance", "assortment.pipeline"):
        assert not any(m == other or m.startswith(other + ".") for m in imported), other
    assert not hasattr(classify, "order_plan")


def test_rule_modules_have_no_import_cycle():
    rules = ("classify", "compliance", "actions", "pipeline", "rules_engine", "config")
    graph = {
        name: {
            m.split(".")[1]
            for m in _imports(PACKAGE / f"{name}.py")
            if m.startswith("assortment.") and m.split(".")[1] in rules
        }
        for name in rules
    }

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph[start]
        )

    assert [name for name in rules if reaches(name, name)] == []
    assert {"classify", "compliance", "actions"} <= graph["pipeline"]


# ---------------------------------------------------------------- SQL lives in sql/

_CONTROL = ("begin", "commit", "rollback", "checkpoint", "set ", "pragma")
# store.py's migration bookkeeping (the table that records migrations) is the one exception
_SQL_EXEMPT = {"store.py"}


def _sql_literals(path: Path) -> list[str]:
    """String literals passed straight to execute/sql/executescript in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "sql", "executescript", "query")
            and node.args
        ):
            arg = node.args[0]
            if isinstance(arg, ast.JoinedStr) or (
                isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ):
                text = arg.value if isinstance(arg, ast.Constant) else ast.unparse(arg)
                if not text.strip().lower().startswith(_CONTROL):
                    found.append(text)
    return found


def test_no_sql_statements_in_python_strings():
    files = [*PACKAGE.rglob("*.py"), *(PACKAGE.parent / "dashboard").rglob("*.py")]
    offenders = {
        str(path.relative_to(PACKAGE.parent)): _sql_literals(path)
        for path in files
        if path.name not in _SQL_EXEMPT
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_sql_file_opens_with_what_it_returns():
    sql = Path(__file__).resolve().parent.parent / "sql"
    for path in [
        *sql.glob("queries/*.sql"),
        *sql.glob("statements/*.sql"),
        *sql.glob("auth/*.sql"),
    ]:
        assert path.read_text("utf-8").startswith("--"), f"{path.name} has no header comment"

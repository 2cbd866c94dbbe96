"""Find code that writes a learner's deliverability state or creates Clearance rows (STYLE rule 16).

Pure logic over Python source (``ast``), used by tests/contacts/test_deliverability_ownership.py.
What counts as a write:

- assigning a deliverability attribute (``learner.soft_bounce_count = 0``, ``x.tags += …``) or
  ``setattr(x, "times_cleared", …)``;
- passing one as a keyword to ``update`` / ``create`` / ``bulk_create`` / a model constructor, or
  naming one in ``update_fields`` / ``update_fields_many`` / ``bulk_update``;
- ``status`` (sends, runs and jobs have one too) only when the receiver is a learner: the
  expression starts from ``Learner`` or a name containing "learner";
- creating Clearance rows: ``Clearance(…)``, ``Clearance.objects.create/bulk_create/…``,
  ``….clearances.create(…)``;
- raw SQL that updates or inserts into the learner or clearance tables.
"""

import ast
import re
from pathlib import Path

LEARNER_FIELDS = frozenset(
    {
        "status_reason",
        "status_since",
        "status_event_id",  # a plain id since 0.2 (no status_event relation to assign)
        "soft_bounce_count",
        "bounce_count",
        "last_bounce_category",
        "last_bounce_subtype",
        "last_bounced_at",
        "auto_replied_at",
        "times_cleared",
        "retry_at",
        "soft_suppressions",
        "last_opened_at",
        "last_clicked_at",
        "last_engaged_at",
        "tags",
        "on_resend_list",
    }
)
SHARED_FIELDS = frozenset({"status"})
_WRITING_METHODS = frozenset({"update", "create", "get_or_create", "update_or_create", "bulk_create"})
_FIELD_LIST_CALLS = frozenset({"update_fields_many", "bulk_update"})
_RAW_WRITE = re.compile(r"\b(UPDATE|INSERT\s+INTO)\s+\W?(contacts_learner|contacts_clearance)\b", re.IGNORECASE)
_RAW_TABLE = re.compile(r"\b(Learner|Clearance)\._meta\.db_table\b")


def _root(node: ast.AST) -> str:
    """The name an attribute / call chain starts from (``Learner.objects.filter(…).update`` → "Learner")."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else ""


# Models whose name holds "learner" but whose ``status`` is their own (an import job's progress).
NOT_LEARNERS = frozenset({"LearnerImport"})


def _is_learner(root: str) -> bool:
    return root not in NOT_LEARNERS and (root == "Learner" or "learner" in root.lower())


def _writes(name: str, root: str) -> bool:
    return name in LEARNER_FIELDS or (name in SHARED_FIELDS and _is_learner(root))


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [value for element in node.elts for value in _strings(element)]
    if isinstance(node, ast.Starred):
        return _strings(node.value)
    return []


def _targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    else:
        return []
    flat: list[ast.AST] = []
    for target in targets:
        flat.extend(target.elts if isinstance(target, ast.Tuple | ast.List) else [target])
    return flat


def _call_findings(node: ast.Call) -> list[str]:
    found = []
    func = node.func
    method = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    root = _root(func)
    if method in _WRITING_METHODS or method == "Learner":
        found += [f"{method}({kw.arg}=…)" for kw in node.keywords if kw.arg and _writes(kw.arg, root)]
    for kw in node.keywords:
        if kw.arg == "update_fields":
            found += [f"update_fields {name!r}" for name in _strings(kw.value) if _writes(name, root)]
    if method in _FIELD_LIST_CALLS:
        objects = _root(node.args[0]) if node.args else ""
        for arg in node.args[1:]:
            found += [f"{method} {name!r}" for name in _strings(arg) if _writes(name, objects)]
    if method == "setattr" and len(node.args) >= 2:
        found += [f"setattr {name!r}" for name in _strings(node.args[1]) if _writes(name, _root(node.args[0]))]
    clearance_root = root == "Clearance" or (isinstance(func, ast.Attribute) and _root_attr(func) == "clearances")
    if method == "Clearance" or (clearance_root and method in _WRITING_METHODS):
        found.append(f"Clearance rows written with {method}()")
    return found


def _root_attr(func: ast.Attribute) -> str:
    """The attribute a method is called on (``learner.clearances.create`` → "clearances")."""
    value = func.value
    return value.attr if isinstance(value, ast.Attribute) else ""


def _sql_findings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _RAW_WRITE.search(node.value):
        return ["raw SQL writing the learner or clearance table"]
    if isinstance(node, ast.JoinedStr):
        text = ast.unparse(node)
        if re.search(r"\b(UPDATE|INSERT\s+INTO)\b", text, re.IGNORECASE) and _RAW_TABLE.search(text):
            return ["raw SQL writing the learner or clearance table"]
    return []


def findings_in_source(source: str) -> list[tuple[int, str]]:
    """Return (line, what) for every write of a learner's deliverability state found in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        for target in _targets(node):
            if isinstance(target, ast.Attribute) and _writes(target.attr, _root(target.value)):
                found.append((getattr(node, "lineno", 0), f"assigns .{target.attr}"))
        if isinstance(node, ast.Call):
            found += [(getattr(node, "lineno", 0), what) for what in _call_findings(node)]
        found += [(getattr(node, "lineno", 0), what) for what in _sql_findings(node)]
    return sorted(set(found))


def findings_in_tree(root: Path, skip) -> dict[str, list[tuple[int, str]]]:
    """Scan every module under ``root`` for which ``skip(relative path)`` is false; return findings by path."""
    result = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if skip(relative):
            continue
        found = findings_in_source(path.read_text(encoding="utf-8"))
        if found:
            result[relative] = found
    return result

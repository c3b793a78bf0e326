"""Project-wide checks: lint and format clean, and an engine free of UI imports."""

import ast
import subprocess
import sys

from helpers import ROOT


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_lint_passes():
    r = _run(sys.executable, "-m", "ruff", "check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_is_applied():
    r = _run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_importing_the_engine_imports_no_ui_library():
    code = (
        "import sys, backprop, backprop.datasets, backprop.io\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly'))\n"
        "print(','.join(bad))"
    )
    r = _run(sys.executable, "-c", code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"backprop imported: {r.stdout.strip()}"


# Streamlit calls that render their text as Markdown (st.*, st.sidebar.*, a column's ...)
MARKDOWN_CALLS = {"error", "warning", "info", "success", "toast", "caption", "markdown", "write"}
# The app's own Markdown, written in this repository (no visitor text in it)
OWN_MARKDOWN = {"bug.description", "bug.symptom", "stage.equation", "SEVERITY_ICONS[f.severity]"}


def _unchecked_parts(node: ast.expr) -> list[ast.expr]:
    """The parts of a message that neither are literal text nor go through ``plain()``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return []
    if isinstance(node, ast.JoinedStr):
        return [p for v in node.values for p in _unchecked_parts(v)]
    if isinstance(node, ast.FormattedValue):
        return _unchecked_parts(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _unchecked_parts(node.left) + _unchecked_parts(node.right)
    if isinstance(node, ast.Call):
        f = node.func
        if (isinstance(f, ast.Name) and f.id == "plain") or (
            isinstance(f, ast.Attribute) and f.attr == "plain"
        ):
            return []
    return [] if ast.unparse(node) in OWN_MARKDOWN else [node]


def test_every_message_shows_outside_text_through_plain():
    """A message quoting anything but literal text escapes it with ``common.plain``, so a
    file name, CSV column or URL parameter never renders as a link, image or HTML."""
    bad = []
    files = sorted((ROOT / "backprop" / "ui").glob("*.py")) + sorted(
        (ROOT / "app_pages").glob("*.py")
    )
    for path in [*files, ROOT / "app.py", ROOT / "explorer.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MARKDOWN_CALLS
                and node.args
            ):
                continue
            for part in _unchecked_parts(node.args[0]):
                bad.append(f"{path.relative_to(ROOT)}:{part.lineno}: {ast.unparse(part)}")
    assert not bad, "messages with text not passed through plain():\n" + "\n".join(bad)

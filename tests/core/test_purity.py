"""core/ is pure Python: it never imports streamlit, directly or through another module."""

from __future__ import annotations

import ast
import os
import subprocess
import sys


def test_no_module_in_core_imports_streamlit(root):
    for path in sorted((root / "core").glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n == "streamlit" or n.startswith("streamlit.") for n in names), (
                f"{path.name} imports {names}"
            )


def test_importing_all_of_core_loads_no_streamlit(root):
    modules = sorted(p.stem for p in (root / "core").glob("*.py") if p.stem != "__main__")
    code = f"import sys\nfor m in {modules!r}: __import__('core.' + m)\nprint('streamlit' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""Write docs/supported-functions.md from the AD rule registry (a test checks it is current).

Run: .venv/bin/python tools/gen_supported_functions.py
"""
from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "supported-functions.md"


def render() -> str:
    from calcml.ad import nograd_functions, supported_functions

    lines = [
        "# NumPy functions calcml can differentiate",
        "",
        "Generated from the rule registry (`calcml/ad/rules.py`) by",
        "`tools/gen_supported_functions.py`; `tests/ad/test_docs.py` fails when it is stale.",
        "Each has a reverse-mode (VJP) and a forward-mode (JVP) rule, or is composed of",
        "functions that do. Any other NumPy function raises `UnsupportedOperationError`",
        "naming it.",
        "",
        f"## Differentiable ({len(supported_functions())})",
        "",
        *[f"- `{name}`" for name in supported_functions()],
        "",
        "Also: the operators `+ - * / ** @ %`, unary `-`, `abs()`, indexing (basic, fancy",
        "with repeats, boolean masks), `.T` and the array methods `sum mean prod max min",
        "var std cumsum dot clip ravel flatten squeeze reshape transpose swapaxes trace",
        "diagonal copy conj astype(float)`.",
        "",
        f"## Constant: zero derivative, plain result ({len(nograd_functions())})",
        "",
        *[f"- `{name}`" for name in nograd_functions()],
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    DOC.write_text(render())
    print(f"wrote {DOC}")

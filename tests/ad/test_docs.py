import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_supported_functions_doc_is_current():
    spec = importlib.util.spec_from_file_location(
        "gen", ROOT / "tools" / "gen_supported_functions.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (ROOT / "docs" / "supported-functions.md").read_text() == gen.render(), (
        "docs/supported-functions.md is stale: run tools/gen_supported_functions.py")

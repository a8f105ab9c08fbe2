"""Copy benchmarks/results/*.md into README.md, between the benchmark markers.

`make bench` runs this after the benchmarks (through run_all.py), so the README's tables
are always the last measured ones, never typed by hand. Each results file becomes a
section: its title as a heading, its tables as they are (sub-headings demoted).

Run alone: .venv/bin/python benchmarks/readme_tables.py
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
README = HERE.parent / "README.md"
START = "<!-- benchmark tables: written by benchmarks/readme_tables.py, do not edit -->"
END = "<!-- end of benchmark tables -->"
ORDER = ["ad", "optimize", "num", "mlp", "svc", "sensitivity", "parser_fuzz", "gpu"]


def section(path: Path) -> str:
    lines = path.read_text().strip().splitlines()
    out = []
    for line in lines:
        if line.startswith("#"):
            hashes, _, title = line.partition(" ")
            line = "#" * (len(hashes) + 2) + " " + title
        out.append(line)
    if not lines[0].startswith("#"):
        out.insert(0, f"### {path.stem}\n")
    out.append("")
    out.append(f"Source: [`benchmarks/results/{path.name}`](benchmarks/results/{path.name}), "
               f"written by `benchmarks/bench_{path.stem}.py`.")
    return "\n".join(out)


def render(results: Path = HERE / "results") -> str:
    files = {p.stem: p for p in results.glob("*.md")}
    names = [n for n in ORDER if n in files] + sorted(set(files) - set(ORDER))
    return "\n\n".join(section(files[n]) for n in names)


def update(readme: Path = README) -> bool:
    text = readme.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{readme}: the markers {START!r} and {END!r} are missing")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n\n{render()}\n\n{END}{tail}"
    changed = new != text
    readme.write_text(new)
    return changed


if __name__ == "__main__":
    print("README.md updated" if update() else "README.md already current")
    sys.exit(0)

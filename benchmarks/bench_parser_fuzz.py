"""Fuzzing the safe parser (issue 4): 100,000 inputs, zero escapes allowed.

An *escape* is any outcome of ``calcml.sym.parse`` other than a SymPy object or a
``ParseError`` (another exception, or a non-SymPy return value). Inputs come from five
seeded generators: random characters, random token soup (names, functions, numbers,
operators, Python syntax), mutations of valid expressions, random Python ASTs
(``ast.unparse``) and adversarial inputs (huge powers, deep nesting, long texts).
Times are per input; the baseline is Python's own ``ast.parse`` of the same text,
measured in the same run.

Run: .venv/bin/python benchmarks/bench_parser_fuzz.py [N]   (writes
benchmarks/results/parser_fuzz.md; N defaults to 100000)
"""
from __future__ import annotations

import ast
import random
import statistics
import sys
import time
from pathlib import Path

import sympy

from calcml.errors import ParseError
from calcml.sym import parse

RESULTS = Path(__file__).parent / "results"
CHARS = "xyzab0123456789.+-*/^()=<>, _[]'\"!@#$%&{}:;\\\nsincoexplgqrtmh"
TOKENS = ["x", "y", "z", "theta", "2", "3.5", "1e3", "0", "10", "pi", "e", "oo", "sin", "cos",
          "exp", "log", "ln", "sqrt", "abs", "sigmoid", "relu", "max", "min", "+", "-", "*",
          "/", "^", "**", "(", ")", "(", ")", ",", "=", "<=", ">=", "==", " ", "__import__",
          "lambda", ":", ".", "[", "]", "'os'", "for", "in", "if", "else", "not", "and"]
VALID = ["x^3 - 2x^2 + 1", "2x y, x^2 y", "sigmoid(x)(1 - sigmoid(x))", "a + 2b + c - 1 >= 0",
         "(x+1)(x-1)/(x^2+1)", "exp(-x^2/2)/sqrt(2pi)", "log(1 + e^x)", "max(x, 0) + relu(y)",
         "sin(x)cos(y) - tan(x y)", "x^2 + y^3"]


def gen_chars(rng: random.Random) -> str:
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(0, 40)))


def gen_tokens(rng: random.Random) -> str:
    return "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 25)))


def gen_mutation(rng: random.Random) -> str:
    s = list(rng.choice(VALID))
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        i = rng.randrange(len(s) + 1)
        if op < 0.4:
            s.insert(i, rng.choice(CHARS))
        elif op < 0.7 and s:
            del s[min(i, len(s) - 1)]
        elif s:
            s[min(i, len(s) - 1)] = rng.choice(CHARS)
    return "".join(s)


def _tree(rng: random.Random, depth: int) -> ast.expr:
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice([ast.Name(rng.choice(["x", "y", "sin", "__import__", "os", "e"])),
                           ast.Constant(rng.choice([0, 1, 2, 10 ** 6, 1.5, "s", True, None]))])
    kind = rng.randrange(8)
    sub = lambda: _tree(rng, depth - 1)  # noqa: E731
    if kind == 0:
        return ast.BinOp(sub(), rng.choice([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow,
                                            ast.Mod, ast.MatMult])(), sub())
    if kind == 1:
        return ast.UnaryOp(rng.choice([ast.USub, ast.Not, ast.Invert])(), sub())
    if kind == 2:
        return ast.Call(ast.Name(rng.choice(["sin", "exp", "max", "eval", "open"])),
                        [sub() for _ in range(rng.randint(0, 2))], [])
    if kind == 3:
        return ast.Attribute(sub(), rng.choice(["__class__", "real", "system"]))
    if kind == 4:
        return ast.Subscript(sub(), sub())
    if kind == 5:
        return ast.Compare(sub(), [rng.choice([ast.Eq, ast.LtE, ast.Is, ast.In])()], [sub()])
    if kind == 6:
        return ast.Lambda(ast.arguments([], [ast.arg("x")], None, [], [], None, []), sub())
    return ast.Tuple([sub() for _ in range(rng.randint(1, 3))])


def gen_ast(rng: random.Random) -> str:
    text = ast.unparse(ast.fix_missing_locations(ast.Expression(_tree(rng, 5))))
    return text.replace("**", "^") if rng.random() < 0.5 else text


def gen_adversarial(rng: random.Random) -> str:
    k = rng.randrange(8)
    n = rng.randint(1, 12_000)
    return [
        lambda: "9" + "^9" * rng.randint(1, 8),
        lambda: f"x^{rng.randint(1, 10 ** 9)}",
        lambda: "(" * n + "x" + ")" * n,
        lambda: "-" * n + "x",
        lambda: "x^" * (n // 2) + "x",
        lambda: "sin(" * (n // 4) + "x" + ")" * (n // 4),
        lambda: "+".join(["x"] * (n // 2)),
        lambda: str(rng.randint(1, 9)) * rng.randint(1, 300) + "^" + str(rng.randint(1, 2000)),
    ][k]()


#: generator -> share of the inputs (adversarial inputs are up to 10,000 characters long
#: and cost milliseconds each, so they get a smaller share to keep the run near a minute)
GENERATORS = {"random characters": (gen_chars, 0.24), "token soup": (gen_tokens, 0.24),
              "mutated valid": (gen_mutation, 0.24), "random AST": (gen_ast, 0.24),
              "adversarial": (gen_adversarial, 0.04)}


def run(total: int, seed: int = 0) -> tuple[str, int]:
    rng = random.Random(seed)
    rows, escapes, slowest, count = [], [], (0.0, ""), 0
    for name, (gen, share) in GENERATORS.items():
        times, base, ok, rejected = [], [], 0, 0
        before = len(escapes)
        per = round(total * share)
        count += per
        for _ in range(per):
            text = gen(rng)
            t0 = time.perf_counter()
            try:
                out = parse(text)
                if isinstance(out, (sympy.Basic, sympy.MatrixBase)):
                    ok += 1
                else:
                    escapes.append((text, f"returned {type(out).__name__}"))
            except ParseError:
                rejected += 1
            except BaseException as exc:  # noqa: BLE001 - that is what we count
                escapes.append((text, f"{type(exc).__name__}: {exc}"))
            dt = time.perf_counter() - t0
            times.append(dt)
            if dt > slowest[0]:
                slowest = (dt, text)
            t0 = time.perf_counter()
            try:
                ast.parse(text, mode="eval")
            except BaseException:  # noqa: BLE001 - baseline only
                pass
            base.append(time.perf_counter() - t0)
        ratio = statistics.median(times) / statistics.median(base)
        rows.append(f"| {name} | {per} | {ok} | {rejected} | {len(escapes) - before} | "
                    f"{statistics.median(times) * 1e6:.0f} | "
                    f"{sorted(times)[int(0.99 * len(times))] * 1e3:.2f} | "
                    f"{max(times) * 1e3:.1f} | {ratio:.1f} |")
        print(rows[-1], flush=True)
    shown = slowest[1] if len(slowest[1]) <= 60 else \
        f"{slowest[1][:40]!r}... ({len(slowest[1])} chars)"
    lines = [
        f"# Parser fuzzing ({count} inputs, seed {seed})", "",
        "| generator | inputs | parsed | ParseError | escapes | median µs | p99 ms | "
        "max ms | median / ast.parse |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows, "",
        f"**Escapes: {len(escapes)}** (anything but a SymPy object or ParseError).", "",
        f"Slowest input: {shown!s} in {slowest[0] * 1e3:.1f} ms.",
    ]
    for text, what in escapes[:10]:
        lines.append(f"- escape: {text[:80]!r} -> {what}")
    return "\n".join(lines) + "\n", len(escapes)


def main() -> int:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    t0 = time.perf_counter()
    table, n_escapes = run(total)
    table += f"\nTotal wall time {time.perf_counter() - t0:.1f} s (one core).\n"
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "parser_fuzz.md").write_text(table)
    return 1 if n_escapes else 0


if __name__ == "__main__":
    sys.exit(main())

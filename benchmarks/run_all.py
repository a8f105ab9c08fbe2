"""Run every benchmark script (bench_*.py) in its own process; each writes
benchmarks/results/<name>.md; then copy the results into README.md (readme_tables.py).
`make bench` calls this."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        print(f"--- {script.name}: exit {rc} in {time.perf_counter() - t0:.1f} s", flush=True)
        if rc:
            failed.append(script.name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}")
    sys.path.insert(0, str(HERE))
    import readme_tables
    readme_tables.update()
    print("README.md: benchmark tables copied from benchmarks/results/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

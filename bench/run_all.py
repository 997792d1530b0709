"""`make bench`: run every benchmark in bench/ in turn and print their figures.

Benchmarks that need PostgreSQL say so and are skipped when it is not reachable.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def postgres_up() -> bool:
    try:
        import psycopg

        psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
    except Exception:
        return False
    return True


def main() -> int:
    scripts = sorted(path for path in HERE.glob("bench_*.py"))
    failures = 0
    for script in scripts:
        print(f"\n== {script.name}", flush=True)
        needs_pg = "postgres_scratch" in script.read_text()
        if needs_pg and not postgres_up():
            print("skipped: PostgreSQL is not reachable on 127.0.0.1:5432")
            continue
        failures += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

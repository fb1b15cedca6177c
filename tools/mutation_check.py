#!/usr/bin/env python3
"""Issue 14's mutation measurement, standalone: print the per-row table.

Stages the valid configs (shared corpus and sample_configs, see
tests/mutation/bases.py), makes N single mutations with SEED
(tests/mutation/mutate.py), runs real `nginx -t` and nginxlint on each and
prints how many of nginx's rejections nginxlint reports at nginx's line,
row by row, and the false rejections (tests/mutation/judge.py).

    python tools/mutation_check.py [--n 400] [--seed 1] [--jobs 2] [--nginx /usr/sbin/nginx] [--details]

--details lists every mutant caught at the wrong line, missed, or falsely
rejected, with nginx's message. Needs nginx and openssl.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.mutation import bases, judge, mutate  # noqa: E402  (the repository first on the path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400, help="how many mutants (rows in turn)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="nginx -t processes at a time")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--details", action="store_true", help="list wrong lines, misses and false rejections")
    args = parser.parse_args()
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        certs = bases.make_certs(Path(folder), shutil.which("openssl") or "openssl")
        valid, skipped = judge.valid_bases(args.nginx, certs, args.jobs)
        mutants = mutate.generate(valid, args.n, args.seed)
        verdicts = judge.run(mutants, args.nginx, certs, args.jobs)
    print(f"bases: {len(valid)} valid configs; skipped {len(skipped)} that nginx -t refuses even staged:")
    for reason, count in bases.skipped(skipped):
        print(f"  {count:4}  {reason}")
    print()
    print("\n".join(judge.table(verdicts)))
    if args.details:
        print()
        print("\n".join(judge.details(verdicts)))
    print(f"\n{len(mutants)} mutants, seed {args.seed}, {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

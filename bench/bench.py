#!/usr/bin/env python3
"""Benchmark nginxlint against crossplane.parse, gixy-ng and gixy-next.

Answers issue 18's performance targets in one run. For two trees of N
generated site files (the bench's own, tree.py, and the team's standard one,
gen_tree.py) it times, as whole processes in paired rounds: `nginxlint check`
cold (--no-cache, when the flag exists), warm (cache on, after a run that
filled it) and with one site file edited before each run (the result cache
misses, the parse cache holds the rest; on a copy of the tree, so the warm
run stays warm), a bare crossplane.parse of the same tree (the floor:
nginxlint reads with crossplane's lexer, so the ratio shows what linting
adds), and gixy-ng and gixy-next, each from a throwaway venv of its own
(bench tree only). A one-file `nginxlint check` is paired with
`python -c "import crossplane, click, yaml"` to show what start-up costs
beyond importing the dependencies. Wall and CPU ratios are both reported:
on a shared machine CPU time is the steadier of the two.

This is a benchmark, not a test: it prints the target table with PASS/FAIL,
then the raw medians, and exits 0. It exits 1 when a tool did not read the
whole tree or failed, since the timings would then measure something else.

    python bench/bench.py [-n 1000 ...] [--runs 5] [--gixy-runs 3]
                          [--one-file-runs 20] [--no-gixy] [--venv-dir DIR]
                          [--out DIR] [--keep] [--markdown] [--gen-tree PATH]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import gixy_tools
import report
from measure import Command, measure_rounds
from report import COLD, CROSSPLANE, EDITED, IMPORTS, ONE_FILE, ONE_FILE_KEY, WARM, tree_key
from tree import generate_tree

# Every command runs with the repository root as working directory, so
# `python -m nginxlint` imports the working tree rather than an installed copy.
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10, 100, 1000, 2000)
LINTER_EXITS = (0, 1)  # 1: findings, which the generated tree has on purpose
# The team's tree generator, beside the repository (../shared/tools) in the
# team's layout; a worktree one level deeper finds it two levels up.
GEN_TREE_CANDIDATES = (REPO_ROOT.parent / "shared" / "tools" / "gen_tree.py",
                       REPO_ROOT.parent.parent / "shared" / "tools" / "gen_tree.py")


def log(message):
    """Progress on stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def has_no_cache_flag():
    """Whether this nginxlint has a result cache (and so --no-cache).

    The cache is being written in parallel with this benchmark; asking the
    CLI at run time lets one script measure trees with and without it.
    """
    proc = subprocess.run([sys.executable, "-m", "nginxlint", "check", "--help"],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    return "--no-cache" in proc.stdout


def nginxlint_command(path, cache_home, no_cache):
    """`nginxlint check` as users run it; JSON so the summary is parseable.

    XDG_CACHE_HOME points at a folder of this run, so warm runs hit a cache
    this benchmark filled, never the user's own.
    """
    argv = (sys.executable, "-m", "nginxlint", "check", str(path),
            "--format", "json") + (("--no-cache",) if no_cache else ())
    return Command(argv, LINTER_EXITS, {"XDG_CACHE_HOME": str(cache_home)})


def edited_command(conf, edited_file, cache_home):
    """`nginxlint check` with the cache on, after appending a comment that
    makes `edited_file` new bytes (the shell's pid): the result cache
    misses and only that file is parsed again."""
    script = 'printf "# edited by run %s\\n" $$ >> "$1"; shift; exec "$@"'
    argv = ("sh", "-c", script, "sh", str(edited_file), sys.executable, "-m",
            "nginxlint", "check", str(conf), "--format", "json")
    return Command(argv, LINTER_EXITS, {"XDG_CACHE_HOME": str(cache_home)})


def crossplane_command(conf):
    """The floor: crossplane.parse with default options (follows includes)."""
    code = f"import crossplane; crossplane.parse({str(conf)!r})"
    return Command((sys.executable, "-c", code))


def check_crossplane_reads_all(conf, expected):
    """Fail loudly unless crossplane itself reads every file without errors."""
    import crossplane  # imported here: only this sanity check needs it in-process

    payload = crossplane.parse(str(conf))
    if payload["errors"] or len(payload["config"]) != expected:
        sys.exit(f"crossplane read {len(payload['config'])} files, expected "
                 f"{expected}; errors: {payload['errors'][:3]}")


def check_nginxlint_reads_all(command, expected):
    """Warm-up run of nginxlint that also proves it linted every file.

    Any exit code but 0 or 1, or a summary.files other than `expected`, means
    the timings would measure something other than a full lint, so we stop.
    Returns the number of findings.
    """
    proc = subprocess.run(command.argv, cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, **command.env})
    if proc.returncode not in LINTER_EXITS:
        sys.exit(f"nginxlint exited {proc.returncode}:\n{proc.stderr}")
    summary = json.loads(proc.stdout)["summary"]
    if summary["files"] != expected:
        sys.exit(f"nginxlint read {summary['files']} files, expected {expected}")
    return summary["findings"]


def tree_commands(root, key, files, args, gixy_scripts, findings):
    """Verify every tool reads the whole tree (`files` files), then return
    its commands.

    The verification runs double as warm-up: page cache and .pyc files are
    hot for every tool before the first timed round, and the warm nginxlint
    command finds its cache filled.
    """
    conf = root / "nginx.conf"
    check_crossplane_reads_all(conf, files)
    commands = {(key, CROSSPLANE): crossplane_command(conf)}
    cold = nginxlint_command(conf, args.cache_home, no_cache=args.has_cache)
    commands[(key, COLD)] = cold
    findings[(key, COLD)] = check_nginxlint_reads_all(cold, files)
    if args.has_cache:
        warm = nginxlint_command(conf, args.cache_home, no_cache=False)
        check_nginxlint_reads_all(warm, files)  # fills the cache
        edited_root = root.with_name(root.name + "-edited")
        shutil.copytree(root, edited_root, symlinks=True)
        first_site = sorted((edited_root / "sites-enabled").iterdir())[0]
        edited = edited_command(edited_root / "nginx.conf", first_site, args.cache_home)
        for key_tool, command in ((WARM, warm), (EDITED, edited)):
            findings[(key, key_tool)] = check_nginxlint_reads_all(command, files)
            if findings[(key, key_tool)] != findings[(key, COLD)]:
                sys.exit(f"N={key}: {key_tool} run found {findings[(key, key_tool)]}, "
                         f"cold {findings[(key, COLD)]}")
            commands[(key, key_tool)] = command
    for tool, script in gixy_scripts.items():
        findings[(key, tool.name)] = gixy_tools.check_gixy_reads_all(tool, script, conf, key)
        commands[(key, tool.name)] = Command(gixy_tools.gixy_argv(script, conf), LINTER_EXITS,
                                max_runs=args.gixy_runs)
    return commands


def one_file_commands(site, args, findings):
    """Start-up cost: nginxlint on one site file vs importing its dependencies.

    nginxlint runs cold (no cache, when there is one) so the pair measures
    start-up plus one real lint, not a cache look-up.
    """
    lint = nginxlint_command(site, args.cache_home, no_cache=args.has_cache)
    findings[(ONE_FILE_KEY, ONE_FILE)] = check_nginxlint_reads_all(lint, 1)
    imports = Command((sys.executable, "-c", "import crossplane, click, yaml"))
    return {(ONE_FILE_KEY, ONE_FILE): lint, (ONE_FILE_KEY, IMPORTS): imports}


def parse_args(argv=None):
    """CLI; the defaults are the full run the issue asks for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, action="append", dest="sizes",
                        metavar="N", help="number of site files (repeatable; "
                        f"default {' '.join(map(str, DEFAULT_SIZES))})")
    parser.add_argument("--runs", type=int, default=5,
                        help="timed rounds after the warm-up (default 5)")
    parser.add_argument("--gixy-runs", type=int, default=3,
                        help="rounds gixy-ng and gixy-next take part in; they "
                        "take many seconds per run at N>=1000 (default 3)")
    parser.add_argument("--one-file-runs", type=int, default=20,
                        help="rounds of the one-file pair; each run takes a "
                        "fraction of a second, and start-up times are noisy "
                        "(default 20)")
    parser.add_argument("--no-gixy", action="store_true",
                        help="skip gixy-ng and gixy-next")
    parser.add_argument("--venv-dir", type=Path,
                        default=gixy_tools.DEFAULT_VENV_DIR,
                        help="where the gixy venvs live and are reused "
                        f"(default {gixy_tools.DEFAULT_VENV_DIR})")
    parser.add_argument("--out", type=Path,
                        help="generate trees here (out/nN) instead of a temp dir")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated trees and print where they are")
    parser.add_argument("--markdown", action="store_true",
                        help="print the tables as Markdown for docs/performance.md")
    parser.add_argument("--gen-tree", type=Path,
                        default=next((p for p in GEN_TREE_CANDIDATES if p.exists()), None),
                        help="the team's gen_tree.py, whose tree is measured too "
                        "(default: ../shared/tools/gen_tree.py when found)")
    args = parser.parse_args(argv)
    args.sizes = sorted(set(args.sizes or DEFAULT_SIZES))
    if min(args.runs, args.gixy_runs, args.one_file_runs, *args.sizes) < 1:
        parser.error("-n and every --*runs must be at least 1")
    args.gixy_runs = min(args.gixy_runs, args.runs)
    return args


def print_report(args, results, findings):
    """Header, target table, raw medians; text or Markdown."""
    warm_reason = None if args.has_cache else "n/a: no --no-cache flag (no cache)"
    gixy_note = "" if args.no_gixy else " ({} in the first {})".format(
        " and ".join(f"{t.name} {t.version}" for t in gixy_tools.GIXY_TOOLS),
        args.gixy_runs)
    print(f"{report.machine_line()}\n{args.runs} paired rounds{gixy_note}; "
          f"{args.one_file_runs} for the one-file pair. Ratios are medians of "
          "per-round ratios; peak memory is the larger of the largest "
          "process's RSS and the process tree's sampled PSS.")
    print()
    header, body = report.target_rows(report.targets(results, warm_reason))
    print(report.render(header, body, args.markdown))
    print()
    header, body = report.raw_rows(results, findings)
    print(report.render(header, body, args.markdown))


def compile_bytecode():
    """Write nginxlint's bytecode before timing it, as pip does when it
    installs the package. `python -m nginxlint` runs the checkout, and with
    PYTHONDONTWRITEBYTECODE set (it is on the team's machines) and no
    __pycache__ yet, every timed run compiled its ~90 modules from source
    again: a third of a one-file run, which no installed nginxlint pays and
    its dependencies (site-packages, compiled) never paid either."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "nginxlint")],
                   check=True, stdout=subprocess.DEVNULL)


def main(argv=None):
    """Generate every tree, verify every tool on it, then time in rounds."""
    args = parse_args(argv)
    compile_bytecode()
    args.has_cache = has_no_cache_flag()
    base = args.out or Path(tempfile.mkdtemp(prefix="nginxlint-bench-"))
    args.cache_home = base / "cache"  # warm runs never touch the user's cache
    gixy_scripts = {} if args.no_gixy else {
        tool: gixy_tools.ensure_venv(tool, args.venv_dir, log)
        for tool in gixy_tools.GIXY_TOOLS}
    commands, findings = {}, {}
    try:
        for n in args.sizes:
            root = base / f"n{n}"
            for stale in (root, root.with_name(root.name + "-edited")):
                shutil.rmtree(stale, ignore_errors=True)  # stale files would change the file counts
            generate_tree(root, n)
            log(f"N={n}: checking every tool reads all {n + 1} files")
            commands.update(tree_commands(root, n, n + 1, args, gixy_scripts, findings))
            if args.gen_tree:
                gen_root = base / f"gen{n}"
                for stale in (gen_root, gen_root.with_name(gen_root.name + "-edited")):
                    shutil.rmtree(stale, ignore_errors=True)
                subprocess.run([sys.executable, str(args.gen_tree), str(gen_root), str(n)],
                               check=True, stdout=subprocess.DEVNULL)
                log(f"N={n} gen_tree: checking every tool reads all {n + 2} files")
                commands.update(tree_commands(gen_root, tree_key(n, gen_tree=True), n + 2,
                                              args, {}, findings))  # gixy: the bench's tree only
        first_site = base / f"n{args.sizes[0]}" / "sites-enabled" / "site0001.conf"
        results = measure_rounds(commands, args.runs, REPO_ROOT, log)
        log(f"one file: {args.one_file_runs} rounds")
        results.update(measure_rounds(one_file_commands(first_site, args, findings),
                                      args.one_file_runs, REPO_ROOT))
    finally:
        if args.keep or args.out:
            log(f"trees kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    print_report(args, results, findings)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Count what gixy-ng, gixy-next and nginxlint report on the shared corpus.

Runs each tool once per file listed in the corpus MANIFEST.csv (default
../shared/corpus next to this repository), each file on its own as the tool's
top-level config, and tallies findings per gixy plugin and per nginxlint rule
id, plus how many files each tool could not parse or crashed on. The gixy
tools come from the same throwaway venvs as the benchmark (bench/gixy_tools.py);
nginxlint runs from this working tree (`python -m nginxlint check FILE
--format json`). Rule ids are counted as they appear, so new rule packs show
up without changes here.

Not a test and not a verdict: a side-by-side table for reviewing coverage and
false positives. TOPICS below maps each gixy plugin to the problem it is
about, so a later step can join gixy's counts to nginxlint's rule ids.

    python tools/gixy_corpus.py [--corpus DIR] [--venv-dir DIR] [--timeout 60]
                                [--jobs 2] [--json OUT]
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from gixy_tools import DEFAULT_VENV_DIR, GIXY_TOOLS, ensure_venv  # noqa: E402

from bench import has_no_cache_flag  # noqa: E402  (needs the path above)

# gixy plugin -> topic: what the plugin looks for, in words that do not depend
# on either tool's naming, so gixy's counts can later be joined to nginxlint
# rule ids by topic. Names are the plugins both installed packages list
# (`gixy --help`); "ng"/"next" marks a plugin only one fork has.
TOPICS = {
    "add_header_content_type": "Content-Type set with add_header (duplicates the header)",
    "add_header_multiline": "header value spanning lines",
    "add_header_redefinition": "add_header in a block drops inherited add_header (security headers lost)",
    "alias_traversal": "alias without trailing slash in a prefix location: path traversal",
    "allow_without_deny": "allow without deny all: access restriction has no effect",
    "default_server_flag": "listen socket shared by servers with no default_server",
    "error_log_off": "error_log off writes to a file named 'off'",
    "filesystem_root_exposure": "root or alias pointing at / (whole filesystem served)",
    "hash_without_default": "map/geo without default",
    "host_spoofing": "proxy_set_header Host $http_host (client-controlled Host upstream)",
    "hsts_header": "TLS: Strict-Transport-Security missing or weak (ng)",
    "http2_misdirected_request": "HTTP/2 connection reuse across servers without a 421 guard",
    "http_splitting": "CRLF injection: decoded variable in a header or redirect (response splitting)",
    "if_is_evil": "if in location with directives other than return/rewrite",
    "invalid_regex": "regex capture group referenced that does not exist",
    "low_keepalive_requests": "keepalive_requests below 1000",
    "missing_resolver": "proxy_pass host resolved only at start-up, no resolver (ng)",
    "missing_worker_processes": "worker_processes unset: one worker (next)",
    "mixed_case_variable": "same variable spelled with different case (next)",
    "nginx_cves": "installed nginx version has known CVEs (ng; needs a version)",
    "origins": "Origin/Referer check regex that matches untrusted domains",
    "overlapping_captures": "rewrite with overlapping captures: heap overflow CVE (next)",
    "proxy_buffering_off": "proxy_buffering off (next)",
    "proxy_pass_normalized": "proxy_pass with a URI path: upstream gets a normalised/decoded path",
    "proxy_set_header_redefinition": "proxy_set_header in a block drops inherited proxy_set_header (next)",
    "quic_bpf_reuseport": "HTTP/3: quic_bpf with reuseport drops connections on reload",
    "regex_exact_match": "regex location that could be an exact match (ng)",
    "regex_redos": "regex open to ReDoS",
    "resolver_external": "resolver pointing at external nameservers (DNS spoofing)",
    "return_bypasses_allow_deny": "return in a block with allow/deny: access checks never run",
    "ssl_ecdh_curve": "TLS: post-quantum ssl_ecdh_curve group that old OpenSSL rejects",
    "ssl_stapling_letsencrypt": "TLS: OCSP stapling on a Let's Encrypt cert (no responder)",
    "ssl_stapling_without_resolver": "TLS: ssl_stapling without resolver (stapling silently fails)",
    "ssrf": "SSRF: proxy_pass target built from request data",
    "stale_dns_cache": "proxy_pass host resolved only at start-up: stale IPs (next)",
    "status_page_exposed": "stub_status reachable without allow/deny",
    "try_files_is_evil_too": "try_files without open_file_cache (performance)",
    "unanchored_regex": "regex location without anchors (performance)",
    "unnamed_groups": "rewrite '?' plus $N in set/if: heap overflow CVE (next)",
    "valid_referers": "valid_referers none/blocked: Referer check bypassable",
    "version_disclosure": "server_tokens not off: version disclosed",
    "weak_ssl_tls": "TLS: weak protocols or ciphers, or ssl_ciphers missing (ng)",
    "worker_rlimit_nofile_vs_connections": "worker_rlimit_nofile below twice worker_connections",
}

# gixy-ng hands each file to its crossplane fork (ngxparse) with these options
# (gixy/parser/raw_parser.py, RawParser.parse_path) and never reads the
# errors it collects: a file it cannot parse is analysed as empty, with exit
# 0 and no message. This probe, run with the venv's own interpreter, makes
# the same call and prints which files had errors, so they can be counted.
NGXPARSE_PROBE = """
import json, sys, crossplane
failed = {}
for path in json.load(sys.stdin):
    payload = crossplane.parse(path, single=True, strict=False, check_ctx=False,
                               check_args=False, comments=True)
    if payload["errors"]:
        failed[path] = payload["errors"][0]["error"]
json.dump(failed, sys.stdout)
"""
SILENT_PARSE_FAILURES = {"gixy-ng"}


def corpus_files(corpus: Path) -> list[Path]:
    """Every file the MANIFEST lists, in its order."""
    with open(corpus / "MANIFEST.csv", newline="") as manifest:
        return [corpus / row["local_path"] for row in csv.DictReader(manifest)]


def run(argv: list[str], timeout: float) -> subprocess.CompletedProcess | None:
    """One tool on one file; None when it ran past the timeout."""
    try:
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return None


def last_line(text: str) -> str:
    """The line that says what went wrong, at the end of a traceback or log.

    gixy-next closes every parse failure with the same hint to run
    `nginx -t`; the line before it names the file and the error.
    """
    lines = [line for line in text.strip().splitlines()
             if "verify syntax with" not in line]
    return lines[-1][:300] if lines else ""


def gixy_record(script: Path, path: Path, timeout: float) -> dict:
    """Findings per plugin and a status: ok, parse-failed, crashed, timeout.

    gixy-next says what happened by exit code (2 unparsable, 3 internal
    error). gixy-ng exits 1 for findings and for a config error alike, so its
    stderr decides: "Configuration error" is a parse failure, a traceback or
    a report that is not JSON a crash.
    """
    proc = run([str(script), "-f", "json", str(path)], timeout)
    if proc is None:
        return {"file": path, "status": "timeout", "detail": "", "ids": Counter()}
    try:
        ids = Counter(finding["plugin"] for finding in json.loads(proc.stdout))
    except (json.JSONDecodeError, TypeError, KeyError):
        ids = None
    if "Traceback" in proc.stderr or proc.returncode == 3 or ids is None:
        status = "crashed"
    elif proc.returncode == 2 or "Configuration error" in proc.stderr:
        status = "parse-failed"
    elif proc.returncode in (0, 1):
        status = "ok"
    else:
        status = f"exit {proc.returncode}"
    detail = "" if status == "ok" else last_line(proc.stderr)
    return {"file": path, "status": status, "detail": detail, "ids": ids or Counter()}


def nginxlint_record(path: Path, timeout: float, no_cache: bool) -> dict:
    """Findings per rule id; status as for gixy (exit 2: could not run)."""
    argv = [sys.executable, "-m", "nginxlint", "check", str(path), "--format", "json"]
    proc = run(argv + (["--no-cache"] if no_cache else []), timeout)
    if proc is None:
        return {"file": path, "status": "timeout", "detail": "", "ids": Counter()}
    ids = Counter()
    if "Traceback" in proc.stdout + proc.stderr or "internal error" in proc.stderr:
        status = "crashed"
    elif proc.returncode in (0, 1):
        status = "ok"
        ids.update(finding["rule"] for finding in json.loads(proc.stdout)["findings"])
    else:
        status = f"exit {proc.returncode}"
    detail = "" if status == "ok" else last_line(proc.stderr)
    return {"file": path, "status": status, "detail": detail, "ids": ids}


def mark_silent_parse_failures(script: Path, records: list[dict]) -> None:
    """Re-label gixy-ng's "ok" files whose parser had errors it ignored.

    Only the top-level file is probed; an included file that fails is dropped
    the same way but is not counted here.
    """
    python = script.parent / "python"
    paths = [str(r["file"]) for r in records if r["status"] == "ok"]
    proc = subprocess.run([str(python), "-c", NGXPARSE_PROBE], input=json.dumps(paths),
                          capture_output=True, text=True, check=True)
    failed = json.loads(proc.stdout)
    for record in records:
        if str(record["file"]) in failed:
            record["status"] = "parse-failed-silently"
            record["detail"] = failed[str(record["file"])][:300]


def summarize(records: list[dict], corpus: Path) -> dict:
    """Per-id findings and files, status counts, and the files that failed."""
    findings, files = Counter(), Counter()
    for record in records:
        findings.update(record["ids"])
        files.update(record["ids"].keys())
    return {
        "status": dict(Counter(r["status"] for r in records).most_common()),
        "findings": {i: {"findings": n, "files": files[i]} for i, n in findings.most_common()},
        "problems": [{"file": str(r["file"].relative_to(corpus)), "status": r["status"],
                      "detail": r["detail"]} for r in records if r["status"] != "ok"],
    }


def git_version() -> str:
    """Which nginxlint was counted: the commit, '+dirty' if its code was edited."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True,
                              text=True).stdout.strip()
    edited = git("status", "--porcelain", "--untracked-files=no", "--", "nginxlint", "policies")
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if edited else "")


def print_tables(result: dict) -> None:
    """Status per tool, then gixy plugins side by side, then nginxlint rules."""
    tools = result["tools"]
    print(f"{result['files']} corpus files; each tool run once per file")
    for name, tool in tools.items():
        print(f"  {name} {tool['version']}: {tool['status']}")
    names = [t.name for t in GIXY_TOOLS]
    plugins = sorted(set().union(*(tools[n]["findings"] for n in names)) | set(TOPICS))
    print("\ngixy findings per plugin (findings / files)")
    print(f"  {'plugin':38}" + "".join(f"{n:>14}" for n in names) + "  topic")
    for plugin in plugins:
        cells = "".join(f"{_cell(tools[n]['findings'].get(plugin)):>14}" for n in names)
        print(f"  {plugin:38}{cells}  {TOPICS.get(plugin, '?')}")
    print("\nnginxlint findings per rule (findings / files)")
    for rule, counts in tools["nginxlint"]["findings"].items():
        print(f"  {rule:10}{_cell(counts):>14}")


def _cell(counts: dict | None) -> str:
    return f"{counts['findings']} / {counts['files']}" if counts else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--venv-dir", type=Path, default=DEFAULT_VENV_DIR)
    parser.add_argument("--timeout", type=float, default=60, help="seconds per file and tool")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the counts here")
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.csv").exists():
        print(f"no MANIFEST.csv under {args.corpus}", file=sys.stderr)
        return 2
    files = corpus_files(args.corpus)
    no_cache = has_no_cache_flag()
    runners = {t.name: (t, ensure_venv(t, args.venv_dir)) for t in GIXY_TOOLS}
    result = {"corpus": "shared/corpus (MANIFEST.csv)", "files": len(files), "tools": {}}
    with ThreadPoolExecutor(args.jobs) as pool:
        for name, (tool, script) in runners.items():
            print(f"{name}: {len(files)} files...", file=sys.stderr, flush=True)
            records = list(pool.map(lambda p, script=script: gixy_record(script, p, args.timeout), files))
            if name in SILENT_PARSE_FAILURES:
                mark_silent_parse_failures(script, records)
            result["tools"][name] = {"version": tool.version,
                                     **summarize(records, args.corpus)}
        print(f"nginxlint: {len(files)} files...", file=sys.stderr, flush=True)
        records = list(pool.map(lambda p: nginxlint_record(p, args.timeout, no_cache), files))
        result["tools"]["nginxlint"] = {"version": git_version(), **summarize(records, args.corpus)}
    result["topics"] = TOPICS
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    print_tables(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks the shape of dkg's headers (include/dkg): no include cycle, none too long, each one
compiles on its own.

    python3 scripts/check_headers.py [--compiler g++] [--flag=-I/opt/boost/include ...] [--jobs 2]
                                     [--max-lines 700] [--skip dkg/bigint/gmp.hpp ...] [--no-compile]

1. Include cycles: the `#include <dkg/...>` lines of every header form a graph; every cycle in it
   is reported as a path ("dkg/a.hpp -> dkg/b.hpp -> dkg/a.hpp"). An include of a dkg header that
   does not exist is reported too.
2. Size: a header of more than --max-lines lines (700, the project's rule; no tolerance) is
   reported with its length.
3. Self-containment: a header compiles on its own when it is the first thing a translation unit
   includes. The test files and the examples prove that for many headers already: each test
   file's first line includes the header it tests (an example's, dkg/dkg.hpp), and a header whose
   first directive is `#include <dkg/X>` passes the proof on to X. Every other header is compiled alone (`-fsyntax-only`, C++20, warnings as
   errors), --jobs at a time. --skip leaves out headers whose dependencies are not installed (e.g.
   dkg/bigint/gmp.hpp without GMP, dkg/transport/tls.hpp without OpenSSL); --no-compile leaves out
   this step.

Prints what it checked and every problem; exits 1 if there is any problem, 2 on a usage error.
Python 3 standard library only. CTest runs it as the test `check_headers` (label "house").
"""
import argparse
import concurrent.futures
import pathlib
import re
import subprocess
import sys
import time

root = pathlib.Path(__file__).resolve().parent.parent
include_dir = root / "include"

include_line = re.compile(r'^\s*#\s*include\s*[<"](dkg/[^>"]+)[>"]')


def headers():
    """Every header under include/dkg, by its include name (dkg/...)."""
    return sorted(p.relative_to(include_dir).as_posix() for p in (include_dir / "dkg").rglob("*.hpp"))


def read(path):
    return path.read_text(encoding="utf-8")


def includes(text):
    """The dkg headers a file includes, in order."""
    return [m.group(1) for m in map(include_line.match, text.splitlines()) if m]


def first_directive_include(text):
    """The dkg header included by the file's first preprocessor directive other than
    `#pragma once`, or None. Comments and blank lines before it are skipped; anything else
    (code, a #define, an #if, a non-dkg include) ends the search."""
    in_block_comment = False
    for line in text.splitlines():
        s = line.strip()
        if in_block_comment:
            if "*/" in s:
                in_block_comment = False
                s = s[s.index("*/") + 2:].strip()
            else:
                continue
        if not s or s.startswith("//"):
            continue
        if s.startswith("/*"):
            if "*/" not in s:
                in_block_comment = True
            continue
        if re.match(r"#\s*pragma\s+once\b", s):
            continue
        m = include_line.match(s)
        return m.group(1) if m else None
    return None


def find_cycles(graph):
    """Every elementary cycle reachable in `graph` (dict: node -> list of nodes), each once,
    rotated to start at its smallest node. Depth-first search; the graph is small."""
    cycles = set()
    state = {}  # node -> 1 on the current path, 2 finished
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for succ in graph.get(node, []):
            if state.get(succ) == 1:
                cycle = path[path.index(succ):]
                i = cycle.index(min(cycle))
                cycles.add(tuple(cycle[i:] + cycle[:i]))
            elif succ not in state:
                visit(succ)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return sorted(cycles)


def proven_by_tests(graph_first):
    """Headers that the test files and examples compile first in a translation unit, directly or
    through a chain of first includes."""
    proven = set()
    sources = sorted((root / "test").rglob("*.cpp")) + sorted((root / "example").glob("*.cpp"))
    for source in sources:
        header = first_directive_include(read(source))
        while header and header not in proven:
            proven.add(header)
            header = graph_first.get(header)
    return proven


def compile_alone(compiler, flags, header):
    """Compiles a translation unit holding only `#include <header>`; returns (header, error text
    or None, seconds)."""
    start = time.monotonic()
    command = [compiler, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-Wpedantic", "-Werror", f"-I{include_dir}", *flags,
               "-x", "c++", "-"]
    result = subprocess.run(command, input=f"#include <{header}>\n", capture_output=True, text=True)
    error = None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        error = "\n".join(lines[:20]) + ("\n    ..." if len(lines) > 20 else "")
    return header, error, time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compiler", default="g++", help="C++ compiler for the self-containment step (default g++)")
    parser.add_argument("--flag", action="append", default=[], help="extra compiler flag, e.g. --flag=-I/usr/local/include (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="compilations at a time (default 2)")
    parser.add_argument("--max-lines", type=int, default=700, help="longest header allowed, in lines (default 700)")
    parser.add_argument("--skip", action="append", default=[], help="header not to compile alone, e.g. dkg/transport/tls.hpp (repeatable)")
    parser.add_argument("--no-compile", action="store_true", help="check cycles and sizes only")
    args = parser.parse_args()
    if args.jobs < 1 or args.max_lines < 1:
        parser.error("--jobs and --max-lines must be positive")

    all_headers = headers()
    known = set(all_headers)
    texts = {h: read(include_dir / h) for h in all_headers}
    problems = []

    # 1. Include cycles (and includes of headers that do not exist).
    graph = {}
    for h in all_headers:
        graph[h] = []
        for target in includes(texts[h]):
            if target not in known:
                problems.append(f"{h}: includes {target}, which does not exist")
            elif target not in graph[h]:
                graph[h].append(target)
    cycles = find_cycles(graph)
    for cycle in cycles:
        problems.append("include cycle: " + " -> ".join(cycle + (cycle[0],)))
    print(f"check_headers: {len(all_headers)} headers, {sum(len(v) for v in graph.values())} includes among them, "
          f"{len(cycles)} include cycle(s)")

    # 2. Size.
    sizes = {h: len(texts[h].splitlines()) for h in all_headers}
    too_long = [h for h in all_headers if sizes[h] > args.max_lines]
    for h in too_long:
        problems.append(f"{h}: {sizes[h]} lines, more than {args.max_lines}")
    largest = max(all_headers, key=lambda h: sizes[h])
    print(f"check_headers: largest header {largest} ({sizes[largest]} lines), {len(too_long)} over {args.max_lines}")

    # 3. Self-containment.
    if not args.no_compile:
        unknown_skips = [s for s in args.skip if s not in known]
        if unknown_skips:
            parser.error("--skip names no header: " + ", ".join(unknown_skips))
        first = {h: first_directive_include(texts[h]) for h in all_headers}
        proven = proven_by_tests(first)
        todo = [h for h in all_headers if h not in proven and h not in args.skip]
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda h: compile_alone(args.compiler, args.flag, h), todo))
        for header, error, _ in results:
            if error:
                problems.append(f"{header} does not compile on its own:\n    " + error.replace("\n", "\n    "))
        slowest = max(results, key=lambda r: r[2], default=None)
        print(f"check_headers: {len(proven & known)} headers compiled first by test files or examples, {len(todo)} compiled alone "
              f"in {time.monotonic() - start:.1f} s" + (f" (slowest {slowest[0]}, {slowest[2]:.1f} s)" if slowest else "") +
              (f", {len(args.skip)} skipped: {', '.join(args.skip)}" if args.skip else ""))

    for p in problems:
        print("check_headers: " + p)
    print(f"check_headers: {'FAILED, ' + str(len(problems)) + ' problem(s)' if problems else 'all checks passed'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Regenerates the performance section of README.md from the committed benchmark results.

    python3 scripts/update_readme_performance.py

Reads benchmark/results/micro.json (Google Benchmark's JSON output of benchmark_micro: the
operation costs and the transport's round trip), keygen.txt and threshold.txt (the text output of
the whole-protocol programs benchmark_keygen and benchmark_threshold, each headed by the machine it
ran on), and replaces what lies between the markers <!-- performance:begin --> and
<!-- performance:end --> in README.md. The reference's figures are the ones measured for TNO's
Python package and are labelled as such.
"""
import json
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
results = root / "benchmark" / "results"

# TNO tno.mpc.protocols.distributed_keygen v4.2.2 with gmpy2, 3 parties unless noted, all
# parties in one process on a 2-core machine: median (range) in seconds.
reference_keygen = {
    (1024, 3): "≈ 169 s (2.6 – 476 s)",
}
reference_notes = {
    (2048, 3): "not measured: about an hour by its candidate counts",
    (2048, 5): "512-bit keys with 5 parties, t = 2: ≈ 9.9 s",
}
reference_seconds = {(1024, 3): 169.0}


def read(name):
    path = results / name
    if not path.exists():
        sys.exit(f"missing {path}: run the benchmark first (see benchmark/CMakeLists.txt)")
    return path.read_text()


def machine(text):
    m = re.search(r"^machine: (.*)$", text, re.M)
    return m.group(1).strip() if m else "unknown machine"


def keygen_rows(text):
    """(bits, n, t, method, backend, mode) -> (median, low, high) from benchmark_keygen's text."""
    rows = {}
    for block in re.finditer(
        r"^keygen/bits=(\d+)/n=(\d+)/t=(\d+)/(\w+)/(\w+)/(\w+)\n(.*?)^  median ([\d.]+) s, range ([\d.]+) - ([\d.]+) s(.*?)\n\n",
        text,
        re.M | re.S,
    ):
        bits, n, t, method, backend, mode = block.groups()[:6]
        median, low, high = map(float, block.groups()[7:10])
        peak = re.search(r"peak RSS of the largest party process: ([\d.]+) MiB", block.group(0))
        rows[(int(bits), int(n), int(t), method, backend, mode)] = (median, low, high, float(peak.group(1)) if peak else None)
    openssl = re.search(r"^openssl genrsa 2048 \(median of \d+\): ([\d.]+) s", text, re.M)
    return rows, float(openssl.group(1)) if openssl else None


def seconds(x):
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 1:
        return f"{x:.2f} s"
    return f"{x * 1e3:.0f} ms" if x >= 0.1 else f"{x * 1e3:.1f} ms"


def spread(median, low, high):
    return f"{seconds(median)} ({seconds(low)} – {seconds(high)})"


def operation_times(text):
    """name -> median string, from the table of benchmark_threshold."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\S+)\s+(?:(\S+)\s+)?([\d.]+ (?:s|ms|us))\s+([\d.]+ (?:s|ms|us))\s+([\d.]+ (?:s|ms|us))", line)
        if m:
            name = m.group(1) + ("/" + m.group(2) if m.group(2) else "")
            out.setdefault(name, m.group(3).replace(" us", " µs"))
    return out


def per_second(text, name_prefix):
    for line in text.splitlines():
        if line.startswith(name_prefix):
            return float(line.split()[-1])
    return None


def duration(x):
    """A time in seconds for people: 8.09 ms, 4.41 µs, 1.23 s."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if x >= scale:
            value = x / scale
            return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{x * 1e9:.0f} ns"


class Micro:
    """The aggregates of benchmark_micro's repetitions in Google Benchmark's JSON output."""

    units = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}

    def __init__(self, text):
        data = json.loads(text)
        self.context = data["context"]
        self.aggregates = {}
        for b in data["benchmarks"]:
            if b.get("run_type") == "aggregate":
                self.aggregates[(b["run_name"], b["aggregate_name"])] = b

    def get(self, run_name, aggregate, field):
        b = self.aggregates.get((run_name, aggregate))
        if b is None:
            sys.exit(f"benchmark/results/micro.json lacks the {aggregate} of {run_name}")
        return b[field] * self.units[b["time_unit"]] if field.endswith("_time") else b[field]

    def time(self, run_name, field="cpu_time"):
        """Median with the fastest and slowest repetition, in seconds."""
        return tuple(self.get(run_name, a, field) for a in ("median", "min", "max"))

    def machine(self):
        c = self.context
        load = ", ".join(f"{x:.1f}" for x in c.get("load_avg", []))
        return (f"{c.get('cpu_model', 'unknown CPU')}, {c.get('hardware_threads', c.get('num_cpus'))} cores, "
                f"{c.get('compiler', '')}, Boost {c.get('boost_version', '?')}, GMP {c.get('gmp_version', '?')}"
                + (f"; load average {load} when it started" if load else ""))


def micro_row(micro, label, operation, reference="—"):
    gmp = micro.time(f"{operation}/bits=2048/gmp_int")
    cpp = micro.time(f"{operation}/bits=2048/cpp_int")
    return (f"| {label} | {duration(gmp[0])} ({duration(gmp[1])} – {duration(gmp[2])}) | {duration(cpp[0])} "
            f"| {cpp[0] / gmp[0]:.1f}× | {reference} |")


def table():
    keygen_text = read("keygen.txt")
    threshold_text = read("threshold.txt")
    micro = Micro(read("micro.json"))
    rows, openssl_2048 = keygen_rows(keygen_text)
    ops = operation_times(threshold_text)

    lines = [
        "Generated by `scripts/update_readme_performance.py` from `benchmark/results/` (the raw output, the",
        "commands and every run's counters are there). Key generation: all parties in one process over",
        "loopback TCP, GMP backend, distributed sieve; its time is random (the number of candidates is",
        "geometric), so medians with the fastest and slowest run. To measure on your machine:",
        "",
        "```sh",
        "cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DDKG_BUILD_BENCHMARKS=ON && cmake --build build-release -j2",
        "build-release/benchmark/benchmark_keygen --suite issue     # also: --bits B --parties N --method trial --processes --json",
        "build-release/benchmark/benchmark_micro --benchmark_out=micro.json --benchmark_out_format=json",
        "build-release/benchmark/benchmark_threshold                # and benchmark_soak",
        "```",
        "",
        f"Machine: {machine(keygen_text)}.",
        "",
        "| Key generation | dkg: median (fastest – slowest) | TNO Python reference, same kind of machine | speed-up |",
        "|---|---|---|---|",
    ]
    for bits, n, t in [(1024, 3, 1), (2048, 3, 1), (3072, 3, 1), (2048, 5, 2)]:
        key = (bits, n, t, "distributed_sieve", "gmp", "tcp")
        if key not in rows:
            continue
        median, low, high, _ = rows[key]
        ref = reference_keygen.get((bits, n)) or reference_notes.get((bits, n), "—")
        ratio = f"≈ {reference_seconds[(bits, n)] / median:,.0f}×" if (bits, n) in reference_seconds else ""
        lines.append(f"| {bits}-bit, n = {n}, t = {t} | {spread(median, low, high)} | {ref} | {ratio} |")
    trial = rows.get((2048, 3, 1, "trial_division", "gmp", "tcp"))
    if trial:
        lines.append(f"| 2048-bit, n = 3, the reference's candidate method (trial division) | {spread(*trial[:3])} | — | |")
    processes = rows.get((2048, 3, 1, "distributed_sieve", "gmp", "processes"))
    if processes:
        lines.append(f"| 2048-bit, n = 3, one process per party | {spread(*processes[:3])}, peak memory {processes[3]:.0f} MiB per party | 1024-bit: ≈ 92 s (81 – 104 s) | |")
    cpp = rows.get((2048, 3, 1, "distributed_sieve", "cpp_int", "tcp"))
    if cpp:
        lines.append(f"| 2048-bit, n = 3, Boost `cpp_int` backend | {spread(*cpp[:3])} | — | |")
    if openssl_2048:
        lines.append(f"| for scale: `openssl genrsa 2048` (one machine, no parties), same run | {seconds(openssl_2048)} | — | |")

    lines += [
        "",
        f"Operations (`benchmark_micro`, Google Benchmark): CPU time per operation, the median of {micro.get('paillier/encrypt/bits=2048/gmp_int', 'median', 'repetitions')} repetitions",
        "with the fastest and slowest; threshold decryption with n = 3, t = 1. Machine: " + micro.machine() + ".",
        "",
        "| Operation, 2048-bit N | GMP: median (fastest – slowest) | Boost `cpp_int` | `cpp_int` / GMP | TNO Python reference |",
        "|---|---|---|---|---|",
        micro_row(micro, "encryption", "paillier/encrypt"),
        micro_row(micro, "homomorphic addition", "paillier/add"),
        micro_row(micro, "multiplication by a plain integer", "paillier/multiply_plain"),
        micro_row(micro, "decryption with the whole secret key (CRT), for comparison", "paillier/decrypt"),
        micro_row(micro, "partial decryption (one party)", "threshold/partial_decrypt"),
        micro_row(micro, "partial decryption with its proof of correctness", "threshold/partial_decrypt_with_proof", "— (no proofs)"),
        micro_row(micro, "verification of a proof", "threshold/verify_proof"),
        micro_row(micro, "combination of t+1 = 2 partial decryptions", "threshold/combine"),
        micro_row(micro, "b^e mod N² with a 2048-bit exponent (the core of encryption)", "number/powm_mod_n2_exp2048"),
    ]

    def op(prefix):
        for name, value in ops.items():
            if name.startswith(prefix) and (prefix.find("bits=") >= 0 or "bits=2048" in name):
                return value
        return "?"

    lines += [
        "",
        f"Threshold decryption as a protocol (`benchmark_threshold`: wall time, median of its runs). Machine: {machine(threshold_text)}.",
        "",
        "| Threshold decryption, n = 3, t = 1, GMP | dkg | TNO Python reference |",
        "|---|---|---|",
        f"| by 3 parties over loopback TCP, 2048-bit N (latency) | {op('threshold/async_decrypt_latency/tcp_loopback/n=3/t=1/bits=2048')} | — |",
        f"| the same with proofs of correctness | {op('threshold/async_decrypt_latency_with_proofs/tcp_loopback/n=3/t=1/bits=2048')} | — |",
        f"| the same, 1024-bit N | {op('threshold/async_decrypt_latency/tcp_loopback/n=3/t=1/bits=1024')} | ≈ 14 ms (one threshold decryption, 1024-bit key) |",
    ]
    rate = per_second(threshold_text, "threshold/async_decrypt_batch_1000/memory/contributors=2/threads=2/bits=2048")
    rate_proofs = per_second(threshold_text, "threshold/async_decrypt_batch_1000_with_proofs/memory/contributors=2/threads=2/bits=2048")
    if rate:
        lines.append(f"| batch of 1,000 ciphertexts, 3 parties on 2 cores (`async_decrypt`) | {rate:.0f} ciphertexts/s | — |")
    if rate_proofs:
        lines.append(f"| the same with proofs checked | {rate_proofs:.0f} ciphertexts/s | — |")
    one_party = per_second(threshold_text, "threshold/one_party_partials_1000/threads=2/bits=2048")
    if one_party:
        lines.append(f"| one party's partial decryptions of the batch on 2 threads (each party on its own 2-core machine) | {one_party:.0f} ciphertexts/s | — |")
    lines += [
        "",
        "Decryption throughput is bounded by arithmetic: each ciphertext costs each of the t+1 contributors",
        "one exponentiation modulo N² with an exponent of about 4,150 bits (the partial decryption above),",
        "so 2 cores decrypt at most 2 / (2 × that time) ciphertexts per second with n = 3, t = 1 in one",
        "machine; with `decrypt_options::threads` each party uses its own machine's cores, and the rate is",
        "that of one party's share of the work.",
    ]
    exchange = micro.time("transport/exchange/tcp/n=3/bytes=1024")
    bulk = micro.get("transport/exchange/tcp/n=3/bytes=1048576", "median", "bytes_per_second")
    lines += [
        "",
        "Transport (`benchmark_micro`, 3 parties on one thread over loopback TCP, CPU time): an all-to-all",
        f"exchange of 1 KiB messages takes {duration(exchange[0])} ({duration(exchange[1])} – {duration(exchange[2])}); with 1 MiB messages the",
        f"payload moves at {bulk / 1e6:.0f} MB/s.",
    ]
    return "\n".join(lines)


def main():
    readme = root / "README.md"
    text = readme.read_text()
    begin, end = "<!-- performance:begin -->", "<!-- performance:end -->"
    if begin not in text or end not in text:
        sys.exit("README.md lacks the performance markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(head + begin + "\n" + table() + "\n" + end + tail)


if __name__ == "__main__":
    main()

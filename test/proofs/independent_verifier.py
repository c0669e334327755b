#!/usr/bin/env python3
"""An independent verifier of dkg's proofs on ciphertexts, written from docs/formats.md and
docs/protocol.md section 9 only (Python integers and hashlib, no dkg code).

    independent_verifier.py <vector directory>...

Each directory holds statement.txt and the JSON forms plaintext_knowledge.json, membership.json,
blinding.json and ballot.json (test/data/proof_vectors/<bits>). Every proof must verify under the
statement's context, and fail under another voter id and with a changed value. Exits 1 otherwise.
"""
import hashlib
import json
import pathlib
import sys


def u64(v):
    return v.to_bytes(8, "big")


def framed(b):
    return u64(len(b)) + b


def integer(x):
    magnitude = abs(x).to_bytes((abs(x).bit_length() + 7) // 8, "big")
    return u64(1 if x < 0 else 0) + framed(magnitude)


class Key:
    def __init__(self, n):
        self.n, self.n2, self.g = n, n * n, n + 1
        self.t = min(128, n.bit_length() // 2 - 1)

    def challenge(self, domain, context, values):
        """values: a list of ("u64", v) or ("int", v), appended after N."""
        data = framed(domain.encode()) + u64(len(context)) + b"".join(framed(f.encode()) for f in context) + integer(self.n)
        for kind, v in values:
            data += u64(v) if kind == "u64" else integer(v)
        return int.from_bytes(hashlib.sha256(data).digest(), "big") >> (256 - self.t)

    def unit_n2(self, x):
        return 0 < x < self.n2 and gcd(x, self.n) == 1

    def unit_n(self, x):
        return 0 < x < self.n and gcd(x, self.n) == 1


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def verify_knowledge(key, c, p, context):
    a, z, w = int(p["commitment"]), int(p["plaintext_response"]), int(p["nonce_response"])
    if not (key.unit_n2(a) and 0 <= z < key.n and key.unit_n(w)):
        return False
    e = key.challenge("dkg/proofs/plaintext-knowledge/v1", context, [("int", c), ("int", a)])
    return pow(key.g, z, key.n2) * pow(w, key.n, key.n2) % key.n2 == a * pow(c, e, key.n2) % key.n2


def branches_hold(key, c, values, branches, e):
    """The OR of section 9.2 for a given challenge e."""
    if len(branches) != len(values) or sum(b[1] for b in branches) % (1 << key.t) != e:
        return False
    for s, (a, ej, z) in zip(values, branches):
        if not (key.unit_n2(a) and 0 <= ej < (1 << key.t) and key.unit_n(z)):
            return False
        if pow(z, key.n, key.n2) != a * pow(c, ej, key.n2) * pow(key.g, -s * ej % key.n, key.n2) % key.n2:
            return False
    return True


def parse_branches(p):
    return [(int(b["commitment"]), int(b["challenge"]), int(b["response"])) for b in p["branches"]]


def verify_membership(key, c, values, p, context):
    branches = parse_branches(p)
    statement = [("u64", len(values))] + [("int", s % key.n) for s in values] + [("int", c)] + [("int", a) for a, _, _ in branches]
    return branches_hold(key, c, values, branches, key.challenge("dkg/proofs/membership/v1", context, statement))


def verify_blinding(key, c, blinded, p, context):
    halves = [(int(h["commitment"]), int(h["exponent_response"]), int(h["nonce_response"])) for h in (p["forward"], p["backward"])]
    if not all(key.unit_n2(a) and 0 <= z < key.n and key.unit_n(w) for a, z, w in halves):
        return False
    e = key.challenge("dkg/proofs/blinding/v1", context, [("int", c), ("int", blinded), ("int", halves[0][0]), ("int", halves[1][0])])
    for (source, target), (a, z, w) in zip(((c, blinded), (blinded, c)), halves):
        if pow(source, z, key.n2) * pow(w, key.n, key.n2) % key.n2 != a * pow(target, e, key.n2) % key.n2:
            return False
    return True


def verify_ballot(key, rule, ballot, context):
    k, low, high = rule
    if int(ballot["n"]) != key.n:
        return False
    cs = [int(c) for c in ballot["ciphertexts"]]
    if not all(key.unit_n2(c) for c in cs):
        return False
    statements = [(c, [0, 1]) for c in cs]
    product = 1
    for c in cs:
        product = product * c % key.n2
    if low == high and k > 2:  # the derived last option g^s / (c_1 ... c_(k-1))
        statements.append((pow(key.g, low, key.n2) * pow(product, -1, key.n2) % key.n2, [0, 1]))
    elif low < high and not (low == 0 and high == k):  # the sum
        statements.append((product, list(range(low, high + 1))))
    proofs = [parse_branches(p) for p in ballot["proofs"]]
    if len(cs) != (k - 1 if low == high else k) or len(proofs) != len(statements):
        return False
    values = [("u64", k), ("u64", low), ("u64", high), ("u64", len(cs))] + [("int", c) for c in cs] + [("u64", len(proofs))]
    for p in proofs:
        values += [("u64", len(p))] + [("int", a) for a, _, _ in p]
    e = key.challenge("dkg/proofs/ballot/v1", context, values)
    return all(branches_hold(key, c, s, p, e) for (c, s), p in zip(statements, proofs))


def check_directory(directory):
    statement = {"context": []}
    for line in (directory / "statement.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, value = line.split(" ", 1)
            if name == "context":
                statement["context"].append(value)
            else:
                statement[name] = value
    key = Key(int(statement["n"]))
    context = statement["context"]
    other = context[:-1] + ["someone-else"]
    c, blinded = int(statement["ciphertext"]), int(statement["blinded"])
    values = [int(v) for v in statement["set"].split()]
    rule = tuple(int(v) for v in statement["rule"].split())
    load = lambda name: json.loads((directory / name).read_text())
    checks = {
        "plaintext_knowledge": (load("plaintext_knowledge.json"), lambda p, ctx: verify_knowledge(key, c, p, ctx), "nonce_response"),
        "membership": (load("membership.json"), lambda p, ctx: verify_membership(key, c, values, p, ctx), None),
        "blinding": (load("blinding.json"), lambda p, ctx: verify_blinding(key, c, blinded, p, ctx), None),
        "ballot": (load("ballot.json"), lambda p, ctx: verify_ballot(key, rule, p, ctx), None),
    }
    ok = True
    for name, (proof, verify, field) in checks.items():
        good = verify(proof, context)
        replayed = verify(proof, other)
        tampered = json.loads(json.dumps(proof))
        if name == "plaintext_knowledge":
            tampered[field] = str(int(tampered[field]) * 2 % key.n)
        elif name == "blinding":
            tampered["backward"]["exponent_response"] = str((int(tampered["backward"]["exponent_response"]) + 1) % key.n)
        else:
            branches = tampered["branches"] if name == "membership" else tampered["proofs"][0]["branches"]
            branches[0]["response"] = str(int(branches[0]["response"]) * 2 % key.n)
        changed = verify(tampered, context)
        print(f"{directory.name}/{name}: verifies {good}, under another voter id {replayed}, changed {changed}")
        ok = ok and good and not replayed and not changed
    return ok


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: independent_verifier.py <vector directory>...")
    sys.exit(0 if all([check_directory(pathlib.Path(d)) for d in sys.argv[1:]]) else 1)

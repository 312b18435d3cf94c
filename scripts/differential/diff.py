#!/usr/bin/env python3
"""diff.py OLD NEW FILES...: runs two relcheck binaries on every input and
prints where they differ: show (JSON and text, with and without colour),
lint, lint --strict (exit code, stdout, stderr), and the record a
`run --non-interactive --answers` writes, times, ids, digests, hosts and
durations masked. Also flags a record whose checklist sha256 is not of
the file's bytes, a panic, a timeout, or a run 3x slower (over 1 s).
FAST=1 drops the coloured views."""
import hashlib, os, re, subprocess, sys, tempfile, time, glob
from concurrent.futures import ThreadPoolExecutor
OLD, NEW = sys.argv[1], sys.argv[2]
files = sys.argv[3:]
ANS = os.path.join(tempfile.mkdtemp(), "answers.yaml")
open(ANS, "w").write("items: {}\n")
CMDS = [["show", "--format", "json"], ["show"], ["lint"], ["lint", "--strict"]] if os.environ.get("FAST") else [["show", "--format", "json"], ["show"], ["lint"], ["lint", "--strict"], ["show", "--format", "json", "--color", "always"], ["lint", "--color", "always"]]
TS = re.compile(rb"\d{8}T\d{6}Z|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
MASKS = [(TS, b"<T>"), (re.compile(rb"duration_seconds: [0-9.e-]+"), b"duration_seconds: <D>"),
         (re.compile(rb"^digest: [0-9a-f]{64}", re.M), b"digest: <DIGEST>"), (re.compile(rb"host: .*"), b"host: <H>"), (re.compile(rb"\(\d+\.\d+ s\)"), b"(<S>)"), (re.compile(rb"^(\s+- [\w-]+): \d+(\.\d+)?$", re.M), rb"\1: <S>")]
def mask(b):
    for r, s in MASKS: b = r.sub(s, b)
    return b
def run(binary, args, timeout=20):
    t = time.monotonic()
    try:
        p = subprocess.run([binary] + args, capture_output=True, timeout=timeout, env=dict(os.environ, RELCHECK_OPERATOR="op"))
        return (p.returncode, p.stdout, p.stderr.replace(binary.encode(), b"<BIN>")), time.monotonic() - t
    except subprocess.TimeoutExpired:
        return ("TIMEOUT", b"", b""), timeout
def record_run(binary, f):
    with tempfile.TemporaryDirectory() as d:
        (rc, out, err), t = run(binary, ["run", f, "--non-interactive", "--answers", ANS, "--records-dir", d, "--operator", "op"])
        recs = sorted(glob.glob(d + "/*.yaml"))
        rec = open(recs[0], "rb").read() if recs else b""
        extra = b""
        if rec:
            m = re.search(rb"^  sha256: ([0-9a-f]{64})", rec, re.M)
            want = hashlib.sha256(open(f, "rb").read()).hexdigest().encode()
            if not m or m.group(1) != want:
                extra = b"SHA256-MISMATCH " + (m.group(1) if m else b"none") + b" want " + want
        return (rc, mask(out.replace(d.encode(), b"<D>")), mask(err.replace(d.encode(), b"<D>")), mask(rec), extra), t
def one(f):
    res = []
    for c in CMDS:
        a, ta = run(OLD, c + [f]); b, tb = run(NEW, c + [f])
        if a != b: res.append((" ".join(c), a, b))
        if b[0] == "TIMEOUT" or (b[0] == 101) or b"panicked" in b[2]: res.append(("PANIC/TIMEOUT " + " ".join(c), a, b))
        if tb > 1 and tb > 3 * ta: res.append(("SLOW " + " ".join(c), ta, tb))
    a, ta = record_run(OLD, f); b, tb = record_run(NEW, f)
    if a != b: res.append(("run", a, b))
    if b[4]: res.append(("run-sha-new", b[4], a[4]))
    if b"panicked" in b[2]: res.append(("PANIC run", a, b))
    return f, res
bad = 0
with ThreadPoolExecutor(2) as ex:
    for f, res in ex.map(one, files):
        for what, a, b in res:
            bad += 1
            print("DIFF", f, what)
            if isinstance(a, tuple):
                for i, (x, y) in enumerate(zip(a, b)):
                    if x != y: print("   [%d] old=%r\n       new=%r" % (i, x[:600] if isinstance(x, bytes) else x, y[:600] if isinstance(y, bytes) else y))
            else:
                print("   old=%r new=%r" % (a, b))
print("files", len(files), "commands", len(files) * (len(CMDS) + 1), "differences", bad)

#!/usr/bin/env python3
"""fuzz.py [SEED [COUNT [DIR]]]: random checklists from fragments, with
unsafe characters dropped anywhere, into DIR (default /tmp/relcheck-diff/fz)."""
import os, random, shutil, sys
OUT = sys.argv[3] if len(sys.argv) > 3 else "/tmp/relcheck-diff/fz"; shutil.rmtree(OUT, ignore_errors=True); os.makedirs(OUT)
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 21)
LINES = ["# Release {w}", "## Pre-flight", "## Sign-off", "## Approvals", "## Rollback triggers", "## Rollback", "### Release Manager",
 "### QA Lead", "### Notes", "- [ ] {w}", "- [ ] Error rate < {n}%", "- [ ] p95 latency under {n}ms", "- [ ] monitor for {n} minutes",
 "- [ ] wait {n} min then check error ≥ {n}.{n}%", "- [ ] Availability ≥ 99.9%", "- [ ] {w} < ٣%", "- [ ] Watch for １５ minutes",
 "Name: ___", "Date: ___", "Signature: ___", "**Deployer:** ___", "- Date:", "- [ ] Date: ___", "DATE:", "Datum: ___", "Approved by: ___",
 "- [ ] {w} <!-- relcheck: timeout={n} -->", "  ```sh", "  echo {n}", "  ```", "", "", "", "---", "title: {w}", "n: {n}", "x: [[], {{}}, null, true]",
 "| Role | Name | Date |", "|---|---|---|", "| QA | | |", "1. [ ] {w}", "* [x] {w}", "> quote {w}", "<!-- relcheck: when=rollback -->",
 "- [ ] Customer impact > {n} minutes", "- [ ] over {n}x baseline response time", "Field: {{{{version}}}}", "- [ ] {w}: ___"]
WORDS = ["deploy", "é", "中文", "😀", "\u202eRLO", "\u200bzw", "\"q\"", "back\\s", "</script>", "\u2028", "İ", "ǅ", "\u212a", "tab\tx", "Sign", "Date", "Name"]
UNSAFE = ["\x1b[1m", "\x07", "\x7f", "\r", "\r\n", "\u0085", "\u009b", "\u202e", "\u2066", "\ufeff", "\x00", "\x0b", "\x1b"]
for k in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1500):
    lines = [random.choice(LINES).format(w=random.choice(WORDS), n=random.randint(0, 120)) for _ in range(random.randint(0, 40))]
    text = "\n".join(lines) + random.choice(["", "\n"])
    if random.random() < 0.3: text = "\ufeff" + text
    if random.random() < 0.2: text = text.replace("\n", "\r\n")
    for _ in range(random.choice([0, 0, 1, 2, 5])):
        p = random.randint(0, len(text)); text = text[:p] + random.choice(UNSAFE) + text[p:]
    data = text.encode()
    if random.random() < 0.03:
        p = random.randint(0, len(data)); data = data[:p] + b"\xff" + data[p:]
    open(f"{OUT}/f{k:05d}.md", "wb").write(data)

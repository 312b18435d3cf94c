#!/usr/bin/env python3
"""gen.py [DIR]: writes adversarial checklists into DIR (default
/tmp/relcheck-diff/in), one file each: controls, escapes, BOMs and line
ends at every offset of a sixteen-byte chunk, NUL bytes, invalid UTF-8,
JSON that needs escaping, deep and odd front matter, sign-off blocks,
thresholds and waits. Then `diff.py OLD NEW DIR/*`."""
import os, shutil, sys
OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/relcheck-diff/in"
shutil.rmtree(OUT, ignore_errors=True); os.makedirs(OUT)
n = 0
def w(name, data):
    global n
    if isinstance(data, str): data = data.encode("utf-8")
    n += 1
    with open(f"{OUT}/{n:05d}-{name}.md", "wb") as f: f.write(data)

BASE = "# Deploy\n\n## Pre\n\n- [ ] Approve the change ticket for the release train\n- [ ] Error rate normal (< 1%)\n  ```sh\n  echo ok\n  ```\n\n## Sign-off\n\n### Release Manager\n\nName: ___\nDate: ___\n"
INSERTS = {
 "esc": "\x1b[31m", "bel": "\x07", "del": "\x7f", "cr": "\r", "crlf": "\r\n", "tab": "\t",
 "nel": "\u0085", "c1csi": "\u009b", "rlo": "\u202e", "lri": "\u2066", "zw": "\u200b",
 "e": "\u00e9", "cjk": "\u4e2d", "emoji": "\U0001F600", "bomin": "\ufeff", "nbsp": "\u00a0",
 "ls": "\u2028", "ps": "\u2029", "osc": "\x1b]0;title\x07", "vt": "\x0b", "ff": "\x0c", "esc2": "\x1b",
 "ctrl1": "\x01", "us": "\x1f",
}
pos_list = list(range(0, 50)) + [60, 62, 63, 64, 65, 79, 80, 81, 95, 96, 97, len(BASE) - 1]
for key, ins in INSERTS.items():
    for p in pos_list:
        p = min(p, len(BASE))
        w(f"ins-{key}-{p}", BASE[:p] + ins + BASE[p:])
    w(f"ins-{key}-end", BASE + ins)
    w(f"bom-{key}", "\ufeff" + ins + BASE)
    w(f"bom2-{key}", "\ufeff\ufeff" + ins + BASE)
    w(f"only-{key}", ins)
    w(f"onlyws-{key}", " \n" + ins + "\n ")
    # many, in every lane of a 16-byte chunk
    w(f"every16-{key}", "".join(BASE[i:i+7] + ins for i in range(0, len(BASE), 7)))
# whole-file variants
w("crlf-all", BASE.replace("\n", "\r\n"))
w("cr-all", BASE.replace("\n", "\r"))
w("bom-crlf", "\ufeff" + BASE.replace("\n", "\r\n"))
w("bom-only", "\ufeff"); w("bom-ws", "\ufeff \n\t\n")
w("empty", ""); w("ws", "   \n\n\t\n"); w("nl", "\n"); w("crlf-only", "\r\n\r\n")
w("bom-bom", "\ufeff\ufeff" + BASE)
w("bom-cr-ctl", "\ufeff\r\x07" + BASE)
w("tabs", BASE.replace("- [ ]", "-\t[ ]"))
for L in range(0, 40):
    w(f"len-{L}", ("# T" + "x" * L + "\n- [ ] a\n")[: 3 + L + 8])
    w(f"len-esc-{L}", "# T" + "x" * L + "\x1b\n- [ ] a\n")
    w(f"len-cr-{L}", "# T" + "x" * L + "\r\n- [ ] a\n")
# NUL bytes
b = BASE.encode()
for p in list(range(0, 40)) + [len(b) - 1, len(b)]:
    w(f"nul-{p}", b[:p] + b"\0" + b[p:])
w("nul-bom", "\ufeff\0".encode() + b)
w("nul-after-bad-utf8", b"# T\n\xff\0")
# invalid UTF-8
for p in list(range(0, 34)) + [len(b)]:
    for bad in [b"\xff", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80"]:
        w(f"utf8-{p}-{bad.hex()}", b[:p] + bad + b[p:])
w("latin1", "# Déploiement\n- [ ] vérifier\n".encode("latin-1"))
# JSON escaping
JS = ['"quoted"', 'back\\slash', '</script><script>alert(1)</script>', 'line\u2028sep', 'para\u2029sep',
      'ctrl \x01 here', 'del \x7f', 'tab\there', 'emoji \U0001F680', '\u202eevil', 'a\\"b', '\\u0000', 'é中😀',
      "{{version}}", "<!-- x -->", "&amp; <b>", "\\n literal"]
for i, s in enumerate(JS):
    w(f"json-item-{i}", f"# Title {s}\n\nDesc {s}\n\n## Phase {s}\n\n### Sec {s}\n\n- [ ] Item {s}\n  ```sh\n  echo '{s}'\n  ```\n- [ ] Name: {s}\n")
    w(f"json-fm-{i}", f"---\ntitle: 'T {s}'\nowner: \"{s.replace(chr(92), chr(92)*2).replace(chr(34), chr(92)+chr(34))}\"\ntags: ['{s}']\n---\n# X\n- [ ] a\n")
# front matter values
FMS = ["n: 1\nf: 1.5\nneg: -3\nexp: 1e10\nbig: 123456789012345678901234567890\nb: true\nnul: null\ntilde: ~\n",
       "e: []\no: {}\nnested: [[], {}, [[]], {a: {}}]\n", "x: .nan\ny: .inf\nz: -.inf\n", "k: 0x1F\noct: 0o17\n",
       "multi: |\n  line1\n  line2\n", "date: 2026-11-30\n", "list:\n  - 1\n  - two\n  - null\n  - [a, {b: c}]\n",
       "'quoted key': v\n\"k\\\"ey\": v\n", "empty:\n", ": novalue\n", "a: &x 1\nb: *x\n", "t: !tag x\n",
       "title: [not, a, string]\n", "title: 12\n", "title: null\n", "title: ''\n"]
for i, fm in enumerate(FMS):
    w(f"fm-{i}", f"---\n{fm}---\n# T\n\n- [ ] a\n")
    w(f"fm-only-{i}", f"---\n{fm}---\n")
for depth in [1, 2, 15, 16, 17, 31, 32, 33, 34, 40, 64, 100, 127, 128, 129, 200]:
    s = "---\nx:"
    for d in range(1, depth):
        s += "\n" + "  " * d + f"y{d}:"
    s += " deep\n---\n# T\n- [ ] a\n"
    w(f"deep-block-{depth}", s)
    w(f"deep-flow-{depth}", "---\nx: " + "[" * depth + "1" + "]" * depth + "\n---\n# T\n- [ ] a\n")
    w(f"deep-flowobj-{depth}", "---\nx: " + "{a: " * depth + "1" + "}" * depth + "\n---\n# T\n- [ ] a\n")
    w(f"deep-empty-{depth}", "---\nx: " + "[" * depth + "]" * depth + "\n---\n# T\n- [ ] a\n")
    w(f"deep-list-md-{depth}", "# T\n\n" + "".join("  " * d + "- [ ] item %d\n" % d for d in range(depth)))
# sign-off blocks
SIG = [
 "## Sign-off\n\n### Release Manager\n\nName: ___\nDate: ___\nSignature: ___\n",
 "## Approvals\n\n### QA Lead\n\n- Name: ___\n- Date: ___\n",
 "## Sign-off\n\n**Deployer:** ___\nDate: ___\n",
 "## Sign-off\n\n- **Deployer:** ___\n- Date:\n",
 "## Sign-off\n\n- [ ] Deployer sign-off\n- Date:\n",
 "## Checks\n\n- [ ] Deployer: ___\n- [ ] Date: ___\n",
 "## Checks\n\n- Date:\n- [ ] Release manager signature: ___\n",
 "## Sign-off\n\nDate: ___\n**Deployer:** ___\n",
 "## Notes\n\n### Things\n\nName: ___\nDate: ___\n",
 "## Sign-off\n\n### release MANAGER\n\nNAME: ___\nDATE: ___\n",
 "## Sign-off\n\n### Responsable de version\n\nNom : ___\nDate : ___\n",
 "## Freigabe\n\n### Release-Manager\n\nName: ___\nDatum: ___\nUnterschrift: ___\n",
 "## 承認\n\n### リリース責任者\n\n名前: ___\n日付: ___\n",
 "## Sign-off\n\n### Ops\n\nSigned: ___\nDate: ___\nDate: ___\n",
 "## Sign-off\n\n- [ ] Approved by: ___\n- [ ] Date: ___\n- [ ] Date: ___\n- [ ] Approved by QA: ___\n- Date\n",
 "## Sign-off\n\n| Role | Name | Date | Signature |\n|---|---|---|---|\n| Release Manager | | | |\n| QA | | | |\n",
 "## Release Manager\n\nName: ___\nDate: ___\n",
 "## Sign-off\n\n### Deploy\n\n- Date:\n",
 "## Sign-off\n\n### Approver\n\nSignature:\nDate:\n\n### Reviewer\n\nDate:\nSignature:\n",
 "## Sign-off\n\n### Approver\n\n- [ ] Signature\n- [ ] date\n- [ ] DATE:\n",
 "## Sign-off\n\n### Approver\n\nSignature: ___ Date: ___\n",
 "## Sign-off\n\n- [ ] Sign-off: release manager\n- [ ] Date\n- [ ] Sign-off: QA\n- [ ] Timestamp\n",
 "## Sign-off\n\n### Approver\n\nSignature: ___\nDate (UTC): ___\nTime: ___\n",
 "## Ｓｉｇｎ-ｏｆｆ\n\n### Ａｐｐｒｏｖｅｒ\n\nＮａｍｅ: ___\nＤａｔｅ: ___\n",
 "## Sign-off\n\n### Approver\n\nİmza: ___\nTarih: ___\n",
 "## Approver\n\n- [ ] Approver signs\n- Date: ___\n",
]
for i, s in enumerate(SIG):
    w(f"sig-{i}", "# Release\n\n## Deploy\n\n- [ ] Ship it\n\n" + s)
    w(f"sig-alone-{i}", "# Release\n\n" + s)
    w(f"sig-twice-{i}", "# Release\n\n## Deploy\n\n- [ ] Ship it\n\n" + s + "\n" + s.replace("## ", "## Second "))
# measures / waits
MS = ["Error rate < 1%", "Latency under five minutes", "wait 10 min", "Availability ≥ 99.9", "Availability ≥ 99.9%",
      "Error rate < ٣%", "Error rate < ５%", "monitor for 15 minutes", "monitor for fifteen minutes",
      "Watch for ٣٠ minutes", "Watch for １５ minutes", "Soak 2 hours", "bake for 30-60 minutes", "observe 1h",
      "Customer impact > 10 minutes", "Node >= 18", "v1.2 > v1.1", "at least 80/100", "AT MOST 3x baseline",
      "Over 5 × the baseline", "under 500ms", "< inf%", "< NaN%", "< .5%", "< 1e3%", "≤ ½%", "monitor for 1⁵ minutes",
      "WAIT 5 MIN", "Wait for 5 minutes and check error < 2%", "monitor for 𝟓 minutes", "error < 𝟓%",
      "Monitor  for\u00a015\u00a0minutes", "monitor for 15\u2009minutes", "ǅwait 15 minutes", "monitorİ 15 minutes",
      "Kelvin \u212a 5 minutes wait", "wait 99999999999999999999 minutes", "wait 18446744073709551615 sec",
      "wait 307445734561825860 minutes", "< 1 %", "=1%", "== 1%", "-> 1%", "x <1% and y <2%"]
for i, m in enumerate(MS):
    w(f"measure-check-{i}", f"# T\n\n## Verify\n\n- [ ] {m}\n  ```sh\n  echo 0.5\n  ```\n")
    w(f"measure-trigger-{i}", f"# T\n\n## Deploy\n\n- [ ] Ship\n\n## Rollback triggers\n\n- [ ] {m}\n\n## Rollback\n\n- [ ] Roll back\n")
    w(f"measure-plain-{i}", f"# T\n\n- [ ] {m}\n- [ ] Prefix: {m}\n- [ ] {m} <!-- relcheck: timeout=5 -->\n")
# a bigger realistic file
print(n)

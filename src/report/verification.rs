//! `relcheck verify`'s output: a [`Verification`] as one line for the
//! record digest, one a sign-off, and a summary that says what the
//! sign-offs are worth; colour only where the [`Style`] allows. `sign`
//! judges, this renders, so colour stays out of the core.

use crate::printable::one_line;
use std::fmt::Write as _;

use crate::record::{Decision, DigestCheck};
use crate::sign::{SignatureCheck, SignoffCheck, Verification};
use crate::style::Style;

/// What `relcheck verify` prints: the digest line, a line a sign-off with
/// its findings, and the summary.
pub fn text(verification: &Verification, style: Style) -> String {
    let mut out = String::new();
    let status = |passed: bool, unsigned: bool| -> String {
        if !passed {
            style.red("FAIL  ")
        } else if unsigned {
            style.yellow("--    ")
        } else {
            style.green("ok    ")
        }
    };
    let _ = match &verification.digest {
        DigestCheck::Matches(digest) => writeln!(
            out,
            "{}record digest {}… matches",
            status(true, false),
            &digest[..12]
        ),
        DigestCheck::Differs => writeln!(
            out,
            "{}record digest does not match: the record was edited outside relcheck",
            status(false, false)
        ),
        DigestCheck::Missing => writeln!(
            out,
            "{}record digest is missing: the record was edited outside relcheck",
            status(false, false)
        ),
    };
    let width =
        |f: fn(&SignoffCheck) -> usize| verification.signoffs.iter().map(f).max().unwrap_or(0);
    // Roles and names come from the record, which anyone may have written.
    let role_width = width(|s| one_line(&s.role).chars().count());
    let name_width = width(|s| one_line(&s.name).chars().count());
    for check in &verification.signoffs {
        let unsigned = check.signature == SignatureCheck::Unsigned;
        let _ = writeln!(
            out,
            "{}{:role_width$}  {:name_width$}  {:7}  {}  {}",
            status(check.passed(), unsigned),
            one_line(&check.role),
            one_line(&check.name),
            decision_str(check.decision),
            check.at.format("%Y-%m-%dT%H:%M:%SZ"),
            one_line(&findings(check).join("; "))
        );
    }
    // One line a rule of the sign-off policy, after the sign-offs it
    // judges.
    for rule in &verification.policy {
        let _ = writeln!(
            out,
            "{}policy {} ({}): {}",
            status(rule.kept, false),
            rule.rule,
            rule.from.join(", "),
            one_line(&rule.detail)
        );
    }
    let _ = writeln!(out, "{}", summary(verification));
    out
}

/// The last line of [`text`]: what the record and its sign-offs are worth.
pub fn summary(verification: &Verification) -> String {
    let digest_ok = matches!(verification.digest, DigestCheck::Matches(_));
    let total = verification.signoffs.len();
    let broken: Vec<&str> = verification
        .policy
        .iter()
        .filter(|rule| !rule.kept)
        .map(|rule| rule.rule.as_str())
        .collect();
    let broken = if broken.is_empty() {
        String::new()
    } else {
        format!("; sign-off policy broken ({})", broken.join(", "))
    };
    let kept = if verification.policy.is_empty() {
        ""
    } else {
        "; sign-off policy kept"
    };
    if total == 0 {
        return if !verification.passed() && digest_ok {
            format!("verification failed: no sign-offs{broken}")
        } else if digest_ok {
            "no sign-offs: checked the record digest only, which shows the record was not edited outside relcheck, not who approved it".to_string()
        } else {
            "verification failed: no sign-offs, and the record digest does not match".to_string()
        };
    }
    let failed = verification.signoffs.iter().filter(|s| !s.passed()).count();
    let unsigned = verification
        .signoffs
        .iter()
        .filter(|s| s.passed() && s.signature == SignatureCheck::Unsigned)
        .count();
    let signed = total - failed - unsigned;
    let mut counts = Vec::new();
    if signed > 0 {
        counts.push(format!("{signed} signed"));
    }
    if unsigned > 0 {
        counts.push(format!("{unsigned} unsigned"));
    }
    if failed > 0 {
        counts.push(format!("{failed} failed"));
    }
    let counts = format!(
        "{} ({})",
        crate::words::count(total, "sign-off"),
        counts.join(", ")
    );
    if !verification.passed() {
        let digest = if digest_ok {
            "record digest matches"
        } else {
            "record digest does not match"
        };
        format!("verification failed: {digest}; {counts}{broken}")
    } else if unsigned > 0 {
        format!(
            "verified: record digest matches; {counts}{kept}. Note: an unsigned sign-off records who approved, but anyone able to edit the file could have written it; sign with an SSH key to prove it"
        )
    } else {
        format!("verified: record digest matches; {counts}, every signature valid and known{kept}")
    }
}

fn findings(check: &SignoffCheck) -> Vec<String> {
    let mut out = Vec::new();
    if !check.changed.is_empty() {
        out.push(format!(
            "changed since signing: {}",
            check.changed.join(", ")
        ));
    }
    out.push(match &check.signature {
        SignatureCheck::Unsigned => "unsigned (no SSH signature)".to_string(),
        SignatureCheck::Valid {
            fingerprint,
            principal,
        } => format!("signed by {fingerprint} (principal {principal})"),
        SignatureCheck::Bad(reason) => format!("bad signature: {reason}"),
        SignatureCheck::Unchecked { fingerprint } => format!(
            "signed by {fingerprint}, but there is no allowed signers file to say whose key that is (--allowed-signers, or git config gpg.ssh.allowedSignersFile)"
        ),
        SignatureCheck::Unknown {
            fingerprint,
            file,
            cert_authorities,
        } => format!(
            "unknown signer {fingerprint} (not in allowed signers {}{})",
            file.display(),
            if *cert_authorities {
                "; its cert-authority lines are not used: relcheck does not check certificates"
            } else {
                ""
            }
        ),
        SignatureCheck::Refused {
            fingerprint,
            reason,
        } => format!("signer {fingerprint} {reason}"),
        SignatureCheck::Listed {
            principal,
            file,
            line,
        } => format!(
            "unsigned, but {}:{line} lists a key for {principal}: a sign-off in that name must be signed (was its signature stripped?)",
            file.display()
        ),
        SignatureCheck::Required => {
            "unsigned (no SSH signature), and --require-signatures asks for one".to_string()
        }
    });
    if let Some(rule) = &check.forced {
        out.push(format!("forced past the sign-off policy ({rule})"));
    }
    if check.changed.is_empty() && !check.since.is_empty() {
        out.push(format!(
            "signed off an earlier version; since then: {}",
            check.since.join(", ")
        ));
    }
    out
}

fn decision_str(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "approve",
        Decision::Reject => "reject",
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::text;
    use crate::record::{Decision, DigestCheck};
    use crate::sign::{SignatureCheck, SignoffCheck, Verification};
    use crate::style::Style;

    const FP: &str = "SHA256:VdP8lzJ5MZnRbdRkKJzd1Zqf1bRk8cRa7dR3ff8Q6Yk";

    fn t(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 10, minute, 0).unwrap()
    }

    /// Jane's signed sign-off, then Bob's unsigned one, as `verify` finds
    /// them once an answer was recorded between the two.
    fn signoffs(changed: &[&str]) -> Vec<SignoffCheck> {
        let changed: Vec<String> = changed.iter().map(|c| c.to_string()).collect();
        vec![
            SignoffCheck {
                role: "QA Lead".to_string(),
                name: "Jane Doe <jane@example.com>".to_string(),
                decision: Decision::Approve,
                at: t(10),
                changed: changed.clone(),
                since: vec![
                    "1 answer recorded".to_string(),
                    "1 later sign-off".to_string(),
                ],
                signature: SignatureCheck::Valid {
                    fingerprint: FP.to_string(),
                    principal: "jane@example.com".to_string(),
                },
                forced: None,
            },
            SignoffCheck {
                role: "Release Manager".to_string(),
                name: "bob".to_string(),
                decision: Decision::Approve,
                at: t(11),
                changed,
                since: Vec::new(),
                signature: SignatureCheck::Unsigned,
                forced: None,
            },
        ]
    }

    #[test]
    fn verify_text() {
        let digest = "0123456789abcdef".repeat(4);
        let verification = Verification {
            digest: DigestCheck::Matches(digest.clone()),
            signoffs: signoffs(&[]),
            policy: Vec::new(),
        };
        assert_eq!(
            text(&verification, Style::PLAIN),
            format!(
                "\
ok    record digest {}… matches
ok    QA Lead          Jane Doe <jane@example.com>  approve  2026-05-04T10:10:00Z  signed by {FP} (principal jane@example.com); signed off an earlier version; since then: 1 answer recorded, 1 later sign-off
--    Release Manager  bob                          approve  2026-05-04T10:11:00Z  unsigned (no SSH signature)
verified: record digest matches; 2 sign-offs (1 signed, 1 unsigned). Note: an unsigned sign-off records who approved, but anyone able to edit the file could have written it; sign with an SSH key to prove it
",
                &digest[..12]
            )
        );

        let edited = Verification {
            digest: DigestCheck::Differs,
            signoffs: signoffs(&["value pre/version changed"]),
            policy: Vec::new(),
        };
        assert_eq!(
            text(&edited, Style::PLAIN),
            format!(
                "\
FAIL  record digest does not match: the record was edited outside relcheck
FAIL  QA Lead          Jane Doe <jane@example.com>  approve  2026-05-04T10:10:00Z  changed since signing: value pre/version changed; signed by {FP} (principal jane@example.com)
FAIL  Release Manager  bob                          approve  2026-05-04T10:11:00Z  changed since signing: value pre/version changed; unsigned (no SSH signature)
verification failed: record digest does not match; 2 sign-offs (2 failed)
"
            )
        );

        let bare = Verification {
            digest: DigestCheck::Matches(digest),
            signoffs: Vec::new(),
            policy: Vec::new(),
        };
        assert_eq!(
            text(&bare, Style::PLAIN).lines().nth(1),
            Some(
                "no sign-offs: checked the record digest only, which shows the record was not edited outside relcheck, not who approved it"
            )
        );
    }
}

//! Separation of duties (docs/RECORD.md, "Sign-off policy"): who must
//! approve a run, as change-management audits ask (SOC 2 CC8.1, ISO 27001
//! A.8.32). `verify` judges each rule of a policy on the approvals that
//! hold; `sign` refuses an approval that would break one.
//!
//! Two sign-offs are by the same signer when a name they go by is the same
//! (ignoring case): the whole name, the name before an `<address>`, or an
//! email address in it; or when the same key signed both.

use crate::model::SignoffPolicy;
use crate::record::{Decision, Record};

/// Who gave a sign-off, as far as the record shows.
#[derive(Debug, Clone)]
pub struct Signer<'a> {
    pub name: &'a str,
    /// `SHA256:...` of the key that made a signature over it, if one did.
    pub fingerprint: Option<&'a str>,
}

impl Signer<'_> {
    /// Names this signer goes by, lowercased.
    fn names(&self) -> Vec<String> {
        let mut names = vec![self.name.trim().to_lowercase()];
        let before = self.name.split('<').next().unwrap_or("").trim();
        if !before.is_empty() {
            names.push(before.to_lowercase());
        }
        names.extend(
            super::ssh::principals(self.name)
                .into_iter()
                .skip(1)
                .map(|address| address.to_lowercase()),
        );
        names
    }

    pub fn same_as(&self, other: &Signer<'_>) -> bool {
        if let (Some(a), Some(b)) = (self.fingerprint, other.fingerprint)
            && a == b
        {
            return true;
        }
        let theirs = other.names();
        self.names().iter().any(|name| theirs.contains(name))
    }
}

/// One rule of a policy, as `verify` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCheck {
    /// `min 2`, `distinct`, `not-operator`: as front matter spells it.
    pub rule: String,
    /// Where the rule came from: `checklist`, a flag, or both.
    pub from: Vec<&'static str>,
    pub kept: bool,
    pub detail: String,
}

/// An approval that holds (intact, its signature valid or absent), by
/// its place in the record (from 0).
pub struct Approval<'a> {
    pub index: usize,
    pub signer: Signer<'a>,
}

/// Every rule of `record`'s policy and of `given` (the command line's),
/// judged on `approvals`.
pub fn judge(record: &Record, given: SignoffPolicy, approvals: &[Approval<'_>]) -> Vec<RuleCheck> {
    let ours = record.checklist.signoff.unwrap_or_default();
    let policy = ours.and(given);
    let from = |in_record: bool, flag: bool, name: &'static str| {
        let mut from = Vec::new();
        if in_record {
            from.push("checklist");
        }
        if flag {
            from.push(name);
        }
        from
    };
    let operator = Signer {
        name: &record.run.operator,
        fingerprint: None,
    };
    let by_operator = |a: &&Approval<'_>| a.signer.same_as(&operator);
    let mut checks = Vec::new();
    if let Some(min) = policy.min {
        let counted: Vec<&Approval<'_>> = approvals
            .iter()
            .filter(|a| !(policy.not_operator && by_operator(a)))
            .collect();
        let mut people: Vec<&Approval<'_>> = Vec::new();
        for approval in &counted {
            if !(policy.distinct && people.iter().any(|p| p.signer.same_as(&approval.signer))) {
                people.push(approval);
            }
        }
        let count = people.len();
        let names: Vec<&str> = people.iter().map(|a| a.signer.name).collect();
        let mut detail = format!(
            "{count} approval{}{}, {min} needed",
            if count == 1 { "" } else { "s" },
            if policy.distinct {
                " by different signers"
            } else {
                ""
            }
        );
        if !names.is_empty() {
            detail += &format!(": {}", names.join(", "));
        }
        let left_out = approvals.len() - count;
        if left_out > 0 {
            detail += &format!(
                " ({left_out} more not counted: {})",
                [
                    (policy.not_operator && approvals.iter().any(|a| by_operator(&a)))
                        .then_some("the operator's"),
                    (counted.len() > count).then_some("a signer's second"),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and ")
            );
        }
        checks.push(RuleCheck {
            rule: format!("min {min}"),
            from: from(
                ours.min == Some(min),
                given.min == Some(min),
                "--min-signoffs",
            ),
            kept: count >= min as usize,
            detail,
        });
    }
    if policy.distinct {
        let twice: Vec<String> = approvals
            .iter()
            .enumerate()
            .filter_map(|(i, later)| {
                let first = approvals[..i]
                    .iter()
                    .find(|a| a.signer.same_as(&later.signer))?;
                Some(format!(
                    "{} approved twice (sign-offs {} and {})",
                    first.signer.name,
                    first.index + 1,
                    later.index + 1
                ))
            })
            .collect();
        checks.push(RuleCheck {
            rule: "distinct".to_string(),
            from: from(ours.distinct, given.distinct, "--distinct-signers"),
            kept: twice.is_empty(),
            detail: if twice.is_empty() {
                "no signer approved twice".to_string()
            } else {
                twice.join("; ")
            },
        });
    }
    if policy.not_operator {
        let theirs: Vec<String> = approvals
            .iter()
            .filter(by_operator)
            .map(|a| format!("sign-off {}", a.index + 1))
            .collect();
        checks.push(RuleCheck {
            rule: "not-operator".to_string(),
            from: from(ours.not_operator, given.not_operator, "--not-operator"),
            kept: theirs.is_empty(),
            detail: if theirs.is_empty() {
                format!("the operator, {}, did not approve", record.run.operator)
            } else {
                format!(
                    "the operator, {}, approved the run ({})",
                    record.run.operator,
                    theirs.join(", ")
                )
            },
        });
    }
    checks
}

/// Why the record's own policy can never be kept with one more approval
/// by `signer`, the rule's name first (`distinct: ...`); `None` when it
/// can. `earlier` are the signers of the approvals it already holds, by
/// place. A rejection approves nothing, so it breaks no rule.
pub fn refusal(
    record: &Record,
    decision: Decision,
    signer: &Signer<'_>,
    earlier: &[(usize, Signer<'_>)],
) -> Option<String> {
    let policy = record.checklist.signoff?;
    if decision != Decision::Approve {
        return None;
    }
    let operator = Signer {
        name: &record.run.operator,
        fingerprint: None,
    };
    if policy.not_operator && signer.same_as(&operator) {
        return Some(format!(
            "not-operator: {} ran this run, and its checklist asks for approval by someone else",
            record.run.operator
        ));
    }
    if policy.distinct
        && let Some((index, first)) = earlier.iter().find(|(_, e)| e.same_as(signer))
    {
        return Some(format!(
            "distinct: {} already approved this run (sign-off {}), the same signer by name, address or key, and its checklist asks for approvals by different signers",
            first.name,
            index + 1
        ));
    }
    None
}

/// [`refusal`] for a sign-off given during a run: unsigned, so its signer
/// is known by name only, as are the approvals before it.
pub fn refusal_by_name(record: &Record, decision: Decision, name: &str) -> Option<String> {
    let earlier: Vec<(usize, Signer<'_>)> = record
        .signoffs
        .iter()
        .enumerate()
        .filter(|(_, signoff)| signoff.decision == Decision::Approve)
        .map(|(index, signoff)| {
            (
                index,
                Signer {
                    name: &signoff.name,
                    fingerprint: None,
                },
            )
        })
        .collect();
    let signer = Signer {
        name,
        fingerprint: None,
    };
    refusal(record, decision, &signer, &earlier)
}

#[cfg(test)]
mod tests {
    use super::Signer;

    fn signer(name: &str) -> Signer<'_> {
        Signer {
            name,
            fingerprint: None,
        }
    }

    #[test]
    fn a_signer_is_known_by_name_address_or_key() {
        let same = [
            ("Jane Doe", "jane doe"),
            ("Jane Doe <jane@example.com>", "Jane Doe"),
            ("Jane Doe <jane@example.com>", "JANE@example.com"),
            ("J. Doe <jane@example.com>", "Jane <jane@example.com>"),
        ];
        for (a, b) in same {
            assert!(signer(a).same_as(&signer(b)), "{a} / {b}");
        }
        let different = [
            ("Jane Doe", "John Doe"),
            ("Jane <jane@example.com>", "Bob <bob@example.com>"),
        ];
        for (a, b) in different {
            assert!(!signer(a).same_as(&signer(b)), "{a} / {b}");
        }
        let keyed = |name, fingerprint| Signer {
            name,
            fingerprint: Some(fingerprint),
        };
        assert!(keyed("Jane", "SHA256:a").same_as(&keyed("Someone Else", "SHA256:a")));
        assert!(!keyed("Jane", "SHA256:a").same_as(&keyed("Bob", "SHA256:b")));
    }
}

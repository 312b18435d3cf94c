//! The wording rules: what a title, a lead or an item's text says about
//! kind, optionality and condition. Pure functions of text, one per rule of
//! docs/FORMAT.md, so each can be tested on its own.

mod info;

pub use info::{
    is_example_label, is_information, is_instruction, is_notes_lead, is_optional_lead,
    is_phase_word, is_reference_title,
};
mod field;
mod lower;
mod optional;
mod role;
mod slug;
mod title_form;
pub(crate) use lower::{ends_with_lower, lowers_to, starts_with_lower};
use title_form::normalised;

pub use field::{FieldShape, boxed_choices, choices, field_shape, is_prose_value};
pub use optional::{is_optional_text, is_optional_title, without_optional_label};
use role::lead_of;
pub use role::{looks_like_role, role_of_title, role_words, signing_lead, without_signing_word};
pub use slug::{is_valid_id, slug};

/// A title with its leading numbering ("21. ", "3) ", "1.2 ") removed.
pub fn strip_numbering(title: &str) -> &str {
    let rest = title.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if rest.len() == title.len() {
        return title;
    }
    let rest = rest.strip_prefix(')').unwrap_or(rest);
    match rest.strip_prefix(' ') {
        Some(rest) if !rest.trim().is_empty() => rest.trim_start(),
        _ => title,
    }
}

/// Whether `text` contains any of `words`: one pass over `text` for all
/// of them. `str::contains` builds a searcher per word, which for a short
/// title and a dozen words costs more than the search itself.
pub(crate) fn contains_any(text: &str, words: &[&str]) -> bool {
    contains_any_by(text, words, |a, b| a == b)
}

/// Whether `text`, lower-cased, would contain any of `words` (written in
/// lower case), for ASCII text: without making the lower-case copy.
fn contains_any_ascii_lower(text: &str, words: &[&str]) -> bool {
    debug_assert!(text.is_ascii());
    contains_any_by(text, words, |a, b| a.to_ascii_lowercase() == b)
}

fn contains_any_by(text: &str, words: &[&str], same: impl Fn(u8, u8) -> bool) -> bool {
    // The bytes a word can start with (in either case: a filter may let
    // through more than `same` takes): most positions are ruled out by one
    // look-up instead of a comparison per word.
    let mut first = [false; 256];
    for word in words {
        if let Some(&byte) = word.as_bytes().first() {
            first[usize::from(byte)] = true;
            first[usize::from(byte.to_ascii_uppercase())] = true;
        }
    }
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|at| {
        let rest = &bytes[at..];
        first[usize::from(rest[0])]
            && words.iter().any(|word| {
                rest.len() >= word.len()
                    && rest.iter().zip(word.as_bytes()).all(|(&a, &b)| same(a, b))
            })
    }) || words.iter().any(|word| word.is_empty())
}

/// A document or heading about rolling back ("Runbook: Roll Back a
/// Release").
pub fn is_about_rollback(title: &str) -> bool {
    mentions_rollback(&normalised(title))
}

/// "When to Use This Runbook", "Symptoms": in a rollback runbook, the
/// list of what calls for the rollback, so its triggers.
pub fn is_usage_title(title: &str) -> bool {
    let title = normalised(title);
    title.starts_with("when to use")
        || title.starts_with("when to invoke")
        || title.starts_with("when to run")
        || &*title == "symptoms"
}

/// "Prerequisites", "Requirements", "Before You Begin", "Success
/// Criteria": a heading over conditions the operator confirms, so its
/// plain bullets are checks even among task items.
pub fn is_confirm_title(title: &str) -> bool {
    let title = normalised(title);
    let title = title
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim();
    [
        "prerequisite",
        "requirements",
        "before you begin",
        "before you start",
        "success criteria",
        "acceptance criteria",
    ]
    .iter()
    .any(|words| title.starts_with(words))
}

/// "**Error rate > 1%**: roll back at once": a measured condition whose
/// consequence is rolling back, so a trigger wherever it stands.
pub fn is_rollback_rule(label: &str, value: &str) -> bool {
    let measured = label.contains(['>', '<', '≥', '≤']);
    let value = value.to_lowercase();
    measured && (value.contains("roll back") || value.contains("rollback"))
}

/// "(Tick all that apply)": the boxes after it are picked, not all done.
pub fn is_pick_lead(lead: &str) -> bool {
    // Every lead is asked: the phrases are written out, not formatted
    // per verb, and an ASCII lead is searched with no lower-cased copy.
    const PHRASES: [&str; 5] = [
        "tick all that apply",
        "check all that apply",
        "select all that apply",
        "mark all that apply",
        "choose all that apply",
    ];
    if lead.is_ascii() {
        contains_any_ascii_lower(lead, &PHRASES)
    } else {
        contains_any(&lead.to_lowercase(), &PHRASES)
    }
}

/// A lead that says what a system does by itself, so the list under it
/// explains rather than asks: "The platform will:", "The hooks do the
/// following:", "This happens automatically:".
pub fn is_explanation_lead(lead: &str) -> bool {
    let lower = lead.trim().trim_end_matches(':').trim().to_lowercase();
    if !lead.trim_end().ends_with(':') || lower.starts_with("do ") {
        return false;
    }
    // "The release captain will:" hands the steps to a person; only a
    // lead that says the work is done for you explains.
    let by_itself = [
        "nothing to do",
        "automatic",
        "by itself",
        "on its own",
        "for you",
    ]
    .iter()
    .any(|words| lower.contains(words));
    (lower.ends_with(" will") && by_itself)
        || lower.ends_with("automatically")
        || lower.ends_with("does the following")
        || lower.ends_with("do the following")
}

fn mentions_rollback(title: &str) -> bool {
    contains_any(
        title,
        &[
            "rollback",
            "roll back",
            "rolling back",
            "revert",
            // Taking a release back out is a way back too.
            "withdraw",
            "pull a release",
            "pull the release",
            "pulling a release",
            "pulling the release",
        ],
    )
}

/// A lead that says when a workflow is used ("This workflow applies
/// when:", "Use this when:", "When to release:"): the list under it states
/// conditions, not steps. Under a heading about rolling back they are its
/// triggers; elsewhere, information.
pub fn is_conditions_lead(lead: &str) -> bool {
    if !lead.trim_end().ends_with(':') {
        return false;
    }
    let lower = normalised(lead.trim_end().trim_end_matches(':'));
    lower.split_whitespace().count() <= 8
        && [
            "applies when",
            "apply when",
            "is used when",
            "use this when",
            "used when",
            "when to release",
            "when to use",
        ]
        .iter()
        .any(|words| lower.contains(words))
}

/// "Sign-off", "Sign-offs", "Approvals", "Signatures", "Deployment
/// Approvals", "Sign-off and approval": a title that *is* about signing
/// off, ending with the word or starting with it in a short title. One that
/// merely mentions it ("Pre-release signoff tasks", "Get the approval
/// request ready") holds ordinary steps.
pub fn is_signoff_title(title: &str) -> bool {
    let title = normalised(title);
    // Every noun below holds one of these: most headings hold none, and
    // need no copy and no list of words to say so.
    if !contains_any(&title, &["sign", "approv", "acknowledg"]) {
        return false;
    }
    let title = title.replace("sign off", "signoff");
    let words: Vec<&str> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let noun = |word: &&str| {
        matches!(
            *word,
            "signoff"
                | "signoffs"
                | "approval"
                | "approvals"
                | "signature"
                | "signatures"
                | "acknowledgement"
                | "acknowledgment"
        )
    };
    // "Items Still Open at Sign-off" names a moment, and "Checking the
    // signatures" an activity: neither is where people sign.
    let moment =
        words.len() >= 2 && matches!(words[words.len() - 2], "at" | "before" | "after" | "until");
    let activity = words.len() > 1
        && words
            .first()
            .is_some_and(|w| matches!(*w, "checking" | "verifying" | "validating" | "testing"));
    // "Sign-off Issue Template" is text to copy elsewhere, not where
    // anyone signs in this document.
    let to_copy = words
        .last()
        .is_some_and(|w| matches!(*w, "template" | "templates" | "example" | "examples"));
    if moment || activity || to_copy {
        return false;
    }
    words.last().is_some_and(noun) || (words.first().is_some_and(noun) && words.len() <= 4)
}

/// "Emergency Contacts", "Contact list", "Escalation contacts": a heading
/// over people to reach, whose `**Role**: [Phone/Email]` lines are
/// reference, not fields.
pub fn is_contacts_title(title: &str) -> bool {
    normalised(title).contains("contact")
}

/// Labels of what a line under a task says about it: who owns it, where it
/// stands, what proves it.
pub fn is_task_metadata(label: &str) -> bool {
    let label = label.trim().to_lowercase();
    [
        "owner",
        "owners",
        "assignee",
        "responsible",
        "status",
        "evidence",
        "proof",
        "notes",
        "note",
        "link",
        "links",
        "reference",
        "see",
        "signed document",
        "document",
        "eta",
        "priority",
        // What a task is measured or tracked by: "Change ticket:
        // [CHG-1]", "RTO: [X hours]", "Tester: [Name]", "Users: [X]".
        "change ticket",
        "ticket",
        "rto",
        "tester",
        "result",
        "time estimate",
        "estimate",
        "test date",
        "users",
    ]
    .contains(&label.as_str())
}

/// "Rollback Triggers", "Rollback Criteria", "Abort Criteria", "No-Go
/// Criteria". "Go/No-Go Criteria" lists what must hold to go on, so its
/// items are checks.
pub fn is_trigger_title(title: &str) -> bool {
    let title = normalised(title);
    if title.contains("go/no go") || title.contains("go no go") {
        return false;
    }
    let about = mentions_rollback(&title) || contains_any(&title, &["abort", "no go"]);
    let condition = contains_any(&title, &["trigger", "criteria", "criterion", "condition"]);
    about && condition
}

/// A title that means "do this when rolling back": rollback steps,
/// procedure, completion, execution, "(if needed)". Plans, preparation and
/// criteria are about rolling back but are done in every run.
pub fn is_rollback_title(title: &str) -> bool {
    let title = normalised(title);
    if !mentions_rollback(&title) || is_trigger_title(&title) {
        return false;
    }
    // "Rollback Plan" is made in every run; a "Planned Rollback" is one.
    let plan = title
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| matches!(word, "plan" | "plans" | "planning"));
    let preparation = plan
        || ["prepar", "readiness", "strategy", "test", "criteria"]
            .iter()
            .any(|word| title.contains(word));
    if preparation {
        return false;
    }
    let execution = [
        "step",
        "procedure",
        "completion",
        "execution",
        "execute",
        "process",
        "verification",
        "validation",
        "if needed",
        "if required",
        "runbook",
        // What is done once the rollback is made: "Post-Rollback Actions",
        // "After a Rollback", "Confirm Rollback Success".
        "post rollback",
        "after rollback",
        "after a rollback",
        "after the rollback",
        "success",
        "confirm",
    ]
    .iter()
    .any(|word| title.contains(word));
    // "Immediate Rollback (< 15 minutes)", "Database Rollback": the title
    // names the rollback itself.
    let named = title
        .split('(')
        .next()
        .unwrap_or("")
        .trim_end()
        .ends_with("rollback");
    execution || named || ["rollback", "roll back", "revert"].contains(&title.as_str())
}

/// "Normal Completion", "On Success", "After a successful release", "If
/// the release succeeds".
pub fn is_success_title(title: &str) -> bool {
    let title = normalised(title);
    title.contains("normal completion")
        || title.starts_with("on success")
        || title.starts_with("if successful")
        || lead_condition(&title) == Some(crate::model::When::Success)
}

/// The words of a lead or title that say "this went wrong": "fails",
/// "goes wrong", "failure". What follows such a condition is done on the
/// way back, as rollback steps are.
fn says_failure(words: &[&str]) -> bool {
    words.iter().any(|w| {
        matches!(
            *w,
            "fails" | "failed" | "failure" | "fail" | "unsuccessful" | "aborted"
        )
    }) || words.contains(&"nogo")
        || words
            .windows(2)
            .any(|w| w == ["goes", "wrong"] || w == ["went", "wrong"] || w == ["no", "go"])
}

fn says_success(words: &[&str]) -> bool {
    words.iter().any(|w| {
        matches!(
            *w,
            "successful" | "successfully" | "succeeded" | "succeeds" | "success"
        )
    })
}

/// A lead that says when to roll back, so the list under it is its
/// triggers: "Rollback if:", "Roll back immediately when any of these
/// happen:", "Abort if:", "Rollback criteria:", "Initiate rollback if:".
pub fn is_criteria_lead(lead: &str) -> bool {
    let lower = lead.to_lowercase().replace("roll back", "rollback");
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 12 {
        return false;
    }
    let about = words
        .iter()
        .take(4)
        .position(|w| matches!(*w, "rollback" | "abort" | "revert" | "nogo"))
        .or_else(|| {
            // "The platform rolls the release back on its own when:"
            let rolls = words.iter().take(4).position(|w| *w == "rolls")?;
            words
                .iter()
                .skip(rolls + 1)
                .take(3)
                .position(|w| *w == "back")
                .map(|back| rolls + 1 + back)
        });
    let Some(at) = about else {
        return false;
    };
    words[at + 1..]
        .iter()
        .take(4)
        .any(|w| matches!(*w, "if" | "when" | "criteria" | "triggers" | "conditions"))
}

/// "If rollback required:" gives rollback; "If deployment successful:" gives
/// success. So do the everyday words for either: "If the release fails",
/// "On failure", "If something goes wrong" give rollback; "After a
/// successful vote", "Once the release succeeds", "On success" give
/// success.
pub fn lead_condition(lead: &str) -> Option<crate::model::When> {
    use crate::model::When;
    const OPENINGS: [&str; 6] = ["if", "on", "after", "once", "when", "upon"];
    // Most titles and leads open with none of these words: an ASCII one
    // is told so in place, before the lower-cased copy and list of words.
    if lead.is_ascii()
        && !lead
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(3)
            .any(|w| {
                OPENINGS
                    .iter()
                    .any(|opening| w.eq_ignore_ascii_case(opening))
            })
    {
        return None;
    }
    let lead = lead.to_lowercase();
    let words: Vec<&str> = lead
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // The condition is what follows its first word: "if", "only if",
    // "on", "after", "once", "when" (within the first three words, so a
    // sentence that merely contains "if" later is not a condition).
    let at = words.iter().take(3).position(|w| OPENINGS.contains(w))?;
    let after = &words[at + 1..];
    let near: Vec<&str> = after.iter().take(5).copied().collect();
    if near
        .iter()
        .take(3)
        .any(|w| *w == "rollback" || *w == "revert")
        || near.windows(2).take(3).any(|w| w == ["roll", "back"])
        || says_failure(&near)
    {
        return Some(When::Rollback);
    }
    if says_success(&near) {
        return Some(When::Success);
    }
    None
}

/// Seconds an item's words ask to wait or monitor: "watched for 15
/// minutes", "monitored for 2 hours", "30-60 minute monitoring period". A
/// range gives its lower bound. Only with a word of watching or waiting, so
/// "Customer impact > 10 minutes" asks for no wait.
pub fn wait_in_text(text: &str) -> Option<u64> {
    const WATCHING: [&str; 6] = ["monitor", "watch", "wait", "observ", "soak", "bake"];
    // Most items ask for no wait: say so without the lower-case copy. A
    // wait is a number of ASCII digits, so a text with none asks for none.
    if !text.bytes().any(|byte| byte.is_ascii_digit())
        || (text.is_ascii() && !contains_any_ascii_lower(text, &WATCHING))
    {
        return None;
    }
    let lower = text.to_lowercase();
    let watching = WATCHING.iter().any(|word| lower.contains(word));
    if !watching {
        return None;
    }
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        // "30-60", "15", "30-minute"
        let (number, unit_inline) = match word.split_once('-') {
            Some((a, b)) if a.chars().all(|c| c.is_ascii_digit()) && !a.is_empty() => {
                if b.chars().all(|c| c.is_ascii_digit()) {
                    (a, None)
                } else {
                    (a, Some(b))
                }
            }
            _ => (*word, None),
        };
        let Ok(n) = number.parse::<u64>() else {
            continue;
        };
        let unit = unit_inline
            .or_else(|| words.get(i + 1).copied())
            .unwrap_or("");
        let scale = if unit.starts_with("sec") {
            1
        } else if unit.starts_with("min") {
            60
        } else if unit.starts_with("hour") || unit == "h" || unit == "hr" || unit == "hrs" {
            3600
        } else {
            continue;
        };
        return n.checked_mul(scale);
    }
    None
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fast_path_tests;

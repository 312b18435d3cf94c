//! The wording rules, one test per rule, with the phrasings real
//! checklists use.

use super::*;
use crate::model::When;

#[test]
fn numbering_is_stripped() {
    assert_eq!(
        strip_numbering("21. Normal Completion"),
        "Normal Completion"
    );
    assert_eq!(strip_numbering("3) Deploy"), "Deploy");
    assert_eq!(strip_numbering("1.2 Backups"), "Backups");
    assert_eq!(strip_numbering("2024 Plan"), "Plan");
    assert_eq!(strip_numbering("42"), "42");
    assert_eq!(strip_numbering("Deploy"), "Deploy");
}

#[test]
fn signoff_titles() {
    for title in [
        "Sign-off",
        "Sign-Offs",
        "Deployment Approvals",
        "Signoff",
        "Sign off",
    ] {
        assert!(is_signoff_title(title), "{title}");
    }
    assert!(!is_signoff_title("Deployment Execution"));
    for title in [
        "Release Sign-Off",
        "Approvals and Sign-off",
        "5.1 Required Sign-offs",
        "Approval",
        "Sign-off checklist",
    ] {
        assert!(is_signoff_title(title), "{title}");
    }
    for title in [
        "Pre-release signoff tasks",
        "Get the approval request ready for the board",
        "Signature verification of the artifacts and mirrors",
    ] {
        assert!(!is_signoff_title(title), "{title}");
    }
}

#[test]
fn criteria_leads() {
    for lead in [
        "Rollback if:",
        "**Roll back immediately when** any of these happen:",
        "Abort if",
        "Rollback criteria:",
        "Initiate rollback if:",
        "The scheduler rolls the deploy back by itself when:",
    ] {
        assert!(is_criteria_lead(lead), "{lead}");
    }
    for lead in [
        "If rollback required:",
        "Rollback steps:",
        "We rarely roll back, but when we do the steps below are what matters most to everyone.",
        "Check the dashboards.",
        "The scheduler rolls out one zone at a time when:",
    ] {
        assert!(!is_criteria_lead(lead), "{lead}");
    }
}

#[test]
fn roles_read_as_roles() {
    for role in [
        "QA Lead",
        "Release Manager",
        "Security",
        "Product Owner (PO)",
    ] {
        assert!(looks_like_role(role), "{role}");
    }
    for role in [
        "If",
        "All",
        "Check Sentry",
        "Make sure the notes are out",
        "",
        // What is written down, not who signs.
        "Change Duration",
        "Backout Required",
        "Cutover Date",
    ] {
        assert!(!looks_like_role(role), "{role}");
    }
}

#[test]
fn trigger_titles() {
    for title in [
        "Rollback Triggers",
        "Rollback Criteria",
        "Abort Criteria",
        "No-Go Criteria",
    ] {
        assert!(is_trigger_title(title), "{title}");
    }
    for title in [
        "Go/No-Go Criteria",
        "Rollback Steps",
        "Rollback Plan",
        "Acceptance Criteria",
    ] {
        assert!(!is_trigger_title(title), "{title}");
    }
}

#[test]
fn rollback_titles_are_execution_not_preparation() {
    for title in [
        "Rollback Steps",
        "Rollback Procedure (If Needed)",
        "Rollback Procedures",
        "22. Rollback Completion",
        "Rollback Execution",
        "Rollback",
        "Post-Rollback Checks",
        "After a Rollback",
        "Confirm Rollback Success",
    ] {
        assert!(is_rollback_title(title), "{title}");
    }
    for title in [
        "Rollback Plan",
        "Backup & Rollback Plan",
        "13. Rollback Preparation",
        "Rollback Triggers",
        "Rollback Criteria",
        "Deployment Steps",
    ] {
        assert!(!is_rollback_title(title), "{title}");
    }
}

#[test]
fn leads_give_conditions() {
    assert_eq!(
        lead_condition("If rollback required:"),
        Some(When::Rollback)
    );
    assert_eq!(
        lead_condition("If deployment successful:"),
        Some(When::Success)
    );
    assert_eq!(
        lead_condition("If the deployment was successful:"),
        Some(When::Success)
    );
    assert_eq!(
        lead_condition("Rollback immediately if ANY of these occur:"),
        None
    );
    assert!(is_success_title("21. Normal Completion"));
    for lead in [
        "If the release fails:",
        "On failure",
        "If something goes wrong:",
        "Only if the upgrade failed:",
        "When the deploy is aborted",
    ] {
        assert_eq!(lead_condition(lead), Some(When::Rollback), "{lead}");
    }
    for lead in [
        "After a successful vote:",
        "Once the release succeeds",
        "On success",
        "Only if the release was successful:",
    ] {
        assert_eq!(lead_condition(lead), Some(When::Success), "{lead}");
    }
    for lead in [
        "Make sure the build is green before you start.",
        "Check the dashboards; if errors rise, page the on-call.",
        "After the vote closes:",
    ] {
        assert_eq!(lead_condition(lead), None, "{lead}");
    }
    assert!(is_success_title("After a Successful Release"));
    assert!(!is_success_title("Release Steps"));
}

#[test]
fn optional_items_and_titles() {
    for text in [
        "Feature flags configured (if applicable)",
        "Security review completed (if required)",
        "Architecture diagrams updated (if changed)",
        "Canary analysis (optional)",
        "Cache cleared/warmed as needed",
        "Hotfix process ready if needed",
        "Update indexes if applicable.",
        "(optional) Publish the blog post",
        "Restart the workers if necessary",
        "If necessary, delete MANIFEST and run make manifest again",
        "Try it on a few other machines if you can",
    ] {
        assert!(is_optional_text(text), "{text}");
    }
    for text in [
        "Unit tests passing (100%)",
        "Error rate normal (< 1%)",
        "Notify if it fails loudly",
    ] {
        assert!(!is_optional_text(text), "{text}");
    }
    assert!(is_optional_title("Database migration (if applicable)"));
    assert!(!is_optional_title("Rollback Procedure (If Needed)"));
    assert!(is_optional_title("1. Web Rollback (If UI Issues Only)"));
    assert!(is_optional_title("(Optional) Announce on social media"));
    assert!(is_optional_title("4. (Optional) Docs"));
}

#[test]
fn fields_placeholders_and_signatures() {
    let shape = field_shape("Date: _______________").unwrap();
    assert_eq!(
        (
            shape.label.as_str(),
            shape.placeholder,
            shape.asks_signature
        ),
        ("Date", true, false)
    );
    let shape = field_shape("QA Lead: [Name] - [Date]").unwrap();
    assert!(shape.placeholder && shape.asks_signature);
    let shape = field_shape("Developer: ___ Signature: ___").unwrap();
    assert!(shape.placeholder && shape.asks_signature);
    let shape = field_shape("SRE Lead: ________  Date: ______").unwrap();
    assert!(shape.placeholder && shape.asks_signature);
    // A hint in parentheses beside the blank is still a blank.
    let shape = field_shape("Approved by: _____ (name and team)").unwrap();
    assert!(shape.placeholder);
    assert!(!field_shape("Owner: (to be decided)").unwrap().placeholder);
    assert!(field_shape("Train: {{train}}").unwrap().placeholder);
    assert!(is_prose_value("use the pattern vX.Y.Z."));
    assert!(is_prose_value("see ROLLBACK.md"));
    assert!(is_prose_value("page the on-call engineer"));
    assert!(!is_prose_value("Staging"));
    assert!(!is_prose_value("Billing & Search Sprint"));
    assert!(is_confirm_title("Prerequisites"));
    assert!(is_confirm_title("✅ Success Criteria"));
    assert!(!is_confirm_title("Exit Criteria"));
    let shape = field_shape("Window: ________").unwrap();
    assert!(shape.placeholder && !shape.asks_signature);
    let shape = field_shape("On-Call DevOps: [Phone/Email]").unwrap();
    assert!(shape.placeholder && !shape.asks_signature);
    let shape = field_shape("Environment: Production").unwrap();
    assert!(!shape.placeholder);
    assert_eq!(shape.value, "Production");
    assert_eq!(
        field_shape("Verify the backup, the restore and the dashboards are fine: all of them"),
        None
    );
    assert_eq!(field_shape("See https://example.com"), None);
    let shape = field_shape(": ____").unwrap();
    assert_eq!((shape.label.as_str(), shape.placeholder), ("", true));
    assert_eq!(field_shape(": not a field"), None);
}

#[test]
fn choices_and_roles() {
    assert_eq!(choices("Success / Rollback"), ["Success", "Rollback"]);
    assert_eq!(choices("a|b|c"), ["a", "b", "c"]);
    assert!(choices("TCP/IP").is_empty());
    // A paper form's boxes, one before each choice.
    assert_eq!(choices("☐ GO ☐ NO-GO"), ["GO", "NO-GO"]);
    assert_eq!(
        choices("[ ] Patch [ ] Minor [ ] Major"),
        ["Patch", "Minor", "Major"]
    );
    assert!(
        choices("☐ Done").is_empty(),
        "one box is a task, not a choice"
    );
    assert!(choices("see [ ] below [ ] too").is_empty());
    assert_eq!(role_words("QA Lead sign-off received"), "QA Lead");
    assert_eq!(
        role_words("Release Manager final approval"),
        "Release Manager"
    );
    assert_eq!(role_words("sign here"), "sign here");
}

#[test]
fn waits_in_words() {
    assert_eq!(
        wait_in_text("Error rate watched for 15 minutes after rollout"),
        Some(900)
    );
    assert_eq!(
        wait_in_text("30-60 minute monitoring period completed"),
        Some(1800)
    );
    assert_eq!(
        wait_in_text("Canary traffic routed and monitored for 15 minutes"),
        Some(900)
    );
    assert_eq!(wait_in_text("Monitor system for 24 hours"), Some(86400));
    assert_eq!(wait_in_text("Customer impact > 10 minutes"), None);
    assert_eq!(wait_in_text("Monitoring dashboards checked"), None);
}

/// A wait is a number of ASCII digits: in words, or in another script's
/// digits, it is no wait (as before the quick test for a digit).
#[test]
fn a_wait_without_ascii_digits_is_none() {
    for text in [
        "Latency under five minutes",
        "monitor for fifteen minutes",
        "Watch for \u{663}\u{660} minutes",
        "Watch for \u{ff11}\u{ff15} minutes",
        "monitor for \u{1d7d3} minutes",
        "Soak for \u{b9} hour",
    ] {
        assert_eq!(wait_in_text(text), None, "{text}");
    }
    assert_eq!(wait_in_text("\u{1c5}wait 15 minutes"), Some(900));
    assert_eq!(wait_in_text("WAIT 5 MIN"), Some(300));
}

#[test]
fn slugs() {
    assert_eq!(slug("Pre-Deployment Phase"), "pre-deployment-phase");
    assert_eq!(slug("Error rate > 5%"), "error-rate-5");
    assert_eq!(slug("Café déployé"), "cafe-deploye");
    assert_eq!(slug("***"), "item");
    assert_eq!(slug(&"word ".repeat(30)).len(), 48);
    assert!(is_valid_id("db-backup"));
    assert!(is_valid_id("deploy/db/backup"));
    assert!(!is_valid_id("DB Backup"));
}

#[test]
fn a_role_without_its_signing_word() {
    assert_eq!(without_signing_word("Technical Approval"), "Technical");
    assert_eq!(without_signing_word("QA sign-off"), "QA");
    assert_eq!(without_signing_word("Release Manager"), "Release Manager");
    assert_eq!(without_signing_word("Approval"), "Approval");
}

#[test]
fn information_under_a_step() {
    for (text, markdown) in [
        ("make test, of course.", "`make test`, of course."),
        ("git log lists the commits", "`git log` lists the commits"),
        ("This commits the changes.", "This commits the changes."),
        ("It looks like: https://x", "It looks like: https://x"),
        ("Note this creates a tag.", "Note this creates a tag."),
        ("Message: release v1", "Message: `release v1`"),
        ("Do not commit yet.", "Do not commit yet."),
    ] {
        assert!(is_information(text, markdown), "{text}");
    }
    for text in [
        "Run make dist.",
        "Attach the archive",
        "Add a \"+\" to VERSION",
    ] {
        assert!(!is_information(text, text), "{text}");
    }
}

#[test]
fn notes_leads_and_optional_leads() {
    for lead in ["Notes:", "**Notes:**", "Tips", "Note"] {
        assert!(is_notes_lead(lead), "{lead}");
    }
    for lead in ["Release notes", "Write the notes:", "Steps:"] {
        assert!(!is_notes_lead(lead), "{lead}");
    }
    assert!(is_optional_lead("Optional, only if it did not happen yet:"));
    assert!(is_optional_lead("(Optional) extras:"));
    assert!(!is_optional_lead("Website:"));
}

#[test]
fn an_instruction_starts_with_a_step_verb() {
    assert!(is_instruction(
        "Try the downstream tool and check it still works:"
    ));
    assert!(is_instruction("**Run** the tests"));
    assert!(!is_instruction("Website (a script would help):"));
    assert!(!is_instruction("Code and repository:"));
}

#[test]
fn a_heading_over_a_signature_block_names_its_role() {
    assert_eq!(role_of_title("2. Ops Witness (Optional)"), "Ops Witness");
    assert_eq!(role_of_title("Security Approval"), "Security");
    assert_eq!(
        role_of_title("Product Owner Sign-Off (if needed)"),
        "Product Owner"
    );
    assert_eq!(role_of_title("Release Manager"), "Release Manager");
}

#[test]
fn usage_titles_and_explanation_leads() {
    assert!(is_usage_title("When to Use This Runbook"));
    assert!(is_usage_title("Symptoms"));
    assert!(!is_usage_title("Usage notes"));
    assert!(is_about_rollback("Runbook: Roll Back the Gateway"));
    assert!(!is_about_rollback("Gateway Release"));
    for lead in [
        "Nothing to do by hand - the scheduler will:",
        "The commit hooks do the following:",
        "These run automatically:",
    ] {
        assert!(is_explanation_lead(lead), "{lead}");
    }
    for lead in ["Do the following:", "Then:", "The scheduler will retry."] {
        assert!(!is_explanation_lead(lead), "{lead}");
    }
}

#[test]
fn success_in_everyday_words() {
    assert_eq!(
        lead_condition("When we ship successfully"),
        Some(When::Success)
    );
}

#[test]
fn a_line_asking_for_a_roles_approval_names_the_role() {
    assert_eq!(
        signing_lead("Network team approval - routes checked").as_deref(),
        Some("Network team")
    );
    assert_eq!(signing_lead("Auditor sign-off").as_deref(), Some("Auditor"));
    assert_eq!(signing_lead("Change approval obtained"), None);
    assert_eq!(signing_lead("Get the approval"), None);
    assert!(is_optional_text(
        "Canary planned (if applicable) - one zone first"
    ));
}

#[test]
fn pick_leads_and_acknowledgements() {
    assert!(is_pick_lead("(Tick all that apply)"));
    assert!(is_pick_lead("Select all that apply:"));
    assert!(!is_pick_lead("Tick each box when done"));
    assert!(is_signoff_title("Leadership Acknowledgement"));
}

#[test]
fn no_go_optional_words_and_rollback_rules() {
    assert_eq!(lead_condition("If NO-GO"), Some(When::Rollback));
    assert!(is_optional_title("4.1 Optional Reviews"));
    assert!(!is_optional_title("Optionality of flags"));
    assert!(is_rollback_rule("Queue depth > 10k", "roll back at once"));
    assert!(!is_rollback_rule("Queue depth", "roll back at once"));
    assert!(!is_rollback_rule("Disk > 80%", "page the on-call"));
}

#[test]
fn examples_change_and_task_tracking_labels() {
    assert!(is_example_label("Example:"));
    assert!(is_example_label("For example:"));
    assert!(!is_example_label("Exemption:"));
    assert!(!looks_like_role("Change"));
    for label in ["Change ticket", "RTO", "Tester", "Users", "Time estimate"] {
        assert!(is_task_metadata(label), "{label}");
    }
    assert!(!is_task_metadata("Release date"));
}

#[test]
fn an_optional_label_is_the_flag_not_the_text() {
    assert_eq!(
        without_optional_label("OPTIONAL: cut a branch."),
        "cut a branch."
    );
    assert_eq!(without_optional_label("Optional:"), "Optional:");
    assert_eq!(
        without_optional_label("Optionally cut it"),
        "Optionally cut it"
    );
    assert!(is_optional_text("OPTIONAL: cut a branch."));
}

#[test]
fn conditions_leads_and_planned_rollbacks() {
    assert!(is_conditions_lead("This workflow applies when:"));
    assert!(is_conditions_lead("Use this when:"));
    assert!(!is_conditions_lead("This workflow applies when ready."));
    assert!(!is_conditions_lead("Run these steps:"));
    assert!(is_about_rollback("Pulling a Release Workflow"));
    assert!(!is_about_rollback("Pull requests"));
    assert!(is_rollback_title("Planned Rollback Steps"));
    assert!(is_rollback_title("Immediate Rollback (< 15 minutes)"));
    assert!(!is_rollback_title("Rollback Plan"));
}

#[test]
fn a_moment_or_an_activity_is_no_signoff_section() {
    assert!(!is_signoff_title("Open items at sign-off"));
    assert!(!is_signoff_title("Verifying the signatures"));
    assert!(!is_signoff_title("Sign-off Issue Template"));
    assert!(!is_signoff_title("Approval example"));
    assert!(is_signoff_title("Deployment Approvals"));
    assert!(is_signoff_title("Sign-off"));
}

//! Screens as exact text, without a terminal: plain style unless a test is
//! about colour.

use super::*;
use crate::prompt::{Overview, Previous, Row, ValueRequest};
use crate::record::{CommandRun, ItemResult};

fn result(status: Status) -> ItemResult {
    ItemResult {
        id: "prepare/checks/host-noted".into(),
        kind: Kind::Check,
        text: "Deploy host and tooling versions noted".into(),
        shown: None,
        phase: "Preparation".into(),
        section: "Checks".into(),
        line: 12,
        optional: false,
        rare: Default::default(),
        status,
        by: None,
        at: None,
        source: None,
    }
}

fn view() -> ItemView {
    ItemView {
        index: 4,
        total: 40,
        settled: 12,
        phase_index: 0,
        phases: 4,
        phase: "Preparation".into(),
        section: Some("Checks".into()),
        section_lead: None,
        notes: Vec::new(),
        id: "prepare/checks/host-noted".into(),
        kind: Kind::Check,
        optional: false,
        text: "Deploy host and tooling versions noted".into(),
        label: None,
        role: None,
        default: None,
        choices: Vec::new(),
        command: None,
        section_command: false,
        expected_output: None,
        wait_seconds: None,
        measure: None,
        result: result(Status::Pending),
        rollback_called: false,
        default_name: "Ada".into(),
        message: None,
        suggested: None,
        previous: None,
        tally: Tally::default(),
        rollback_steps: true,
        correcting: false,
        command_stopped_with_run: false,
    }
}

const WIDE: Frame = Frame {
    width: 100,
    height: 30,
};

fn plain(view: &ItemView, frame: Frame) -> Vec<String> {
    item(
        view,
        Style::PLAIN,
        "relcheck-records/r.yaml",
        frame,
        true,
        0,
    )
}

#[test]
fn an_item_screen_in_full() {
    let mut view = view();
    view.previous = Some(Previous {
        status: Status::Done,
        text: "Release notes read".into(),
    });
    view.tally = Tally {
        done: 10,
        failed: 1,
        skipped: 2,
        waived: 0,
        not_applicable: 0,
        pending: 27,
    };
    view.command = Some("uname -sr".into());
    assert_eq!(
        plain(&view, WIDE),
        [
            "record: relcheck-records/r.yaml",
            "✓ done: Release notes read",
            "Phase 1/4 · Preparation › Checks",
            "Item 5/40  ███████░░░░░░░░░░░░░░░░░  12 answered · 1 failed · 2 skipped",
            "",
            "  CHECK  Deploy host and tooling versions noted",
            "  $ uname -sr",
            "",
            "  y done  n failed  s skip  a n/a  r run  e note  b back  R rollback  l list  g go to  / find",
            "  A rest of section  ? help  q quit",
        ]
    );
}

#[test]
fn counts_show_only_when_there_are_some() {
    let tally = |failed, skipped, waived| Tally {
        failed,
        skipped,
        waived,
        ..Tally::default()
    };
    assert_eq!(tally_words(3, &tally(0, 0, 0)), "3 answered");
    assert_eq!(
        tally_words(12, &tally(1, 2, 1)),
        "12 answered · 1 failed · 2 skipped · 1 waived"
    );
    assert_eq!(tally_words(5, &tally(0, 2, 0)), "5 answered · 2 skipped");
}

#[test]
fn a_correction_and_a_message_are_said_in_words() {
    let mut view = view();
    view.result = result(Status::Failed);
    view.correcting = true;
    view.message = Some("a required item is not applicable only with a reason".into());
    let lines = plain(&view, WIDE);
    assert_eq!(
        lines[4..],
        [
            "  CHECK  Deploy host and tooling versions noted",
            "  answered already: failed; a new answer is recorded as a correction",
            "",
            "  » a required item is not applicable only with a reason",
            "  y done  n failed  s skip  a n/a  e note  b back  R rollback  l list  g go to  / find",
            "  A rest of section  ? help  q quit",
        ]
    );
}

fn after_command(output: &str) -> ItemView {
    let mut view = view();
    view.command = Some("uname -sr".into());
    view.message = Some("command exit 0: Enter marks it done".into());
    view.suggested = Some(Status::Done);
    view.result.rare.command = Some(Box::new(CommandRun {
        command: "uname -sr".into(),
        exit_code: Some(0),
        timed_out: false,
        timeout_seconds: None,
        duration_seconds: 0.04,
        output: output.into(),
        truncated_bytes: 0,
        interrupted: false,
        killed: false,
        running: false,
    }));
    view
}

#[test]
fn after_a_command_its_output_tail_shows_under_the_item() {
    let view = after_command("Linux 6.1\n");
    assert_eq!(
        plain(&view, WIDE)[4..],
        [
            "  CHECK  Deploy host and tooling versions noted",
            "  $ uname -sr",
            "  last run: exit 0 in 0.0 s",
            "  │ Linux 6.1",
            "",
            "  » command exit 0: Enter marks it done",
            "  y done  n failed  s skip  a n/a  r run  e note  b back  R rollback  l list  g go to  / find",
            "  A rest of section  ? help  q quit  Enter: done",
        ]
    );
}

#[test]
fn a_long_output_gets_only_the_rows_left() {
    let output: String = (1..=100).map(|i| format!("line {i}\n")).collect();
    let mut view = after_command(&output);
    let lines = plain(&view, WIDE);
    assert_eq!(lines.len(), WIDE.height - 1);
    assert_eq!(lines[6], "  last run: exit 0 in 0.0 s");
    assert_eq!(lines[7], "  │ … 83 earlier rows (the record keeps them)");
    // Past the record's 64 KiB, what it dropped is said too.
    view.result.rare.command.as_mut().unwrap().truncated_bytes = 1_234_567;
    let lines = plain(&view, WIDE);
    assert_eq!(
        lines[7],
        "  │ … 83 earlier rows (the record keeps them; 1,234,567 bytes before them were not kept)"
    );
    assert_eq!(lines[8], "  │ line 84");
    assert_eq!(lines[24], "  │ line 100");
    assert_eq!(lines[26], "  » command exit 0: Enter marks it done");
}

#[test]
fn a_20_by_10_terminal_keeps_the_item_text_after_a_command() {
    let output: String = (1..=100).map(|i| format!("line {i}\n")).collect();
    let small = Frame {
        width: 20,
        height: 10,
    };
    let lines = plain(&after_command(&output), small);
    assert_eq!(
        lines,
        [
            "  CHECK  Deploy",
            "  host and tooling",
            "  versions noted",
            "  » command exit 0:",
            "  Enter marks it",
            "  done",
            "  y done  n failed",
            "  ? help",
            "  Enter: done",
        ]
    );
    for line in &lines {
        assert!(console::measure_text_width(line) < 20, "{line:?}");
    }
    // With a taller terminal the output comes back, the text stays.
    let taller = Frame {
        width: 20,
        height: 24,
    };
    let lines = plain(&after_command(&output), taller);
    assert_eq!(lines.len(), 23);
    assert!(
        lines.contains(&"  versions noted".to_string()),
        "{lines:#?}"
    );
    assert!(lines.iter().filter(|l| l.starts_with("  │")).count() > 2);
    assert_eq!(lines.last().map(String::as_str), Some("  Enter: done"));
}

#[test]
fn colour_never_carries_meaning_alone() {
    let style = Style { color: true };
    let mut view = after_command("ok\n");
    view.previous = Some(Previous {
        status: Status::Skipped,
        text: "Staging smoke tests".into(),
    });
    let lines = item(&view, style, "r.yaml", WIDE, true, 0).join("\n");
    // No dim (2) and no yellow (33) anywhere; keys are bold.
    assert!(!lines.contains("\x1b[2m"), "{lines}");
    assert!(!lines.contains("\x1b[33m"), "{lines}");
    assert!(lines.contains("\x1b[1my\x1b[0m done"), "{lines}");
    assert!(lines.contains("↷ skipped: Staging smoke tests"), "{lines}");
    assert!(lines.contains("\x1b[1m  » command exit 0"), "{lines}");
    assert!(lines.contains("  $ uname -sr"), "{lines}");
}

#[test]
fn triggers_and_optional_items_say_so() {
    let mut view = view();
    view.kind = Kind::Trigger;
    view.text = "Error rate above 2%".into();
    view.rollback_called = true;
    let lines = plain(&view, WIDE);
    assert_eq!(
        lines[2..],
        [
            "Item 5/40  ███████░░░░░░░░░░░░░░░░░  12 answered  ROLLBACK CALLED",
            "",
            "  TRIGGER  Error rate above 2%",
            "  Did this happen? Yes is recorded beside the rollback already called.",
            "",
            "  y happened  n did not  s skip  a n/a  e note  b back  l list  g go to  / find  A rest of section",
            "  ? help  q quit",
        ]
    );
    let mut view = self::view();
    view.optional = true;
    assert_eq!(
        plain(&view, WIDE)[4],
        "  CHECK (optional)  Deploy host and tooling versions noted"
    );
}

#[test]
fn the_countdown_fits_its_line() {
    let left = Duration::from_secs(270);
    let all = Duration::from_secs(900);
    let cases = [
        (
            120,
            "  ██████████████░░░░░░ 4 min 30 s left of 15 min  c cut short  n failed  R roll back  e note  q quit",
        ),
        (
            90,
            "  ███████░░░ 4 min 30 s left of 15 min  c cut short  n failed  R roll back  e note  q quit",
        ),
        (
            80,
            "  4 min 30 s left of 15 min  c cut short  n failed  R roll back  e note  q quit",
        ),
        (
            70,
            "  4 min 30 s left  c cut short  n failed  R roll back  e note  q quit",
        ),
        (40, "  4 min 30 s left  c n R e q"),
        (19, "  4 min 30 s left …"),
    ];
    for (width, expected) in cases {
        assert_eq!(
            countdown(left, all, Style::PLAIN, width),
            expected,
            "{width}"
        );
    }
    assert_eq!(countdown_plain(Duration::from_secs(60)), "  1 min left");
}

#[test]
fn the_wait_header_warns_when_a_rollback_would_end_the_run() {
    assert_eq!(
        wait_header(Duration::from_secs(60), true, Style::PLAIN, 100),
        [
            "  » waiting 1 min; the wait is kept if you quit",
            "  c cut short  n failed  R roll back  e note  q quit",
            "  This checklist has no rollback steps: calling a rollback ends the run.",
        ]
    );
}

fn overview_view(current: usize, items: usize) -> Overview {
    let mut rows = vec![Row::Phase("Deploy".into()), Row::Section("Rollout".into())];
    for number in 1..=items {
        rows.push(Row::Item {
            number,
            id: format!("item-{number}"),
            status: match number {
                1 => Status::Done,
                2 => Status::Failed,
                3 => Status::Skipped,
                _ => Status::Pending,
            },
            text: format!("Step {number}"),
            optional: number == 4,
            waived: number == 2,
            current: number == current,
        });
    }
    Overview {
        title: "Production Deployment".into(),
        rows,
        tally: Tally {
            done: 1,
            failed: 1,
            skipped: 1,
            not_applicable: 0,
            waived: 1,
            pending: items - 3,
        },
        rollback_called: false,
    }
}

#[test]
fn the_overview_lists_every_item_with_its_glyph_and_marks_the_current() {
    let view = overview_view(4, 5);
    assert_eq!(
        overview(&view, Style::PLAIN, WIDE, 0),
        [
            "Production Deployment",
            "1 done · 1 failed · 1 skipped · 1 waived · 2 pending · 0 n/a",
            "",
            "Deploy",
            "  Rollout",
            "    1 ✓ Step 1",
            "    2 ✗ Step 2 (waived)",
            "    3 ↷ Step 3",
            ">   4 ? Step 4 (optional)",
            "    5 ? Step 5",
            "rows 1–7 of 7",
            "↑↓ j k scroll  PgUp PgDn space page  Home End ends  Enter Esc l q back",
        ]
    );
}

#[test]
fn the_overview_fits_the_terminal_and_starts_at_the_current_item() {
    let view = overview_view(80, 120);
    let frame = Frame {
        width: 40,
        height: 20,
    };
    let (rows, current) = overview_rows(&view, Style::PLAIN, frame.columns());
    assert_eq!((rows.len(), current), (122, 81));
    let page = overview_page(Style::PLAIN, frame);
    let top = keys::scroll_to(current, rows.len(), page);
    let lines = overview(&view, Style::PLAIN, frame, top);
    assert_eq!(lines.len(), frame.height - 1);
    assert!(
        lines.contains(&">    80 ? Step 80".to_string()),
        "{lines:#?}"
    );
    assert_eq!(lines[lines.len() - 3], "rows 78–90 of 122");
}

#[test]
fn the_finish_says_the_notes_under_the_outcome() {
    let summary = Summary {
        outcome: Outcome::RolledBack,
        counts: [("done".to_string(), 3), ("not-run".to_string(), 2)].into(),
        failed: Vec::new(),
        gates: Vec::new(),
        signoffs: Vec::new(),
        duration_seconds: Some(75.0),
        notes: vec![
            "This checklist has no rollback steps: the run ends here, and the rollback itself is yours to carry out.".into(),
        ],
    };
    assert_eq!(
        finish(&summary, Style::PLAIN, 100),
        [
            "",
            "Run finished: ROLLED-BACK",
            "  » This checklist has no rollback steps: the run ends here, and the rollback itself is yours to",
            "  carry out.",
            "  3 done, 2 not-run",
            "  took 1 min 15 s",
        ]
    );
}

#[test]
fn gate_and_rollback_question() {
    let mut failed = result(Status::Failed);
    failed.rare.note = Some("disk full".into());
    let view = GateView {
        phase: "Deployment".into(),
        items: vec![failed],
        message: None,
    };
    assert_eq!(
        gate(&view, Style::PLAIN, WIDE),
        [
            "Go / no-go: Deployment",
            "These required items did not pass:",
            "  ✗ failed Deploy host and tooling versions noted — disk full",
            "",
            "  c continue with a waiver  R roll back  x abort  b back  q quit",
        ]
    );
    assert_eq!(
        rollback_needed("Rollback", Style::PLAIN, WIDE),
        [
            "Rollback",
            "Is a rollback needed?",
            "  y yes, roll back  n no, skip these steps  q quit",
        ]
    );
}

#[test]
fn the_question_after_the_way_back_lists_the_steps_as_far_as_the_screen_holds() {
    let view = |open: usize, one_by_one| crate::prompt::SetAsideView {
        phase: "Go live".into(),
        outcome: Outcome::RolledBack,
        open: (1..=open).map(|n| format!("Step {n}")).collect(),
        one_by_one,
        message: None,
    };
    assert_eq!(
        set_aside(&view(2, 1), Style::PLAIN, WIDE),
        [
            "Go live",
            "The way back is walked: rolled back.",
            "2 steps of this phase still open:",
            "  · Step 1",
            "  · Step 2",
            "Its 1 field or required sign-off is asked one by one either way.",
            "",
            "  s set them aside (n/a)  w walk them one by one  b back  q quit",
        ]
    );
    let short = Frame {
        width: 100,
        height: 14,
    };
    let mut failed = view(40, 0);
    failed.outcome = Outcome::Failed;
    failed.message = Some("nothing to go back to".into());
    let lines = set_aside(&failed, Style::PLAIN, short);
    assert_eq!(
        lines[..3],
        [
            "Go live",
            "The way back is walked, and a step of it failed or was skipped.",
            "40 steps of this phase still open:",
        ]
    );
    assert_eq!(lines.len(), 14 - 1);
    assert_eq!(
        lines[3..],
        [
            "  · Step 1",
            "  · Step 2",
            "  · Step 3",
            "  · Step 4",
            "  · Step 5",
            "  · Step 6",
            "  … and 34 more",
            "  » nothing to go back to",
            "",
            "  s set them aside (n/a)  w walk them one by one  b back  q quit",
        ]
    );
}

#[test]
fn on_a_small_terminal_the_question_keeps_its_phase_and_keys_and_drops_the_list() {
    let view = crate::prompt::SetAsideView {
        phase: "Go live".into(),
        outcome: Outcome::Failed,
        open: (1..=9).map(|n| format!("Step {n}")).collect(),
        one_by_one: 0,
        message: None,
    };
    let small = Frame {
        width: 40,
        height: 10,
    };
    let lines = set_aside(&view, Style::PLAIN, small);
    assert_eq!(
        lines,
        [
            "Go live",
            "The way back is walked, and a step of",
            "it failed or was skipped.",
            "9 steps of this phase still open.",
            "",
            "  s set them aside (n/a)",
            "  w walk them one by one  b back",
            "  q quit",
        ]
    );
    let lines = set_aside(
        &view,
        Style::PLAIN,
        Frame {
            width: 40,
            height: 11,
        },
    );
    assert_eq!(lines[4..6], ["  · Step 1", "  … and 8 more"]);
}

#[test]
fn the_running_line_says_ctrl_c_stops_the_command() {
    assert_eq!(
        command_started(Duration::from_secs(600), Style::PLAIN),
        "  running (timeout 10 min; Ctrl-C stops the command)"
    );
    let outcome = exec::Outcome {
        cancelled: true,
        duration: Duration::from_millis(1500),
        ..exec::Outcome::default()
    };
    assert_eq!(
        command_finished(&outcome, Style::PLAIN),
        "  interrupted in 1.5 s"
    );
    // A timeout names the time asked; stopping it took the rest.
    let outcome = exec::Outcome {
        timed_out: true,
        killed: true,
        timeout: Duration::from_secs(3),
        duration: Duration::from_millis(5_040),
        ..exec::Outcome::default()
    };
    assert_eq!(
        command_finished(&outcome, Style::PLAIN),
        "  timed out after 3 s; stopped with SIGTERM, then SIGKILL after 2 s (5.0 s in all)"
    );
}

#[test]
fn a_field_lists_its_ways_out_and_choices_and_keeps_room_for_its_prompt() {
    let request = ValueRequest {
        name: "strategy".into(),
        label: "Deployment strategy".into(),
        default: Some("rolling".into()),
        choices: vec!["rolling".into(), "canary".into(), "blue-green".into()],
        message: None,
    };
    assert_eq!(
        field(&request, Style::PLAIN, 99),
        (
            vec![
                "  Enter: value or default  :b back  :s skip  :l list  :g go to  :/ find  :q quit"
                    .to_string(),
                "  1) rolling  2) canary  3) blue-green".to_string(),
            ],
            "  Deployment strategy [rolling]:".to_string()
        )
    );
    let (narrow, _) = field(&request, Style::PLAIN, 19);
    assert_eq!(
        narrow,
        [
            "  Enter: default",
            "  :b back  :q quit",
            "  1) rolling",
            "  2) canary",
            "  3) blue-green"
        ]
    );
    let mut view = view();
    view.kind = Kind::Field;
    let small = Frame {
        width: 20,
        height: 10,
    };
    let lines = item(
        &view,
        Style::PLAIN,
        "r.yaml",
        small,
        false,
        narrow.len() + 2,
    );
    assert_eq!(lines, ["  FIELD  Deploy", "  host and tooling"]);
}

//! Which key does what on each screen, as pure tables: the loop in
//! `mod.rs` reads a key, asks here what it means, and only then asks for
//! lines or talks to the engine. The legend and the help are built from
//! the same place, so a key cannot work without being listed.

use console::Key;

use crate::model::Kind;
use crate::prompt::{AfterRollback, Reply};
use crate::record::Status;

/// What an item's screen offers, from its view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub kind: Kind,
    pub command: bool,
    pub wait: bool,
    pub rollback_called: bool,
    /// What Enter accepts.
    pub suggested: Option<Status>,
    /// The item states a number: `v` types the measured value.
    pub measured: bool,
}

/// An operation on an item's screen. Those that need words (a reason, a
/// note, a target) are asked for by the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `y`: done, it happened (trigger), or sign (sign-off).
    Yes,
    /// `n`: failed, or it did not happen (trigger).
    No,
    /// `v`: type a measured item's value.
    Measure,
    Skip,
    NotApplicable,
    Run,
    Wait,
    Note,
    Back,
    Rollback,
    /// Enter: what a command or a wait proposes.
    Accept(Status),
    List,
    GoTo,
    Find,
    /// `A`: the rest of this section.
    Bulk,
    Help,
    Quit,
}

/// The meaning of `key` on an item's screen, or None when it has none
/// there (it is ignored).
pub fn item(key: &Key, offer: &Offer) -> Option<Op> {
    let op = match key {
        Key::Char('y') => Op::Yes,
        Key::Char('n') if offer.kind != Kind::Signoff => Op::No,
        Key::Char('v') if offer.measured => Op::Measure,
        Key::Char('s') => Op::Skip,
        Key::Char('a') => Op::NotApplicable,
        Key::Char('r') if offer.command => Op::Run,
        Key::Char('w') if offer.wait => Op::Wait,
        Key::Char('e') => Op::Note,
        Key::Char('b') => Op::Back,
        Key::Char('R') if !offer.rollback_called => Op::Rollback,
        Key::Enter => Op::Accept(offer.suggested?),
        Key::Char('l') => Op::List,
        Key::Char('g') => Op::GoTo,
        Key::Char('/') => Op::Find,
        Key::Char('A') => Op::Bulk,
        Key::Char('?') => Op::Help,
        Key::Char('q') => Op::Quit,
        _ => return None,
    };
    Some(op)
}

/// The keys an item's screen lists, as (key, what it does).
pub fn legend(offer: &Offer) -> Vec<(&'static str, String)> {
    let mut keys: Vec<(&'static str, String)> = Vec::new();
    let mut add = |key: &'static str, word: &str| keys.push((key, word.to_string()));
    if offer.measured {
        add("v", "measured value");
    }
    match offer.kind {
        Kind::Trigger => {
            add("y", "happened");
            add("n", "did not");
        }
        Kind::Signoff => add("y", "sign off"),
        Kind::Check | Kind::Field => {
            add("y", "done");
            add("n", "failed");
        }
    }
    add("s", "skip");
    add("a", "n/a");
    if offer.command {
        add("r", "run");
    }
    if offer.wait {
        add("w", "wait");
    }
    add("e", "note");
    add("b", "back");
    if !offer.rollback_called {
        add("R", "rollback");
    }
    add("l", "list");
    add("g", "go to");
    add("/", "find");
    add("A", "rest of section");
    add("?", "help");
    add("q", "quit");
    if let Some(suggested) = offer.suggested {
        keys.push(("Enter", crate::report::words(suggested).to_string()));
    }
    keys
}

pub const HELP: &str = "\
Keys on a check:
  y  done                    n  failed (asks for a note)
  s  skip (asks why)         a  not applicable (asks why unless optional)
  r  run the item's command  w  wait or monitor for the time the item asks
  e  add a note              b  back: undo the last answer
  R  call a rollback         q  save and quit (resume with `relcheck resume`)
  l  list every item         g  go to an item by number or id
  /  find an item by words   A  skip or n/a the rest of this section
  Enter  accept what a command or wait proposes; Esc cancels a question
Keys on a trigger: y it happened (asks what), n it did not.
On a measured item (its text states a bound, as `< 1%`): v types the
  measured value and relcheck settles it; y or n against the number asks
  for a note saying why.
During a wait: c cut short, n it went wrong, R roll back, e note, q quit.
Fields: type a value, Enter for the default; :b back, :s skip, :l list,
  :g N go to, :/ WORDS find, :q quit.
Ctrl-C stops a running command; anywhere else it saves and stops.";

/// What a key does during a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitOp {
    CutShort,
    Failed,
    Rollback,
    Note,
    Quit,
}

pub fn wait(key: &Key) -> Option<WaitOp> {
    Some(match key {
        Key::Char('c') => WaitOp::CutShort,
        Key::Char('n') => WaitOp::Failed,
        Key::Char('R') => WaitOp::Rollback,
        Key::Char('e') => WaitOp::Note,
        Key::Char('q') => WaitOp::Quit,
        _ => return None,
    })
}

pub const WAIT_LEGEND: [(&str, &str); 5] = [
    ("c", "cut short"),
    ("n", "failed"),
    ("R", "roll back"),
    ("e", "note"),
    ("q", "quit"),
];

/// A move in the overview, or leaving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Close,
}

pub fn overview(key: &Key) -> Option<Scroll> {
    Some(match key {
        Key::ArrowUp | Key::Char('k') => Scroll::Up,
        Key::ArrowDown | Key::Char('j') => Scroll::Down,
        Key::PageUp | Key::Char('b') => Scroll::PageUp,
        Key::PageDown | Key::Char(' ') => Scroll::PageDown,
        Key::Home => Scroll::Top,
        Key::End | Key::Char('G') => Scroll::Bottom,
        Key::Enter | Key::Escape | Key::Char('l') | Key::Char('q') => Scroll::Close,
        _ => return None,
    })
}

pub const OVERVIEW_LEGEND: [(&str, &str); 4] = [
    ("↑↓ j k", "scroll"),
    ("PgUp PgDn space", "page"),
    ("Home End", "ends"),
    ("Enter Esc l q", "back"),
];

/// The first row shown after `scroll`, for `rows` rows in all and `page`
/// on screen: never past the last full page.
pub fn scroll(top: usize, scroll: Scroll, rows: usize, page: usize) -> usize {
    let last = rows.saturating_sub(page.max(1));
    let step = page.saturating_sub(1).max(1);
    let top = match scroll {
        Scroll::Up => top.saturating_sub(1),
        Scroll::Down => top + 1,
        Scroll::PageUp => top.saturating_sub(step),
        Scroll::PageDown => top + step,
        Scroll::Top => 0,
        Scroll::Bottom => last,
        Scroll::Close => top,
    };
    top.min(last)
}

/// The first row to show so that `current` is on screen, a few rows
/// below the top when there is room, so the context above shows too.
pub fn scroll_to(current: usize, rows: usize, page: usize) -> usize {
    let last = rows.saturating_sub(page.max(1));
    current.saturating_sub(page / 3).min(last)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateOp {
    Waive,
    Rollback,
    Abort,
    Back,
    Quit,
}

pub fn gate(key: &Key) -> Option<GateOp> {
    Some(match key {
        Key::Char('c') => GateOp::Waive,
        Key::Char('R') => GateOp::Rollback,
        Key::Char('x') => GateOp::Abort,
        Key::Char('b') => GateOp::Back,
        Key::Char('q') => GateOp::Quit,
        _ => return None,
    })
}

pub const GATE_LEGEND: [(&str, &str); 5] = [
    ("c", "continue with a waiver"),
    ("R", "roll back"),
    ("x", "abort"),
    ("b", "back"),
    ("q", "quit"),
];

/// "Is a rollback needed?": Some(Some(answer)), Some(None) to quit.
pub fn rollback_needed(key: &Key) -> Option<Option<bool>> {
    Some(match key {
        Key::Char('y') => Some(true),
        Key::Char('n') => Some(false),
        Key::Char('q') => None,
        _ => return None,
    })
}

pub const ROLLBACK_NEEDED_LEGEND: [(&str, &str); 3] = [
    ("y", "yes, roll back"),
    ("n", "no, skip these steps"),
    ("q", "quit"),
];

/// After the way back, a phase's open steps: Some(answer), None for any
/// other key.
pub fn set_aside(key: &Key) -> Option<Reply<AfterRollback>> {
    Some(match key {
        Key::Char('s') => Reply::Answer(AfterRollback::SetAside),
        Key::Char('w') => Reply::Answer(AfterRollback::Walk),
        Key::Char('b') => Reply::Answer(AfterRollback::Back),
        Key::Char('q') => Reply::Quit,
        _ => return None,
    })
}

pub const SET_ASIDE_LEGEND: [(&str, &str); 4] = [
    ("s", "set them aside (n/a)"),
    ("w", "walk them one by one"),
    ("b", "back"),
    ("q", "quit"),
];

/// `A`'s question, "s skip or a n/a for the rest of this section?":
/// Some(status), or None for any other key, which cancels.
pub fn bulk(key: &Key) -> Option<Status> {
    match key {
        Key::Char('s') => Some(Status::Skipped),
        Key::Char('a') => Some(Status::NotApplicable),
        _ => None,
    }
}

/// A sign-off's decision: Some(approve?), None for other keys.
pub fn decision(key: &Key) -> Option<bool> {
    match key {
        Key::Char('a') => Some(true),
        Key::Char('x') => Some(false),
        _ => None,
    }
}

/// A line typed on a field's screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldInput {
    /// Empty: the default.
    Default,
    Value(String),
    Back,
    /// `:s`, with the reason when it follows on the line.
    Skip(Option<String>),
    Quit,
    List,
    /// `:g`, with the item when it follows on the line.
    GoTo(Option<String>),
    Find(String),
}

/// Fields take a line, so their other operations are `:` words.
pub fn field(input: &str) -> FieldInput {
    let input = input.trim();
    let word = |prefix: &str| {
        input
            .strip_prefix(prefix)
            .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            .map(|rest| rest.trim().to_string())
    };
    match input {
        "" => FieldInput::Default,
        ":q" => FieldInput::Quit,
        ":b" => FieldInput::Back,
        ":l" => FieldInput::List,
        _ => {
            if let Some(reason) = word(":s") {
                FieldInput::Skip(Some(reason).filter(|r| !r.is_empty()))
            } else if let Some(target) = word(":g") {
                FieldInput::GoTo(Some(target).filter(|t| !t.is_empty()))
            } else if let Some(words) = word(":/") {
                FieldInput::Find(words)
            } else {
                FieldInput::Value(input.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECK: Offer = Offer {
        kind: Kind::Check,
        command: false,
        wait: false,
        rollback_called: false,
        suggested: None,
        measured: false,
    };

    #[test]
    fn item_keys() {
        let with_all = Offer {
            command: true,
            wait: true,
            suggested: Some(Status::Done),
            ..CHECK
        };
        let cases = [
            (Key::Char('y'), CHECK, Some(Op::Yes)),
            (Key::Char('n'), CHECK, Some(Op::No)),
            (Key::Char('s'), CHECK, Some(Op::Skip)),
            (Key::Char('a'), CHECK, Some(Op::NotApplicable)),
            (Key::Char('r'), CHECK, None),
            (Key::Char('v'), CHECK, None),
            (
                Key::Char('v'),
                Offer {
                    measured: true,
                    ..CHECK
                },
                Some(Op::Measure),
            ),
            (Key::Char('r'), with_all, Some(Op::Run)),
            (Key::Char('w'), CHECK, None),
            (Key::Char('w'), with_all, Some(Op::Wait)),
            (Key::Char('e'), CHECK, Some(Op::Note)),
            (Key::Char('b'), CHECK, Some(Op::Back)),
            (Key::Char('R'), CHECK, Some(Op::Rollback)),
            (
                Key::Char('R'),
                Offer {
                    rollback_called: true,
                    ..CHECK
                },
                None,
            ),
            (Key::Enter, CHECK, None),
            (Key::Enter, with_all, Some(Op::Accept(Status::Done))),
            (Key::Char('l'), CHECK, Some(Op::List)),
            (Key::Char('g'), CHECK, Some(Op::GoTo)),
            (Key::Char('/'), CHECK, Some(Op::Find)),
            (Key::Char('A'), CHECK, Some(Op::Bulk)),
            (Key::Char('?'), CHECK, Some(Op::Help)),
            (Key::Char('q'), CHECK, Some(Op::Quit)),
            (Key::Char('Y'), CHECK, None),
            (Key::Escape, CHECK, None),
            (
                Key::Char('n'),
                Offer {
                    kind: Kind::Signoff,
                    ..CHECK
                },
                None,
            ),
        ];
        for (key, offer, op) in cases {
            assert_eq!(item(&key, &offer), op, "{key:?} on {offer:?}");
        }
    }

    #[test]
    fn every_key_listed_works_and_the_new_ones_are_listed() {
        let offer = Offer {
            command: true,
            wait: true,
            suggested: Some(Status::Failed),
            ..CHECK
        };
        let listed = legend(&offer);
        let words: Vec<String> = listed.iter().map(|(k, w)| format!("{k} {w}")).collect();
        assert_eq!(
            words.join("  "),
            "y done  n failed  s skip  a n/a  r run  w wait  e note  b back  R rollback  l list  g go to  / find  A rest of section  ? help  q quit  Enter failed"
        );
        for (key, _) in listed {
            let key = match key {
                "Enter" => Key::Enter,
                k => Key::Char(k.chars().next().unwrap()),
            };
            assert!(item(&key, &offer).is_some(), "{key:?}");
        }
        for new in ["l  list", "g  go to", "/  find", "A  skip or n/a the rest"] {
            assert!(HELP.contains(new), "{new}");
        }
    }

    #[test]
    fn trigger_and_signoff_legends() {
        let trigger = Offer {
            kind: Kind::Trigger,
            rollback_called: true,
            ..CHECK
        };
        let keys: Vec<String> = legend(&trigger)
            .iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect();
        assert_eq!(keys[..2], ["y happened", "n did not"]);
        assert!(!keys.iter().any(|k| k.starts_with("R ")));
        let signoff = Offer {
            kind: Kind::Signoff,
            ..CHECK
        };
        assert_eq!(legend(&signoff)[0], ("y", "sign off".to_string()));
        let measured = Offer {
            kind: Kind::Trigger,
            measured: true,
            ..CHECK
        };
        let keys: Vec<String> = legend(&measured)
            .iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect();
        assert_eq!(keys[..3], ["v measured value", "y happened", "n did not"]);
    }

    #[test]
    fn wait_keys() {
        let cases = [
            ('c', Some(WaitOp::CutShort)),
            ('n', Some(WaitOp::Failed)),
            ('R', Some(WaitOp::Rollback)),
            ('e', Some(WaitOp::Note)),
            ('q', Some(WaitOp::Quit)),
            ('y', None),
            ('r', None),
        ];
        for (key, op) in cases {
            assert_eq!(wait(&Key::Char(key)), op, "{key}");
        }
    }

    #[test]
    fn overview_keys_and_scrolling() {
        let cases = [
            (Key::ArrowUp, Some(Scroll::Up)),
            (Key::Char('k'), Some(Scroll::Up)),
            (Key::ArrowDown, Some(Scroll::Down)),
            (Key::Char('j'), Some(Scroll::Down)),
            (Key::PageUp, Some(Scroll::PageUp)),
            (Key::PageDown, Some(Scroll::PageDown)),
            (Key::Char(' '), Some(Scroll::PageDown)),
            (Key::Home, Some(Scroll::Top)),
            (Key::End, Some(Scroll::Bottom)),
            (Key::Enter, Some(Scroll::Close)),
            (Key::Escape, Some(Scroll::Close)),
            (Key::Char('l'), Some(Scroll::Close)),
            (Key::Char('q'), Some(Scroll::Close)),
            (Key::Char('y'), None),
        ];
        for (key, op) in cases {
            assert_eq!(overview(&key), op, "{key:?}");
        }
        // 50 rows, 10 on screen: the last page starts at 40.
        let moves = [
            (0, Scroll::Up, 0),
            (0, Scroll::Down, 1),
            (39, Scroll::Down, 40),
            (40, Scroll::Down, 40),
            (0, Scroll::PageDown, 9),
            (38, Scroll::PageDown, 40),
            (5, Scroll::PageUp, 0),
            (20, Scroll::PageUp, 11),
            (20, Scroll::Top, 0),
            (3, Scroll::Bottom, 40),
        ];
        for (top, op, expected) in moves {
            assert_eq!(scroll(top, op, 50, 10), expected, "{top} {op:?}");
        }
        // Fewer rows than the screen: never scrolls.
        assert_eq!(scroll(0, Scroll::PageDown, 5, 10), 0);
        assert_eq!(scroll_to(0, 50, 9), 0);
        assert_eq!(scroll_to(30, 50, 9), 27);
        assert_eq!(scroll_to(49, 50, 9), 41);
        assert_eq!(scroll_to(4, 5, 9), 0);
    }

    #[test]
    fn gate_rollback_needed_bulk_and_decisions() {
        assert_eq!(gate(&Key::Char('c')), Some(GateOp::Waive));
        assert_eq!(gate(&Key::Char('R')), Some(GateOp::Rollback));
        assert_eq!(gate(&Key::Char('x')), Some(GateOp::Abort));
        assert_eq!(gate(&Key::Char('b')), Some(GateOp::Back));
        assert_eq!(gate(&Key::Char('q')), Some(GateOp::Quit));
        assert_eq!(gate(&Key::Char('y')), None);
        assert_eq!(rollback_needed(&Key::Char('y')), Some(Some(true)));
        assert_eq!(rollback_needed(&Key::Char('n')), Some(Some(false)));
        assert_eq!(rollback_needed(&Key::Char('q')), Some(None));
        assert_eq!(rollback_needed(&Key::Char('x')), None);
        assert_eq!(
            set_aside(&Key::Char('s')),
            Some(Reply::Answer(AfterRollback::SetAside))
        );
        assert_eq!(
            set_aside(&Key::Char('w')),
            Some(Reply::Answer(AfterRollback::Walk))
        );
        assert_eq!(
            set_aside(&Key::Char('b')),
            Some(Reply::Answer(AfterRollback::Back))
        );
        assert_eq!(set_aside(&Key::Char('q')), Some(Reply::Quit));
        assert_eq!(set_aside(&Key::Char('y')), None);
        assert_eq!(bulk(&Key::Char('s')), Some(Status::Skipped));
        assert_eq!(bulk(&Key::Char('a')), Some(Status::NotApplicable));
        assert_eq!(bulk(&Key::Escape), None);
        assert_eq!(decision(&Key::Char('a')), Some(true));
        assert_eq!(decision(&Key::Char('x')), Some(false));
        assert_eq!(decision(&Key::Char('y')), None);
    }

    #[test]
    fn field_lines() {
        let cases = [
            ("", FieldInput::Default),
            ("  ", FieldInput::Default),
            (":q", FieldInput::Quit),
            (":b", FieldInput::Back),
            (":s", FieldInput::Skip(None)),
            (
                ":s not in this region",
                FieldInput::Skip(Some("not in this region".into())),
            ),
            (":l", FieldInput::List),
            (":g", FieldInput::GoTo(None)),
            (":g 12", FieldInput::GoTo(Some("12".into()))),
            (":/ smoke tests", FieldInput::Find("smoke tests".into())),
            (":/", FieldInput::Find(String::new())),
            (":go", FieldInput::Value(":go".into())),
            ("T-1", FieldInput::Value("T-1".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(field(input), expected, "{input:?}");
        }
    }
}

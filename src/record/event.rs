//! The run's event log: what happened, when and by whom, in order.
//! Entries are only ever appended, so a sign-off binds the first `k` of
//! them (`crate::sign`'s `events:k` part).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    /// Left out of the file when it is the run's operator (`lean`).
    #[serde(default)]
    pub by: String,
    pub action: EventAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What an event in the log records. Each name is spelled out, as for
/// [`super::GateDecision`]: the log is part of the file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventAction {
    #[serde(rename = "start")]
    Start,
    #[serde(rename = "set")]
    Set,
    #[serde(rename = "unset")]
    Unset,
    #[serde(rename = "answer")]
    Answer,
    #[serde(rename = "correct")]
    Correct,
    #[serde(rename = "bulk")]
    Bulk,
    #[serde(rename = "note")]
    Note,
    #[serde(rename = "command")]
    Command,
    #[serde(rename = "wait")]
    Wait,
    #[serde(rename = "undo")]
    Undo,
    #[serde(rename = "rollback")]
    Rollback,
    #[serde(rename = "rollback-again")]
    RollbackAgain,
    #[serde(rename = "rollback-needed")]
    RollbackNeeded,
    #[serde(rename = "set-aside")]
    SetAside,
    #[serde(rename = "gate")]
    Gate,
    #[serde(rename = "pause")]
    Pause,
    #[serde(rename = "resume")]
    Resume,
    #[serde(rename = "checklist-changed")]
    ChecklistChanged,
    #[serde(rename = "interrupt")]
    Interrupt,
    #[serde(rename = "abort")]
    Abort,
    #[serde(rename = "finish")]
    Finish,
    #[serde(rename = "notify-failed")]
    NotifyFailed,
}

impl EventAction {
    pub const ALL: [EventAction; 22] = [
        EventAction::Start,
        EventAction::Set,
        EventAction::Unset,
        EventAction::Answer,
        EventAction::Correct,
        EventAction::Bulk,
        EventAction::Note,
        EventAction::Command,
        EventAction::Wait,
        EventAction::Undo,
        EventAction::Rollback,
        EventAction::RollbackAgain,
        EventAction::RollbackNeeded,
        EventAction::SetAside,
        EventAction::Gate,
        EventAction::Pause,
        EventAction::Resume,
        EventAction::ChecklistChanged,
        EventAction::Interrupt,
        EventAction::Abort,
        EventAction::Finish,
        EventAction::NotifyFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Start => "start",
            EventAction::Set => "set",
            EventAction::Unset => "unset",
            EventAction::Answer => "answer",
            EventAction::Correct => "correct",
            EventAction::Bulk => "bulk",
            EventAction::Note => "note",
            EventAction::Command => "command",
            EventAction::Wait => "wait",
            EventAction::Undo => "undo",
            EventAction::Rollback => "rollback",
            EventAction::RollbackAgain => "rollback-again",
            EventAction::RollbackNeeded => "rollback-needed",
            EventAction::SetAside => "set-aside",
            EventAction::Gate => "gate",
            EventAction::Pause => "pause",
            EventAction::Resume => "resume",
            EventAction::ChecklistChanged => "checklist-changed",
            EventAction::Interrupt => "interrupt",
            EventAction::Abort => "abort",
            EventAction::Finish => "finish",
            EventAction::NotifyFailed => "notify-failed",
        }
    }
}

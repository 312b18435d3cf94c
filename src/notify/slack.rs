//! A moment as one line of Slack text. Every text that comes from the
//! checklist, the operator or an answer is escaped as Slack asks (`&`,
//! `<`, `>`), so none of it can become a mention (`<!channel>`) or a link;
//! control characters are made visible first.

use crate::record::Record;
use crate::session::Moment;

pub fn text(moment: &Moment, record: &Record) -> String {
    let run = &record.run;
    let name = match record.values.get("version") {
        Some(version) => format!("{} {version}", record.checklist.title),
        None => record.checklist.title.clone(),
    };
    let line = match moment {
        Moment::Started { resumed } => format!(
            "{name}: {} by {} on {} (run {})",
            if *resumed {
                "run resumed"
            } else {
                "run started"
            },
            run.operator,
            run.host,
            run.id
        ),
        Moment::Gate {
            title,
            decision: None,
            reason,
            ..
        } => format!(
            "{name}: go/no-go gate after \"{title}\" waits for a decision{}",
            reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        Moment::Gate {
            title,
            decision: Some(decision),
            reason,
            ..
        } => format!(
            "{name}: gate after \"{title}\": {}{}",
            decision.as_str(),
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        Moment::RollbackCalled { cause, reason } => format!(
            "{name}: rollback called by {cause}{}",
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        Moment::SignoffWaiting { text, role, .. } => format!(
            "{name}: waiting for sign-off: {text}{}",
            role.as_ref()
                .filter(|r| *r != text)
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        Moment::Finished { outcome } => {
            format!("{name}: finished, {} (run {})", outcome.as_str(), run.id)
        }
    };
    escape(&format!("relcheck: {line}"))
}

/// Slack's three control characters in message text, escaped.
pub fn escape(text: &str) -> String {
    crate::printable::printable(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

//! One item's answer, checked against what its kind allows: a status it
//! can take, the reason a skip needs, a value among its choices.

use super::{ItemAnswer, RawFull, RawItem};
use crate::model::{Item, Kind};
use crate::record::Status;

pub(super) fn item_answer(item: &Item, raw: RawItem) -> Result<ItemAnswer, String> {
    let full = match raw {
        RawItem::Status(status) => RawFull {
            status: Some(status),
            note: None,
            reason: None,
            value: None,
            by: None,
        },
        RawItem::Full(full) => full,
    };
    let value = match &full.value {
        Some(value) => Some(scalar(value).ok_or("value: give a single value")?),
        None => None,
    };
    let status = match (&full.status, &value) {
        (Some(name), _) => Status::from_name(name).ok_or_else(|| {
            format!(
                "unknown status `{name}`; use done, failed, skipped, n/a, occurred or not-occurred"
            )
        })?,
        (None, Some(_)) => Status::Done,
        (None, None) => {
            return Err("give a status, as `done`, or {status: skipped, reason: ...}".to_string());
        }
    };
    let allowed: &[Status] = match item.kind {
        Kind::Check => &[
            Status::Done,
            Status::Failed,
            Status::Skipped,
            Status::NotApplicable,
        ],
        Kind::Trigger => &[
            Status::Occurred,
            Status::NotOccurred,
            Status::Skipped,
            Status::NotApplicable,
        ],
        Kind::Field => &[Status::Done, Status::Skipped, Status::NotApplicable],
        Kind::Signoff => return Err("a sign-off is answered under signoffs:, by role".to_string()),
    };
    if !allowed.contains(&status) {
        let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        return Err(format!(
            "a {} takes {}, not `{}`",
            item.kind.as_str(),
            names.join(", "),
            status.as_str()
        ));
    }
    if item.kind == Kind::Field && status == Status::Done && value.is_none() {
        return Err("a field needs a value".to_string());
    }
    if matches!(status, Status::Skipped)
        && full.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err("skipping needs a reason: {status: skipped, reason: ...}".to_string());
    }
    if status == Status::NotApplicable
        && !item.optional
        && full.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err(
            "a required item is n/a only with a reason: {status: n/a, reason: ...}".to_string(),
        );
    }
    if status == Status::Occurred && full.note.is_none() && full.reason.is_none() {
        return Err("say what happened: {status: occurred, note: ...}".to_string());
    }
    if let Some(value) = &value
        && !item.choices.is_empty()
        && !item.choices.contains(value)
    {
        return Err(format!(
            "`{value}` is not one of {}",
            item.choices.join(", ")
        ));
    }
    Ok(ItemAnswer {
        status,
        note: full.note,
        reason: full.reason,
        value,
        by: full.by,
    })
}

pub(super) fn scalar(value: &crate::yaml::Value) -> Option<String> {
    match value {
        crate::yaml::Value::String(s) => Some(s.clone()),
        crate::yaml::Value::Number(n) => Some(n.to_string()),
        crate::yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

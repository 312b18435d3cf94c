//! One item's answer, checked against what its kind allows: a status it
//! can take, the reason a skip needs, a value among its choices.

use super::scalar::Scalar;
use super::{ItemAnswer, RawFull, RawItem, Said};
use crate::model::{Item, ItemRare, Kind, Rare};
use crate::record::Status;

pub(super) fn item_answer(item: &Item, raw: RawItem<'_>) -> Result<ItemAnswer, String> {
    let bare = |status: Option<String>, value: Option<Scalar>| RawFull {
        status,
        note: None,
        reason: None,
        value,
        by: None,
    };
    let full = match raw {
        // A measured item's bare answer that is no status is its value
        // (`0.4%`, `450ms`).
        RawItem::Status(text)
            if item.rare.measure.is_some() && Status::from_name(&text).is_none() =>
        {
            bare(None, Some(Scalar(Some(text.into_string()))))
        }
        RawItem::Status(status) => bare(Some(status.into_string()), None),
        RawItem::Number(number) => bare(None, Some(Scalar(Some(number.0)))),
        RawItem::Full(full) => *full,
    };
    if item.rare.measure.is_some() {
        return measured_answer(item, full);
    }
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
        // A trigger is asked whether it happened; a value says so only
        // against a threshold, and this one's text states none.
        (None, Some(value)) if item.kind == Kind::Trigger => {
            return Err(format!(
                "a trigger is answered occurred, not-occurred, skipped or n/a, not with a value (`{value}`): its text states no threshold, as `> 5%`, to hold a value against"
            ));
        }
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
        && !item.rare.choices.is_empty()
        && !item.rare.choices.contains(value)
    {
        return Err(format!(
            "`{value}` is not one of {}",
            item.rare.choices.join(", ")
        ));
    }
    Ok(ItemAnswer::new(
        status,
        Said {
            note: full.note,
            reason: full.reason,
            value,
            by: full.by,
        },
        false,
    ))
}

/// A measured item's answer: its value, which settles it by the bound; or
/// a status with a note, a person's word against the number.
fn measured_answer(item: &Item, full: RawFull) -> Result<ItemAnswer, String> {
    let measure = item.rare.measure.as_ref().ok_or("not a measured item")?;
    let value = match &full.value {
        Some(value) => Some(scalar(value).ok_or("value: give a single value")?),
        None => None,
    };
    if let Some(value) = &value {
        // The number is checked now, so a typo stops the run before
        // anything executes; a relative bound's baseline comes later.
        crate::measure::read(measure, value, Some("1")).map_err(|why| format!("value: {why}"))?;
    }
    let status = match &full.status {
        Some(name) => Some(Status::from_name(name).ok_or_else(|| {
            format!("unknown status `{name}`; a measured item is answered {{value: ...}}")
        })?),
        None => None,
    };
    let note = full.note.clone().or_else(|| full.reason.clone());
    match status {
        // Skipped and n/a are no word on the number: as for any item.
        Some(Status::Skipped | Status::NotApplicable) => {
            return item_answer(
                &Item {
                    rare: Rare::of(ItemRare {
                        measure: None,
                        ..(*item.rare).clone()
                    }),
                    ..item.clone()
                },
                RawItem::Full(Box::new(full)),
            );
        }
        Some(status)
            if !matches!(
                (item.kind, status),
                (Kind::Check, Status::Done | Status::Failed)
                    | (Kind::Trigger, Status::Occurred | Status::NotOccurred)
            ) =>
        {
            let names = match item.kind {
                Kind::Trigger => "occurred, not-occurred, skipped, n/a",
                _ => "done, failed, skipped, n/a",
            };
            return Err(format!(
                "a {} takes {names}, not `{}`",
                item.kind.as_str(),
                status.as_str()
            ));
        }
        None if value.is_none() => {
            return Err(format!(
                "a measured item is answered with its value, as {{value: 0.4}} (the bound is {})",
                measure.bound_text()
            ));
        }
        Some(_) if value.is_none() && note.is_none() => {
            return Err(format!(
                "answering a measured item without its value ({}) needs a note saying why",
                measure.bound_text()
            ));
        }
        _ => {}
    }
    Ok(ItemAnswer::new(
        status.unwrap_or(Status::Done),
        Said {
            note,
            reason: None,
            value,
            by: full.by,
        },
        status.is_none(),
    ))
}

pub(super) fn scalar(value: &Scalar) -> Option<String> {
    value.0.clone()
}

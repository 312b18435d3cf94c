//! Paper sign-off blocks: a role's heading with `Name: ___`, `Date: ___`
//! and `Signature: ___` lines under it is one sign-off by that role, not
//! three fields. The sign-off takes the place of the block's last line
//! (where a person signs, after the role's own checks) and its id.

use crate::model::{Item, Kind};

use super::rules;

/// What a line of a signature block asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asks {
    Name,
    Date,
    Signature,
}

/// What a block line labelled so asks for: `Name:`, `Date:`,
/// `Signature:`; `Title:` and `Position:` go with a name.
fn asks_by_label(label: &str) -> Option<Asks> {
    // Compared in place, with no lower-cased copy: every item's text is
    // asked, several times (780,000 copies at 100,000 items).
    let label = label.trim();
    let is = |words: &[&str]| words.iter().any(|word| rules::lowers_to(label, word));
    // "QA Lead Name", "Approver's name": the signer's name, said in full.
    let named = rules::ends_with_lower(label, " name");
    if (named && label.split_whitespace().count() <= 4)
        || is(&[
            "name",
            "printed name",
            "print name",
            "approver",
            "approved by",
            "signed by",
            "title",
            "position",
            "role",
        ])
    {
        Some(Asks::Name)
    } else if is(&[
        "date",
        "date signed",
        "signed on",
        "date/time",
        "date / time",
        "date and time",
    ]) {
        Some(Asks::Date)
    } else if is(&["signature", "signed", "sign"]) {
        Some(Asks::Signature)
    } else {
        None
    }
}

fn asks(item: &Item) -> Option<Asks> {
    // Under a title such as "QA Lead Approval" each line already reads as
    // a sign-off; it is still one line of the block.
    if !matches!(item.kind, Kind::Field | Kind::Signoff) || item.rare.label.is_none() {
        return None;
    }
    asks_by_label(item.rare.label.as_deref().unwrap_or(&item.text))
}

/// Whether lines labelled `labels` make a signature block: a signature,
/// or a name and a date.
fn signs(asked: &[Asks]) -> bool {
    asked.contains(&Asks::Signature) || (asked.contains(&Asks::Name) && asked.contains(&Asks::Date))
}

/// How many of the `labels` after a role's line (`Customer Signatory`, then
/// `Name: ___`, `Title: ___`, `Signature: ___`, `Date: ___`) are its
/// signature block; 0 when they are not one.
pub(super) fn block_after<'a>(labels: impl Iterator<Item = Option<&'a str>>) -> usize {
    let asked: Vec<Asks> = labels
        .map_while(|label| label.and_then(asks_by_label))
        .collect();
    if signs(&asked) { asked.len() } else { 0 }
}

/// Makes the signature block of a section titled for a role one sign-off.
/// A block is a signature line, or a name and a date in a sign-off phase
/// ("## Approvals" / "### QA Lead" / "Name: ___" / "Date: ___").
pub(super) fn merge(title: &str, in_signoff_phase: bool, items: &mut Vec<Item>) {
    // The block first: most sections have no labelled line at all, and
    // the title's role rules cost more than looking.
    let block: Vec<(usize, Asks)> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| Some((index, asks(item)?)))
        .collect();
    if block.is_empty() {
        return;
    }
    let role = rules::role_of_title(title);
    let role = role.as_str();
    if !rules::looks_like_role(role) {
        return;
    }
    let asked: Vec<Asks> = block.iter().map(|(_, asks)| *asks).collect();
    // Under a sign-off phase, a role's own heading over a name and a date
    // is its block; the sign-off section itself ("Release Sign-off") is no
    // role, and its name and date lines belong to the roles listed in it.
    let signed = asked.contains(&Asks::Signature)
        || (in_signoff_phase && !rules::is_signoff_title(title) && signs(&asked));
    let Some(&(last, _)) = block.last() else {
        return;
    };
    if !signed {
        return;
    }
    let signoff = &mut items[last];
    signoff.kind = Kind::Signoff;
    signoff.text = role.into();
    signoff.rare.role = Some(role.to_string());
    signoff.rare.label = None;
    signoff.rare.default = None;
    signoff.rare.choices = Vec::new();
    let gone: Vec<usize> = block
        .iter()
        .map(|(index, _)| *index)
        .filter(|i| *i != last)
        .collect();
    let mut index = 0;
    items.retain(|_| {
        index += 1;
        !gone.contains(&(index - 1))
    });
}

/// A `Date:` line right after a sign-off (`**Deployer:** ___`, then
/// `**Date/Time:** ___`) is when that person signed, which the sign-off
/// records itself: not a role, and not a field of its own.
pub(super) fn drop_dates_after_signoffs(items: &mut Vec<Item>) {
    let mut previous_signs = false;
    items.retain(|item| {
        // A bare `- Date:` reads as a step with no words; it is still a date.
        let label = item
            .rare
            .label
            .as_deref()
            .unwrap_or_else(|| item.text.trim().trim_end_matches(':'));
        // Asked only where the answer counts: after a sign-off, or of
        // one (nearly every item is neither).
        let date = (previous_signs || item.kind == Kind::Signoff)
            && asks_by_label(label) == Some(Asks::Date);
        let keep = !(date && previous_signs);
        previous_signs = item.kind == Kind::Signoff && !date;
        keep
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the labels were read before: lower-cased whole, then matched.
    fn by_lower_case(label: &str) -> Option<Asks> {
        let label = label.trim().to_lowercase();
        if label.ends_with(" name") && label.split_whitespace().count() <= 4 {
            return Some(Asks::Name);
        }
        match label.as_str() {
            "name" | "printed name" | "print name" | "approver" | "approved by" | "signed by"
            | "title" | "position" | "role" => Some(Asks::Name),
            "date" | "date signed" | "signed on" | "date/time" | "date / time"
            | "date and time" => Some(Asks::Date),
            "signature" | "signed" | "sign" => Some(Asks::Signature),
            _ => None,
        }
    }

    #[test]
    fn labels_read_in_place_as_lower_cased() {
        let labels = [
            "Name",
            " NAME ",
            "Printed Name",
            "QA Lead Name",
            "Approver's name",
            "One two three four name",
            "One two three four five name",
            " name",
            "name ",
            "Date / Time",
            "DATE AND TIME",
            "Signed On",
            "Signature",
            "SIGN",
            "Signé",
            "Nаme",
            "ÉQUIPE NAME",
            "Ünïcödé",
            "date\u{212A}",
            "\u{212A}name",
            "naïve name",
            "İ name",
            "",
            " ",
            "x",
            "Role",
            "Position:",
            "sign-off",
        ];
        for label in labels {
            assert!(by_lower_case(label) == asks_by_label(label), "{label:?}");
        }
    }
}

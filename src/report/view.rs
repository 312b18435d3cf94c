//! What a report shows of a record, shared by every format: items grouped
//! by phase and section, what `--failed` keeps of them, and the words an
//! item's result adds beyond its status.

use std::collections::{BTreeMap, HashMap};

use crate::model::Kind;
use crate::record::{Decision, ItemResult, Record, Status};
use crate::session;

use super::{Options, notable, waivers, words};

/// One phase of a record, with its items in record order.
#[derive(Debug)]
pub struct PhaseView<'a> {
    pub id: &'a str,
    pub title: String,
    pub sections: Vec<SectionView<'a>>,
    /// Items in the phase, all of them, whatever `--failed` keeps.
    pub total: usize,
}

#[derive(Debug)]
pub struct SectionView<'a> {
    pub id: &'a str,
    /// `None` for a phase's own section.
    pub title: Option<String>,
    /// What the section's step should leave behind ("Expected Output").
    pub expected_output: Option<String>,
    pub items: Vec<&'a ItemResult>,
    /// The reason every item here is not needed, when they all are for
    /// the same one: said once for the section, not per item.
    pub not_needed: Option<&'a str>,
}

impl PhaseView<'_> {
    pub fn items(&self) -> impl Iterator<Item = &ItemResult> {
        self.sections.iter().flat_map(|s| s.items.iter().copied())
    }
}

/// What a report shows of a record: its phases and sections in record
/// order (those `--failed` leaves empty are left out), and the waivers.
#[derive(Debug)]
pub struct View<'a> {
    pub record: &'a Record,
    pub phases: Vec<PhaseView<'a>>,
    /// Item id -> the waiver's reason, for items a gate waived.
    pub waivers: BTreeMap<&'a str, &'a str>,
    pub failed_only: bool,
}

impl<'a> View<'a> {
    pub fn new(record: &'a Record, options: &Options) -> View<'a> {
        let waivers = waivers(record);
        let mut phases: Vec<PhaseView<'a>> = Vec::new();
        // Where each phase is in `phases`, and each section in its phase:
        // looked for through the lists, a record of many took time that
        // grew as its square.
        let mut phase_at: HashMap<&str, usize> = HashMap::new();
        let mut section_at: HashMap<(&str, &str), usize> = HashMap::new();
        for item in &record.items {
            let phase = match phase_at.get(&*item.phase) {
                Some(&index) => &mut phases[index],
                None => {
                    phase_at.insert(&item.phase, phases.len());
                    phases.push(PhaseView {
                        id: &item.phase,
                        title: options.titles.phase(&item.phase),
                        sections: Vec::new(),
                        total: 0,
                    });
                    phases.last_mut().expect("just pushed")
                }
            };
            phase.total += 1;
            if options.failed_only && !notable(item, &waivers) {
                continue;
            }
            let section = match section_at.get(&(&*item.phase, &*item.section)) {
                Some(&index) => &mut phase.sections[index],
                None => {
                    section_at.insert((&item.phase, &item.section), phase.sections.len());
                    phase.sections.push(SectionView {
                        id: &item.section,
                        title: options.titles.section(&item.phase, &item.section),
                        expected_output: options.titles.expected_output(&item.section),
                        items: Vec::new(),
                        not_needed: None,
                    });
                    phase.sections.last_mut().expect("just pushed")
                }
            };
            section.items.push(item);
        }
        phases.retain(|phase| !phase.sections.is_empty());
        for section in phases.iter_mut().flat_map(|p| p.sections.iter_mut()) {
            section.not_needed = shared_not_needed(&section.items);
        }
        View {
            record,
            phases,
            waivers,
            failed_only: options.failed_only,
        }
    }

    pub fn waiver(&self, item: &ItemResult) -> Option<&'a str> {
        self.waivers.get(item.id.as_ref()).copied()
    }

    /// The item's text with variables filled in, as the run showed it:
    /// the record's `shown`, or its text filled with the record's values
    /// (the same, for a record relcheck wrote).
    pub fn text(&self, item: &ItemResult) -> String {
        match &item.shown {
            Some(shown) => shown.to_string(),
            None => crate::template::fill(&item.text, &self.record.values),
        }
    }

    /// Values that are not a field's (a field's value shows with its item):
    /// the checklist's variables, such as version and environment.
    /// Version and environment first, as the history does.
    pub fn variables(&self) -> Vec<(&'a str, &'a str)> {
        let mut variables: Vec<(&str, &str)> = self
            .record
            .values
            .iter()
            .filter(|(name, _)| self.record.item(name).is_none())
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        variables.sort_by_key(|(name, _)| match *name {
            "version" => 0,
            "environment" => 1,
            _ => 2,
        });
        variables
    }
}

/// One line of what an item's result says beyond its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub label: &'static str,
    pub text: String,
    /// A waiver or a failure's note: what a reader must not miss.
    pub alert: bool,
    /// Someone's own words (a note, a reason, a waiver), whose web
    /// addresses HTML and Markdown make links.
    pub links: bool,
}

impl View<'_> {
    /// What a field or a sign-off was answered with, or the value a
    /// measured item was held against its bound, to follow its text.
    pub fn answer(&self, item: &ItemResult) -> Option<String> {
        match item.kind {
            Kind::Field => item.rare.value.clone().filter(|v| !v.is_empty()),
            Kind::Signoff => {
                let signoff = self
                    .record
                    .signoffs
                    .iter()
                    .rev()
                    .find(|s| s.item.as_deref() == Some(item.id.as_ref()));
                match signoff {
                    Some(signoff) => Some(format!(
                        "{} by {}",
                        match signoff.decision {
                            Decision::Approve => "approved",
                            Decision::Reject => "rejected",
                        },
                        signoff.name
                    )),
                    None => item.rare.value.clone(),
                }
            }
            // A measured item's value against its bound: `0.4% against
            // < 1%: met`.
            Kind::Check | Kind::Trigger => item.rare.measure.as_ref().map(|m| m.summary()),
        }
    }

    /// Notes, reasons, the waiver, who answered when not the operator,
    /// where the answer came from, and a wait. Commands are apart: each
    /// format shows them its own way. A not-needed reason the section
    /// says once is left out.
    pub fn details(&self, item: &ItemResult, section: &SectionView<'_>) -> Vec<Detail> {
        let mut out = Vec::new();
        let alert = matches!(item.status, Status::Failed | Status::Occurred);
        if let Some(note) = item.rare.note.as_deref().filter(|n| !n.trim().is_empty()) {
            // A failure's note says why, a trigger's what happened: said
            // with the status, so no line says the status alone.
            out.push(Detail {
                label: match item.status {
                    Status::Failed | Status::Occurred => words(item.status),
                    _ => "note",
                },
                text: note.to_string(),
                alert,
                links: true,
            });
        }
        if let Some(reason) = item.rare.reason.as_deref().filter(|r| !r.trim().is_empty())
            && !(item.status == Status::NotNeeded && section.not_needed.is_some())
        {
            out.push(Detail {
                label: words(item.status),
                text: reason.to_string(),
                alert: false,
                links: true,
            });
        }
        if let Some(reason) = self.waiver(item) {
            out.push(Detail {
                label: "waived",
                text: if reason.is_empty() {
                    "(no reason given)".to_string()
                } else {
                    reason.to_string()
                },
                alert: true,
                links: true,
            });
        }
        if let Some(wait) = &item.rare.wait {
            out.push(Detail {
                label: "waited",
                text: format!(
                    "{} of {}{}",
                    session::human_duration(wait.waited_seconds),
                    session::human_duration(wait.requested_seconds as f64),
                    if wait.cut_short { ", cut short" } else { "" }
                ),
                alert: false,
                links: false,
            });
        }
        if let Some(by) = item.by.as_deref()
            && by != self.record.run.operator
        {
            out.push(Detail {
                label: "answered by",
                text: by.to_string(),
                alert: false,
                links: false,
            });
        }
        if let Some(source) = &item.source {
            out.push(Detail {
                label: "from",
                text: match (&source.path, source.kind.as_str()) {
                    (Some(path), _) => format!("{} {path}", source.kind),
                    // Filled in by relcheck, not typed (docs/RECORD.md).
                    (None, "run") => "the run, not typed".to_string(),
                    (None, _) => source.kind.clone(),
                },
                alert: false,
                links: false,
            });
        }
        out
    }
}

fn shared_not_needed<'a>(items: &[&'a ItemResult]) -> Option<&'a str> {
    let first = items.first()?;
    let reason = first.rare.reason.as_deref()?;
    items
        .iter()
        .all(|item| item.status == Status::NotNeeded && item.rare.reason.as_deref() == Some(reason))
        .then_some(reason)
}

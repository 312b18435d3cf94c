//! One section, held small: what most sections leave empty (a lead, code
//! blocks, a command, expected output, notes and where they stood) is
//! boxed together in [`SectionRare`], so a section is 96 bytes where it
//! was 280 (4.6 MB of a 100,000-item checklist's 25,000 sections). It
//! reads and writes as it always has: the same fields, in the same order.

use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};

use super::rare::{Empty, Rare};
use super::{Item, When};

/// A section as `show --format json` gives it. Field order is the view's
/// (docs/FORMAT.md): `id`, `title`, `line`, `when`, `implicit`, `lead`,
/// `commands`, `command`, `expected_output`, `notes`, `items`; those
/// under `rare` are read and set through it (`section.rare.notes`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "SectionIn")]
pub struct Section {
    /// Shared with the outline a record of the run keeps, and through it
    /// with its results.
    pub id: Arc<str>,
    pub title: Arc<str>,
    pub line: usize,
    pub when: When,
    /// Items stood directly under the phase heading; the section is the
    /// phase's own and has no heading of its own.
    pub implicit: bool,
    pub items: Vec<Item>,
    /// The fields most sections leave empty.
    pub rare: Rare<SectionRare>,
}

/// The fields of a [`Section`] most sections leave empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionRare {
    pub lead: Option<String>,
    /// Code blocks that belong to no item: reference material, never run
    /// by themselves.
    pub commands: Vec<String>,
    /// The section's command: its one code block, written above its items
    /// ("run this, then tick these"). Each item's screen shows it and `r`
    /// runs it from any of them, recorded on that item; a pipeline does
    /// not run it for every item (docs/FORMAT.md).
    pub command: Option<String>,
    pub expected_output: Option<String>,
    pub notes: Vec<String>,
    /// Where each note and each command stood (line, nesting), in the
    /// order of `notes` and `commands`, so `show` prints them in place
    /// among the items: a bullet over task items stays above them. Not in
    /// records or the JSON view; `None` where the place is not known.
    pub note_places: Vec<Option<(usize, usize)>>,
    pub command_places: Vec<Option<(usize, usize)>>,
}

impl Empty for SectionRare {
    const NONE: &'static SectionRare = &SectionRare {
        lead: None,
        commands: Vec::new(),
        command: None,
        expected_output: None,
        notes: Vec::new(),
        note_places: Vec::new(),
        command_places: Vec::new(),
    };
}

/// [`Section`] as the JSON view spells it: the fields in their order.
/// Writing borrows the section.
#[derive(Serialize)]
#[serde(rename = "Section")]
struct SectionOut<'a> {
    id: &'a str,
    title: &'a str,
    line: usize,
    when: When,
    implicit: bool,
    lead: &'a Option<String>,
    commands: &'a [String],
    command: &'a Option<String>,
    expected_output: &'a Option<String>,
    notes: &'a [String],
    items: &'a [Item],
}

impl Serialize for Section {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rare: &SectionRare = &self.rare;
        SectionOut {
            id: &self.id,
            title: &self.title,
            line: self.line,
            when: self.when,
            implicit: self.implicit,
            lead: &rare.lead,
            commands: &rare.commands,
            command: &rare.command,
            expected_output: &rare.expected_output,
            notes: &rare.notes,
            items: &self.items,
        }
        .serialize(serializer)
    }
}

/// [`Section`] as the JSON view spells it, read; where notes and commands
/// stood is not in it.
#[derive(Deserialize)]
#[serde(rename = "Section")]
struct SectionIn {
    id: String,
    title: String,
    line: usize,
    when: When,
    implicit: bool,
    lead: Option<String>,
    commands: Vec<String>,
    command: Option<String>,
    expected_output: Option<String>,
    notes: Vec<String>,
    items: Vec<Item>,
}

impl From<SectionIn> for Section {
    fn from(section: SectionIn) -> Section {
        Section {
            id: section.id.into(),
            title: section.title.into(),
            line: section.line,
            when: section.when,
            implicit: section.implicit,
            items: section.items,
            rare: Rare::of(SectionRare {
                lead: section.lead,
                commands: section.commands,
                command: section.command,
                expected_output: section.expected_output,
                notes: section.notes,
                note_places: Vec::new(),
                command_places: Vec::new(),
            }),
        }
    }
}

//! What a record says was asked: the checklist as the run read it, whole
//! (its origin, hash, outline and text), so the record answers for itself
//! without the file; and how either schema writes it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// What was asked: the checklist as the run read it, whole, so the record
/// says by itself what every answer answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ChecklistIn")]
pub struct ChecklistRef {
    pub title: String,
    pub origin: Origin,
    /// Of the file's bytes as read.
    pub sha256: String,
    /// Phase and section titles, in document order. Empty in a record of
    /// schema v1, which kept only ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseTitles>,
    /// The checklist's text as read (BOM dropped, line ends made LF).
    /// `None` in a record of schema v1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<std::sync::Arc<str>>,
    /// The checklist's sign-off policy (front matter `signoff:`), carried so
    /// `verify` holds the record to it without the checklist; absent when
    /// it declares none. Part of the `checklist` part every sign-off binds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signoff: Option<crate::model::SignoffPolicy>,
}

/// Where the checklist came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Origin {
    /// Compiled into relcheck: its file name, and the relcheck version
    /// whose copy it was.
    Bundled { bundled: String, relcheck: String },
    /// A file, by the path as given.
    File { file: String },
}

impl Origin {
    /// A source's display name (`NAME (bundled)` for a bundled checklist)
    /// as an origin.
    pub fn from_display(display: &str, relcheck: &str) -> Origin {
        match display.strip_suffix(" (bundled)") {
            Some(name) => Origin::Bundled {
                bundled: name.to_string(),
                relcheck: relcheck.to_string(),
            },
            None => Origin::File {
                file: display.to_string(),
            },
        }
    }

    /// The path as given, or `NAME (bundled)`: what reports show, and
    /// schema v1's `path`.
    pub fn display(&self) -> String {
        match self {
            Origin::Bundled { bundled, .. } => format!("{bundled} (bundled)"),
            Origin::File { file } => file.clone(),
        }
    }
}

/// A phase's title and its sections' titles, by id. The ids are the
/// ones the record's results name their phase and section by, shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseTitles {
    pub id: Arc<str>,
    pub title: Arc<str>,
    /// What the phase's own (implicit) section's step should leave
    /// behind, as its "Expected Output" says: reports show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_output: Option<String>,
    /// The phase's own section is asked only when a rollback is called
    /// (its `when` is rollback): what the time to restore is measured by.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rollback: bool,
    /// Sections with a heading of their own; a phase's own (implicit)
    /// section has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionTitle>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionTitle {
    pub id: Arc<str>,
    pub title: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_output: Option<String>,
    /// Asked only when a rollback is called ([`PhaseTitles::rollback`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rollback: bool,
}

/// The titles of `phase`'s sections with headings of their own, in a list
/// of their number: collected through a filter, a phase's list grew by
/// doubling (six sections held room for eight), 0.7 MB of a long run.
fn section_titles(phase: &crate::model::Phase) -> Vec<SectionTitle> {
    let headed = || phase.sections.iter().filter(|section| !section.implicit);
    let mut titles = Vec::with_capacity(headed().count());
    titles.extend(headed().map(|section| SectionTitle {
        id: section.id.as_str().into(),
        title: section.title.as_str().into(),
        expected_output: section.rare.expected_output.clone(),
        rollback: section.when == crate::model::When::Rollback,
    }));
    titles
}

impl ChecklistRef {
    /// What a new record says of `checklist`.
    pub fn of(checklist: &crate::model::Checklist) -> ChecklistRef {
        ChecklistRef {
            title: checklist.title.clone(),
            origin: Origin::from_display(&checklist.source.path, env!("CARGO_PKG_VERSION")),
            sha256: checklist.source.sha256().to_string(),
            phases: checklist
                .phases
                .iter()
                .map(|phase| PhaseTitles {
                    id: phase.id.as_str().into(),
                    title: phase.title.as_str().into(),
                    expected_output: phase
                        .sections
                        .iter()
                        .find(|section| section.implicit)
                        .and_then(|section| section.rare.expected_output.clone()),
                    rollback: phase.sections.iter().any(|section| {
                        section.implicit && section.when == crate::model::When::Rollback
                    }),
                    sections: section_titles(phase),
                })
                .collect(),
            source: Some(std::sync::Arc::clone(&checklist.source.text)),
            signoff: checklist.signoff,
        }
    }
}

/// `checklist:` as either schema writes it: v1 has `path`, v2 `origin`.
#[derive(Deserialize)]
struct ChecklistIn {
    title: String,
    #[serde(default)]
    origin: Option<Origin>,
    #[serde(default)]
    path: Option<String>,
    sha256: String,
    #[serde(default)]
    phases: Vec<PhaseTitles>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    signoff: Option<crate::model::SignoffPolicy>,
}

impl From<ChecklistIn> for ChecklistRef {
    fn from(input: ChecklistIn) -> ChecklistRef {
        ChecklistRef {
            title: input.title,
            // A v1 bundled path's relcheck version is the run's, filled in
            // by the upgrade (`Record::from_yaml`).
            origin: input.origin.unwrap_or_else(|| {
                Origin::from_display(input.path.as_deref().unwrap_or_default(), "")
            }),
            sha256: input.sha256,
            phases: input.phases,
            source: input.source.map(std::sync::Arc::from),
            signoff: input.signoff,
        }
    }
}

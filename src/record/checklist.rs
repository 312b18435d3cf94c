//! What a record says was asked: the checklist as the run read it, whole
//! (its origin, hash, outline and text), so the record answers for itself
//! without the file; and how either schema writes it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::SignoffPolicy;
use crate::source_text::SourceText;

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
    /// `None` in a record of schema v1. Packed while a run holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceText>,
    /// The checklist's sign-off policy (front matter `signoff:`), carried so
    /// `verify` holds the record to it without the checklist; absent when
    /// it declares none. Part of the `checklist` part every sign-off binds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signoff: Option<SignoffPolicy>,
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
        id: Arc::clone(&section.id),
        title: Arc::clone(&section.title),
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
            source: Some(checklist.source.text.clone()),
            signoff: checklist.signoff,
        }
    }
}

impl ChecklistRef {
    /// Its canonical form, as [`super::canonical::to_writer`] writes it,
    /// with the text written a piece at a time: a packed text is never
    /// unpacked whole to be hashed.
    pub fn write_canonical<W: std::io::Write + ?Sized>(
        &self,
        out: &mut W,
    ) -> Result<(), super::canonical::Error> {
        let Some(text) = &self.source else {
            return super::canonical::to_writer(self, None, out);
        };
        let mut source = |out: &mut W| super::canonical::string_in_pieces(text, out);
        super::canonical::to_writer_with(
            &self.fields(true, self.signoff),
            None,
            out,
            &mut [("source", &mut source)],
        )
    }

    /// The SHA-256 of its canonical form ([`super::canonical_sha256`]).
    pub fn canonical_sha256(&self) -> String {
        super::digest::canonical_sha256_with(self, |out| self.write_canonical(out))
    }

    /// Its fields but the text, borrowed: `source` says whether the text
    /// has a place, which the writer fills.
    pub(super) fn fields(&self, source: bool, signoff: Option<SignoffPolicy>) -> Fields<'_> {
        Fields {
            title: &self.title,
            origin: &self.origin,
            sha256: &self.sha256,
            phases: &self.phases,
            source,
            signoff,
        }
    }
}

/// [`ChecklistRef`]'s fields in its order and with its rules for leaving
/// them out, but for the text, whose place (when `source`) the writer
/// fills: how the record's writers put a packed text in a piece at a
/// time, the canonical form ([`ChecklistRef::write_canonical`]) and the
/// file (`lean`).
#[derive(Serialize)]
pub(super) struct Fields<'a> {
    title: &'a str,
    origin: &'a Origin,
    sha256: &'a str,
    #[serde(skip_serializing_if = "<[PhaseTitles]>::is_empty")]
    phases: &'a [PhaseTitles],
    #[serde(skip_serializing_if = "std::ops::Not::not", serialize_with = "a_place")]
    source: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    signoff: Option<SignoffPolicy>,
}

/// The text's place in [`Fields`]: a string, never read.
fn a_place<S: serde::Serializer>(_: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str("")
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
            source: input
                .source
                .map(|text| SourceText::from(Arc::<str>::from(text))),
            signoff: input.signoff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_form_in_pieces_is_the_whole_form() {
        let mut long = String::new();
        for n in 0..20_000 {
            long.push_str(&format!("- [ ] \"step\" {n} \\ é\t\u{1}\n"));
        }
        let checklist = |text: Option<&str>, packed: bool, signoff| ChecklistRef {
            title: "T".into(),
            origin: Origin::File {
                file: "t.md".into(),
            },
            sha256: "ab".into(),
            phases: Vec::new(),
            source: text.map(|text| {
                let text = SourceText::from(text);
                if packed { text.packed() } else { text }
            }),
            signoff,
        };
        let policy = SignoffPolicy {
            min: Some(2),
            distinct: false,
            not_operator: true,
        };
        for text in [
            None,
            Some(""),
            Some("# T\n- [ ] \"a\" \\ b\u{7f}\n"),
            Some(&long),
        ] {
            for packed in [false, true] {
                for signoff in [None, Some(policy)] {
                    let checklist = checklist(text, packed, signoff);
                    let mut pieces = Vec::new();
                    checklist.write_canonical(&mut pieces).unwrap();
                    let whole = super::super::canonical::to_vec(&checklist, None);
                    assert!(pieces == whole, "{:?}", text.map(str::len));
                    assert_eq!(
                        checklist.canonical_sha256(),
                        super::super::canonical_sha256(&checklist)
                    );
                }
            }
        }
    }
}

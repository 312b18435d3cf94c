//! Phase and section titles for reports: the record carries them (schema
//! v2), a checklist gives them, and a v1 record's ids are made readable.

use std::collections::BTreeMap;

use crate::model::Checklist;
use crate::record::Record;

/// Phase and section titles by id: the record's own (schema v2), else
/// made from the ids themselves; and each section's expected output, by
/// section id (a phase's own section has the phase's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Titles(BTreeMap<String, String>, BTreeMap<String, String>);

impl Titles {
    /// The titles the record carries. A record of schema v1 carries none.
    pub fn from_record(record: &Record) -> Titles {
        let mut titles = BTreeMap::new();
        let mut expected = BTreeMap::new();
        for phase in &record.checklist.phases {
            titles.insert(phase.id.to_string(), phase.title.to_string());
            if let Some(output) = &phase.expected_output {
                expected.insert(phase.id.to_string(), output.clone());
            }
            for section in &phase.sections {
                titles.insert(section.id.to_string(), section.title.to_string());
                if let Some(output) = &section.expected_output {
                    expected.insert(section.id.to_string(), output.clone());
                }
            }
        }
        Titles(titles, expected)
    }

    pub fn from_checklist(checklist: &Checklist) -> Titles {
        let mut titles = BTreeMap::new();
        let mut expected = BTreeMap::new();
        for phase in &checklist.phases {
            titles.insert(phase.id.clone(), phase.title.clone());
            for section in &phase.sections {
                if !section.implicit {
                    titles.insert(section.id.to_string(), section.title.to_string());
                }
                if let Some(output) = &section.rare.expected_output {
                    expected.insert(section.id.to_string(), output.clone());
                }
            }
        }
        Titles(titles, expected)
    }

    pub fn phase(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| humanize(id))
    }

    /// What a section's step should leave behind, when the checklist says.
    pub fn expected_output(&self, section: &str) -> Option<String> {
        self.1.get(section).cloned()
    }

    /// `None` for a phase's own (implicit) section, whose id is the
    /// phase's.
    pub fn section(&self, phase: &str, id: &str) -> Option<String> {
        if id == phase {
            return None;
        }
        Some(
            self.0
                .get(id)
                .cloned()
                .unwrap_or_else(|| humanize(id.strip_prefix(&format!("{phase}/")).unwrap_or(id))),
        )
    }
}

/// `pre-deployment-checks` -> `Pre deployment checks`.
fn humanize(id: &str) -> String {
    let words = id.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanized_ids_read_as_titles() {
        assert_eq!(humanize("pre-deployment-checks"), "Pre deployment checks");
        let titles = Titles::default();
        assert_eq!(titles.section("p", "p"), None);
        assert_eq!(
            titles.section("p", "p/health-checks").unwrap(),
            "Health checks"
        );
    }
}

//! What a measured item's answer keeps: the value, the bound it was held
//! against, the verdict, and whether a person's answer overruled it
//! (docs/RECORD.md, "Measured items"). Only on measured items, and only
//! once answered, so other records are as they were, digest and all.

use serde::{Deserialize, Serialize};

/// Whether the value meets the bound as written: on a check, met is done;
/// on a trigger (`Error rate > 5%`), met is the trigger crossed, so it
/// occurred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "met")]
    Met,
    #[serde(rename = "not-met")]
    NotMet,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not met",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measured {
    /// As relcheck writes it: `< 1%`, `>= 80/100`, `> 3x baseline`.
    pub bound: String,
    /// The baseline a relative bound was held against, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// Absent when a person answered without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The status is a person's word against the number (or without one);
    /// the item's note says why.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overruled: bool,
}

impl Measured {
    /// `0.4% against < 1%: met`, `no value against < 1%: overruled`: how
    /// reports and the terminal say it.
    pub fn summary(&self) -> String {
        let value = self.value.as_deref().unwrap_or("no value");
        let mut text = format!("{value} against {}", self.bound);
        if let Some(baseline) = &self.baseline {
            text.push_str(&format!(" (baseline {baseline})"));
        }
        if let Some(verdict) = self.verdict {
            text.push_str(&format!(": {}", verdict.as_str()));
        }
        if self.overruled {
            text.push_str(if self.verdict.is_some() {
                ", overruled"
            } else {
                ": answered by hand"
            });
        }
        text
    }
}

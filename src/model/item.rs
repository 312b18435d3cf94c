//! One checklist item, held small: what most items leave empty (a role, a
//! label, a default, choices, a command, a timeout, a wait, a measure,
//! annotations) is boxed together in [`ItemRare`], so an item is 96 bytes
//! where it was 256 (16 MB of a 100,000-item checklist). It reads and
//! writes as it always has: the same fields, in the same order.

use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};

use super::rare::{Empty, Rare};
use super::{Annotations, Kind, Measure};

/// An item as `show --format json` gives it. Field order is the view's
/// (docs/FORMAT.md): `id`, `kind`, `text`, `markdown`, `line`,
/// `optional`, `role`, `label`, `default`, `choices`, `command`,
/// `timeout_seconds`, `wait_seconds`, `measure`, `depth`, `parent`,
/// `annotations`; those under `rare` are read and set through it
/// (`item.rare.command`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "ItemIn")]
pub struct Item {
    pub id: Arc<str>,
    pub kind: Kind,
    pub text: Arc<str>,
    /// Read with [`Item::markdown`].
    pub markdown: Markdown,
    pub line: usize,
    pub optional: bool,
    pub depth: usize,
    pub parent: Option<Arc<str>>,
    /// The fields most items leave empty.
    pub rare: Rare<ItemRare>,
}

impl Item {
    /// The item as written, Markdown and all.
    pub fn markdown(&self) -> &str {
        self.markdown.0.as_deref().unwrap_or(&self.text)
    }
}

/// An item's Markdown as written, held only where it differs from its
/// text: two items in three are plain words, and a copy of each was 4 MB
/// and 68,000 allocations of a 100,000-item run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markdown(Option<Box<str>>);

impl Markdown {
    /// `markdown`, the item whose text is `text` as written.
    pub fn of(text: &str, markdown: &str) -> Markdown {
        Markdown((markdown != text).then(|| markdown.into()))
    }
}

/// The fields of an [`Item`] most items leave empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemRare {
    pub role: Option<String>,
    pub label: Option<String>,
    pub default: Option<String>,
    pub choices: Vec<String>,
    pub command: Option<String>,
    /// `timeout=`: how long the command may run; the run's default when
    /// `None`. Read once here, so nothing later parses annotation text.
    pub timeout_seconds: Option<u64>,
    /// How long the item asks to wait or monitor: `wait=`, or its words
    /// ("watched for 15 minutes"; the lower bound of "30-60 minutes").
    pub wait_seconds: Option<u64>,
    /// The go/no-go number the item's text states ("Error rate normal
    /// (< 1%)"): the run asks for the measured value and settles the item
    /// by it. Left out of the JSON view when the text states none, as most
    /// items do, so scripts that read the view see no new key there.
    pub measure: Option<Box<Measure>>,
    pub annotations: Annotations,
}

impl Empty for ItemRare {
    const NONE: &'static ItemRare = &ItemRare {
        role: None,
        label: None,
        default: None,
        choices: Vec::new(),
        command: None,
        timeout_seconds: None,
        wait_seconds: None,
        measure: None,
        annotations: Annotations::EMPTY,
    };
}

/// [`Item`] as the JSON view spells it: the fields in their order.
/// Writing borrows the item.
#[derive(Serialize)]
#[serde(rename = "Item")]
struct ItemOut<'a> {
    id: &'a Arc<str>,
    kind: Kind,
    text: &'a Arc<str>,
    markdown: &'a str,
    line: usize,
    optional: bool,
    role: &'a Option<String>,
    label: &'a Option<String>,
    default: &'a Option<String>,
    choices: &'a [String],
    command: &'a Option<String>,
    timeout_seconds: Option<u64>,
    wait_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    measure: &'a Option<Box<Measure>>,
    depth: usize,
    parent: &'a Option<Arc<str>>,
    annotations: &'a Annotations,
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rare: &ItemRare = &self.rare;
        ItemOut {
            id: &self.id,
            kind: self.kind,
            text: &self.text,
            markdown: self.markdown(),
            line: self.line,
            optional: self.optional,
            role: &rare.role,
            label: &rare.label,
            default: &rare.default,
            choices: &rare.choices,
            command: &rare.command,
            timeout_seconds: rare.timeout_seconds,
            wait_seconds: rare.wait_seconds,
            measure: &rare.measure,
            depth: self.depth,
            parent: &self.parent,
            annotations: &rare.annotations,
        }
        .serialize(serializer)
    }
}

/// [`Item`] as the JSON view spells it, read.
#[derive(Deserialize)]
#[serde(rename = "Item")]
struct ItemIn {
    id: Arc<str>,
    kind: Kind,
    text: Arc<str>,
    markdown: Box<str>,
    line: usize,
    optional: bool,
    role: Option<String>,
    label: Option<String>,
    default: Option<String>,
    choices: Vec<String>,
    command: Option<String>,
    timeout_seconds: Option<u64>,
    wait_seconds: Option<u64>,
    #[serde(default)]
    measure: Option<Box<Measure>>,
    depth: usize,
    parent: Option<Arc<str>>,
    annotations: Annotations,
}

impl From<ItemIn> for Item {
    fn from(item: ItemIn) -> Item {
        let markdown = Markdown::of(&item.text, &item.markdown);
        Item {
            id: item.id,
            kind: item.kind,
            text: item.text,
            markdown,
            line: item.line,
            optional: item.optional,
            depth: item.depth,
            parent: item.parent,
            rare: Rare::of(ItemRare {
                role: item.role,
                label: item.label,
                default: item.default,
                choices: item.choices,
                command: item.command,
                timeout_seconds: item.timeout_seconds,
                wait_seconds: item.wait_seconds,
                measure: item.measure,
                annotations: item.annotations,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_held_only_where_it_differs_from_the_text() {
        assert_eq!(
            Markdown::of("Run all tests", "Run all tests"),
            Markdown(None)
        );
        let bold = Markdown::of("Run all tests", "Run **all** tests");
        assert_eq!(bold, Markdown(Some("Run **all** tests".into())));
        let json = r#"{"id":"a","kind":"check","text":"Plain","markdown":"Plain","line":1,"optional":false,"role":null,"label":null,"default":null,"choices":[],"command":null,"timeout_seconds":null,"wait_seconds":null,"depth":0,"parent":null,"annotations":{}}"#;
        let item: Item = serde_json::from_str(json).unwrap();
        assert_eq!(item.markdown, Markdown(None));
        assert_eq!(item.markdown(), "Plain");
        assert_eq!(serde_json::to_string(&item).unwrap(), json);
    }
}

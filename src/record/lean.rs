//! The file form of a schema v2 record leaves out what the rest of the
//! file already says, and reading puts it back: an item's `phase` and
//! `section` when its id begins with them, its `kind` when it is a check,
//! an event's `by` when it is the run's operator, and an answer's source
//! after the first from the same file (`sources.rs`). A long run repeats
//! each on every line otherwise (docs/RECORD.md, "Size"). The record in
//! memory, its digest and `report --format json` always have every field.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use crate::yaml::Error;
use serde::Serialize;

use super::omit::Omit;
use super::sources::Written;
use super::{Gate, ItemResult, Record, Rollback, Run, Signoff, Summary};
use crate::model::Kind;
use crate::source_text::SourceText;

/// An item is a check unless its record says otherwise.
pub(super) fn check() -> Kind {
    Kind::Check
}

/// The phase an item id names: its first segment.
fn phase_of(id: &str) -> &str {
    id.split('/').next().unwrap_or(id)
}

/// The section an item id names: all but its last segment.
fn section_of(id: &str) -> &str {
    id.rsplit_once('/').map_or(id, |(section, _)| section)
}

/// Writes the record as its file holds it, a part at a time: its header,
/// then each item and each event on its own, straight to `out`. No part
/// is built as a YAML tree, and the file (100 MB for a 100,000-item
/// record) is never held as one string. The parts are top-level entries
/// of one YAML mapping, written in the order and with the rules of
/// [`Record`]'s own fields; `record::a_record_written_in_parts_is_the_record`
/// (tests/) holds them together.
pub(super) fn write(record: &Record, out: &mut dyn Write) -> Result<(), Error> {
    write_head(record, out)?;
    if record.items.is_empty() {
        write_raw(out, "items: []\n")?;
    } else {
        write_raw(out, "items:\n")?;
        let mut sources = Written::default();
        for result in &record.items {
            let fields = lean_fields(result);
            let short = result.source.as_deref().and_then(|s| sources.short(s));
            let texts: &[(&str, &str)] = match &short {
                Some(kind) => &[("source", kind)],
                None => &[],
            };
            crate::yaml::to_writer(
                &mut *out,
                &[Omit {
                    value: result,
                    fields: &fields,
                    texts,
                }],
            )?;
        }
    }
    if !record.gates.is_empty() || !record.signoffs.is_empty() {
        crate::yaml::to_writer(
            &mut *out,
            &Middle {
                gates: &record.gates,
                signoffs: &record.signoffs,
            },
        )?;
    }
    if !record.events.is_empty() {
        write_raw(out, "events:\n")?;
        for logged in &record.events {
            let fields: &[&str] = if logged.by == record.run.operator {
                &["by"]
            } else {
                &[]
            };
            crate::yaml::to_writer(
                &mut *out,
                &[Omit {
                    value: logged,
                    fields,
                    texts: &[],
                }],
            )?;
        }
    }
    if let Some(digest) = &record.digest {
        crate::yaml::to_writer(&mut *out, &Tail { digest })?;
    }
    Ok(())
}

/// [`Record`]'s fields before `items`. The checklist's text, most of a
/// long record's head, is written a piece at a time when it is a block
/// the serializer would write as `|` (see [`text_block`]); the same bytes
/// as [`Head`] whole, without unpacking a packed text whole.
fn write_head(record: &Record, out: &mut dyn Write) -> Result<(), Error> {
    let checklist = &record.checklist;
    let schema = &record.schema;
    match checklist.source.as_ref().filter(|text| text_block(text)) {
        None => crate::yaml::to_writer(&mut *out, &Head { schema, checklist })?,
        Some(text) => {
            let checklist = checklist.fields(false, None);
            crate::yaml::to_writer(&mut *out, &Head { schema, checklist })?;
            write_text(record, text, out)?;
        }
    }
    crate::yaml::to_writer(
        &mut *out,
        &HeadRest {
            run: &record.run,
            values: &record.values,
            rollback: &record.rollback,
            summary: &record.summary,
        },
    )
}

/// The checklist's text as a `|` block, then its sign-off policy: the
/// last members of `checklist:`, after [`write_head`] wrote the rest.
fn write_text(record: &Record, text: &SourceText, out: &mut dyn Write) -> Result<(), Error> {
    let checklist = &record.checklist;
    // The text is a member of `checklist:`, whose members are two columns
    // in, so its lines are four (the serializer's indent step is two).
    write_raw(out, "  source: |\n")?;
    let mut line_start = true;
    text.for_each_piece(|piece| {
        for line in piece.split_inclusive('\n') {
            // An empty line is written empty, as the serializer does.
            if line_start && line != "\n" {
                write_raw(out, "    ")?;
            }
            write_raw(out, line)?;
            line_start = line.ends_with('\n');
        }
        Ok(())
    })?;
    if let Some(signoff) = &checklist.signoff {
        // The checklist's last member, after its text: written alone, then
        // set in by the same two columns.
        let alone = crate::yaml::to_string(&PolicyLast { signoff })?;
        for line in alone.split_inclusive('\n') {
            write_raw(out, "  ")?;
            write_raw(out, line)?;
        }
    }
    Ok(())
}

/// Whether the serializer writes `text` as a plain `|` block: text
/// ending in one line break, whose first line does not start with a
/// space or a break, with no character a block cannot hold. Any other
/// text (rare in a checklist) is left to the serializer.
fn text_block(text: &SourceText) -> bool {
    let mut first = true;
    let mut ends = (false, false);
    let fits = text.for_each_piece(|piece| {
        if first && (piece.starts_with([' ', '\n'])) {
            return Err(());
        }
        first = false;
        if !piece.chars().all(block_char) {
            return Err(());
        }
        let mut tail = piece.bytes().rev();
        ends = match (tail.next(), tail.next()) {
            (Some(b'\n'), Some(b'\n')) => (true, true),
            (Some(b'\n'), Some(_)) => (true, false),
            (Some(b'\n'), None) => (true, ends.0),
            _ => (false, false),
        };
        Ok(())
    });
    // Not empty, and ending in exactly one break (`|`, not `|+` or `|-`).
    fits.is_ok() && !first && ends == (true, false)
}

/// A character a `|` block holds as it is (serde-saphyr's
/// `is_block_scalar_content_safe`, which decides it).
fn block_char(c: char) -> bool {
    match c {
        '\n' | '\t' => true,
        '\u{2028}' | '\u{2029}' | '\u{FEFF}' => false,
        c => matches!(
            u32::from(c),
            0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x0010_FFFF
        ),
    }
}

/// What an item's file form leaves out: `kind` for a check, `phase` and
/// `section` when its id says them.
fn lean_fields(result: &ItemResult) -> Vec<&'static str> {
    let mut fields = Vec::with_capacity(3);
    if result.kind == Kind::Check {
        fields.push("kind");
    }
    if *result.phase == *phase_of(&result.id) {
        fields.push("phase");
    }
    if *result.section == *section_of(&result.id) {
        fields.push("section");
    }
    fields
}

fn write_raw(out: &mut dyn Write, text: &str) -> Result<(), Error> {
    out.write_all(text.as_bytes()).map_err(Error::io)
}

/// [`Record`]'s fields up to its checklist: the whole of it
/// (`&ChecklistRef`), or its fields but the text
/// (`checklist::Fields`), which is then written apart.
#[derive(Serialize)]
struct Head<'a, C: Serialize> {
    schema: &'a str,
    checklist: C,
}

/// [`Record`]'s fields after its checklist and before `items`, with its
/// rules for leaving them out.
#[derive(Serialize)]
struct HeadRest<'a> {
    run: &'a Run,
    #[serde(skip_serializing_if = "empty_map")]
    values: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "none")]
    rollback: &'a Option<Rollback>,
    #[serde(skip_serializing_if = "none")]
    summary: &'a Option<Summary>,
}

/// The checklist's sign-off policy, written after its text.
#[derive(Serialize)]
struct PolicyLast<'a> {
    signoff: &'a crate::model::SignoffPolicy,
}

/// [`Record`]'s fields between `items` and `events`.
#[derive(Serialize)]
struct Middle<'a> {
    #[serde(skip_serializing_if = "<[Gate]>::is_empty")]
    gates: &'a [Gate],
    #[serde(skip_serializing_if = "<[Signoff]>::is_empty")]
    signoffs: &'a [Signoff],
}

#[derive(Serialize)]
struct Tail<'a> {
    digest: &'a str,
}

fn empty_map(map: &&BTreeMap<String, String>) -> bool {
    map.is_empty()
}

/// `last` again when it says `text`, else a new string.
fn reuse(last: &Arc<str>, text: &str) -> Arc<str> {
    if **last == *text {
        last.clone()
    } else {
        text.into()
    }
}

fn none<T>(value: &&Option<T>) -> bool {
    value.is_none()
}

/// Puts back what [`write`] left out.
pub(super) fn fill(record: &mut Record) {
    super::sources::fill(&mut record.items);
    // Items of one section stand together: each run of them shares one
    // phase and one section string, as a new run's results do.
    let (mut phase, mut section) = <(Arc<str>, Arc<str>)>::default();
    for item in &mut record.items {
        if item.phase.is_empty() {
            item.phase = reuse(&phase, phase_of(&item.id));
        }
        if item.section.is_empty() {
            item.section = reuse(&section, section_of(&item.id));
        }
        phase = item.phase.clone();
        section = item.section.clone();
    }
    for event in &mut record.events {
        if event.by.is_empty() {
            event.by = record.run.operator.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SignoffPolicy;
    use proptest::prelude::*;

    /// The record docs/RECORD.md shows.
    fn example() -> Record {
        let doc = include_str!("../../docs/RECORD.md");
        let start = doc.find("```yaml\n").expect("an example") + "```yaml\n".len();
        let end = start + doc[start..].find("\n```\n").expect("its end") + 1;
        Record::from_yaml(&doc[start..end], std::path::Path::new("x")).unwrap()
    }

    /// The head as the serializer writes the whole record, in one
    /// mapping: all before its `items`.
    fn serialized(record: &Record) -> String {
        let mut whole = crate::yaml::to_string(record).unwrap();
        whole.truncate(whole.find("\nitems:").expect("items") + 1);
        whole
    }

    fn written(record: &Record) -> String {
        let mut out = Vec::new();
        write_head(record, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// `record` with `text`, packed or not, and `signoff`.
    fn with(record: &Record, text: &str, packed: bool, signoff: Option<SignoffPolicy>) -> Record {
        let mut record = record.clone();
        let text = SourceText::from(text);
        record.checklist.source = Some(if packed { text.packed() } else { text });
        record.checklist.signoff = signoff;
        record
    }

    fn long_checklist() -> String {
        let mut text = String::from("# Deploy\n\n");
        for n in 0..4000 {
            text.push_str(&format!(
                "## Step {n}\n\n- [ ] Check é {n}: `a|b` # not a comment\n  ```sh\n  echo {n}\n  ```\n\n"
            ));
        }
        text.truncate(text.trim_end().len());
        text.push('\n');
        text
    }

    #[test]
    fn a_text_in_pieces_is_written_as_the_serializer_writes_it() {
        let record = example();
        let policy = SignoffPolicy {
            min: Some(2),
            distinct: true,
            not_operator: false,
        };
        let long = long_checklist();
        let texts = [
            "# T\n",
            "# T\n\n- [ ] a\n\n\n  indented\n\ttab\ntrailing  \n",
            "a: b\n- c\n| d\n> e\n",
            long.as_str(),
        ];
        for (n, text) in texts.into_iter().enumerate() {
            assert!(text_block(&SourceText::from(text)), "text {n} is a block");
            for packed in [false, true] {
                for signoff in [None, Some(policy), Some(SignoffPolicy::default())] {
                    let record = with(&record, text, packed, signoff);
                    // Not `assert_eq!`: text 3 is 200 kB.
                    let (written, serialized) = (written(&record), serialized(&record));
                    assert!(
                        written == serialized,
                        "text {n}, packed {packed}, {signoff:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn any_other_text_is_left_to_the_serializer() {
        let record = example();
        for text in [
            "",
            "\n",
            "one line",
            " lead\n",
            "\nlead\n",
            "two\n\n",
            "no end\nx",
            "cr\r\n",
            "nel\u{85}\n",
            "ls\u{2028}\n",
            "bom\u{feff}\n",
            "bell\u{7}\n",
        ] {
            assert!(!text_block(&SourceText::from(text)), "{text:?}");
            let record = with(&record, text, true, None);
            assert_eq!(written(&record), serialized(&record), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn any_text_is_written_as_the_serializer_writes_it(
            chars in proptest::collection::vec(
                proptest::sample::select(vec![
                    'a', ' ', ' ', '\n', '\n', '\t', '#', ':', '-', '|', '"', 'é', '\r',
                    '\u{85}', '\u{2028}', '\u{feff}', '\u{1}',
                ]),
                0..40,
            ),
            // Most texts a block: only characters a block holds, and one
            // line break at the end.
            block in any::<bool>(),
            packed in any::<bool>(),
        ) {
            let mut text: String = chars.into_iter().collect();
            if block {
                text.retain(block_char);
                text.truncate(text.trim_end_matches('\n').len());
                text.push('\n');
            }
            let record = with(&example(), &text, packed, None);
            prop_assert_eq!(written(&record), serialized(&record));
        }
    }

    #[test]
    fn an_item_id_names_its_phase_and_section() {
        let cases = [
            ("pre/backup", "pre", "pre"),
            ("pre/db/backup", "pre", "pre/db"),
            ("alone", "alone", "alone"),
        ];
        for (id, phase, section) in cases {
            assert_eq!((phase_of(id), section_of(id)), (phase, section), "{id}");
        }
    }
}

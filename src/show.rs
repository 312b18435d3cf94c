//! `relcheck show`: the model as a readable tree, line numbers in a gutter
//! so each entry can be found in the file.

use std::fmt::Write;

use crate::cli::{ShowArgs, ShowFormat};
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::exit::Code;
use crate::model::{Checklist, Item, Kind, When};
use crate::style::Style;

/// `relcheck show CHECKLIST`: the tree, or the model as JSON; a warning
/// first when `run` would refuse the checklist.
pub fn run(args: ShowArgs, config: &Config, out: &mut dyn std::io::Write) -> anyhow::Result<Code> {
    let source = crate::bundled::open(&args.checklist)?;
    let parsed = match args.format {
        // The JSON view carries the file's digest, which for a large file
        // costs as much as a tenth of parsing it: worked out on another
        // core meanwhile. If no thread can be had, it is worked out when
        // written, as before.
        ShowFormat::Json => std::thread::scope(|scope| {
            let _ = std::thread::Builder::new().spawn_scoped(scope, || {
                source.sha256();
            });
            crate::parse::parse(&source)
        }),
        ShowFormat::Text => crate::parse::parse(&source),
    }
    .require_items(&source)?;
    let errors = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        eprintln!(
            "warning: {} has {errors} error{}; `relcheck lint {0}` lists them, and `relcheck run` refuses it until they are fixed",
            source.display,
            if errors == 1 { "" } else { "s" }
        );
    }
    match args.format {
        ShowFormat::Json => {
            crate::json_view::write(&parsed.checklist, out)?;
            writeln!(out)?;
        }
        ShowFormat::Text => out.write_all(text(&parsed.checklist, config.style).as_bytes())?,
    }
    // The process ends here: freeing a long checklist's model, node by
    // node, took a twelfth of the command's time and gives nothing back.
    std::mem::forget(parsed);
    Ok(Code::Success)
}

/// The one-letter mark of each kind, as the tree and the runner show it.
pub fn marker(kind: Kind) -> &'static str {
    match kind {
        Kind::Check => "[ ]",
        Kind::Trigger => "[!]",
        Kind::Field => "[=]",
        Kind::Signoff => "[S]",
    }
}

pub fn text(checklist: &Checklist, style: Style) -> String {
    let mut out = String::new();
    let counts = checklist.counts();
    let _ = writeln!(out, "{}", style.bold(&checklist.title));
    let mut summary = vec![
        checklist.source.path.clone(),
        checklist.format.as_str().to_string(),
        format!(
            "{}, {}",
            crate::words::count(counts.phases, "phase"),
            crate::words::count(counts.items, "item")
        ),
    ];
    let kinds: Vec<String> = [
        (counts.check, "check"),
        (counts.trigger, "trigger"),
        (counts.field, "field"),
        (counts.signoff, "signoff"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, kind)| format!("{n} {kind}"))
    .collect();
    summary.push(kinds.join(", "));
    if counts.optional > 0 {
        summary.push(format!("{} optional", counts.optional));
    }
    let measured = checklist
        .items()
        .filter(|(_, _, item)| item.rare.measure.is_some())
        .count();
    if measured > 0 {
        summary.push(format!("{measured} measured"));
    }
    let _ = writeln!(out, "{}", style.dim(&summary.join(" · ")));
    if !checklist.variables.is_empty() {
        let names: Vec<String> = checklist
            .variables
            .iter()
            .map(|v| format!("{{{{{v}}}}}"))
            .collect();
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!("variables: {}", names.join(", ")))
        );
    }
    let width = checklist
        .items()
        .map(|(_, _, item)| item.line)
        .chain(checklist.phases.iter().map(|p| p.line))
        .max()
        .unwrap_or(1)
        .to_string()
        .len();
    let gutter = |line: usize| style.dim(&format!("{line:>width$}"));
    for phase in &checklist.phases {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}  {}{}",
            gutter(phase.line),
            style.bold(&phase.title),
            when_tag(phase.when, style)
        );
        for section in &phase.sections {
            let indent = if section.implicit {
                "  "
            } else {
                let _ = writeln!(
                    out,
                    "{}    {}{}",
                    gutter(section.line),
                    style.cyan(&section.title),
                    if section.when == phase.when {
                        String::new()
                    } else {
                        when_tag(section.when, style)
                    }
                );
                "    "
            };
            let blank = " ".repeat(width);
            if let Some(lead) = &section.rare.lead {
                let lead = lead.split_whitespace().collect::<Vec<_>>().join(" ");
                let _ = writeln!(out, "{blank}  {indent}{}", style.dim(&lead));
            }
            // Notes and commands whose place is known go among the items,
            // by line, at their nesting; the rest lead the section.
            let place = |places: &[Option<(usize, usize)>], index: usize| {
                places.get(index).copied().flatten()
            };
            let mut rest: Vec<(usize, usize, Entry)> = Vec::new();
            for (index, note) in section.rare.notes.iter().enumerate() {
                match place(&section.rare.note_places, index) {
                    Some((line, depth)) => rest.push((line, depth, Entry::Note(note))),
                    None => {
                        let _ =
                            writeln!(out, "{blank}  {indent}{}", style.dim(&format!("• {note}")));
                    }
                }
            }
            for (index, command) in section.rare.commands.iter().enumerate() {
                match place(&section.rare.command_places, index) {
                    Some((line, depth)) => rest.push((line, depth, Entry::Command(command))),
                    None => {
                        for line in command.lines() {
                            let _ = writeln!(
                                out,
                                "{blank}  {indent}{}",
                                style.dim(&format!("│ {line}"))
                            );
                        }
                    }
                }
            }
            rest.extend(
                section
                    .items
                    .iter()
                    .map(|item| (item.line, item.depth, Entry::Item(item))),
            );
            rest.sort_by_key(|(line, _, _)| *line);
            for (_, depth, entry) in rest {
                let nest = "  ".repeat(depth);
                let item = match entry {
                    Entry::Note(note) => {
                        let _ = writeln!(
                            out,
                            "{blank}  {indent}{nest}{}",
                            style.dim(&format!("• {note}"))
                        );
                        continue;
                    }
                    Entry::Command(command) => {
                        for line in command.lines() {
                            let _ = writeln!(
                                out,
                                "{blank}  {indent}{nest}{}",
                                style.dim(&format!("│ {line}"))
                            );
                        }
                        continue;
                    }
                    Entry::Item(item) => item,
                };
                let _ = writeln!(
                    out,
                    "{}  {indent}{nest}{} {}{}",
                    gutter(item.line),
                    kind_marker(item.kind, style),
                    item_text(item),
                    tags(item, style)
                );
                if let Some(command) = &item.rare.command {
                    for line in command.lines() {
                        let _ = writeln!(
                            out,
                            "{blank}  {indent}{nest}    {}",
                            style.dim(&format!("$ {line}"))
                        );
                    }
                }
            }
            if let Some(expected) = &section.rare.expected_output {
                let _ = writeln!(
                    out,
                    "{blank}  {indent}{}",
                    style.dim(&format!("expected: {expected}"))
                );
            }
        }
    }
    out
}

/// What `show` prints of a section after its lead, in line order.
enum Entry<'a> {
    Note(&'a str),
    Command(&'a str),
    Item(&'a crate::model::Item),
}

fn kind_marker(kind: Kind, style: Style) -> String {
    let mark = marker(kind);
    match kind {
        Kind::Check => mark.to_string(),
        Kind::Trigger => style.red(mark),
        Kind::Field => style.cyan(mark),
        Kind::Signoff => style.green(mark),
    }
}

fn item_text(item: &Item) -> String {
    match item.kind {
        Kind::Field => {
            let mut text = item.text.to_string();
            if let Some(default) = &item.rare.default {
                text.push_str(&format!(" = {default}"));
            }
            if !item.rare.choices.is_empty() {
                text.push_str(&format!(" ({})", item.rare.choices.join(" / ")));
            }
            text
        }
        Kind::Signoff => match &item.rare.role {
            Some(role) if **role != *item.text => format!("{} — role: {role}", item.text),
            _ => item.text.to_string(),
        },
        Kind::Check | Kind::Trigger => item.text.to_string(),
    }
}

fn tags(item: &Item, style: Style) -> String {
    let mut tags = Vec::new();
    if item.kind != Kind::Check {
        tags.push(item.kind.as_str().to_string());
    }
    // "(optional)" already in the text says it.
    if item.optional && !item.text.to_lowercase().ends_with("(optional)") {
        tags.push("optional".to_string());
    }
    if let Some(measure) = &item.rare.measure {
        tags.push(format!("measured {}", measure.bound_text()));
    }
    if tags.is_empty() {
        String::new()
    } else {
        format!("  {}", style.dim(&format!("({})", tags.join(", "))))
    }
}

fn when_tag(when: When, style: Style) -> String {
    match when {
        When::Always => String::new(),
        When::Rollback => format!("  {}", style.yellow("[on rollback]")),
        When::Success => format!("  {}", style.green("[on success]")),
    }
}

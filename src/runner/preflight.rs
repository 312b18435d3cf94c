//! What a run checks before anything runs: the checklist has no errors,
//! and every command still to run has a value for each of its variables.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::exit::{Code, error};
use crate::model::Checklist;
use crate::parse;
use crate::source::Source;

/// The checklist, refused when it has errors: a mistyped `timeout=` or a
/// duplicate `id=` would otherwise change what runs without a word.
pub(super) fn runnable(source: &Source) -> anyhow::Result<Checklist> {
    let parsed = parse::parse_on_one_core(source).require_items(source)?;
    let errors: Vec<crate::diagnostic::Diagnostic> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        // Bounded, however many there are.
        let shown = crate::diagnostic::render_all(&errors, source, |_, word| word.to_string());
        return Err(error(
            Code::Input,
            format!(
                "{} has errors; fix them and run it again (`relcheck lint {0}` checks):\n{}",
                source.display,
                shown.trim_end()
            ),
        ));
    }
    Ok(parsed.checklist)
}

/// An answers file's `rollback_needed: true` where the run never asks
/// "Is a rollback needed?" (its triggers call the rollback) is refused
/// before anything runs: dropped, it let a pipeline that was told to roll
/// back pass with exit 0.
pub(super) fn require_rollback_question(
    checklist: &Checklist,
    answers: &crate::answers::Answers,
) -> anyhow::Result<()> {
    if answers.rollback_needed != Some(true) || crate::session::asks_rollback_needed(checklist) {
        return Ok(());
    }
    use crate::model::{Kind, When};
    let steps = checklist
        .items()
        .any(|(_, section, _)| section.when == When::Rollback);
    let triggers = checklist
        .items()
        .any(|(_, _, item)| item.kind == Kind::Trigger);
    let how = match (steps, triggers) {
        (false, _) => "it has no rollback steps",
        (true, true) => "its triggers call the rollback: answer the one that happened `occurred`",
        // Rollback steps in a section, no trigger, no rollback phase: only
        // a person (`R`, a gate) calls them.
        (true, false) => {
            "its rollback steps follow no trigger, so only a person calls them (`R` at a terminal)"
        }
    };
    Err(error(
        Code::Input,
        format!(
            "the answers file says rollback_needed: true, but {} never asks whether a rollback is needed: {how}",
            checklist.source.path
        ),
    ))
}

/// Every variable in a command still to run has a value among `given`,
/// or the run stops before anything runs (exit 3): a pipeline has nobody
/// to ask, and a command would otherwise stay pending or run half-filled.
/// `answered` says which items will not run their command.
pub(super) fn require_values(
    checklist: &Checklist,
    // Later maps win, as values given later do in the run.
    given: &[&BTreeMap<String, String>],
    answered: impl Fn(&str) -> bool,
) -> anyhow::Result<()> {
    let mut values = BTreeMap::new();
    for map in given {
        values.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    // The commands short of a value, found first: the checklist's text
    // (packed while a run holds it) is read for their lines only when
    // there is one.
    let mut short = Vec::new();
    for (k, (_, _, item)) in checklist.items().enumerate() {
        let Some(command) = &item.rare.command else {
            continue;
        };
        if answered(&item.id) {
            continue;
        }
        match crate::exec::substitute(command, &values) {
            Ok(_) => continue,
            Err(crate::exec::Unfilled::Missing(names)) => short.push((k, item, names, false)),
            Err(crate::exec::Unfilled::Unsafe(names)) => short.push((k, item, names, true)),
        }
    }
    if short.is_empty() {
        return Ok(());
    }
    let text = checklist.source.text.text();
    let lines: Vec<&str> = text.lines().collect();
    // Where each item's block ends: at the next item as shallow as it.
    let items: Vec<(usize, usize)> = checklist
        .items()
        .map(|(_, _, item)| (item.line, item.depth))
        .collect();
    let mut ends = vec![lines.len(); items.len()];
    let mut open: Vec<usize> = Vec::new();
    for (k, &(line, depth)) in items.iter().enumerate() {
        while let Some(&j) = open.last().filter(|&&j| items[j].1 >= depth) {
            ends[j] = line.min(lines.len());
            open.pop();
        }
        open.push(k);
    }
    // Each missing name with the lines of the commands that use it, in
    // order of first use; and each name whose value a shell could read.
    // Every step is linear in the names: a checklist may use 200,000.
    let mut missing = Uses::default();
    let mut hostile = Uses::default();
    for (k, item, names, unsafe_value) in short {
        let uses = if unsafe_value {
            &mut hostile
        } else {
            &mut missing
        };
        // The command's own line for each name: the first in the item's
        // block after its own line that uses it, found in one pass.
        let mut wanted: HashSet<&str> = names.iter().map(String::as_str).collect();
        let mut found: HashMap<&str, usize> = HashMap::new();
        for (i, line) in lines.iter().enumerate().take(ends[k]).skip(item.line) {
            if wanted.is_empty() {
                break;
            }
            for placeholder in crate::template::placeholders(line) {
                if wanted.remove(placeholder.name) {
                    found.insert(placeholder.name, i + 1);
                }
            }
        }
        for name in names {
            let line = found.get(name.as_str()).copied().unwrap_or(item.line);
            uses.add(name, line);
        }
    }
    let (missing, hostile) = (missing.done(), hostile.done());
    let at = |lines: &[usize]| match lines {
        [line] => format!("the command at line {line}"),
        many => format!(
            "the commands at lines {}",
            many.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut problems: Vec<String> = hostile
        .iter()
        .map(|(name, lines)| {
            format!(
                "{}: the value of {{{{{name}}}}}, used by {}, holds characters a shell would read (spaces, quotes, $, ...), so it is not put into a command; write \"${}\" in the command instead",
                checklist.source.path,
                at(lines),
                crate::exec::env_name(name)
            )
        })
        .collect();
    problems.extend(missing
        .into_iter()
        .map(|(name, lines)| {
            format!(
                "{}: no value for {{{{{name}}}}}, used by {}; give it with --set {name}=... or values: in the answers file",
                checklist.source.path,
                at(&lines)
            )
        }));
    Err(error(Code::Input, problems.join("\n")))
}

/// Names in order of first use, each with the lines that use it.
#[derive(Default)]
struct Uses {
    names: Vec<(String, Vec<usize>)>,
    index: HashMap<String, usize>,
}

impl Uses {
    fn add(&mut self, name: String, line: usize) {
        match self.index.get(&name) {
            Some(&i) => self.names[i].1.push(line),
            None => {
                self.index.insert(name.clone(), self.names.len());
                self.names.push((name, vec![line]));
            }
        }
    }

    /// Each name's lines in order, each once.
    fn done(mut self) -> Vec<(String, Vec<usize>)> {
        for (_, lines) in &mut self.names {
            lines.sort_unstable();
            lines.dedup();
        }
        self.names
    }
}

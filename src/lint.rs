//! `relcheck lint`: the parser's diagnostics plus the checks that need the
//! whole model, such as triggers with no rollback to go to.

use std::collections::HashMap;
use std::io::Write;

use crate::diagnostic::{Diagnostic, Severity};
use crate::exit::Code;
use crate::model::{Checklist, Kind, When};
use crate::parse::{self, rules};
use crate::source::Source;
use crate::style::Style;

/// Every diagnostic for one checklist, in line order.
pub fn check(source: &Source) -> Vec<Diagnostic> {
    let parsed = parse::parse(source);
    let mut diagnostics = parsed.diagnostics;
    diagnostics.extend(model_checks(&parsed.checklist, source));
    diagnostics.sort_by_key(|d| (d.line, d.col));
    diagnostics
}

fn model_checks(checklist: &Checklist, source: &Source) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let warn = |line: usize, message: String| {
        Diagnostic::on_line(source, line, Severity::Warning, message)
    };
    if checklist.items().next().is_none() {
        out.push(Diagnostic::on_line(
            source,
            1,
            Severity::Error,
            "no checklist items found: write task items (`- [ ] Back up the database`) under headings",
        ));
        return out;
    }
    for phase in &checklist.phases {
        let empty = phase.sections.iter().all(|section| {
            section.items.is_empty()
                && section.commands.is_empty()
                && section.notes.is_empty()
                && section.lead.is_none()
        });
        if empty {
            out.push(warn(
                phase.line,
                format!("phase \"{}\" has no items", phase.title),
            ));
        }
        for section in &phase.sections {
            let mut seen: HashMap<String, usize> = HashMap::new();
            for item in &section.items {
                let key = item.text.to_lowercase();
                if let Some(first) = seen.get(&key) {
                    out.push(warn(
                        item.line,
                        format!(
                            "\"{}\" is already an item of this section (line {first})",
                            item.text
                        ),
                    ));
                } else {
                    seen.insert(key, item.line);
                }
            }
            if rules::is_signoff_title(&section.title)
                && !section.items.iter().any(|item| item.kind == Kind::Signoff)
            {
                out.push(warn(
                    section.line,
                    format!(
                        "sign-off section \"{}\" names no roles: list one per line, as `- **QA Lead**: [Name] - [Date]`",
                        section.title
                    ),
                ));
            }
        }
    }
    let has_rollback = checklist
        .phases
        .iter()
        .flat_map(|phase| &phase.sections)
        .any(|section| section.when == When::Rollback && !section.items.is_empty());
    if !has_rollback
        && let Some((_, _, trigger)) = checklist
            .items()
            .find(|(_, _, item)| item.kind == Kind::Trigger)
    {
        out.push(warn(
            trigger.line,
            "rollback triggers, but no rollback steps to go to: add a section such as `### Rollback Steps`".to_string(),
        ));
    }
    for (_, _, item) in checklist.items() {
        if item.kind == Kind::Field && item.label.as_deref().is_none_or(str::is_empty) {
            out.push(warn(
                item.line,
                "field has no label: write `Label: ___`, or add label=\"...\" to its annotation"
                    .to_string(),
            ));
        }
        if let (Some(default), false) = (&item.default, item.choices.is_empty())
            && !item.choices.contains(default)
        {
            out.push(warn(
                item.line,
                format!(
                    "default \"{default}\" is not one of the choices {}",
                    item.choices.join(" / ")
                ),
            ));
        }
        if item.annotations.contains_key("timeout") && item.command.is_none() {
            out.push(warn(
                item.line,
                "timeout= on an item with no command".to_string(),
            ));
        }
        if let Some(command) = &item.command {
            for name in quoted_variables(command) {
                out.push(warn(
                    item.line,
                    format!(
                        "{{{{{name}}}}} is quoted in this command; relcheck puts only values that mean nothing to a shell into command text, and refuses others, so write \"${}\" here to take any value",
                        crate::exec::env_name(&name)
                    ),
                ));
            }
        }
    }
    out
}

/// Variables written inside quotes in a command: `"{{version}}"`.
fn quoted_variables(command: &str) -> Vec<String> {
    let mut names = Vec::new();
    for quote in ['"', '\''] {
        for name in crate::template::names(command) {
            for open in [
                format!("{quote}{{{{{name}}}}}"),
                format!("{quote}{{{{ {name} }}}}"),
            ] {
                if command.contains(&open) && !names.contains(&name) {
                    names.push(name.clone());
                }
            }
        }
    }
    names
}

/// Lints each file, printing diagnostics and a line per file. Exit 3 when
/// a file cannot be read, else 1 on errors (or warnings when `strict`).
pub fn run(
    paths: &[String],
    strict: bool,
    style: Style,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    let mut unreadable = false;
    let mut failed = false;
    for path in paths {
        let source = match crate::bundled::open(path) {
            Ok(source) => source,
            Err(err) => {
                let message = format!("{err:#}");
                writeln!(
                    out,
                    "{}: {}",
                    style.red("error"),
                    crate::printable::printable(&message)
                )?;
                unreadable = true;
                continue;
            }
        };
        let diagnostics = check(&source);
        for diagnostic in &diagnostics {
            write!(
                out,
                "{}",
                diagnostic.render(&source, |s, w| style.severity(s, w))
            )?;
        }
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = diagnostics.len() - errors;
        failed |= errors > 0 || (strict && warnings > 0);
        if diagnostics.is_empty() {
            writeln!(out, "{}: {}", source.display, style.green("ok"))?;
        } else {
            writeln!(
                out,
                "{}: {} error{}, {} warning{}",
                source.display,
                errors,
                if errors == 1 { "" } else { "s" },
                warnings,
                if warnings == 1 { "" } else { "s" }
            )?;
        }
    }
    Ok(if unreadable {
        Code::Input
    } else if failed {
        Code::Failed
    } else {
        Code::Success
    })
}

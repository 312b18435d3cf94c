//! `--set name=value` and the config file's `[set]`: values given before a
//! run starts, each checked against the checklist's variables and fields.

use std::collections::BTreeMap;

use crate::exit::{Code, error};
use crate::model::Checklist;

/// `--set name=value` pairs, each naming a variable or a field (by id or
/// label) of `checklist`, with a value among the field's choices.
pub fn presets(
    set: &[String],
    defaults: &[crate::project::Preset],
    checklist: &Checklist,
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    // The config file serves every checklist of a project: a default for
    // a variable this one lacks is not a mistake. Flags come after, and win.
    for default in defaults {
        if let Some(choices) = field_or_variable(checklist, &default.name) {
            if !choices.is_empty() && !choices.contains(&default.value) {
                return Err(error(
                    Code::Input,
                    format!(
                        "{}: [set] {} = {}: choose one of {}",
                        crate::printable::printable(&default.at),
                        crate::printable::printable(&default.name),
                        crate::printable::printable(&default.value),
                        choices.join(", ")
                    ),
                ));
            }
            values.insert(default.name.clone(), default.value.clone());
        }
    }
    for pair in set {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(error(
                Code::Usage,
                format!("--set {pair}: write NAME=VALUE, as --set version=1.4.2"),
            ));
        };
        let name = name.trim();
        let field = checklist.items().map(|(_, _, item)| item).find(|item| {
            item.kind == crate::model::Kind::Field
                && (*item.id == *name || item.rare.label.as_deref() == Some(name))
        });
        match field {
            Some(field)
                if !field.rare.choices.is_empty()
                    && !field.rare.choices.iter().any(|c| c == value) =>
            {
                return Err(error(
                    Code::Usage,
                    format!(
                        "--set {name}={value}: choose one of {}",
                        field.rare.choices.join(", ")
                    ),
                ));
            }
            Some(_) => {}
            None if checklist.variables.iter().any(|v| v == name) => {}
            None => {
                let mut known = checklist.variables.clone();
                known.extend(
                    checklist
                        .items()
                        .filter(|(_, _, item)| item.kind == crate::model::Kind::Field)
                        .flat_map(|(_, _, item)| item.rare.label.clone()),
                );
                return Err(error(
                    Code::Usage,
                    format!(
                        "--set {name}: not a variable or field of {}{}",
                        checklist.title,
                        crate::answers::suggest(name, &known)
                    ),
                ));
            }
        }
        let problem = crate::template::too_long(value).or_else(|| {
            crate::printable::breaks_line(value)
                .then(|| "holds a control character, a line break or a direction override (an escape sequence?); values are recorded and shown on one line, so give plain text".to_string())
        });
        if let Some(problem) = problem {
            return Err(error(
                Code::Usage,
                format!(
                    "--set {}: the value {problem}",
                    crate::printable::printable(name)
                ),
            ));
        }
        values.insert(name.to_string(), value.to_string());
    }
    Ok(values)
}

/// The choices of the field or variable `name` (none for free text), or
/// `None` when the checklist has neither.
fn field_or_variable(checklist: &Checklist, name: &str) -> Option<Vec<String>> {
    let field = checklist.items().map(|(_, _, item)| item).find(|item| {
        item.kind == crate::model::Kind::Field
            && (*item.id == *name || item.rare.label.as_deref() == Some(name))
    });
    match field {
        Some(field) => Some(field.rare.choices.to_vec()),
        None => checklist.variables.iter().any(|v| v == name).then(Vec::new),
    }
}

//! `relcheck config`: every setting in effect, its value and where it
//! came from (a flag, the environment, `FILE:LINE` in relcheck.toml, git,
//! or the default), as text or JSON.

use std::io::Write;

use serde_json::{Value, json};

use crate::cli::{ConfigArgs, ShowFormat};
use crate::effective::{Origin, Resolver, Setting};
use crate::exit::{Code, error};
use crate::printable::printable;
use crate::project;

/// One line of the listing: a key as relcheck.toml spells it.
struct Row {
    key: String,
    value: Value,
    origin: Origin,
}

fn row<T: Into<Value>>(key: &str, setting: Setting<T>) -> Row {
    Row {
        key: key.to_string(),
        value: setting.value.into(),
        origin: setting.origin,
    }
}

pub fn run(args: ConfigArgs, out: &mut dyn Write) -> anyhow::Result<Code> {
    let file = project::discover()?;
    let resolver = Resolver {
        file: file.as_ref(),
        system: &crate::sign::System,
    };
    let path = |p: std::path::PathBuf| p.display().to_string();
    let records = resolver.records_dir(args.records_dir);
    let signers = resolver.allowed_signers(args.allowed_signers);
    let policy = resolver.policy(args.min_signoffs, args.distinct_signers, args.not_operator);
    let mut rows = vec![
        row(
            "records-dir",
            Setting {
                value: path(records.value),
                origin: records.origin,
            },
        ),
        row(
            "allowed-signers",
            Setting {
                value: signers.value.map(path),
                origin: signers.origin,
            },
        ),
        row("notify", resolver.notify(&[])),
        row("commit", resolver.commit(false)),
        row("signoff.min", policy.min),
        row("signoff.distinct", policy.distinct),
        row("signoff.not-operator", policy.not_operator),
    ];
    let mut set: Vec<(String, Setting<String>)> = resolver
        .presets()
        .into_iter()
        .map(|p| {
            (
                p.name,
                Setting {
                    value: p.value,
                    origin: Origin::File(p.at),
                },
            )
        })
        .collect();
    for pair in args.set {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(error(
                Code::Usage,
                format!("--set {pair}: write NAME=VALUE, as --set version=1.4.2"),
            ));
        };
        let name = name.trim().to_string();
        set.retain(|(n, _)| *n != name);
        set.push((
            name,
            Setting {
                value: value.to_string(),
                origin: Origin::Flag("--set"),
            },
        ));
    }
    set.sort_by(|a, b| a.0.cmp(&b.0));
    rows.extend(
        set.into_iter()
            .map(|(name, s)| row(&format!("set.{name}"), s)),
    );
    let file = file.map(|f| f.path.display().to_string());
    match args.format {
        ShowFormat::Text => out.write_all(text(file.as_deref(), &rows).as_bytes())?,
        ShowFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &self::json(file.as_deref(), &rows))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
    }
    Ok(Code::Success)
}

/// Aligned columns: key, value, origin. Values and paths are the user's
/// text, so shown printable.
fn text(file: Option<&str>, rows: &[Row]) -> String {
    let mut lines = vec![match file {
        Some(file) => format!("config file: {}", printable(file)),
        None => format!(
            "config file: none ({} not found here or above)",
            project::FILE_NAME
        ),
    }];
    let shown: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let value = match &r.value {
                Value::Null => "(none)".to_string(),
                Value::String(s) => printable(s).into_owned(),
                other => other.to_string(),
            };
            let origin = match r.origin.place() {
                Some(place) if matches!(r.origin, Origin::Flag(_) | Origin::Env(_)) => {
                    format!("{} {}", r.origin.kind(), printable(&place))
                }
                Some(place) => printable(&place).into_owned(),
                None => "default".to_string(),
            };
            (printable(&r.key).into_owned(), value, origin)
        })
        .collect();
    let key_width = shown.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let value_width = shown.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    for (key, value, origin) in shown {
        lines.push(format!("{key:key_width$}  {value:value_width$}  {origin}"));
    }
    lines.join("\n") + "\n"
}

fn json(file: Option<&str>, rows: &[Row]) -> Value {
    let settings: serde_json::Map<String, Value> = rows
        .iter()
        .map(|r| {
            let mut entry = json!({ "value": r.value, "from": r.origin.kind() });
            if let Some(place) = r.origin.place() {
                entry["where"] = Value::String(place);
            }
            (r.key.clone(), entry)
        })
        .collect();
    json!({ "file": file, "settings": settings })
}

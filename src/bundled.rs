//! The checklists compiled into the binary, so `relcheck run
//! production-deploy.md` works on a machine with nothing else on it.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::exit::{Code, error};
use crate::parse;
use crate::source::Source;
use crate::style::Style;

pub struct Bundled {
    pub file_name: &'static str,
    pub text: &'static str,
}

pub const ALL: &[Bundled] = &[
    Bundled {
        file_name: "production-deploy.md",
        text: include_str!("../checklists/production-deploy.md"),
    },
    Bundled {
        file_name: "release.md",
        text: include_str!("../checklists/release.md"),
    },
    Bundled {
        file_name: "hotfix.md",
        text: include_str!("../checklists/hotfix.md"),
    },
    Bundled {
        file_name: "db-migration.txt",
        text: include_str!("../checklists/db-migration.txt"),
    },
];

impl Bundled {
    /// The name without its extension: what `relcheck list` shows.
    pub fn name(&self) -> &'static str {
        self.file_name
            .rsplit_once('.')
            .map_or(self.file_name, |(stem, _)| stem)
    }
}

/// By file name (`hotfix.md`) or name (`hotfix`).
pub fn find(name: &str) -> Option<&'static Bundled> {
    ALL.iter()
        .find(|bundled| bundled.file_name == name || bundled.name() == name)
}

/// What a command was given as a checklist: a path that exists is read;
/// otherwise a bundled checklist by that name (with or without `.md`).
/// Commands resolve the name here, before reading, so reading a file
/// knows nothing of the bundled set.
pub fn open(arg: &str) -> anyhow::Result<Source> {
    let path = std::path::Path::new(arg);
    // A folder that happens to share a bundled checklist's name does not
    // hide it.
    if path.is_file() || (path.exists() && find(arg).is_none()) {
        return Source::read_given(path);
    }
    if let Some(bundled) = find(arg) {
        return source(bundled);
    }
    Err(error(
        Code::Input,
        format!(
            "{arg}: no such file, and no bundled checklist of that name (`relcheck list` shows them)"
        ),
    ))
}

/// A bundled checklist's text, as read: `NAME (bundled)` in messages.
pub fn source(bundled: &Bundled) -> anyhow::Result<Source> {
    Source::from_bytes(
        format!("{} (bundled)", bundled.file_name),
        None,
        bundled.text.as_bytes(),
    )
}

pub fn names() -> Vec<&'static str> {
    ALL.iter().map(Bundled::name).collect()
}

/// `relcheck list`: name, item counts and a one-line description.
pub fn table(style: Style) -> String {
    let rows: Vec<(String, String, String)> = ALL
        .iter()
        .map(|bundled| {
            let source = Source::from_text(bundled.file_name, bundled.text);
            let checklist = parse::parse(&source).checklist;
            let counts = checklist.counts();
            let mut kinds = vec![format!("{} items", counts.items)];
            for (n, word) in [
                (counts.trigger, "triggers"),
                (counts.field, "fields"),
                (counts.signoff, "sign-offs"),
            ] {
                if n > 0 {
                    kinds.push(format!("{n} {word}"));
                }
            }
            let about = checklist
                .description
                .as_deref()
                .map(first_sentence)
                .unwrap_or(checklist.title);
            (bundled.name().to_string(), kinds.join(", "), about)
        })
        .collect();
    let name_width = rows.iter().map(|row| row.0.len()).max().unwrap_or(0);
    let count_width = rows.iter().map(|row| row.1.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (name, counts, about) in rows {
        let pad = " ".repeat(name_width - name.len());
        out.push_str(&format!(
            "{}{pad}  {counts:<count_width$}  {about}\n",
            style.bold(&name)
        ));
    }
    out.push_str(&style.dim(
        "\nRun one with `relcheck run NAME`, or copy it to edit with `relcheck init NAME`.\n",
    ));
    out
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    match line.find(". ") {
        Some(end) => line[..=end].to_string(),
        None => line.to_string(),
    }
}

/// Writes a bundled checklist to `path`, refusing to replace a file unless
/// `force`.
pub fn write(bundled: &Bundled, path: &Path, force: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AlreadyExists {
            error(
                Code::Usage,
                format!("{} exists; use --force to overwrite it", path.display()),
            )
        } else {
            anyhow::Error::new(err).context(format!("cannot write {}", path.display()))
        }
    })?;
    file.write_all(bundled.text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// `relcheck list`.
pub fn list(config: &crate::config::Config, out: &mut dyn Write) -> anyhow::Result<Code> {
    out.write_all(table(config.style).as_bytes())?;
    Ok(Code::Success)
}

/// `relcheck init NAME`: a bundled checklist written out to edit.
pub fn init(args: crate::cli::InitArgs, out: &mut dyn Write) -> anyhow::Result<Code> {
    let bundled = find(&args.name).ok_or_else(|| {
        error(
            Code::Usage,
            format!(
                "no bundled checklist named `{}`; `relcheck list` shows them: {}",
                args.name,
                names().join(", ")
            ),
        )
    })?;
    let path = args.output.unwrap_or_else(|| bundled.file_name.into());
    write(bundled, &path, args.force)?;
    writeln!(
        out,
        "wrote {}; edit it, then `relcheck lint {0}` and `relcheck run {0}`",
        path.display()
    )?;
    Ok(Code::Success)
}

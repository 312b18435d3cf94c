//! `--commit`: a record committed to the git repository that holds it,
//! when a run stops and after each `sign` (docs/RECORD.md, "Records in
//! git"). Git is the store a team already shares: records travel, merge
//! and are audited with it.
//!
//! Only the record goes into the commit: `git commit --only -- RECORD`
//! builds the commit from HEAD plus that one file, so whatever else the
//! user has staged stays staged and uncommitted. Git runs as a plain
//! subprocess with a fixed argument list and no shell, never asks
//! anything (no terminal prompt, no editor, the message on standard
//! input), and runs the user's hooks and signs the commit when their
//! configuration says to.
//!
//! A commit that cannot be made never costs the record, which is already
//! saved, nor changes the exit code: it is one warning line on standard
//! error, naming the record and why.

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::printable::printable;
use crate::record::Record;

/// Environment variables git itself sets for hooks and aliases (or a user
/// for another repository) that would point the commit at another
/// repository, index or object store than the one holding the record, or
/// read our path as a pattern. Everything else of the user's `GIT_*`
/// (identity, config, signing, tracing) is theirs and honoured.
const REDIRECTING: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_QUARANTINE_PATH",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
];

/// Untrusted text (a title, a name) in a subject line: at most this many
/// characters of each, so a 10,000-character title still makes a subject
/// `git log --oneline` can show.
const MAX_PIECE: usize = 100;

/// Why a record was not committed, as the warning line says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCommitted {
    /// No `git` to run, or it could not be started.
    NoGit(String),
    /// The record's folder is not in a git work tree; git's own words.
    NotARepository(String),
    /// A `.gitignore` rule covers the record.
    Ignored,
    /// The record is committed already as it is.
    Unchanged,
    /// Git refused: a hook, signing, a locked index; git's last line.
    Failed(String),
    /// A signal stopped the run (below, [`after_run`]).
    Interrupted,
}

impl fmt::Display for NotCommitted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotCommitted::NoGit(why) => write!(f, "cannot run git: {why}"),
            NotCommitted::NotARepository(words) if words.is_empty() => {
                f.write_str("not in a git work tree")
            }
            NotCommitted::NotARepository(words) => {
                write!(f, "not in a git work tree (git: {words})")
            }
            NotCommitted::Ignored => {
                f.write_str("git ignores it (`git check-ignore -v` on it says which rule)")
            }
            NotCommitted::Unchanged => f.write_str("nothing changed since it was last committed"),
            NotCommitted::Failed(words) => write!(f, "git commit failed: {words}"),
            NotCommitted::Interrupted => f.write_str(
                "the run was interrupted; `relcheck resume --commit` commits it when the run stops again, or commit it yourself",
            ),
        }
    }
}

/// The commit made: its abbreviated hash, for the line that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub short: String,
}

/// After `run` or `resume --commit` stops: commits the record unless a
/// signal stopped the run. A finished run is committed for good; a run
/// quit to go on later (it stays resumable) is committed too, so a
/// teammate can pull it and `relcheck resume` it. An interrupted run is
/// not: a signal asks relcheck to stop now (a cancelled CI job is killed
/// seconds later), and hooks may take longer than that.
pub fn after_run(path: &Path, record: &Record, interrupted: bool, out: &mut dyn Write) {
    let result = if interrupted {
        Err(NotCommitted::Interrupted)
    } else {
        commit(path, &run_message(record))
    };
    report(path, result, out);
}

/// For `sign --commit`, once the sign-off is saved (`record` as saved):
/// commits the record. `sign` says what came of it with [`report`],
/// after its own line.
pub fn commit_signoff(
    path: &Path,
    record: &Record,
    role: &str,
    name: &str,
    decision: crate::record::Decision,
) -> Result<Committed, NotCommitted> {
    commit(path, &signoff_message(record, role, name, decision))
}

/// `committed: RECORD (HASH)` on `out`, or one warning line on standard
/// error; neither can fail the command.
pub fn report(path: &Path, result: Result<Committed, NotCommitted>, out: &mut dyn Write) {
    // What the command printed before comes before the warning.
    let _ = out.flush();
    let shown = printable(&path.display().to_string()).into_owned();
    match result {
        Ok(committed) => {
            let _ = writeln!(out, "committed: {shown} ({})", committed.short);
            let _ = out.flush();
        }
        Err(why) => {
            // Not `eprintln!`, which panics when stderr is gone.
            let _ = writeln!(
                std::io::stderr(),
                "warning: {shown}: not committed to git: {why}"
            );
        }
    }
}

/// `relcheck: Production Deploy 2.4.0 rolled-back (RUN ID)`, and the
/// trailers.
pub fn run_message(record: &Record) -> String {
    let subject = format!(
        "relcheck: {} {} ({})",
        release(record),
        record.run.outcome.as_str(),
        one_line(&record.run.id, MAX_PIECE)
    );
    with_trailers(&subject, record)
}

/// `relcheck: sign Production Deploy 2.4.0 as QA Lead (Ann, approve)`, and
/// the trailers.
pub fn signoff_message(
    record: &Record,
    role: &str,
    name: &str,
    decision: crate::record::Decision,
) -> String {
    let subject = format!(
        "relcheck: sign {} as {} ({}, {})",
        release(record),
        one_line(role, MAX_PIECE),
        one_line(name, MAX_PIECE),
        decision.as_str()
    );
    with_trailers(&subject, record)
}

/// The checklist's title and, when the run has one, its `version`.
fn release(record: &Record) -> String {
    let title = one_line(&record.checklist.title, MAX_PIECE);
    match record.values.get("version").map(|v| one_line(v, MAX_PIECE)) {
        Some(version) if !version.is_empty() => format!("{title} {version}"),
        _ => title,
    }
}

/// The subject, a blank line, and relcheck's trailers: the last paragraph,
/// which is where git reads trailers from, holds nothing but ours, and
/// the subject is one line whatever the record holds.
fn with_trailers(subject: &str, record: &Record) -> String {
    let digest = record
        .digest
        .clone()
        .unwrap_or_else(|| crate::record::digest(record));
    format!(
        "{subject}\n\nRelcheck-Run: {}\nRelcheck-Record-Digest: sha256:{}\n",
        one_line(&record.run.id, MAX_PIECE),
        one_line(&digest, MAX_PIECE)
    )
}

/// `text` as one line of plain text: escapes dropped, control characters
/// shown as `�` (as everywhere relcheck shows others' text), every run of
/// whitespace (newlines, tabs, line separators) one space, and cut at
/// `max` characters. A newline is what would let a title or a name start
/// a paragraph of trailers of its own.
pub fn one_line(text: &str, max: usize) -> String {
    let text = printable(text);
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Commits the record at `path`, and only it, in the git repository its
/// folder is in, with `message`.
pub fn commit(path: &Path, message: &str) -> Result<Committed, NotCommitted> {
    // Git runs in the record's folder and is given the bare file name:
    // the repository is the one holding the record, wherever relcheck
    // was started.
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let Some(file) = path.file_name() else {
        return Err(NotCommitted::Failed(
            "the record's path names no file".into(),
        ));
    };
    let file = file.to_os_string();

    let inside = git(dir, &["rev-parse", "--is-inside-work-tree"], None)?;
    if !inside.status.success() {
        return Err(NotCommitted::NotARepository(last_line(&inside)));
    }
    if String::from_utf8_lossy(&inside.stdout).trim() != "true" {
        return Err(NotCommitted::NotARepository(String::new()));
    }

    let status = git_file(
        dir,
        &[
            "status",
            "--porcelain=v1",
            "-z",
            "--ignored=matching",
            "--untracked-files=all",
        ],
        &file,
    )?;
    if !status.status.success() {
        return Err(NotCommitted::Failed(last_line(&status)));
    }
    let untracked = match status.stdout.get(..2) {
        None => return Err(NotCommitted::Unchanged),
        Some(b"!!") => return Err(NotCommitted::Ignored),
        Some(b"??") => true,
        Some(_) => false,
    };
    // `commit --only` takes only paths git knows of; an intent-to-add
    // entry makes the new record one without staging its content.
    if untracked {
        let added = git_file(dir, &["add", "--intent-to-add"], &file)?;
        if !added.status.success() {
            return Err(NotCommitted::Failed(last_line(&added)));
        }
    }
    let committed = git_with_file(
        dir,
        &[
            "commit",
            "--quiet",
            "--only",
            "--no-edit",
            // The message as written, whatever `commit.cleanup` says.
            "--cleanup=verbatim",
            "--file=-",
        ],
        &file,
        Some(message.as_bytes()),
    )?;
    if !committed.status.success() {
        if untracked {
            // Leave the index as it was: the record untracked again.
            let _ = git_file(dir, &["rm", "--cached", "--quiet"], &file);
        }
        return Err(NotCommitted::Failed(last_line(&committed)));
    }
    let head = git(dir, &["rev-parse", "--short", "HEAD"], None)?;
    Ok(Committed {
        short: String::from_utf8_lossy(&head.stdout).trim().to_string(),
    })
}

/// `git ARGS -- FILE` in `dir`.
fn git_file(dir: &Path, args: &[&str], file: &std::ffi::OsStr) -> Result<Output, NotCommitted> {
    git_with_file(dir, args, file, None)
}

fn git_with_file(
    dir: &Path,
    args: &[&str],
    file: &std::ffi::OsStr,
    input: Option<&[u8]>,
) -> Result<Output, NotCommitted> {
    let mut command = command(dir, args);
    command.arg("--").arg(file);
    output(command, input)
}

fn git(dir: &Path, args: &[&str], input: Option<&[u8]>) -> Result<Output, NotCommitted> {
    output(command(dir, args), input)
}

/// `git ARGS` in `dir`, with the environment made safe (module docs).
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command.current_dir(dir).args(args);
    for name in REDIRECTING {
        command.env_remove(name);
    }
    command
        // The record's name is a name, never a pattern.
        .env("GIT_LITERAL_PATHSPECS", "1")
        // Nobody is asked anything: a credential helper or a prompt for
        // one would wait for an answer forever in a pipeline.
        .env("GIT_TERMINAL_PROMPT", "0");
    command
}

/// Runs `command`, with `input` on standard input (else none), its
/// output collected.
fn output(mut command: Command, input: Option<&[u8]>) -> Result<Output, NotCommitted> {
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => {
            NotCommitted::NoGit("git is not installed (not on PATH)".into())
        }
        _ => NotCommitted::NoGit(err.to_string()),
    })?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // A hook that fails before git reads the message closes the pipe:
        // git's status says what happened, not this write.
        let _ = stdin.write_all(input);
    }
    child
        .wait_with_output()
        .map_err(|err| NotCommitted::Failed(err.to_string()))
}

/// Git's (or its hook's) words, as one line of plain text: git's last
/// `fatal:` line when it gave one (hints may follow it, such as the
/// `safe.directory` advice), with the last `error:` line before it, since
/// the fatal line often says only what git could not do (`failed to write
/// commit object`) and the error line why; else the last non-empty line
/// of standard error (a hook's refusal), else of standard output, else
/// the exit status.
fn last_line(output: &Output) -> String {
    let pick = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        let fatal = lines.iter().rposition(|line| line.starts_with("fatal: "));
        let words = match fatal {
            Some(at) => {
                let fatal = &lines[at]["fatal: ".len()..];
                match lines[..at]
                    .iter()
                    .rev()
                    .find_map(|l| l.strip_prefix("error: "))
                {
                    Some(why) => format!("{why} ({fatal})"),
                    None => fatal.to_string(),
                }
            }
            None => lines.last()?.to_string(),
        };
        Some(one_line(&words, 300))
    };
    pick(&output.stderr)
        .or_else(|| pick(&output.stdout))
        .unwrap_or_else(|| output.status.to_string())
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn untrusted_text_is_one_plain_line() {
        let cases = [
            ("Production Deploy", "Production Deploy"),
            (
                "Ann\n\nRelcheck-Record-Digest: sha256:0",
                "Ann Relcheck-Record-Digest: sha256:0",
            ),
            ("tab\tand\u{2028}separator", "tab and separator"),
            ("\x1b[31mred\x1b[0m", "red"),
            ("bell\x07", "bell\u{fffd}"),
            ("  padded  ", "padded"),
        ];
        for (text, line) in cases {
            assert_eq!(one_line(text, 100), line, "{text:?}");
        }
        assert_eq!(one_line("abcdef", 4), "abc…");
    }

    #[test]
    fn gits_words_are_its_fatal_line_with_the_error_before_it() {
        use std::os::unix::process::ExitStatusExt;
        let output = |stderr: &str| std::process::Output {
            status: std::process::ExitStatus::from_raw(128 << 8),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        };
        let cases = [
            (
                "error: Couldn't load public key k: No such file\n\nfatal: failed to write commit object\n",
                "Couldn't load public key k: No such file (failed to write commit object)",
            ),
            (
                "fatal: detected dubious ownership in repository at '/r'\nTo add an exception for this directory, call:\n\n\tgit config --global --add safe.directory /r\n",
                "detected dubious ownership in repository at '/r'",
            ),
            (
                "checking\nno records on Fridays\n\n",
                "no records on Fridays",
            ),
            ("", "exit status: 128"),
        ];
        for (stderr, words) in cases {
            assert_eq!(super::last_line(&output(stderr)), words, "{stderr:?}");
        }
    }
}

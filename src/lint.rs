//! `relcheck lint`: the parser's diagnostics plus the checks that need the
//! whole model, such as triggers with no rollback to go to.

mod replaced;
mod shell;

use std::collections::{HashMap, HashSet};
use std::io::Write;

use crate::diagnostic::{Diagnostic, Severity};
use crate::exit::Code;
use crate::model::{Checklist, Item, Kind, When};
use crate::parse::{self, rules};
use crate::source::Source;
use crate::style::Style;

/// Every diagnostic for one checklist, in line order.
pub fn check(source: &Source) -> Vec<Diagnostic> {
    checked(source).0
}

/// [`check`], and the model it checked.
fn checked(source: &Source) -> (Vec<Diagnostic>, Checklist) {
    let parsed = parse::parse(source);
    let mut diagnostics = parsed.diagnostics;
    diagnostics.extend(replaced::warnings(source));
    diagnostics.extend(model_checks(&parsed.checklist, source));
    diagnostics.sort_by_key(|d| (d.line, d.col));
    (diagnostics, parsed.checklist)
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
    let text_lines = TextLines::new(source);
    // Each phase's checks need only the phase and the one after it: a
    // long checklist's are done a run of phases to a core, and given in
    // order.
    let runs = crate::cores::ranges(checklist.phases.len(), PHASES_PER_THREAD);
    let checked = crate::cores::each(runs, |run| {
        let mut out = Vec::new();
        for index in run {
            phase_checks(checklist, index, text_lines, source, &mut out);
        }
        out
    });
    out.extend(checked.into_iter().flatten());
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
        if let (Kind::Signoff, Some(role)) = (item.kind, &item.rare.role)
            && !rules::looks_like_role(role)
        {
            out.push(warn(
                item.line,
                format!(
                    "sign-off role \"{role}\" does not read as a person, team or title (as \"QA Lead\"): name the role, or add kind=check if this is a step"
                ),
            ));
        }
        if item.kind == Kind::Field && item.rare.label.as_deref().is_none_or(str::is_empty) {
            out.push(warn(
                item.line,
                "field has no label: write `Label: ___`, or add label=\"...\" to its annotation"
                    .to_string(),
            ));
        }
        if let (Some(default), false) = (&item.rare.default, item.rare.choices.is_empty())
            && !item.rare.choices.contains(default)
        {
            out.push(warn(
                item.line,
                format!(
                    "default \"{default}\" is not one of the choices {}",
                    item.rare.choices.join(" / ")
                ),
            ));
        }
        if item.rare.annotations.contains_key("timeout") && item.rare.command.is_none() {
            out.push(warn(
                item.line,
                "timeout= on an item with no command".to_string(),
            ));
        }
    }
    let ends = block_ends(checklist, source.lines.count());
    let commands: Vec<(&Item, &str, usize)> = checklist
        .items()
        .zip(ends)
        .filter_map(|((_, _, item), end)| Some((item, item.rare.command.as_deref()?, end)))
        .collect();
    // Each command is read on its own: a long checklist's, a run to a
    // core.
    let runs = crate::cores::ranges(commands.len(), COMMANDS_PER_THREAD);
    let warned = crate::cores::each(runs, |run| {
        commands[run]
            .iter()
            .flat_map(|&(item, command, end)| variable_warnings(source, item, command, end))
            .collect::<Vec<_>>()
    });
    out.extend(warned.into_iter().flatten());
    out
}

/// Below this many commands a thread costs more than it saves.
const COMMANDS_PER_THREAD: usize = 2000;

/// Below this many phases a thread costs more than it saves.
const PHASES_PER_THREAD: usize = 500;

/// The `index`-th phase's warnings: empty, a step written twice in a
/// section, a sign-off section naming no roles.
fn phase_checks(
    checklist: &Checklist,
    index: usize,
    text_lines: TextLines,
    source: &Source,
    out: &mut Vec<Diagnostic>,
) {
    let phase = &checklist.phases[index];
    let warn = |line: usize, message: String| {
        Diagnostic::on_line(source, line, Severity::Warning, message)
    };
    let empty = phase.sections.iter().all(|section| {
        section.items.is_empty()
            && section.rare.commands.is_empty()
            && section.rare.notes.is_empty()
            && section.rare.lead.is_none()
    });
    let next = checklist
        .phases
        .get(index + 1)
        .map_or(text_lines.len + 1, |next| next.line);
    // A numbered heading over unnumbered ones at once ("## 1) Day-of
    // Sequence" over "## T-24h") names a part; a phrase right under
    // the title heading ("## Planning the Way Back for Risky
    // Releases") is its subtitle. A bare "## Verify" before "## After"
    // is a phase left empty, and the same title twice a slip.
    let numbered = |title: &str| rules::strip_numbering(title) != title;
    let names_part = checklist.phases.get(index + 1).is_some_and(|next| {
        next.title != phase.title && numbered(&phase.title) && !numbered(&next.title)
    });
    let subtitle =
        phase.title.split_whitespace().count() >= 5 && under_title(text_lines, phase.line);
    if empty && !names_part && !subtitle && !holds_text(text_lines, phase.line, next) {
        out.push(warn(
            phase.line,
            format!("phase \"{}\" has no items", phase.title),
        ));
    }
    for section in &phase.sections {
        // The same step under two parents ("Tag it" under each of two
        // products) is two steps, not one written twice.
        // So is one under each of two group names written as bullets
        // ("* Upgrade:" and "* Abort / revert:" over their lists).
        let groups: Vec<(usize, usize)> = section
            .rare
            .notes
            .iter()
            .zip(&section.rare.note_places)
            .filter(|(note, _)| note.trim_end().ends_with(':'))
            .filter_map(|(_, place)| *place)
            .collect();
        let group_of = |item: &Item| {
            groups
                .iter()
                .filter(|(line, depth)| *line < item.line && *depth <= item.depth)
                .map(|(line, _)| *line)
                .max()
        };
        let repeated = |item: &Item, first: usize| {
            warn(
                item.line,
                format!(
                    "\"{}\" is already an item of this section (line {first})",
                    item.text
                ),
            )
        };
        if section.items.len() <= PAIRWISE {
            // Nearly every section: each item against those before
            // it, with no copy of an ASCII text and one of any other;
            // the first alike is the one a map would have kept.
            let lowered = lowered_texts(&section.items);
            let text_of = |at: usize| Text {
                text: &section.items[at].text,
                lowered: lowered.get(at).and_then(Option::as_deref),
            };
            for (at, item) in section.items.iter().enumerate() {
                let group = group_of(item);
                if let Some(first) =
                    section.items[..at]
                        .iter()
                        .enumerate()
                        .find(|&(before, earlier)| {
                            earlier.parent == item.parent
                                && same_lower_case(text_of(before), text_of(at))
                                && group_of(earlier) == group
                        })
                {
                    out.push(repeated(item, first.1.line));
                }
            }
        } else {
            let mut seen: HashMap<(Option<&str>, Option<usize>, String), usize> = HashMap::new();
            for item in &section.items {
                let key = (
                    item.parent.as_deref(),
                    group_of(item),
                    item.text.to_lowercase(),
                );
                if let Some(&first) = seen.get(&key) {
                    out.push(repeated(item, first));
                } else {
                    seen.insert(key, item.line);
                }
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

/// The file's lines as `str::lines` gives them, read through the
/// source's line index when asked for: a list of every line was 8 MB at
/// 100,000 items, held at lint's peak memory.
#[derive(Clone, Copy)]
struct TextLines<'a> {
    text: &'a str,
    index: &'a crate::source::LineIndex,
    /// As `str::lines` counts: a last line end starts no line. The text is
    /// normalised (LF only), so no line of it ends in `\r`.
    len: usize,
}

impl<'a> TextLines<'a> {
    fn new(source: &'a Source) -> TextLines<'a> {
        let count = source.lines.count();
        TextLines {
            text: &source.text,
            index: &source.lines,
            len: count - usize::from(source.text.ends_with('\n')),
        }
    }

    /// The 0-based `at`th line.
    fn get(&self, at: usize) -> Option<&'a str> {
        (at < self.len).then(|| self.index.line_text(self.text, at + 1))
    }
}

/// Whether the heading on 1-based `line` follows a shallower heading with
/// nothing but blank lines between: the document's title and its subtitle.
fn under_title(lines: TextLines, line: usize) -> bool {
    let level = |text: &str| text.bytes().take_while(|&b| b == b'#').count();
    let own = lines.get(line.wrapping_sub(1)).map_or(0, level);
    (0..line.saturating_sub(1).min(lines.len))
        .rev()
        .filter_map(|at| lines.get(at))
        .find(|l| !l.trim().is_empty())
        .is_some_and(|above| own > 0 && (1..own).contains(&level(above)))
}

/// Up to this many items a section's repeats are found pairwise; past it
/// through a map (a section of 100,000 items would be 5 billion pairs).
const PAIRWISE: usize = 32;

/// Each item's text lower-cased, once, where it is not ASCII; nothing
/// at all for a section of ASCII texts (nearly all). Lower-casing in
/// each comparison instead made a section of 32 long accented texts cost
/// 31 times the copies: lint of such a 30 MB file took 5.1 s, not 1.6 s.
fn lowered_texts(items: &[Item]) -> Vec<Option<String>> {
    if items.iter().all(|item| item.text.is_ascii()) {
        return Vec::new();
    }
    items
        .iter()
        .map(|item| (!item.text.is_ascii()).then(|| item.text.to_lowercase()))
        .collect()
}

/// An item's text, and its lower-cased copy when it is not ASCII.
#[derive(Clone, Copy)]
struct Text<'a> {
    text: &'a str,
    lowered: Option<&'a str>,
}

/// Whether two texts are the same once lower-cased, as `to_lowercase`
/// has it (context and all: a final `Σ` is `ς`). An ASCII text is
/// compared without a copy: a lower-cased text holds no upper-case ASCII
/// letter, so `eq_ignore_ascii_case` against it is equality with the
/// ASCII text lower-cased.
fn same_lower_case(a: Text, b: Text) -> bool {
    match (a.lowered, b.lowered) {
        (Some(a), Some(b)) => a == b,
        (Some(lowered), None) => lowered.eq_ignore_ascii_case(b.text),
        (None, Some(lowered)) => a.text.eq_ignore_ascii_case(lowered),
        // Both ASCII, as lint calls it; a text given without its copy is
        // lower-cased here.
        (None, None) => {
            if a.text.is_ascii() && b.text.is_ascii() {
                a.text.eq_ignore_ascii_case(b.text)
            } else {
                a.text.to_lowercase() == b.text.to_lowercase()
            }
        }
    }
}

/// Whether anything stands between a phase's heading (line `from`) and the
/// next phase's (line `to`): prose, a table, a deeper heading. A phase of
/// prose ("Overview", "Change log") or one over the phases below it is
/// what its author meant; only a heading with nothing under it is empty.
fn holds_text(lines: TextLines, from: usize, to: usize) -> bool {
    let heading = lines.get(from.wrapping_sub(1)).unwrap_or("");
    let level = |line: &str| line.bytes().take_while(|&b| b == b'#').count();
    let deeper_next = to
        .checked_sub(1)
        .and_then(|at| lines.get(at))
        .is_some_and(|next| level(heading) > 0 && level(next) > level(heading));
    deeper_next
        || (from..to.saturating_sub(1).min(lines.len))
            .filter_map(|at| lines.get(at))
            .map(|line| line.trim())
            .any(|line| {
                // Blank lines, rules and setext underlines, and comments
                // say nothing.
                let comment = line.starts_with("<!--") && line.ends_with("-->");
                let rule = line.chars().all(|c| c == '=' || c == '-');
                !(rule || comment)
            })
}

/// For each item in order, the line its block ends before: the next item
/// as shallow as it (a nested item's command may follow its children).
fn block_ends(checklist: &Checklist, lines: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    // The items not yet ended, with their depth: no list of every item's
    // line and depth (1.6 MB at 100,000 items, at lint's peak memory).
    let mut open: Vec<(usize, usize)> = Vec::new();
    for (k, (_, _, item)) in checklist.items().enumerate() {
        while let Some(&(j, _)) = open.last().filter(|&&(_, depth)| depth >= item.depth) {
            ends[j] = item.line;
            open.pop();
        }
        ends.push(lines + 1);
        open.push((k, item.depth));
    }
    ends
}

/// A warning for each variable a command uses where a value a shell could
/// read would make it refuse to run ([`shell::Context`]), at the
/// variable's own line and column, each saying what to write instead.
fn variable_warnings(source: &Source, item: &Item, command: &str, end: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut lines = CommandLines::new(source, item.line + 1, end);
    let mut seen = HashSet::new();
    for used in shell::uses(command) {
        let Some(advice) = advice(used.context) else {
            continue;
        };
        let name = used.name;
        let env = crate::exec::env_name(name);
        let message = format!(
            "{{{{{name}}}}} is {}; relcheck never puts a value a shell would read (spaces, quotes, $) into a command, so to take any value {}",
            advice.0,
            advice.1.replace("VAR", &env)
        );
        let diagnostic = match lines.place(command, used.offset) {
            Some((line, col)) => Diagnostic {
                severity: Severity::Warning,
                line,
                col,
                message,
            },
            None => Diagnostic::on_line(source, item.line, Severity::Warning, message),
        };
        if seen.insert((name, diagnostic.line)) {
            out.push(diagnostic);
        }
    }
    out
}

/// Where a variable is, and what to write instead (`VAR` stands for its
/// environment variable); `None` where nothing need change.
fn advice(context: shell::Context) -> Option<(&'static str, &'static str)> {
    use shell::Context;
    Some(match context {
        Context::Plain => return None,
        Context::DoubleQuotes => ("inside double quotes", "write \"$VAR\" instead"),
        Context::SingleQuotes => (
            "inside single quotes",
            "write \"$VAR\" instead, outside the single quotes",
        ),
        Context::Backticks => ("inside backticks", "use $(...) and write \"$VAR\" instead"),
        Context::Heredoc { quoted: false } => (
            "inside a heredoc",
            "write \"$VAR\" instead, and quote the delimiter (<<'EOF') if a shell runs the heredoc",
        ),
        Context::Heredoc { quoted: true } => (
            "inside a quoted heredoc",
            "write \"$VAR\" instead if a shell runs the heredoc",
        ),
        Context::Script => (
            "inside a script another shell reads (sh -c, eval)",
            "write \"$VAR\" in a single-quoted script instead (sh -c 'deploy \"$VAR\"')",
        ),
    })
}

/// Where each line of an item's command is in the file. A command is the
/// text of its code blocks, without the indentation of the list it sits
/// in, so each line is found as the end of a file line, in order, after
/// the item's line and before its block ends. Uses are asked for in
/// order, and each step goes on from the last, so a command of 200,000
/// variables on one line is walked once, not once per variable.
struct CommandLines<'a> {
    source: &'a Source,
    /// The next file line (1-based) to look at.
    cursor: usize,
    end: usize,
    /// How far into the command the walk has come, and where the command
    /// line it is on starts.
    walked: usize,
    line_start: usize,
    /// The last position placed: its offset in the command, and its file
    /// line and column; `None` once its line was not found.
    placed: Option<(usize, usize, usize)>,
    lost: bool,
}

impl<'a> CommandLines<'a> {
    fn new(source: &'a Source, from: usize, end: usize) -> CommandLines<'a> {
        CommandLines {
            source,
            cursor: from,
            end: end.min(source.lines.count() + 1),
            walked: 0,
            line_start: 0,
            placed: None,
            lost: false,
        }
    }

    /// The file line and column (1-based) of byte `at` of `command`.
    fn place(&mut self, command: &str, at: usize) -> Option<(usize, usize)> {
        if let Some(newline) = command[self.walked..at].rfind('\n') {
            self.line_start = self.walked + newline + 1;
            self.placed = None;
            self.lost = false;
        }
        self.walked = at;
        if self.lost {
            return None;
        }
        if let Some((from, line, col)) = self.placed {
            let col = col + command[from..at].chars().count();
            self.placed = Some((at, line, col));
            return Some((line, col));
        }
        let start = self.line_start;
        let text = &command[start
            ..command[start..]
                .find('\n')
                .map_or(command.len(), |n| start + n)];
        while self.cursor < self.end {
            let line = self.cursor;
            self.cursor += 1;
            let file_text = self.source.line_text(line);
            if let Some(before) = file_text.strip_suffix(text) {
                let col = before.chars().count() + command[start..at].chars().count() + 1;
                self.placed = Some((at, line, col));
                return Some((line, col));
            }
        }
        self.lost = true;
        None
    }
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
    for (at, path) in paths.iter().enumerate() {
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
        let (diagnostics, checklist) = checked(&source);
        if at + 1 == paths.len() {
            // The process ends after the last: freeing a long checklist's
            // model, node by node, took a twelfth of the command's time
            // and gives nothing back.
            std::mem::forget(checklist);
        }
        write!(
            out,
            "{}",
            crate::diagnostic::render_all(&diagnostics, &source, |s, w| style.severity(s, w))
        )?;
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

#[cfg(test)]
mod tests {
    use super::{Text, same_lower_case};

    #[test]
    fn same_lower_case_is_to_lowercase_equality_for_every_pair() {
        let texts = [
            "",
            "a",
            "A",
            "key",
            "KEY",
            "\u{212a}ey",
            "ΑΣ",
            "ας",
            "ασ",
            "Σ",
            "σ",
            "ΟΔΟΣ Α",
            "οδος α",
            "İx",
            "i\u{307}x",
            "ix",
            "Café",
            "CAFÉ",
            "cafe",
            "ß",
            "SS",
            "ss",
            "ǅ",
            "ǆ",
            "🚀",
            "é",
        ];
        let of = |text: &'static str| Text {
            text,
            lowered: None,
        };
        let lowered: Vec<String> = texts.iter().map(|t| t.to_lowercase()).collect();
        for (i, a) in texts.iter().enumerate() {
            for (j, b) in texts.iter().enumerate() {
                let expected = a.to_lowercase() == b.to_lowercase();
                // As lint builds them: a copy only for a text not ASCII.
                let with = |at: usize, text: &'static str| Text {
                    text,
                    lowered: (!text.is_ascii()).then_some(lowered[at].as_str()),
                };
                assert_eq!(
                    same_lower_case(with(i, a), with(j, b)),
                    expected,
                    "{a:?} {b:?}"
                );
                assert_eq!(same_lower_case(of(a), of(b)), expected, "{a:?} {b:?}");
            }
        }
    }
}

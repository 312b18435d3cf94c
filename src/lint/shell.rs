//! Where each `{{variable}}` of a command sits as a shell reads it, for
//! `lint`. relcheck puts a value into command text only when it means
//! nothing to a shell, and refuses the command otherwise; a variable the
//! checklist quoted, or put where a second shell reads it (a heredoc,
//! `sh -c`, backticks), was written for values that are refused, and
//! `"$RELCHECK_VAR_NAME"` is what takes them.
//!
//! A scan, not a shell: quotes, `$(...)`, backticks, comments, heredocs
//! and the script word of `sh -c` / `eval`, each in one pass.

/// What a variable is inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A word of the command as the shell runs it: no warning.
    Plain,
    SingleQuotes,
    DoubleQuotes,
    Backticks,
    Heredoc {
        /// `<<'EOF'`: the body is not expanded.
        quoted: bool,
    },
    /// The script `sh -c`, `bash -c` or `eval` hands to another shell.
    Script,
}

/// One use of a variable in a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Use<'a> {
    pub name: &'a str,
    /// Byte offset of its `{{` in the command.
    pub offset: usize,
    pub context: Context,
}

/// Shells that read a script given with `-c`.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// The command line, or the inside of `$(...)`.
    Command,
    Single,
    Double,
    Backtick,
}

/// What the words of the current simple command said so far.
#[derive(Debug, Default, Clone)]
struct Words {
    /// The word under way, up to a few bytes: enough to know a shell's
    /// name or `-c`.
    word: String,
    in_word: bool,
    shell: bool,
    script_next: bool,
    /// The current word is a script another shell reads.
    script: bool,
    eval: bool,
}

impl Words {
    fn push(&mut self, b: u8) {
        if !self.in_word {
            self.in_word = true;
            self.script = self.script_next || self.eval;
            self.script_next = false;
        }
        if self.word.len() < 16 {
            self.word.push(b as char);
        }
    }

    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        // Read in place and emptied for the next word: taking it left an
        // empty buffer to grow again at every word of every command.
        let word = self.word.as_str();
        let name = word.rsplit('/').next().unwrap_or(word);
        if SHELLS.contains(&name) {
            self.shell = true;
        } else if name == "eval" {
            self.eval = true;
        } else if self.shell
            && word.starts_with('-')
            && !word.starts_with("--")
            && word.contains('c')
            && word[1..].bytes().all(|b| b.is_ascii_alphabetic())
        {
            self.script_next = true;
        }
        self.word.clear();
        self.in_word = false;
        self.script = false;
    }

    fn end_command(&mut self) {
        self.end_word();
        // A new command's words, in the same (empty) buffer.
        *self = Words {
            word: std::mem::take(&mut self.word),
            ..Words::default()
        };
    }
}

struct Heredoc {
    /// As bytes: taken a byte at a time, a delimiter outside ASCII made
    /// into `char`s matched no line, and its heredoc ran to the end.
    delimiter: Vec<u8>,
    quoted: bool,
    strip_tabs: bool,
}

/// Every variable in `command`, in order, with what it is inside.
pub fn uses(command: &str) -> Vec<Use<'_>> {
    let placeholders = crate::template::placeholders(command);
    let bytes = command.as_bytes();
    let mut out = Vec::with_capacity(placeholders.len());
    let mut next = 0;
    let mut frames: Vec<(Frame, Words)> = vec![(Frame::Command, Words::default())];
    let mut backticks = 0usize;
    let mut pending: Vec<Heredoc> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // Passed over in a comment.
        while placeholders.get(next).is_some_and(|p| p.start < i) {
            next += 1;
        }
        if let Some(placeholder) = placeholders.get(next).filter(|p| p.start == i) {
            let (frame, words) = frames.last_mut().expect("a frame");
            if *frame == Frame::Command {
                words.push(b'{');
            }
            let context = if frames.iter().any(|(_, words)| words.script) {
                Context::Script
            } else if backticks > 0 {
                Context::Backticks
            } else {
                match frames.last().expect("a frame").0 {
                    Frame::Single => Context::SingleQuotes,
                    Frame::Double => Context::DoubleQuotes,
                    Frame::Backtick => Context::Backticks,
                    Frame::Command => Context::Plain,
                }
            };
            out.push(Use {
                name: placeholder.name,
                offset: placeholder.start,
                context,
            });
            next += 1;
            i = placeholder.end;
            continue;
        }
        let b = bytes[i];
        let nested = frames.len() > 1;
        let (frame, words) = frames.last_mut().expect("a frame");
        match *frame {
            Frame::Single => {
                if b == b'\'' {
                    frames.pop();
                }
                i += 1;
            }
            Frame::Double => {
                match b {
                    b'"' => {
                        frames.pop();
                    }
                    b'\\' => i += 1,
                    b'`' => {
                        frames.push((Frame::Backtick, Words::default()));
                        backticks += 1;
                    }
                    b'$' if bytes.get(i + 1) == Some(&b'(') => {
                        frames.push((Frame::Command, Words::default()));
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
            }
            Frame::Command | Frame::Backtick => {
                let in_backticks = *frame == Frame::Backtick;
                match b {
                    b' ' | b'\t' => words.end_word(),
                    b'\n' => {
                        words.end_command();
                        if !pending.is_empty() {
                            i = bodies(
                                command,
                                i + 1,
                                &mut pending,
                                &placeholders,
                                &mut next,
                                &mut out,
                            );
                            continue;
                        }
                    }
                    b';' | b'&' | b'|' => words.end_command(),
                    b'#' if !words.in_word => {
                        while i < bytes.len() && bytes[i] != b'\n' {
                            i += 1;
                        }
                        continue;
                    }
                    b'\\' => {
                        words.push(b);
                        i += 1;
                    }
                    b'\'' => {
                        words.push(b);
                        frames.push((Frame::Single, Words::default()));
                    }
                    b'"' => {
                        words.push(b);
                        frames.push((Frame::Double, Words::default()));
                    }
                    b'`' if in_backticks => {
                        frames.pop();
                        backticks -= 1;
                    }
                    b'`' => {
                        words.push(b);
                        frames.push((Frame::Backtick, Words::default()));
                        backticks += 1;
                    }
                    b'$' if bytes.get(i + 1) == Some(&b'(') => {
                        words.push(b);
                        frames.push((Frame::Command, Words::default()));
                        i += 1;
                    }
                    b')' if !in_backticks && nested => {
                        frames.pop();
                    }
                    b'(' | b')' => words.end_command(),
                    b'<' if bytes.get(i + 1) == Some(&b'<') && bytes.get(i + 2) != Some(&b'<') => {
                        words.end_word();
                        let (heredoc, after) = delimiter(bytes, i + 2);
                        pending.extend(heredoc);
                        i = after;
                        continue;
                    }
                    b'<' if bytes.get(i + 1) == Some(&b'<') => {
                        // A here-string, `<<<`: its word is an ordinary one.
                        words.end_word();
                        i += 2;
                    }
                    b'<' | b'>' => words.end_word(),
                    _ => words.push(b),
                }
                i += 1;
            }
        }
    }
    out
}

/// The delimiter word after `<<` (or `<<-`), from `at`; and where the
/// scan goes on.
fn delimiter(bytes: &[u8], mut at: usize) -> (Option<Heredoc>, usize) {
    let strip_tabs = bytes.get(at) == Some(&b'-');
    if strip_tabs {
        at += 1;
    }
    while matches!(bytes.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    let mut delimiter = Vec::new();
    let mut quoted = false;
    let mut quote: Option<u8> = None;
    while let Some(&b) = bytes.get(at) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => delimiter.push(b),
            None => match b {
                b'\'' | b'"' => {
                    quoted = true;
                    quote = Some(b);
                }
                b'\\' => quoted = true,
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
                _ => delimiter.push(b),
            },
        }
        at += 1;
    }
    let heredoc = (!delimiter.is_empty()).then_some(Heredoc {
        delimiter,
        quoted,
        strip_tabs,
    });
    (heredoc, at)
}

/// The bodies of the heredocs begun on the line just ended, from `at`:
/// each variable in them is a heredoc's. Returns where the command goes
/// on.
fn bodies<'a>(
    command: &'a str,
    mut at: usize,
    pending: &mut Vec<Heredoc>,
    placeholders: &[crate::template::Placeholder<'a>],
    next: &mut usize,
    out: &mut Vec<Use<'a>>,
) -> usize {
    for heredoc in pending.drain(..) {
        while at < command.len() {
            let end = command[at..].find('\n').map_or(command.len(), |n| at + n);
            let line = &command[at..end];
            let line = if heredoc.strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if line.as_bytes() == heredoc.delimiter {
                at = (end + 1).min(command.len());
                break;
            }
            while let Some(placeholder) = placeholders.get(*next).filter(|p| p.start < end) {
                if placeholder.start >= at {
                    out.push(Use {
                        name: placeholder.name,
                        offset: placeholder.start,
                        context: Context::Heredoc {
                            quoted: heredoc.quoted,
                        },
                    });
                }
                *next += 1;
            }
            at = (end + 1).min(command.len());
        }
    }
    // A variable that spans the body's end (a `{{` left open) is past.
    while placeholders.get(*next).is_some_and(|p| p.start < at) {
        *next += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contexts(command: &str) -> Vec<(&str, Context)> {
        uses(command)
            .into_iter()
            .map(|u| (u.name, u.context))
            .collect()
    }

    #[test]
    fn each_context_a_variable_can_be_in() {
        use Context::*;
        let cases: &[(&str, &[(&str, Context)])] = &[
            (
                "deploy --version {{v}} {{ env }}",
                &[("v", Plain), ("env", Plain)],
            ),
            ("echo \"{{v}}\"", &[("v", DoubleQuotes)]),
            ("echo \"release {{v}} to prod\"", &[("v", DoubleQuotes)]),
            ("echo '{{v}}'", &[("v", SingleQuotes)]),
            ("echo `cat {{v}}`", &[("v", Backticks)]),
            ("echo \"`cat {{v}}`\"", &[("v", Backticks)]),
            (
                "cat <<EOF\nversion {{v}}\nEOF\ndeploy {{w}}",
                &[("v", Heredoc { quoted: false }), ("w", Plain)],
            ),
            (
                "cat <<'EOF' > x\n{{v}}\nEOF",
                &[("v", Heredoc { quoted: true })],
            ),
            (
                "cat <<\"EOF\"\n{{v}}\nEOF",
                &[("v", Heredoc { quoted: true })],
            ),
            (
                "cat <<\\EOF\n{{v}}\nEOF",
                &[("v", Heredoc { quoted: true })],
            ),
            (
                "cat <<-EOF\n\t{{v}}\n\tEOF\n{{w}}",
                &[("v", Heredoc { quoted: false }), ("w", Plain)],
            ),
            // A delimiter outside ASCII ends its heredoc too.
            (
                "cat <<FIN_É\n{{v}}\nFIN_É\ndeploy {{w}}",
                &[("v", Heredoc { quoted: false }), ("w", Plain)],
            ),
            (
                "cat <<'ÉOF'\n{{v}}\nÉOF\ndeploy {{w}}",
                &[("v", Heredoc { quoted: true }), ("w", Plain)],
            ),
            ("bash -c \"deploy {{v}}\"", &[("v", Script)]),
            ("sh -c 'deploy {{v}}'", &[("v", Script)]),
            (
                "sudo /bin/bash -ec \"deploy {{v}}\" {{w}}",
                &[("v", Script), ("w", Plain)],
            ),
            ("ssh host -- sh -c deploy-{{v}}", &[("v", Script)]),
            ("eval deploy {{v}}", &[("v", Script)]),
            (
                "bash deploy.sh {{v}}; sh -x run {{w}}",
                &[("v", Plain), ("w", Plain)],
            ),
            ("sh -c 'x' && deploy {{v}}", &[("v", Plain)]),
            ("echo $(deploy {{v}})", &[("v", Plain)]),
            ("echo \"$(deploy {{v}})\"", &[("v", Plain)]),
            ("echo \"$(bash -c \"x {{v}}\")\"", &[("v", Script)]),
            ("cat <<< {{v}}", &[("v", Plain)]),
            ("# deploy \"{{v}}\"\ndeploy {{w}}", &[("w", Plain)]),
            ("echo it\\'s {{v}}", &[("v", Plain)]),
        ];
        for (command, want) in cases {
            assert_eq!(contexts(command), *want, "{command}");
        }
    }

    #[test]
    fn offsets_point_at_each_use() {
        let command = "echo \"{{v}}\"\ncat <<EOF\n  {{v}}\nEOF";
        let offsets: Vec<usize> = uses(command).iter().map(|u| u.offset).collect();
        assert_eq!(offsets, [6, 25]);
    }

    #[test]
    fn a_long_command_is_scanned_once() {
        // 200,000 variables, every kind of context: linear, or this test
        // would not end.
        let one = "a {{v}} \"{{w}}\" `{{x}}` sh -c '{{y}}'; ";
        let command = one.repeat(50_000);
        assert_eq!(uses(&command).len(), 200_000);
    }
}

//! Where reading replaced a character no terminal may see, for `lint`
//! to say: noted by [`super::normalise`] while it replaces them.

/// The characters [`super::normalise`] replaced, a line at a time: noted
/// while it replaces them, so a clean file (nearly every one) costs
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replacements {
    /// The first replaced character of each line, for the first
    /// [`Replacements::KEPT`] lines: a file of nothing but escapes would
    /// otherwise note millions.
    pub first: Vec<Replaced>,
    /// How many lines hold one, all of them.
    pub lines: usize,
    /// The line last noted (0 before any).
    last: usize,
}

/// The first character replaced on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    /// 1-based, as diagnostics count.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    /// The character as it was in the file.
    pub was: char,
    /// How many more were replaced on the same line.
    pub more: usize,
}

impl Replacements {
    pub const KEPT: usize = 1000;

    pub(super) fn note(&mut self, line: usize, col: usize, was: char) {
        if self.last == line {
            if let Some(first) = self.first.last_mut().filter(|first| first.line == line) {
                first.more += 1;
            }
            return;
        }
        self.last = line;
        self.lines += 1;
        if self.first.len() < Replacements::KEPT {
            self.first.push(Replaced {
                line,
                col,
                was,
                more: 0,
            });
        }
    }
}

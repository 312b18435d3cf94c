//! The normal form of a title that the title rules match words against,
//! made once per heading and kept for the next question about it.

use std::cell::RefCell;
use std::rc::Rc;

use super::strip_numbering;

thread_local! {
    /// The title last normalised, and its form. A heading is asked a
    /// dozen questions in a row (a sign-off? triggers? rollback steps? a
    /// reference?), each of which starts by normalising it: this makes
    /// that once per heading. Per thread, so parsers on two threads do
    /// not share it.
    static LAST_NORMALISED: RefCell<(String, Rc<String>)> =
        RefCell::new((String::new(), Rc::new(String::new())));
}

/// Lower case, `-` and `_` as spaces, runs of white space as one space,
/// numbering removed: the form every title rule matches words against.
pub(super) fn normalised(title: &str) -> Rc<String> {
    LAST_NORMALISED.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != title {
            // Questions about a heading and about the lines under it
            // alternate, so the form is made again and again: written over
            // the last one where no caller still holds it, it costs no
            // allocation (two a heading, 60,000 at 100,000 items, before).
            match Rc::get_mut(&mut last.1) {
                Some(form) => normalise_title(title, form),
                None => {
                    let mut form = String::new();
                    normalise_title(title, &mut form);
                    last.1 = Rc::new(form);
                }
            }
            last.0.clear();
            last.0.push_str(title);
        }
        Rc::clone(&last.1)
    })
}

/// Writes `title`'s normal form over `out`.
fn normalise_title(title: &str, out: &mut String) {
    out.clear();
    let title = strip_numbering(title);
    if !title.is_ascii() {
        for word in title
            .to_lowercase()
            .replace(['-', '_'], " ")
            .split_whitespace()
        {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        return;
    }
    // Every heading passes here several times, so ASCII (nearly every
    // title) takes one pass and no allocation instead of four; the
    // result is the same (Unicode lower-casing and white space agree with
    // ASCII's on ASCII, `\x0B` included).
    // A byte at a time: ASCII's white space is the space and `\t` to
    // `\r`, as `char::is_whitespace` has it.
    out.reserve(title.len());
    let mut space = false;
    for &byte in title.as_bytes() {
        if matches!(byte, b'-' | b'_' | b' ' | b'\t'..=b'\r') {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(char::from(byte.to_ascii_lowercase()));
    }
}

//! Web addresses in notes, made links in the HTML and Markdown reports.
//! Only `http://` and `https://` addresses: a note is anyone's text, and a
//! `javascript:` or `file:` link in an auditor's browser is not a
//! convenience.

/// A piece of a note: plain text, or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Url(&'a str),
}

/// `text` cut into plain text and addresses. An address runs from
/// `http://` or `https://` to the next space, or to a character that
/// cannot stand in a Markdown autolink or a table cell (`<`, `>`, `"`,
/// `|`, a backtick, a control); punctuation that ends a sentence
/// (`.,;:!?'`) and a closing bracket with no opening one in the address are
/// left outside it.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_scheme(rest) {
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| {
                c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '|' | '`')
            })
            .unwrap_or(candidate.len());
        let url = trim_end(&candidate[..end]);
        let scheme_len = if url.starts_with("https://") { 8 } else { 7 };
        if url.len() <= scheme_len {
            // A scheme with no host: text, and look on after it.
            out.push(Piece::Text(&rest[..start + scheme_len]));
            rest = &rest[start + scheme_len..];
            continue;
        }
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        out.push(Piece::Url(url));
        rest = &rest[start + url.len()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Where the next address starts: `http://` or `https://`, any case, not
/// in the middle of a word (`xhttp://` is not one).
fn find_scheme(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("http") {
        let at = from + found;
        let tail = &lower[at..];
        let boundary = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if boundary && (tail.starts_with("http://") || tail.starts_with("https://")) {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

fn trim_end(url: &str) -> &str {
    let mut url = url;
    loop {
        let Some(last) = url.chars().next_back() else {
            return url;
        };
        let unbalanced = |open: char, close: char| {
            last == close && url.matches(open).count() < url.matches(close).count()
        };
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'')
            || unbalanced('(', ')')
            || unbalanced('[', ']')
        {
            url = &url[..url.len() - last.len_utf8()];
        } else {
            return url;
        }
    }
}

/// `text` as HTML, escaped, with each address a link that opens apart
/// from the report.
pub fn html(text: &str) -> String {
    let mut out = String::new();
    for piece in pieces(text) {
        match piece {
            Piece::Text(text) => out.push_str(&super::html::escape(text)),
            Piece::Url(url) => {
                let url = super::html::escape(url);
                out.push_str(&format!(
                    "<a href=\"{url}\" rel=\"noopener\" target=\"_blank\">{url}</a>"
                ));
            }
        }
    }
    out
}

/// `text` as Markdown, escaped, with each address an autolink
/// (`<https://...>`), which no Markdown escape can break.
pub fn markdown(text: &str) -> String {
    let mut out = String::new();
    // Line by line, as `escape` breaks lines, so a break next to an
    // address is kept.
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        for piece in pieces(line) {
            match piece {
                Piece::Text(text) => out.push_str(&super::markdown::escape(text)),
                Piece::Url(url) => {
                    out.push('<');
                    out.push_str(url);
                    out.push('>');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Piece::{Text, Url};
    use super::*;

    #[test]
    fn addresses_are_found_and_their_ends_trimmed() {
        let cases: &[(&str, &[Piece<'_>])] = &[
            ("no links here", &[Text("no links here")]),
            (
                "see https://ex.com/a?b=1.",
                &[Text("see "), Url("https://ex.com/a?b=1"), Text(".")],
            ),
            (
                "(https://ex.com/wiki/X_(y)) ok",
                &[Text("("), Url("https://ex.com/wiki/X_(y)"), Text(") ok")],
            ),
            (
                "HTTP://EX.COM, http://a.b",
                &[Url("HTTP://EX.COM"), Text(", "), Url("http://a.b")],
            ),
            (
                "javascript:alert(1) and ftp://x and xhttp://y",
                &[Text("javascript:alert(1) and ftp://x and xhttp://y")],
            ),
            (
                "<https://ex.com/\"><script>",
                &[Text("<"), Url("https://ex.com/"), Text("\"><script>")],
            ),
            ("https:// alone", &[Text("https://"), Text(" alone")]),
        ];
        for (text, expected) in cases {
            assert_eq!(pieces(text), *expected, "{text}");
        }
    }

    #[test]
    fn html_links_are_escaped_and_open_apart() {
        assert_eq!(
            html("ticket https://ex.com/?a=1&b=<2> done"),
            "ticket <a href=\"https://ex.com/?a=1&amp;b=\" rel=\"noopener\" target=\"_blank\">https://ex.com/?a=1&amp;b=</a>&lt;2&gt; done"
        );
    }

    #[test]
    fn markdown_links_are_autolinks() {
        assert_eq!(
            markdown("see *https://ex.com/a_b*"),
            "see \\*<https://ex.com/a_b*>"
        );
        assert_eq!(
            markdown("one\nhttps://ex.com\ntwo"),
            "one<br><https://ex.com><br>two"
        );
    }
}

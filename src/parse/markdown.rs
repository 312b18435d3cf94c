//! Reads Markdown into a flat list of the blocks the checklist rules care
//! about: headings, list items, paragraph lines and code blocks, each with
//! its byte offset. Structure (phases, sections, kinds) is decided later, in
//! `build`, from this list alone.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::annotation::{self, Annotation};
use super::cuts;
use super::table::Table;

/// One block of the document, in source order. Offsets are into the text
/// given to [`read`] plus its `base`, so they index the whole file.
#[derive(Debug, Clone)]
pub enum Node {
    Heading(Heading),
    Item(ListItem),
    /// A paragraph outside any list; its lines are kept apart because a
    /// paragraph of `Label: ___` lines is a stack of fields.
    Paragraph(Vec<Line>),
    /// A fenced or indented code block that belongs to no list item.
    Code(Code),
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub offset: usize,
    pub annotation: Option<Box<Annotation>>,
}

#[derive(Debug, Clone)]
pub struct ListItem {
    /// `Some(checked)` for a task item.
    pub task: Option<bool>,
    /// In a numbered list: a step of a procedure, even among task items.
    pub ordered: bool,
    /// Boxed strings (no spare room, 8 bytes fewer each): a node of each
    /// item is held while pulldown-cmark's tree is alive, at parsing's
    /// peak memory, and every node is as large as this, its largest kind.
    pub text: Box<str>,
    pub markdown: Box<str>,
    pub offset: usize,
    /// How many list items enclose this one.
    pub depth: usize,
    /// Index in the node list of the enclosing list item.
    pub parent: Option<usize>,
    pub command: Option<Box<str>>,
    /// Boxed: few items have one.
    pub annotation: Option<Box<Annotation>>,
    /// What is written under the item's first paragraph: a later
    /// paragraph or a block quote ("NOTE: ...", "> So push only after
    /// ..."). Not part of the step's sentence, but never dropped: each is
    /// a note of the item, with its offset. A boxed slice: most items
    /// have none.
    pub remarks: Box<[(String, usize)]>,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    pub markdown: String,
    pub offset: usize,
    /// Boxed: a paragraph's lines are held to the end of the Markdown,
    /// with pulldown-cmark's tree (112 bytes a line unboxed).
    pub annotation: Option<Box<Annotation>>,
}

#[derive(Debug, Clone)]
pub struct Code {
    pub info: String,
    pub text: String,
    /// Where the block's content lies in the file, for the embedded
    /// checklist rule.
    pub content: Option<Range<usize>>,
    pub fenced: bool,
}

/// Inline text as it is being gathered: plain text, and the span of source
/// it came from.
#[derive(Debug, Default)]
struct Inline {
    text: String,
    span: Option<Range<usize>>,
    annotation: Option<Box<Annotation>>,
}

impl Inline {
    fn push_text(&mut self, text: &str, range: &Range<usize>) {
        self.text.push_str(text);
        self.extend(range);
    }

    fn extend(&mut self, range: &Range<usize>) {
        self.span = Some(match self.span.take() {
            Some(span) => span.start.min(range.start)..span.end.max(range.end),
            None => range.clone(),
        });
    }

    fn finish(
        self,
        source: &str,
        base: usize,
    ) -> (String, String, Option<usize>, Option<Box<Annotation>>) {
        let markdown = self
            .span
            .as_ref()
            .and_then(|span| source.get(span.clone()))
            .unwrap_or("")
            .trim()
            .to_string();
        // Grown a piece at a time: the room it kept is given back (in
        // place) before the node is held to the end of the Markdown.
        let mut text = collapse_owned(self.text);
        text.shrink_to_fit();
        (
            text,
            markdown,
            self.span.map(|span| span.start + base),
            self.annotation,
        )
    }
}

struct Frame {
    node: usize,
    inline: Inline,
    task: Option<bool>,
    command: Option<String>,
    /// A remark being read (a later paragraph or a quote), and those read.
    remark: Option<Inline>,
    remarks: Vec<(String, usize)>,
}

impl Frame {
    fn end_remark(&mut self, source: &str, base: usize) {
        if let Some(remark) = self.remark.take() {
            let (text, _, offset, _) = remark.finish(source, base);
            if let Some(offset) = offset.filter(|_| !text.is_empty()) {
                self.remarks.push((text, offset));
            }
        }
    }
}

struct Reader<'a> {
    source: &'a str,
    base: usize,
    nodes: Vec<Node>,
    items: Vec<Frame>,
    heading: Option<(u8, usize, Inline)>,
    paragraph: Option<(Vec<Line>, Inline)>,
    code: Option<Code>,
    /// Depth of inline containers we must not take text from (images' alt
    /// text is kept; footnote bodies are not checklist text, and a table's
    /// cells go to `table`).
    skip: usize,
    /// Open block quotes, and whether each began a remark of the list
    /// item it is in.
    quotes: Vec<bool>,
    /// Open paragraphs in list items, and whether each comes after the
    /// item's text (and so began a remark).
    later_paragraphs: Vec<bool>,
    /// A table outside any list, read cell by cell: its rows may be steps.
    table: Option<Table>,
    /// Whether each open list is numbered, innermost last.
    lists: Vec<bool>,
    /// How many blocks (and inline spans) are open.
    open: usize,
    /// The piece's last top-level block, where it may not have ended
    /// before the cut: read alone, it ends at the piece's end where, read
    /// whole, it might go on past it.
    last: Last,
}

/// What a piece's last top-level block says of the cut after it.
#[derive(Clone, Copy)]
enum Last {
    /// A block the heading after the cut ends.
    Closed,
    /// A fenced code block, in the piece's text: closed if its last line
    /// is its closing fence.
    Fence(usize, usize),
    /// An HTML block, in the piece's text: closed if it ends at a blank
    /// line or its last line holds its end (`-->`, `</pre>`, ...).
    Html(usize, usize),
}

/// Reads `source` (a slice of the file starting at byte `base`).
pub fn read(source: &str, base: usize) -> Vec<Node> {
    read_in_pieces(source, base, cuts::PIECE).0
}

/// [`read`] in up to `parts` runs of whole sections, each read on a
/// thread of its own where `source` may be cut: each part starts at a
/// cut, so with a heading, and a list item's `parent` is an index into
/// its own part's nodes.
pub fn read_parts(source: &str, base: usize, parts: usize) -> Vec<Vec<Node>> {
    let bounds = part_bounds(source, parts);
    if bounds.len() > 1 {
        let read = crate::cores::each(bounds, |range| {
            read_in_pieces(&source[range.clone()], base + range.start, cuts::PIECE)
        });
        // A part that ends in a fence or HTML block left open may hold the
        // heading the next part starts with: the document is read whole.
        if read[..read.len() - 1].iter().all(|(_, closed)| *closed) {
            return read.into_iter().map(|(nodes, _)| nodes).collect();
        }
    }
    vec![read(source, base)]
}

/// Where `source` is cut into `parts` of about the same size: the cut at
/// or after each share's end.
fn part_bounds(source: &str, parts: usize) -> Vec<Range<usize>> {
    let mut starts = vec![0];
    if parts > 1 && cuts::may_cut(source) {
        for part in 1..parts {
            let share = source.len() / parts * part;
            match cuts::next_cut(source, share) {
                Some(cut) if cut > starts[starts.len() - 1] => starts.push(cut),
                _ => {}
            }
        }
    }
    let ends = starts.iter().skip(1).copied().chain([source.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| start..end)
        .collect()
}

/// [`read`], a piece of about `piece` bytes at a time where `source` may be
/// cut (`cuts`): what each pass holds is the tree of its piece, not of
/// the whole document. With whether the last piece's last block ended
/// before `source` did.
fn read_in_pieces(source: &str, base: usize, piece: usize) -> (Vec<Node>, bool) {
    let options = Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES;
    // A node starts a line (or a few share one, `- - step`): room for one
    // a line is made at once. Grown by doubling, the list was copied
    // whole each time, 7 % of `lint` at 100,000 items; room never
    // written is never touched, so it costs address space, not memory.
    // Up to a bound: a file of blank lines makes no nodes, and its room
    // would be address space a limited machine may refuse.
    const ROOM_AT_MOST: usize = 1 << 19;
    let lines = memchr::memchr_iter(b'\n', source.as_bytes())
        .take(ROOM_AT_MOST)
        .count()
        + 1;
    let mut reader = Reader {
        source,
        base,
        nodes: Vec::with_capacity(lines),
        items: Vec::new(),
        heading: None,
        paragraph: None,
        code: None,
        skip: 0,
        quotes: Vec::new(),
        later_paragraphs: Vec::new(),
        table: None,
        lists: Vec::new(),
        open: 0,
        last: Last::Closed,
    };
    let whole = !cuts::may_cut(source);
    let cut_after = |from: usize| {
        if whole {
            source.len()
        } else {
            cuts::next_cut(source, from).unwrap_or(source.len())
        }
    };
    let mut start = 0_usize;
    loop {
        let mut end = cut_after(start.saturating_add(piece.max(1)));
        let kept = reader.nodes.len();
        // The heading after a piece that ends in an open fence or HTML
        // block may be inside it: that piece is read again, twice as long
        // (so a fence never closed costs a second reading, not one per
        // piece).
        let mut closed = reader.pass(source, start..end, base, options);
        while !closed && end < source.len() {
            reader.nodes.truncate(kept);
            end = cut_after(end + (end - start));
            closed = reader.pass(source, start..end, base, options);
        }
        if end >= source.len() {
            return (reader.nodes, closed);
        }
        start = end;
    }
}

impl<'a> Reader<'a> {
    /// One pulldown-cmark pass over `source[piece]`; whether its last
    /// top-level block ended before the piece's end.
    fn pass(
        &mut self,
        source: &'a str,
        piece: Range<usize>,
        base: usize,
        options: Options,
    ) -> bool {
        self.base = base + piece.start;
        self.source = &source[piece];
        self.open = 0;
        self.last = Last::Closed;
        for (event, range) in Parser::new_ext(self.source, options).into_offset_iter() {
            self.event(event, range);
        }
        // An unbalanced stream cannot happen, but a frame left open must
        // not lose its item.
        while !self.items.is_empty() {
            self.end_item();
        }
        match self.last {
            Last::Closed => true,
            Last::Fence(start, end) => cuts::fence_closed(&self.source[start..end]),
            Last::Html(start, end) => cuts::html_closed(&self.source[start..end]),
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                if let Some(code) = &mut self.code {
                    code.text.push_str(&text);
                    let (start, end) = (range.start + self.base, range.end + self.base);
                    let content = code.content.get_or_insert(start..end);
                    content.start = content.start.min(start);
                    content.end = content.end.max(end);
                } else if let Some(table) = &mut self.table {
                    table.text(&text);
                } else if let Some(inline) = self.inline() {
                    inline.push_text(&text, &range);
                }
            }
            Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                if let Some(table) = &mut self.table {
                    table.text(&text);
                } else if let Some(inline) = self.inline() {
                    inline.push_text(&text, &range);
                }
            }
            Event::InlineHtml(html) | Event::Html(html) => self.html(&html, &range),
            Event::SoftBreak | Event::HardBreak => self.line_break(&range),
            Event::TaskListMarker(checked) => {
                if let Some(frame) = self.items.last_mut() {
                    frame.task = Some(checked);
                }
            }
            Event::FootnoteReference(_) | Event::Rule => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        if self.open == 0 {
            self.last = match tag {
                Tag::CodeBlock(CodeBlockKind::Fenced(_)) => Last::Fence(range.start, range.end),
                Tag::HtmlBlock => Last::Html(range.start, range.end),
                _ => Last::Closed,
            };
        }
        self.open += 1;
        match tag {
            Tag::Heading { level, .. } => {
                self.heading = Some((level as u8, range.start, Inline::default()));
            }
            Tag::Paragraph => {
                if self.items.is_empty() && self.heading.is_none() && self.skip == 0 {
                    self.paragraph = Some((Vec::new(), Inline::default()));
                }
                // A list item's text is its first paragraph; one after it
                // (after a blank line, a command, a sub-list) is a remark:
                // "NOTE: ...", "Open a PR with that branch and merge it."
                if let Some(frame) = self.items.last_mut() {
                    let later = self.skip == 0
                        && frame.remark.is_none()
                        && !frame.inline.text.trim().is_empty();
                    self.later_paragraphs.push(later);
                    if later {
                        frame.remark = Some(Inline::default());
                    } else if let Some(remark) = &mut frame.remark {
                        // The next paragraph of a quoted remark.
                        remark.text.push(' ');
                    }
                }
            }
            Tag::Item => {
                let parent = self.items.last().map(|frame| frame.node);
                let depth = self.items.len();
                self.nodes.push(Node::Item(ListItem {
                    task: None,
                    ordered: self.lists.last().copied().unwrap_or(false),
                    text: Box::default(),
                    markdown: Box::default(),
                    offset: range.start + self.base,
                    depth,
                    parent,
                    command: None,
                    annotation: None,
                    remarks: Box::default(),
                }));
                self.items.push(Frame {
                    node: self.nodes.len() - 1,
                    inline: Inline::default(),
                    task: None,
                    command: None,
                    remark: None,
                    remarks: Vec::new(),
                });
            }
            Tag::CodeBlock(kind) => {
                let (info, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (info.trim().to_string(), true),
                    CodeBlockKind::Indented => (String::new(), false),
                };
                self.code = Some(Code {
                    info,
                    text: String::new(),
                    content: None,
                    fenced,
                });
            }
            Tag::List(start) => self.lists.push(start.is_some()),
            Tag::Table(_) => {
                if self.items.is_empty() && self.skip == 0 {
                    self.table = Some(Table::default());
                }
                self.skip += 1;
            }
            Tag::TableHead => {
                if let Some(table) = &mut self.table {
                    table.start_head();
                }
            }
            Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    let line = self.source.get(range.clone()).unwrap_or("");
                    table.start_row(range.start + self.base, line);
                }
            }
            Tag::TableCell => {
                if let Some(table) = &mut self.table {
                    table.start_cell();
                }
            }
            Tag::FootnoteDefinition(_) | Tag::MetadataBlock(_) => self.skip += 1,
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. } => {
                if let Some(inline) = self.inline() {
                    inline.extend(&range);
                }
            }
            // A quote inside a list item is a remark on the step ("> So
            // push only after ..."), not more of its sentence.
            Tag::BlockQuote(_) => {
                let remark = self.skip == 0
                    && self
                        .items
                        .last_mut()
                        .filter(|frame| frame.remark.is_none())
                        .map(|frame| frame.remark = Some(Inline::default()))
                        .is_some();
                self.quotes.push(remark);
            }
            Tag::HtmlBlock
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        self.open = self.open.saturating_sub(1);
        match tag {
            TagEnd::Heading(_) => {
                if let Some((level, offset, inline)) = self.heading.take() {
                    let (text, _, _, annotation) = inline.finish(self.source, self.base);
                    self.nodes.push(Node::Heading(Heading {
                        level,
                        text,
                        offset: offset + self.base,
                        annotation,
                    }));
                }
            }
            TagEnd::Paragraph => {
                if let Some((mut lines, inline)) = self.paragraph.take() {
                    self.push_line(&mut lines, inline);
                    if !lines.is_empty() {
                        // Most paragraphs are a line; a list grown a
                        // line at a time has room for four.
                        lines.shrink_to_fit();
                        self.nodes.push(Node::Paragraph(lines));
                    }
                }
                if !self.items.is_empty()
                    && self.later_paragraphs.pop() == Some(true)
                    && let Some(frame) = self.items.last_mut()
                {
                    frame.end_remark(self.source, self.base);
                }
            }
            TagEnd::Item => self.end_item(),
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    match self.items.last_mut() {
                        Some(frame) => {
                            let text = code.text.trim_end_matches('\n').to_string();
                            frame.command = Some(match frame.command.take() {
                                Some(previous) => format!("{previous}\n{text}"),
                                None => text,
                            });
                        }
                        None if self.skip == 0 => self.nodes.push(Node::Code(code)),
                        None => {}
                    }
                }
            }
            TagEnd::List(_) => {
                self.lists.pop();
            }
            TagEnd::Table => {
                self.skip = self.skip.saturating_sub(1);
                if let Some(table) = self.table.take() {
                    self.nodes.extend(table.items().into_iter().map(Node::Item));
                }
            }
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.end_head();
                }
            }
            TagEnd::TableRow => {
                if let Some(table) = &mut self.table {
                    table.end_row();
                }
            }
            TagEnd::TableCell => {
                if let Some(table) = &mut self.table {
                    table.end_cell();
                }
            }
            TagEnd::FootnoteDefinition | TagEnd::MetadataBlock(_) => {
                self.skip = self.skip.saturating_sub(1);
            }
            TagEnd::BlockQuote(_) => {
                if self.quotes.pop() == Some(true)
                    && let Some(frame) = self.items.last_mut()
                {
                    frame.end_remark(self.source, self.base);
                }
            }
            _ => {}
        }
    }

    fn end_item(&mut self) {
        let Some(mut frame) = self.items.pop() else {
            return;
        };
        frame.end_remark(self.source, self.base);
        let (mut text, mut markdown, _, annotation) = frame.inline.finish(self.source, self.base);
        // `- [] step`: a box written without its space, as hand-kept
        // templates often have it, is still an open box.
        if frame.task.is_none()
            && let Some(rest) = text.strip_prefix("[] ")
        {
            frame.task = Some(false);
            text = rest.trim_start().to_string();
            markdown = markdown.trim_start_matches("[]").trim_start().to_string();
        }
        if let Some(Node::Item(item)) = self.nodes.get_mut(frame.node) {
            item.task = frame.task;
            item.text = text.into();
            item.markdown = markdown.into();
            item.command = frame.command.map(String::into_boxed_str);
            item.annotation = annotation;
            item.remarks = frame.remarks.into_boxed_slice();
        }
    }

    /// Where inline text goes now: the heading, the innermost list item, or
    /// the paragraph being read.
    fn inline(&mut self) -> Option<&mut Inline> {
        if self.skip > 0 {
            return None;
        }
        if let Some((_, _, inline)) = &mut self.heading {
            return Some(inline);
        }
        if let Some(frame) = self.items.last_mut() {
            return Some(frame.remark.as_mut().unwrap_or(&mut frame.inline));
        }
        self.paragraph.as_mut().map(|(_, inline)| inline)
    }

    fn html(&mut self, html: &str, range: &Range<usize>) {
        let Some(body) = annotation::body(html) else {
            return;
        };
        let parsed = Box::new(annotation::parse(body, range.start + self.base));
        if let Some(inline) = self.inline() {
            inline.annotation = Some(parsed);
        } else if let Some(Node::Item(item)) = self.nodes.last_mut() {
            // A comment on the line after a list, as its own HTML block,
            // still belongs to the item just closed.
            if item.annotation.is_none() {
                item.annotation = Some(parsed);
            }
        }
    }

    fn line_break(&mut self, range: &Range<usize>) {
        if self.heading.is_none()
            && self.items.is_empty()
            && let Some((mut lines, inline)) = self.paragraph.take()
        {
            self.push_line(&mut lines, inline);
            self.paragraph = Some((lines, Inline::default()));
            return;
        }
        if let Some(inline) = self.inline() {
            inline.text.push(' ');
            let _ = range;
        }
    }

    fn push_line(&self, lines: &mut Vec<Line>, inline: Inline) {
        let (text, markdown, offset, annotation) = inline.finish(self.source, self.base);
        if let Some(offset) = offset
            && !text.is_empty()
        {
            lines.push(Line {
                text,
                markdown,
                offset,
                annotation,
            });
        }
    }
}

/// [`collapse`], keeping `text` itself when it has nothing to collapse,
/// as most items' text has not: no copy.
fn collapse_owned(text: String) -> String {
    if is_collapsed(&text) {
        text
    } else {
        collapse(&text)
    }
}

/// No white space at either end, and none inside but single spaces.
fn is_collapsed(text: &str) -> bool {
    let mut space = true;
    if text.is_ascii() {
        // A byte at a time: ASCII's white space is the space and \t to \r.
        for &byte in text.as_bytes() {
            match byte {
                b' ' if space => return false,
                b' ' => space = true,
                b'\t'..=b'\r' => return false,
                _ => space = false,
            }
        }
        return !space || text.is_empty();
    }
    for c in text.chars() {
        if c == ' ' {
            if space {
                return false;
            }
            space = true;
        } else if c.is_whitespace() {
            return false;
        } else {
            space = false;
        }
    }
    !space || text.is_empty()
}

/// Runs of white space become one space; ends are trimmed.
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;

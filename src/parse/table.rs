//! Tables used as checklists: a row per step, with a column of boxes (`☐`,
//! `☑`, `✅`, `[ ]`, `⬜ Pass / ⬜ Fail`) or a column named for the result
//! (`Status`, `Done`, `Pass/Fail`). Each such row is a task item whose text
//! is its first text cell. A two-column `Field | Value` sheet whose values
//! are mostly blanks to fill is a field per row. Any other table
//! (contacts, reference) is left out.

use super::markdown::{ListItem, collapse};
use super::rules;

/// Characters that stand for a box to tick, ticked or not.
const OPEN: &[&str] = &["☐", "⬜", "🔲", "◻", "[ ]", "[]"];
const TICKED: &[&str] = &["☑", "☒", "✅", "✔", "✓", "[x]", "[X]"];

/// Column names that say the column holds each row's result.
const RESULT_HEADERS: &[&str] = &[
    "status",
    "done",
    "check",
    "checked",
    "complete",
    "completed",
    "result",
    "pass/fail",
    "pass / fail",
    "pass",
    "ok",
    "tick",
    "✓",
    "✔",
    "☐",
    "[ ]",
];

#[derive(Debug, Default)]
struct Row {
    cells: Vec<String>,
    offset: usize,
    markdown: String,
}

/// A table as it is read, cell by cell.
#[derive(Debug, Default)]
pub struct Table {
    head: Vec<String>,
    rows: Vec<Row>,
    row: Option<Row>,
    cell: Option<String>,
    in_head: bool,
}

/// `Some(ticked)` when a cell is, or starts with, a box.
fn box_in(cell: &str) -> Option<bool> {
    let cell = cell.trim();
    if TICKED.iter().any(|mark| cell.starts_with(mark)) {
        return Some(true);
    }
    OPEN.iter()
        .any(|mark| cell.starts_with(mark))
        .then_some(false)
}

fn cell(row: &Row, column: usize) -> &str {
    row.cells.get(column).map_or("", String::as_str)
}

fn is_number(cell: &str) -> bool {
    let cell = cell.trim().trim_end_matches('.');
    !cell.is_empty() && cell.chars().all(|c| c.is_ascii_digit())
}

/// `YYYY-MM-DD`, `HH:MM`, `YYYY-MM-DD HH:MM`: the shape of a date or a
/// time to write in, so a blank.
fn is_format_hint(value: &str) -> bool {
    let value = value.trim();
    (value.contains("YYYY") || value.contains("HH:MM"))
        && value.chars().all(|c| "YMDHS-/: .T".contains(c))
}

/// A value still to be filled in: empty, blanks (`___`, `[date]`) or a
/// choice of answers.
fn is_blank(value: &str) -> bool {
    is_format_hint(value)
        || value.trim().is_empty()
        || !rules::choices(value).is_empty()
        || rules::field_shape(&format!("x: {value}")).is_some_and(|s| s.placeholder)
}

impl Table {
    pub fn start_head(&mut self) {
        self.in_head = true;
    }

    pub fn end_head(&mut self) {
        self.in_head = false;
    }

    /// A body row starts at `offset` (in the file); `line` is its source.
    pub fn start_row(&mut self, offset: usize, line: &str) {
        self.row = Some(Row {
            cells: Vec::new(),
            offset,
            markdown: line.trim().to_string(),
        });
    }

    pub fn end_row(&mut self) {
        if let Some(row) = self.row.take() {
            self.rows.push(row);
        }
    }

    pub fn start_cell(&mut self) {
        self.cell = Some(String::new());
    }

    pub fn text(&mut self, text: &str) {
        if let Some(cell) = &mut self.cell {
            cell.push_str(text);
        }
    }

    pub fn end_cell(&mut self) {
        let Some(cell) = self.cell.take() else {
            return;
        };
        let cell = collapse(&cell);
        match &mut self.row {
            Some(row) if !self.in_head => row.cells.push(cell),
            _ => self.head.push(cell),
        }
    }

    /// The column that holds each row's result, if the table has one: most
    /// of its cells are boxes, or its name says so and it holds nothing
    /// else (empty cells or boxes).
    fn result_column(&self) -> Option<usize> {
        let columns = self.rows.iter().map(|row| row.cells.len()).max()?;
        (0..columns).find(|&column| {
            let boxes = self
                .rows
                .iter()
                .filter(|row| box_in(cell(row, column)).is_some())
                .count();
            let named = self
                .head
                .get(column)
                .is_some_and(|name| RESULT_HEADERS.contains(&name.trim().to_lowercase().as_str()));
            let only_boxes = self.rows.iter().all(|row| {
                let text = cell(row, column).trim();
                text.is_empty() || box_in(text).is_some()
            });
            boxes * 2 > self.rows.len() || (named && only_boxes)
        })
    }

    /// A procedure written as a table: a first column named for the step
    /// (`Step`, `#`, `No.`) numbering every row, beside the step's words.
    /// The numbers stand where a result column would: each row is a step.
    fn step_column(&self) -> Option<usize> {
        let name = self.head.first()?.trim().to_lowercase();
        let named = ["step", "#", "no", "no.", "nr", "seq", "order"].contains(&name.as_str());
        let numbered = !self.rows.is_empty() && self.rows.iter().all(|row| is_number(cell(row, 0)));
        let worded = self.rows.iter().all(|row| {
            row.cells
                .iter()
                .skip(1)
                .any(|text| !text.trim().is_empty() && !is_number(text))
        });
        (named && numbered && worded).then_some(0)
    }

    /// A `Field | Value` sheet: two columns, the second named for a value,
    /// and most values blanks or choices. Each row is then a field line,
    /// `**Label**: value`, read by the field rules; a value that is neither
    /// (`YYYY-MM-DD`, `CR-[ID]`) is a hint, so the field is left blank.
    fn is_field_sheet(&self) -> bool {
        let names_value = self.head.len() == 2
            && [
                "value", "details", "detail", "entry", "answer", "response", "owner", "",
            ]
            .contains(&self.head[1].trim().to_lowercase().as_str());
        let blanks = self
            .rows
            .iter()
            .filter(|row| is_blank(cell(row, 1)))
            .count();
        names_value && blanks * 2 >= self.rows.len()
    }

    fn fields(self) -> Vec<ListItem> {
        let blank = is_blank;
        self.rows
            .into_iter()
            .filter(|row| !cell(row, 0).trim().is_empty())
            .map(|row| {
                let label = cell(&row, 0).trim().trim_end_matches(':').to_string();
                let value = cell(&row, 1).trim();
                let value = if value.is_empty() || is_format_hint(value) || !blank(value) {
                    "___"
                } else {
                    value
                };
                ListItem {
                    task: None,
                    ordered: false,
                    text: format!("{label}: {value}").into(),
                    markdown: format!("**{label}**: {value}").into(),
                    offset: row.offset,
                    depth: 0,
                    parent: None,
                    command: None,
                    annotation: None,
                    remarks: Box::default(),
                }
            })
            .collect()
    }

    /// A table of conditions (`Trigger | Description`, `Symptom | ...`):
    /// each row's first cell is one, read as a plain bullet would be, so a
    /// rollback runbook's "When to use" table gives its triggers.
    fn conditions(self) -> Vec<ListItem> {
        self.rows
            .into_iter()
            .filter(|row| !cell(row, 0).trim().is_empty())
            .map(|row| ListItem {
                task: None,
                ordered: false,
                text: cell(&row, 0).trim().into(),
                markdown: row.markdown.into(),
                offset: row.offset,
                depth: 0,
                parent: None,
                command: None,
                annotation: None,
                remarks: Box::default(),
            })
            .collect()
    }

    fn is_conditions(&self) -> bool {
        self.head.first().is_some_and(|name| {
            [
                "trigger",
                "triggers",
                "symptom",
                "symptoms",
                "condition",
                "conditions",
            ]
            .contains(&name.trim().to_lowercase().as_str())
        })
    }

    /// The table's rows as items, when it is a checklist or a field sheet.
    pub fn items(self) -> Vec<ListItem> {
        if self.is_conditions() {
            return self.conditions();
        }
        // A `Field | Value` sheet may hold boxes too (`[ ] Low [ ] High`):
        // they are a field's choices, not a column of results.
        if self.is_field_sheet() {
            return self.fields();
        }
        let (result, numbered) = match self.result_column() {
            Some(result) => (result, false),
            None => match self.step_column() {
                Some(column) => (column, true),
                None => return Vec::new(),
            },
        };
        let mut items = Vec::new();
        for row in self.rows {
            let text = row
                .cells
                .iter()
                .enumerate()
                .find(|(column, cell)| {
                    *column != result && !cell.trim().is_empty() && !is_number(cell)
                })
                .map(|(_, cell)| cell.clone());
            let Some(text) = text else { continue };
            let ticked = row.cells.get(result).and_then(|cell| box_in(cell));
            // A numbered row is a numbered step, as in a list: it makes no
            // task item of the document's other bullets.
            items.push(ListItem {
                task: (!numbered).then_some(ticked.unwrap_or(false)),
                ordered: numbered,
                text: text.into(),
                markdown: row.markdown.into(),
                offset: row.offset,
                depth: 0,
                parent: None,
                command: None,
                annotation: None,
                remarks: Box::default(),
            });
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(head: &[&str], rows: &[&[&str]]) -> Table {
        let mut table = Table::default();
        table.start_head();
        for name in head {
            table.start_cell();
            table.text(name);
            table.end_cell();
        }
        table.end_head();
        for (n, cells) in rows.iter().enumerate() {
            table.start_row(n * 10, "| row |");
            for cell in *cells {
                table.start_cell();
                table.text(cell);
                table.end_cell();
            }
            table.end_row();
        }
        table
    }

    fn texts(table: Table) -> Vec<(String, Option<bool>)> {
        table
            .items()
            .into_iter()
            .map(|item| (item.text.into_string(), item.task))
            .collect()
    }

    #[test]
    fn a_column_of_boxes_makes_each_row_a_step() {
        let t = table(
            &["#", "Item", "Status", "Notes"],
            &[
                &["1", "Lint passes", "☐", "tolerated"],
                &["2", "Tests pass", "✅", ""],
            ],
        );
        assert_eq!(
            texts(t),
            [
                ("Lint passes".to_string(), Some(false)),
                ("Tests pass".to_string(), Some(true))
            ]
        );
        let t = table(
            &["Test", "Result"],
            &[
                &["Page loads", "☐ Pass ☐ Fail"],
                &["Login", "☐ Pass ☐ Fail"],
            ],
        );
        assert_eq!(texts(t).len(), 2);
    }

    #[test]
    fn a_result_column_by_name_with_empty_cells() {
        let t = table(
            &["Step", "Done"],
            &[&["Tag pushed", ""], &["Notes sent", ""]],
        );
        assert_eq!(texts(t).len(), 2);
    }

    #[test]
    fn a_field_value_sheet_is_a_field_per_row() {
        let t = table(
            &["Field", "Value"],
            &[
                &["Request ID", "CR-[ASSIGNED]"],
                &["Requester", ""],
                &["Risk", "High / Medium / Low"],
            ],
        );
        let texts: Vec<String> = t
            .items()
            .into_iter()
            .map(|item| item.text.into_string())
            .collect();
        assert_eq!(
            texts,
            [
                "Request ID: ___",
                "Requester: ___",
                "Risk: High / Medium / Low"
            ]
        );
    }

    #[test]
    fn a_numbered_step_column_makes_each_row_a_step() {
        let t = table(
            &["Step", "Action", "Who"],
            &[&["1", "Drain the node", "Ops"], &["2", "Patch it", "Ops"]],
        );
        assert_eq!(
            texts(t),
            [
                ("Drain the node".to_string(), None),
                ("Patch it".to_string(), None)
            ]
        );
        let t = table(
            &["Step", "Action"],
            &[&["1", "Drain the node"], &["later", "Patch it"]],
        );
        assert!(texts(t).is_empty(), "not every row numbered");
    }

    #[test]
    fn boxes_in_a_field_value_sheet_are_choices() {
        let t = table(
            &["Field", "Value"],
            &[
                &["Risk", "[ ] Low [ ] High"],
                &["Window", "[ ] Day [ ] Night"],
            ],
        );
        let texts: Vec<String> = t
            .items()
            .into_iter()
            .map(|item| item.text.into_string())
            .collect();
        assert_eq!(
            texts,
            ["Risk: [ ] Low [ ] High", "Window: [ ] Day [ ] Night"]
        );
    }

    #[test]
    fn date_and_time_shapes_are_blanks() {
        let t = table(
            &["Field", "Value"],
            &[
                &["Started", "YYYY-MM-DD HH:MM"],
                &["Ended", "HH:MM"],
                &["Site", "eu-west-1"],
            ],
        );
        let texts: Vec<String> = t
            .items()
            .into_iter()
            .map(|item| item.text.into_string())
            .collect();
        assert_eq!(texts, ["Started: ___", "Ended: ___", "Site: ___"]);
    }

    #[test]
    fn other_tables_are_not_steps() {
        let t = table(
            &["Name", "Phone"],
            &[&["On-call", "555-0100"], &["Manager", "555-0101"]],
        );
        assert!(texts(t).is_empty());
        let t = table(
            &["Setting", "Value"],
            &[&["Region", "eu-west-1"], &["Replicas", "3"], &["Date", ""]],
        );
        assert!(texts(t).is_empty(), "mostly filled in: reference");
    }
}

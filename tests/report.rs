//! `relcheck report`: every format of complete records of every bundled
//! checklist and seed shape, a rollback, a failure and a skip waived at a
//! gate, a run still in progress; the JUnit parsed back, the text measured,
//! the HTML escaped and opened in a real browser.

use std::path::{Path, PathBuf};
use std::process::Command;

use relcheck::bundled;
use relcheck::cli::ReportFormat;
use relcheck::record::{Record, Status};
use relcheck::report::{self, Options, Titles, html, junit, markdown, text};
use relcheck::style::Style;

use crate::records::{self, FIXTURES, Plan};
use crate::support::relcheck;

struct Case {
    name: String,
    checklist: &'static str,
    record: Record,
}

fn stem(name: &str) -> String {
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string()
}

/// A complete run of each bundled checklist and each seed shape, then the
/// runs that go wrong.
fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = bundled::ALL
        .iter()
        .map(|b| b.file_name)
        .chain(FIXTURES.iter().copied())
        .map(|name| Case {
            name: stem(name),
            checklist: name,
            record: records::run(name, &Plan::default()),
        })
        .collect();
    cases.push(Case {
        name: "rolled-back".into(),
        checklist: "production-deploy.md",
        record: records::rolled_back(),
    });
    cases.push(Case {
        name: "waived".into(),
        checklist: "production-deploy.md",
        record: records::waived(),
    });
    cases.push(Case {
        name: "in-progress".into(),
        checklist: "release.md",
        record: records::run(
            "release.md",
            &Plan {
                stop_after: Some(9),
                ..Plan::default()
            },
        ),
    });
    cases
}

fn options(checklist: &str) -> Options {
    Options {
        titles: Titles::from_checklist(&records::checklist(checklist)),
        ..Options::default()
    }
}

fn failed_only(checklist: &str) -> Options {
    Options {
        failed_only: true,
        ..options(checklist)
    }
}

#[test]
fn the_cases_end_as_planned() {
    let cases = cases();
    let outcome = |name: &str| {
        cases
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .record
            .run
            .outcome
            .as_str()
    };
    assert_eq!(outcome("production-deploy"), "success");
    assert_eq!(outcome("seed-002-full-runbook"), "success");
    assert_eq!(outcome("rolled-back"), "rolled-back");
    assert_eq!(outcome("waived"), "success");
    assert_eq!(outcome("in-progress"), "in-progress");
    let waived = &cases.iter().find(|c| c.name == "waived").unwrap().record;
    assert_eq!(waived.gates.len(), 1);
    assert_eq!(waived.gates[0].items.len(), 2);
}

#[test]
fn text_and_markdown_of_every_record() {
    for case in cases() {
        let options = options(case.checklist);
        insta::assert_snapshot!(
            format!("text-{}", case.name),
            text::text(&case.record, &options)
        );
        insta::assert_snapshot!(
            format!("markdown-{}", case.name),
            markdown::markdown(&case.record, &options)
        );
    }
}

fn without_stylesheet(page: &str) -> String {
    match (page.find("<style>"), page.find("</style>")) {
        (Some(start), Some(end)) => {
            format!("{}<style>…</style>{}", &page[..start], &page[end + 8..])
        }
        _ => page.to_string(),
    }
}

#[test]
fn junit_and_html_of_three_records() {
    for case in cases()
        .into_iter()
        .filter(|c| ["waived", "rolled-back", "seed-003-embedded-fence"].contains(&c.name.as_str()))
    {
        let options = options(case.checklist);
        insta::assert_snapshot!(
            format!("junit-{}", case.name),
            junit::junit_with(&case.record, &options)
        );
        // The page's body: the stylesheet is the same on every page, and
        // a change to it would otherwise show in every snapshot.
        insta::assert_snapshot!(
            format!("html-{}", case.name),
            without_stylesheet(&html::html(&case.record, &options))
        );
    }
}

#[test]
fn failed_only_reports() {
    let record = records::waived();
    let options = failed_only("production-deploy.md");
    insta::assert_snapshot!("text-waived-failed", text::text(&record, &options));
    insta::assert_snapshot!(
        "markdown-waived-failed",
        markdown::markdown(&record, &options)
    );
}

#[test]
fn failed_keeps_what_went_wrong_in_every_format_but_json() {
    let record = records::waived();
    let options = failed_only("production-deploy.md");
    let kept = ["Free disk and quota", "Stakeholders told about the window"];
    let dropped = ["Change ticket approved", "Rollout reached every instance"];
    for format in [
        ReportFormat::Text,
        ReportFormat::Markdown,
        ReportFormat::Html,
        ReportFormat::Junit,
    ] {
        let out = report::command::render(&record, format, &options).unwrap();
        for text in kept {
            assert!(out.contains(text), "{format:?} keeps {text}");
        }
        for text in dropped {
            assert!(!out.contains(text), "{format:?} drops {text}");
        }
    }
    let json = report::command::render(&record, ReportFormat::Json, &options).unwrap();
    let back: Record = serde_json::from_str(&json).unwrap();
    assert_eq!(back, record, "JSON is the whole record, --failed or not");

    // A record where nothing went wrong says so.
    let clean = records::run("hotfix.md", &Plan::default());
    let out = text::text(&clean, &failed_only("hotfix.md"));
    assert!(out.contains("Nothing failed, was skipped or waived, occurred, or is pending."));
    assert!(!out.contains('✓'), "{out}");
}

// ---------------------------------------------------------------------------
// JUnit

#[test]
fn junit_parses_back_to_the_record() {
    for case in cases() {
        let xml = junit::junit_with(&case.record, &options(case.checklist));
        check_junit(&case.name, &case.record, &xml);
        // The plain entry point, which CI mode calls, gives the same shape.
        check_junit(&case.name, &case.record, &report::junit(&case.record));
    }
}

fn check_junit(name: &str, record: &Record, xml: &str) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{name}: {e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites", "{name}");
    let suites: Vec<roxmltree::Node> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let phases: Vec<&str> = record.items.iter().fold(Vec::new(), |mut v, item| {
        if !v.contains(&item.phase.as_ref()) {
            v.push(&item.phase);
        }
        v
    });
    assert_eq!(suites.len(), phases.len(), "{name}: a suite per phase");
    let cases: Vec<roxmltree::Node> = suites
        .iter()
        .flat_map(|s| s.children().filter(|n| n.has_tag_name("testcase")))
        .collect();
    assert_eq!(cases.len(), record.items.len(), "{name}: a case per item");
    for suite in &suites {
        let mut names = std::collections::HashSet::new();
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            let case_name = case.attribute("name").unwrap();
            assert!(names.insert(case_name), "{name}: {case_name} twice");
        }
    }
    let count = |statuses: &[Status]| {
        record
            .items
            .iter()
            .filter(|item| statuses.contains(&item.status))
            .count()
    };
    let failures = count(&[Status::Failed, Status::Occurred]);
    let skipped = count(&[
        Status::Skipped,
        Status::NotApplicable,
        Status::NotNeeded,
        Status::NotRun,
        Status::Pending,
    ]);
    let attr = |node: &roxmltree::Node, name: &str| -> usize {
        node.attribute(name).unwrap().parse().unwrap()
    };
    assert_eq!(attr(&root, "tests"), record.items.len(), "{name}");
    assert_eq!(attr(&root, "failures"), failures, "{name}");
    assert_eq!(attr(&root, "skipped"), skipped, "{name}");
    let has = |case: &roxmltree::Node, tag: &str| case.children().any(|n| n.has_tag_name(tag));
    assert_eq!(cases.iter().filter(|c| has(c, "failure")).count(), failures);
    assert_eq!(cases.iter().filter(|c| has(c, "skipped")).count(), skipped);
    for (case, item) in cases.iter().zip(&record.items) {
        assert_eq!(case.attribute("classname"), Some(item.phase.as_ref()));
        let properties: Vec<(&str, &str)> = case
            .children()
            .filter(|n| n.has_tag_name("properties"))
            .flat_map(|p| p.children().filter(|n| n.has_tag_name("property")))
            .map(|p| (p.attribute("name").unwrap(), p.attribute("value").unwrap()))
            .collect();
        assert!(
            properties.contains(&("id", item.id.as_ref())),
            "{name}: {properties:?}"
        );
        assert!(properties.contains(&("line", item.line.to_string().as_str())));
        // The text as written, and the id too when another item's is the
        // same: never a value, so a name is the same from release to
        // release.
        let text = item.text.clone();
        let shared = record
            .items
            .iter()
            .filter(|other| other.text == text)
            .count()
            > 1;
        let expected = if shared {
            format!("{text} ({})", item.id)
        } else {
            text.to_string()
        };
        assert_eq!(case.attribute("name"), Some(expected.as_str()), "{name}");
        let path = record.checklist.origin.display();
        let file = path.trim_end_matches(" (bundled)");
        assert_eq!(case.attribute("file"), Some(file), "{name}");
        assert_eq!(
            case.attribute("line"),
            Some(item.line.to_string().as_str()),
            "{name}"
        );
        match &item.rare.command {
            Some(command) => {
                let time: f64 = case.attribute("time").unwrap().parse().unwrap();
                assert!((time - command.duration_seconds).abs() < 0.001);
            }
            None => assert_eq!(case.attribute("time"), None),
        }
        if item.status == Status::Failed
            && let Some(command) = &item.rare.command
        {
            let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
            let body = failure.text().unwrap_or("");
            assert!(body.contains(command.output.trim_end()), "{body}");
            assert!(failure.attribute("message").unwrap().contains("waived"));
        }
    }
}

// ---------------------------------------------------------------------------
// Text fits a terminal

/// A record whose every free-text part is too long for a line, with words
/// longer than a line.
fn long_winded() -> Record {
    let mut record = records::waived();
    let long = "a very long sentence that goes on and on about the deployment ".repeat(4);
    let word = "x".repeat(130);
    record.checklist.title = long.clone();
    record.checklist.origin = relcheck::record::Origin::File {
        file: format!("/srv/{word}/checklist.md"),
    };
    record.run.operator = word.clone();
    record
        .values
        .insert("version".into(), format!("{long} {word}"));
    record
        .values
        .insert("a-variable-with-a-name-that-is-long".into(), long.clone());
    for item in &mut record.items {
        item.text = format!("{} {long}", item.text).into();
        if item.status == Status::Failed {
            item.rare.note = Some(format!("{long}\n{word}\n\nlast line"));
            if let Some(command) = &mut item.rare.command {
                command.command = format!("{word} | {long}");
                command.output = format!("{word}\n{long}\n");
            }
        }
    }
    record.gates[0].reason = Some(format!("{long}{word}"));
    for signoff in &mut record.signoffs {
        signoff.role = long.clone();
        signoff.name = word.clone();
        signoff.comment = Some(long.clone());
    }
    record.signoffs[1].at += chrono::Duration::days(2);
    record
}

#[test]
fn every_text_line_fits_80_columns() {
    let mut records: Vec<(String, Record, &str)> = cases()
        .into_iter()
        .map(|c| (c.name, c.record, c.checklist))
        .collect();
    records.push(("long".into(), long_winded(), "production-deploy.md"));
    for (name, record, checklist) in &records {
        for failed in [false, true] {
            for color in [false, true] {
                let options = Options {
                    failed_only: failed,
                    style: Style { color },
                    ..options(checklist)
                };
                let out = text::text(record, &options);
                let plain = console::strip_ansi_codes(&out);
                for line in plain.lines() {
                    assert!(
                        line.chars().count() <= text::WIDTH,
                        "{name} (failed {failed}, colour {color}): {} columns:\n{line}",
                        line.chars().count()
                    );
                }
            }
        }
    }
    let long = text::text(&long_winded(), &options("production-deploy.md"));
    assert!(long.contains("last line"), "long text is wrapped, not cut");
}

// ---------------------------------------------------------------------------
// Escaping

#[test]
fn markdown_keeps_tables_whole_and_user_text_inert() {
    let mut record = records::waived();
    record.checklist.title = "Deploy | *all* <b>".into();
    record.values.insert("version".into(), "2.4|rc1".into());
    record.signoffs[0].name = "Grace | Ops".into();
    record.signoffs[0].comment = Some("fine `but` | odd\nsecond line".into());
    let out = markdown::markdown(&record, &options("production-deploy.md"));
    let mut columns = None;
    for line in out.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let pipes = line
            .char_indices()
            .filter(|(i, c)| *c == '|' && !line[..*i].ends_with('\\'))
            .count();
        match columns {
            None => columns = Some(pipes),
            Some(n) => assert_eq!(pipes, n, "a table row keeps its columns:\n{line}"),
        }
    }
    assert!(out.contains("| Grace \\| Ops |"), "{out}");
    assert!(out.contains("fine \\`but\\` \\| odd<br>second line"));
    assert!(out.contains("# Deploy \\| \\*all\\* &lt;b&gt;: SUCCESS"));
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt; read by \\*\\*Sam\\*\\*"));
    // The address in the note is an autolink; the rest stays inert.
    assert!(
        out.contains("read by \\*\\*Sam\\*\\* \\| \\[link\\](<http://x>)"),
        "{out}"
    );
    assert!(!out.contains("<script>"));
}

#[test]
fn html_shows_user_text_as_text() {
    let mut record = records::waived();
    record.signoffs[0].name = "<img src=x onerror=alert(2)>".into();
    record
        .values
        .insert("version".into(), "\"><script>alert(3)</script>".into());
    let page = html::html(&record, &options("production-deploy.md"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(page.contains("&quot;&gt;&lt;script&gt;alert(3)"));
    assert!(!page.contains("<script"), "no script element at all");
    assert!(!page.contains("<img"));
    // Self-contained: nothing is fetched. The links are the timeline's,
    // to items on the page itself, and the one address in a note, which
    // opens apart from the page.
    for fetch in [" src=\"", "url(", "@import", "<link"] {
        assert!(!page.contains(fetch), "{fetch}");
    }
    assert!(
        page.contains(" href=\"#item-"),
        "the timeline links to items"
    );
    let note_link = "[link](<a href=\"http://x\" rel=\"noopener\" target=\"_blank\">http://x</a>)";
    assert!(page.contains(note_link), "{page}");
    assert_eq!(
        page.matches(" href=").count(),
        page.matches(" href=\"#item-").count() + 1
    );
}

// ---------------------------------------------------------------------------
// The command

fn save(dir: &Path, name: &str, record: &Record) -> PathBuf {
    let path = dir.join(name);
    record.save(&path).unwrap();
    path
}

#[test]
fn report_renders_the_newest_record_or_the_one_named() {
    let dir = tempfile::tempdir().unwrap();
    let older = records::run_at(
        "hotfix.md",
        &Plan::default(),
        records::start() - chrono::Duration::days(1),
        "Ada",
    );
    let newer = records::rolled_back();
    // File names sort the other way round: newest is by the run's start.
    save(dir.path(), "b-older.yaml", &older);
    let newer_path = save(dir.path(), "a-newer.yaml", &newer);
    let records_dir = dir.path().to_str().unwrap();

    let out = relcheck(&["report", "--records-dir", records_dir]).run();
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(
        out.stdout,
        text::text(&newer, &options("production-deploy.md"))
    );
    let by_env = relcheck(&["report"])
        .env("RELCHECK_RECORDS_DIR", records_dir)
        .run();
    assert_eq!(by_env.stdout, out.stdout);

    let json = relcheck(&["report", newer_path.to_str().unwrap(), "--format", "json"]).run();
    assert_eq!(json.code, 0);
    let back: Record = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(back, newer);

    let markdown = relcheck(&[
        "report",
        newer_path.to_str().unwrap(),
        "--format",
        "markdown",
        "--failed",
    ])
    .run();
    assert_eq!(
        markdown.stdout,
        markdown::markdown(&newer, &failed_only("production-deploy.md"))
    );
}

#[test]
fn report_writes_a_file_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let record = records::waived();
    let path = save(dir.path(), "run.yaml", &record);
    for (format, name) in [
        ("junit", "report.xml"),
        ("html", "report.html"),
        ("text", "report.txt"),
    ] {
        let file = dir.path().join(name);
        let out = relcheck(&[
            "report",
            path.to_str().unwrap(),
            "--format",
            format,
            "-o",
            file.to_str().unwrap(),
        ])
        .run();
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, "", "")
        );
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(!written.contains('\u{1b}'), "a file gets no colour");
        let options = options("production-deploy.md");
        let expected = match format {
            "junit" => junit::junit_with(&record, &options),
            "html" => html::html(&record, &options),
            _ => text::text(&record, &options),
        };
        assert_eq!(written, expected);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new(), "no temporary files left");
}

#[test]
fn report_of_a_missing_or_broken_record_exits_3_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    let out = relcheck(&["report", missing.to_str().unwrap()]).run();
    assert_eq!(out.code, 3);
    assert!(
        out.stderr.contains(missing.to_str().unwrap()),
        "{}",
        out.stderr
    );

    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "schema: relcheck/record/v1\nitems: 7\n").unwrap();
    let out = relcheck(&["report", broken.to_str().unwrap(), "--format", "html"]).run();
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("broken.yaml"), "{}", out.stderr);
    assert_eq!(out.stdout, "");

    let empty = tempfile::tempdir().unwrap();
    let out = relcheck(&["report", "--records-dir", empty.path().to_str().unwrap()]).run();
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("no records"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------
// In a browser

/// Headless Chromium, or `None` with a note when it is not installed and
/// this is not CI, where it must be.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|path| path.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (the Debian package) for the browser test"
        );
        eprintln!("note: chromium is not installed; skipping the browser test");
    }
    found
}

fn browse(chromium: &Path, page: &Path, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new("timeout")
        .arg("120")
        .arg(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Text as the browser serialises it in the DOM.
fn dom_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

#[test]
fn the_html_report_in_a_browser() {
    let Some(chromium) = chromium() else { return };
    // Screenshots are kept beside the build to look at.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tempfile::tempdir().unwrap();
    for (name, record) in [
        ("waived", records::waived()),
        ("rolled-back", records::rolled_back()),
    ] {
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(&page, html::html(&record, &options("production-deploy.md"))).unwrap();
        let dom = browse(&chromium, &page, &["--dump-dom"]);
        assert!(
            dom.contains(&format!(
                "<title>Production Deployment — {}</title>",
                report::banner(record.run.outcome)
            )),
            "{dom}"
        );
        assert!(dom.contains(&format!(
            "<p class=\"outcome\">{}</p>",
            report::banner(record.run.outcome)
        )));
        assert!(dom.contains("<h1>Production Deployment</h1>"));
        assert!(dom.contains("<section id=\"timeline\">"));
        assert!(dom.contains("<svg class=\"timeline\""));
        // A bar per phase something was answered in (in a rollback, the
        // wrap-up is not needed: nothing answered there), and the wait.
        let bars = if name == "waived" { 6 + 1 } else { 5 + 1 };
        assert_eq!(dom.matches("<rect class=\"bar ").count(), bars);
        for item in &record.items {
            let text = relcheck::template::fill(&item.text, &record.values);
            assert!(dom.contains(&dom_text(&text)), "the page shows {text}");
        }
        for signoff in &record.signoffs {
            assert!(dom.contains(&format!("<td>{}</td>", dom_text(&signoff.name))));
        }
        if name == "waived" {
            assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assert!(!dom.contains("<script"), "the note stays text");
            assert!(dom.contains("class=\"gate\""));
        } else {
            assert!(dom.contains("class=\"rollback\""));
        }
        let shot = keep.join(format!("report-{name}.png"));
        let _ = std::fs::remove_file(&shot);
        browse(
            &chromium,
            &page,
            &[
                &format!("--screenshot={}", shot.display()),
                "--window-size=1280,2000",
            ],
        );
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a screenshot was taken");
        assert!(png.len() > 20_000, "the screenshot shows something");
    }
}

/// A record says by itself what was asked: every format of `relcheck
/// report` is the same once the checklist it was made from is gone.
#[test]
fn a_report_needs_no_checklist() {
    let names = bundled::ALL
        .iter()
        .map(|b| b.file_name)
        .chain(FIXTURES.iter().copied());
    for name in names {
        let dir = tempfile::tempdir().unwrap();
        let text = match bundled::find(name) {
            Some(bundled) => bundled.text.to_string(),
            None => std::fs::read_to_string(crate::support::fixture(name)).unwrap(),
        };
        let file = dir.path().join(name);
        std::fs::write(&file, &text).unwrap();
        let source = relcheck::source::Source::read(&file).unwrap();
        let checklist = relcheck::parse::parse(&source).checklist;
        let record = records::run_checklist(&checklist, &Plan::default(), records::start(), "Ada");
        assert!(record.checklist.source.is_some(), "{name}");
        let path = save(dir.path(), "r", &record);
        let reports = || -> Vec<String> {
            ["text", "markdown", "html", "json", "junit"]
                .iter()
                .map(|format| {
                    let out = relcheck(&["report", path.to_str().unwrap(), "--format", format])
                        .cwd(dir.path())
                        .run();
                    assert_eq!(out.code, 0, "{name} {format}: {}", out.stderr);
                    out.stdout
                })
                .collect()
        };
        let with = reports();
        // The titles are the checklist's, not ones made from ids.
        let first = &checklist.phases[0];
        assert!(with[0].contains(&first.title), "{name}: {}", first.title);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(reports(), with, "{name}");
    }
}

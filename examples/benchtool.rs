//! The benchmark harness's helper (`scripts/bench` drives it; BENCHMARKS.md
//! has the numbers). Not part of relcheck: it generates inputs, times what
//! a process cannot be timed on from outside, and reads hyperfine's JSON.
//!
//! ```text
//! benchtool gen ITEMS DIR          checklist-ITEMS.md and answers-ITEMS.yaml
//! benchtool floor FILE             a bare pulldown-cmark pass over FILE
//! benchtool save ITEMS DIR         answer-to-durable latency of an interactive run
//! benchtool stress KIND FILE       an input far past real use (see `stress`)
//! benchtool copies RECORD N DIR    N records like RECORD, a day's runs apart
//! benchtool median JSON...         hyperfine --export-json results as TSV
//! ```

use std::cell::Cell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use relcheck::model::{Checklist, Kind, When};
use relcheck::prompt::{
    Action, GateAnswer, GateView, ItemView, Overview, Prompter, Reply, Scripted, ScriptedPrompter,
    SignoffAnswer, StartView, Summary, ValueRequest, WaitEnd, WaitView,
};
use relcheck::record::{Changes, Decision, Mode, Record, RecordFile, Sink};
use relcheck::session::{Options, Session, SystemClock};
use relcheck::source::Source;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["gen", items, dir] => generate(parse_count(items), Path::new(dir)),
        ["floor", file] => floor(Path::new(file)),
        ["save", items, dir] => save_latency(parse_count(items), Path::new(dir)),
        ["stress", kind, file] => stress(kind, Path::new(file)),
        ["copies", record, count, dir] => copies(Path::new(record), parse_count(count), Path::new(dir)),
        ["median", files @ ..] if !files.is_empty() => medians(files),
        _ => Err(
            "usage: benchtool gen ITEMS DIR | floor FILE | save ITEMS DIR | stress KIND FILE | copies RECORD N DIR | median JSON..."
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("benchtool: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_count(text: &str) -> usize {
    text.replace([',', '_'], "").parse().unwrap_or_else(|_| {
        eprintln!("benchtool: `{text}` is not a number of items");
        std::process::exit(2)
    })
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|err| format!("{}: {err}", path.display()))
}

// ---------------------------------------------------------------------------
// Inputs

/// The sign-off roles of a generated checklist: a fixed few at the end, as
/// in real ones, however long the checklist.
const ROLES: [&str; 4] = [
    "Release Manager",
    "Service Owner",
    "QA Lead",
    "On-call Engineer",
];

/// Release details at the top: fields, one with choices.
const FIELDS: [&str; 4] = [
    "- **Change ticket**: ___",
    "- **Release manager**: ___",
    "- **Deployment strategy**: rolling / canary / blue-green",
    "- **Status channel**: ___",
];

/// One service's deployment, repeated (with its number) until the
/// checklist has as many items as asked: sections of checks with inline
/// markup, commands, annotations, a monitoring wait, rollback triggers,
/// rollback steps and success-only wrap-up.
const SECTIONS: &[(&str, Option<&str>, &[&str])] = &[
    (
        "Pre-Deployment Checks",
        None,
        &[
            "- [ ] Change ticket for **svc-{n}** approved and the window booked <!-- relcheck: id=svc-{n}-approved -->",
            "- [ ] Release notes for {{version}} read by the [on-call engineer](https://wiki.example.com/oncall/svc-{n})",
            "- [ ] Artifact `svc-{n}-{{version}}.tar.gz` built from a tagged, reviewed commit <!-- relcheck: id=svc-{n}-artifact timeout=60 -->\n  ```sh\n  test -n {{version}} && printf 'artifact svc-{n} %s\\n' {{version}}\n  ```",
            "- [ ] Staging runs {{version}} and its *smoke tests* passed",
            "- [ ] Database backup taken and a restore tested (if applicable)",
            "- [ ] Feature flags for svc-{n} set to their launch state (optional)",
            "- [ ] Free disk on {{environment}} checked\n  ```sh\n  df -P /tmp\n  ```",
        ],
    ),
    (
        "Rollout",
        None,
        &[
            "- [ ] Deployment of svc-{n} {{version}} to {{environment}} started <!-- relcheck: timeout=5m -->\n  ```sh\n  printf 'deploying svc-{n} %s to %s\\n' {{version}} {{environment}}\n  ```",
            "- [ ] Canary instances serve {{version}} without ~~new~~ errors",
            "- [ ] Rollout reached every instance of `svc-{n}`",
            "- [ ] No instance stuck restarting or failing its readiness probe",
        ],
    ),
    (
        "Health Checks",
        None,
        &[
            "- [ ] Health endpoint of svc-{n} reports {{version}}",
            "- [ ] Error rate and latency watched for 15 minutes after full rollout <!-- relcheck: wait=15m -->",
            "- [ ] Dashboards show no regression against the **pre-deployment** baseline",
            "- [ ] Logs show no new kinds of errors since the rollout",
        ],
    ),
    (
        "Rollback Triggers",
        None,
        &[
            "- [ ] Error rate of svc-{n} above twice the baseline for 5 minutes",
            "- [ ] p99 latency above the service objective for 5 minutes",
        ],
    ),
    (
        "Rollback Steps",
        Some("If rollback required:"),
        &[
            "- [ ] Rollback of svc-{n} announced in the status channel",
            "- [ ] Previous version redeployed to {{environment}}\n  ```sh\n  printf 'rolling back svc-{n}\\n'\n  ```",
            "- [ ] Health checks pass on the previous version",
        ],
    ),
    (
        "Wrap-Up",
        Some("If the deployment was successful:"),
        &[
            "- [ ] Release {{version}} of svc-{n} marked as deployed in the change ticket",
            "- [ ] Follow-up tickets filed for anything that did not go to plan",
        ],
    ),
];

/// A checklist of exactly `items` items (at least 8: the fields and the
/// sign-offs), in the shape of a real deployment checklist.
pub fn checklist_text(items: usize) -> String {
    let fixed = FIELDS.len() + ROLES.len();
    let mut left = items.saturating_sub(fixed);
    let mut out = String::new();
    out.push_str(
        "# Release Train Deployment\n\nShip every service of the release train, with the way back ready before anything changes. Each service has its own phase: prepare, roll out, verify, decide, then finish or roll back. Run it with `relcheck run`.\n\n## Release Information\n\n",
    );
    for field in FIELDS {
        out.push_str(field);
        out.push('\n');
    }
    let mut n = 0;
    while left > 0 {
        n += 1;
        let _ = write!(out, "\n## Service {n}: svc-{n}\n");
        for (s, (title, lead, lines)) in SECTIONS.iter().enumerate() {
            if left == 0 {
                break;
            }
            let _ = write!(out, "\n### {n}.{} {title}\n\n", s + 1);
            if let Some(lead) = lead {
                out.push_str(lead);
                out.push_str("\n\n");
            }
            for line in lines.iter().take(left) {
                out.push_str(&line.replace("{n}", &n.to_string()));
                out.push('\n');
                left -= 1;
            }
        }
    }
    out.push_str("\n## Sign-off\n\n");
    for role in ROLES {
        let _ = writeln!(out, "- **{role}**: [Name] - [Date]");
    }
    out
}

fn parsed(text: &str) -> Result<Checklist, String> {
    let source = Source::from_text("bench.md", text);
    let parsed = relcheck::parse::parse(&source);
    if parsed.checklist.items().next().is_none() {
        return Err("the generated checklist has no items".to_string());
    }
    Ok(parsed.checklist)
}

/// An answers file that settles every item a run asks (rollback steps are
/// not asked: no rollback is called), so the run ends in success.
fn answers_text(checklist: &Checklist) -> String {
    let mut out = String::from("values:\n  version: \"1.4.2\"\n  environment: production\n");
    let mut items = String::from("items:\n");
    let mut signoffs = String::from("signoffs:\n");
    for (_, section, item) in checklist.items() {
        if section.when == When::Rollback {
            continue;
        }
        match item.kind {
            Kind::Field => {
                let value = item.rare.choices.first().map_or("CHG-1234", String::as_str);
                let _ = writeln!(out, "  {}: {value}", item.id);
            }
            Kind::Check => {
                let _ = writeln!(items, "  {}: done", item.id);
            }
            Kind::Trigger => {
                let _ = writeln!(items, "  {}: not-occurred", item.id);
            }
            Kind::Signoff => {
                let role = item.rare.role.as_deref().unwrap_or(&item.text);
                let _ = writeln!(signoffs, "  {role}: {{name: Jane Doe, decision: approve}}");
            }
        }
    }
    out + &items + &signoffs
}

fn generate(items: usize, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let text = checklist_text(items);
    let checklist = parsed(&text)?;
    let count = checklist.items().count();
    if count != items.max(FIELDS.len() + ROLES.len()) {
        return Err(format!("asked for {items} items, made {count}"));
    }
    let md = dir.join(format!("checklist-{items}.md"));
    let answers = dir.join(format!("answers-{items}.yaml"));
    write(&md, &text)?;
    write(&answers, &answers_text(&checklist))?;
    println!("{}\t{count} items\t{} bytes", md.display(), text.len());
    Ok(())
}

// ---------------------------------------------------------------------------
// The floor

/// Reads the file and makes one pass of pulldown-cmark over it with the
/// options relcheck's reader uses, touching every event: what any parser
/// built on pulldown-cmark must at least do.
fn floor(path: &Path) -> Result<(), String> {
    use pulldown_cmark::{Options, Parser};
    let text = std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))?;
    let options = Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES;
    let events = Parser::new_ext(&text, options)
        .into_offset_iter()
        .fold(0usize, |n, (_, range)| {
            n + (range.end > range.start) as usize
        });
    println!("{events} events");
    Ok(())
}

// ---------------------------------------------------------------------------
// Interactive save latency

/// When the last answer left the prompter, and whether it was a
/// sign-off's: a sign-off binds the record's parts, so its save is timed
/// apart from the others.
type Stamp = Rc<Cell<Option<(Instant, bool)>>>;

/// The scripted prompter, noting when each answer leaves it.
struct Timed {
    inner: ScriptedPrompter,
    answered: Stamp,
}

impl Timed {
    fn stamp<T>(&self, reply: Reply<T>) -> Reply<T> {
        self.answered.set(Some((Instant::now(), false)));
        reply
    }
}

impl Prompter for Timed {
    fn start(&mut self, view: &StartView) {
        self.inner.start(view);
    }
    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>> {
        let reply = self.inner.ask_value(request);
        self.stamp(reply)
    }
    fn ask_item(&mut self, view: &ItemView) -> Reply<Action> {
        let reply = self.inner.ask_item(view);
        self.stamp(reply)
    }
    fn ask_field(&mut self, view: &ItemView, request: &ValueRequest) -> Reply<Action> {
        let reply = self.inner.ask_field(view, request);
        self.stamp(reply)
    }
    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action> {
        let reply = self.inner.ask_signoff(view);
        self.answered.set(Some((Instant::now(), true)));
        reply
    }
    fn ask_gate(&mut self, view: &GateView) -> Reply<GateAnswer> {
        let reply = self.inner.ask_gate(view);
        self.stamp(reply)
    }
    fn ask_rollback_needed(&mut self, phase: &str) -> Reply<bool> {
        let reply = self.inner.ask_rollback_needed(phase);
        self.stamp(reply)
    }
    fn wait(&mut self, view: &WaitView, interrupted: &AtomicBool) -> Reply<WaitEnd> {
        self.inner.wait(view, interrupted)
    }

    fn overview(&mut self, view: &Overview) -> Reply<()> {
        self.inner.overview(view)
    }
    fn finish(&mut self, summary: &Summary) {
        self.inner.finish(summary);
    }
}

/// The real record file, durable (fsync per answer), timing each save
/// from the answer that caused it.
struct TimedSink {
    inner: RecordFile,
    answered: Stamp,
    appends: Vec<Duration>,
    wholes: Vec<Duration>,
    /// Sign-off answers (in `appends` or `wholes` too).
    signoffs: Vec<Duration>,
}

impl TimedSink {
    fn note(&mut self, whole: bool) {
        if let Some((at, signoff)) = self.answered.take() {
            let took = at.elapsed();
            if signoff {
                self.signoffs.push(took);
            }
            if whole {
                self.wholes.push(took);
            } else {
                self.appends.push(took);
            }
        }
    }
}

impl Sink for TimedSink {
    fn wants_whole(&self) -> bool {
        self.inner.wants_whole()
    }
    fn save(&mut self, record: &Record) -> anyhow::Result<()> {
        self.inner.save(record)?;
        self.note(true);
        Ok(())
    }
    fn append(&mut self, record: &Record, changes: &Changes<'_>) -> anyhow::Result<()> {
        self.inner.append(record, changes)?;
        self.note(false);
        Ok(())
    }
}

/// The answers a person would give, in the order the engine asks.
fn script(checklist: &Checklist) -> Vec<Scripted> {
    let mut script: Vec<Scripted> = checklist
        .variables
        .iter()
        .map(|name| Scripted::Value(format!("{name}-value")))
        .collect();
    for (_, section, item) in checklist.items() {
        if section.when == When::Rollback {
            continue;
        }
        script.push(match item.kind {
            Kind::Field => Scripted::Value(
                item.rare
                    .choices
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "CHG-1234".to_string()),
            ),
            Kind::Check => Scripted::Do(Action::Done { note: None }),
            Kind::Trigger => Scripted::Do(Action::NotOccurred),
            Kind::Signoff => Scripted::Do(Action::Signoff(SignoffAnswer {
                name: "Jane Doe".to_string(),
                decision: Decision::Approve,
                comment: None,
            })),
        });
    }
    script
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(samples: &mut [Duration]) -> String {
    if samples.is_empty() {
        return "none".to_string();
    }
    // A handful (the sign-offs) is listed whole, in the order given.
    if samples.len() <= 8 {
        let each: Vec<String> = samples
            .iter()
            .map(|d| format!("{:.2} ms", millis(*d)))
            .collect();
        return format!("n={} each {}", samples.len(), each.join(", "));
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    format!(
        "n={} median={:.2} ms p95={:.2} ms p99={:.2} ms max={:.2} ms",
        samples.len(),
        millis(at(0.5)),
        millis(at(0.95)),
        millis(at(0.99)),
        millis(at(1.0))
    )
}

fn save_latency(items: usize, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let checklist = parsed(&checklist_text(items))?;
    let path: PathBuf = dir.join(format!("save-{items}.yaml"));
    let _ = std::fs::remove_file(&path);
    let answered: Stamp = Rc::new(Cell::new(None));
    let mut prompter = Timed {
        inner: ScriptedPrompter::new(script(&checklist)),
        answered: Rc::clone(&answered),
    };
    let mut sink = TimedSink {
        inner: RecordFile::new(&path, true),
        answered,
        appends: Vec::new(),
        wholes: Vec::new(),
        signoffs: Vec::new(),
    };
    let clock = SystemClock;
    let interrupted = AtomicBool::new(false);
    let options = Options {
        operator: "Bench".to_string(),
        host: "bench".to_string(),
        mode: Mode::Interactive,
        preset: Default::default(),
        command_timeout: Duration::from_secs(60),
        unattended: false,
    };
    let started = Instant::now();
    let mut session = Session::start(&checklist, &clock, options, &interrupted, "bench".into());
    let ending = session
        .run(&mut prompter, &relcheck::exec::Fake::default(), &mut sink)
        .map_err(|err| format!("{err:#}"))?;
    let total = started.elapsed();
    let mut all: Vec<Duration> = sink.appends.iter().chain(&sink.wholes).copied().collect();
    println!(
        "save {items}: {ending:?} in {:.2} s; every answer: {}; appended: {}; whole rewrites: {}; sign-offs: {}",
        total.as_secs_f64(),
        stats(&mut all),
        stats(&mut sink.appends),
        stats(&mut sink.wholes),
        stats(&mut sink.signoffs)
    );
    let record = Record::load(&path).map_err(|err| format!("{err:#}"))?;
    if relcheck::record::check_digest(&record)
        != relcheck::record::DigestCheck::Matches(relcheck::record::digest(&record))
    {
        return Err("the saved record's digest does not match".to_string());
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// A folder of records, for `history`

/// `count` records like the one at `record`, each its own run (id, start
/// times an hour apart) and sealed, so each is intact: a team's year of
/// runs of one checklist, for `history` to list.
fn copies(record: &Path, count: usize, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let mut record = Record::load(record).map_err(|err| format!("{err:#}"))?;
    let started = record.run.started;
    let finished = record.run.finished;
    for n in 0..count {
        let shift = chrono::Duration::hours(n as i64);
        record.run.id = format!("bench-{n}");
        record.run.started = started - shift;
        record.run.finished = finished.map(|at| at - shift);
        relcheck::record::seal(&mut record);
        let path = dir.join(format!("run-{n:05}.yaml"));
        record.save(&path).map_err(|err| format!("{err:#}"))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Inputs far past real use

/// `big`: 200 MB of checklist; `line`: one 10 MB line; `nested`: 100,000
/// nested list levels (each level on its own line would take 10 GB of
/// indentation, so they are `- - - ...` on one line, then a blockquote of
/// as many levels); `headings`: 1,000,000 headings, each with an item;
/// `annotations`: 40,000 items, each with an unknown annotation key;
/// `variables`: 200,000 distinct `{{variables}}` in one command, each in
/// double quotes (a warning each).
fn stress(kind: &str, path: &Path) -> Result<(), String> {
    let text = match kind {
        "big" => {
            let block = checklist_text(1000);
            let copies = 200 * 1024 * 1024 / block.len() + 1;
            block.repeat(copies)
        }
        "line" => {
            let mut text = String::from("# Long line\n\n- [ ] ");
            while text.len() < 10 * 1024 * 1024 {
                text.push_str("a **very** long `line` of [text](x) ");
            }
            text.push('\n');
            text
        }
        "nested" => {
            let mut text = String::from("# Nested\n\n");
            text.push_str(&"- ".repeat(100_000));
            text.push_str("[ ] deepest\n\n");
            text.push_str(&"> ".repeat(100_000));
            text.push_str("- [ ] quoted\n\n");
            text.push_str(&"1. ".repeat(100_000));
            text.push_str("[ ] numbered\n");
            text
        }
        "headings" => {
            let mut text = String::from("# Many headings\n");
            for n in 0..1_000_000 {
                let _ = write!(text, "## H{}\n- [ ] i\n", n % 1000);
            }
            text
        }
        "annotations" => {
            let mut text = String::from("# Many annotations\n\n");
            for n in 0..40_000 {
                let _ = writeln!(text, "- [ ] Item {n} <!-- relcheck: bogus{n}=1 -->");
            }
            text
        }
        "variables" => {
            let mut text = String::from("# Many variables\n\n- [ ] Deployed\n  ```sh\n  echo");
            for n in 0..200_000 {
                let _ = write!(text, " \"{{{{v{n}}}}}\"");
            }
            text.push_str("\n  ```\n");
            text
        }
        // Lines of nothing, just under the checklist limit: each line is
        // counted, and a per-line list costs memory even for an empty one.
        "blank" => {
            let mut text = String::from("# Blank lines\n\n- Only step\n");
            text.push_str(&"\n".repeat(30 * 1024 * 1024));
            text
        }
        other => {
            return Err(format!(
                "unknown stress input `{other}`: big, line, nested, headings, annotations, variables, blank"
            ));
        }
    };
    write(path, &text)?;
    println!("{}\t{} bytes", path.display(), text.len());
    Ok(())
}

// ---------------------------------------------------------------------------
// hyperfine's JSON

/// One line per command: the median, mean, σ, min and max in ms, and the
/// number of runs.
fn medians(files: &[&str]) -> Result<(), String> {
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|err| format!("{file}: {err}"))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|err| format!("{file}: {err}"))?;
        let results = json["results"].as_array().cloned().unwrap_or_default();
        for result in results {
            let ms = |key: &str| result[key].as_f64().unwrap_or(f64::NAN) * 1000.0;
            let runs = result["times"].as_array().map_or(0, Vec::len);
            println!(
                "{}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{runs}",
                result["command"].as_str().unwrap_or("?"),
                ms("median"),
                ms("mean"),
                ms("stddev"),
                ms("min"),
                ms("max"),
            );
        }
    }
    Ok(())
}

//! `relcheck run` and `relcheck resume`: who is running, where the record
//! goes, the lock, the signals, and which prompter answers; then the
//! session engine does the rest.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::answers::{Answers, AnswersFile};
use crate::exec::{DEFAULT_TIMEOUT, Executor, Shell};
use crate::exit::{Code, error};
use crate::interrupt::{self, Guarded};
use crate::model::Checklist;
use crate::notify::Delivery;
use crate::record::{Changes, Lock, Mode, Outcome, Record, RecordFile, Sink};
use crate::records::{checklist_source, embedded_source, newest_in_progress, records_dir};
use crate::session::{Ending, Options, Session, SystemClock};
use crate::source::Source;
use crate::style::Style;
use crate::term::Terminal;

mod preflight;
mod presets;

use preflight::{require_rollback_question, require_values, runnable};
pub use presets::presets;

/// Settings shared by `run` and `resume`.
pub struct Settings {
    pub color: crate::cli::ColorChoice,
    /// `resume --checklist`: where the checklist is now.
    pub checklist: Option<String>,
    pub operator: Option<String>,
    pub records_dir: Option<PathBuf>,
    pub set: Vec<String>,
    /// relcheck.toml's `[set]`: what `--set` is not given.
    pub presets: Vec<crate::project::Preset>,
    pub style: Style,
    /// `--commit`: the record goes into git when the run stops.
    pub commit: bool,
    /// `--notify` URLs.
    pub notify: Vec<String>,
}

/// The record file, saved under the save lock so a signal never exits
/// half-way through a write.
pub struct FileSink(pub RecordFile);

/// Where a run's answers go and what follows them: the record and the lock
/// held on it (`new` when this run made it), whether it is committed to git
/// when the run stops, and the notifications under way.
struct Destination<'a> {
    path: &'a Path,
    lock: Lock,
    new: bool,
    commit: bool,
    delivery: Option<Delivery>,
}

impl Sink for FileSink {
    fn wants_whole(&self) -> bool {
        self.0.wants_whole()
    }

    fn save(&mut self, record: &Record) -> anyhow::Result<()> {
        let _guard = interrupt::SAVING.lock();
        self.0.save(record)
    }

    fn append(&mut self, record: &Record, changes: &Changes<'_>) -> anyhow::Result<()> {
        let _guard = interrupt::SAVING.lock();
        self.0.append(record, changes)
    }
}

/// The operator: `--operator`, `RELCHECK_OPERATOR`, git's user.name,
/// `$USER`.
pub fn operator(flag: Option<String>) -> String {
    flag.filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::var("RELCHECK_OPERATOR")
                .ok()
                .filter(|s| !s.trim().is_empty())
        })
        .or_else(|| crate::system::git_config("user.name"))
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        // Recorded with every answer and shown on every screen: text only.
        .map(|name| crate::printable::printable(&name).into_owned())
        .unwrap_or_else(|| "unknown".to_string())
}

/// `unattended` is the command to use without a terminal.
fn require_terminal(unattended: &str) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(error(
            Code::Usage,
            format!(
                "standard input is not a terminal, so nobody can answer; in a pipeline use `{unattended}`"
            ),
        ));
    }
    Ok(())
}

/// Maps how a run ended to the exit code, telling the user how to go on.
fn exit_code(
    ending: Ending,
    record: &Record,
    path: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    let resume = format!("resume with: relcheck resume {}", path.display());
    Ok(match ending {
        // A called rollback fails the job whatever else is left.
        Ending::Finished(_) if record.rollback.is_some() => {
            writeln!(out, "record: {}", path.display())?;
            Code::Failed
        }
        Ending::Finished(outcome) => {
            writeln!(out, "record: {}", path.display())?;
            match outcome {
                Outcome::Success => Code::Success,
                Outcome::RolledBack | Outcome::Failed => Code::Failed,
                Outcome::Aborted
                | Outcome::Incomplete
                | Outcome::InProgress
                | Outcome::RollingBack => Code::Incomplete,
            }
        }
        Ending::Paused => {
            writeln!(out, "saved: {}\n{resume}", path.display())?;
            Code::Incomplete
        }
        Ending::Interrupted => {
            // Where the record is, on standard output as a finished run
            // says it: a pipeline cancelled or timed out still uploads it.
            // Not an error if nobody reads it any more.
            let _ = writeln!(out, "record: {}", path.display());
            interrupt::reported();
            interrupt::say_interrupted(&resume);
            Code::Interrupted
        }
    })
}

/// A new record's path, locked, and who runs it where.
fn begin(
    display: &str,
    operator_flag: Option<String>,
    records_flag: Option<PathBuf>,
) -> anyhow::Result<(PathBuf, Lock, String, String)> {
    let operator = operator(operator_flag);
    let host = crate::system::host_name();
    let dir = crate::records::create_records_dir(records_flag)?;
    let (path, lock) = crate::records::new_record(&dir, display, &operator, &host)?;
    Ok((path, lock, operator, host))
}

/// The record's lock, saying so when it took over a stale one.
fn lock(path: &Path, operator: &str, host: &str) -> anyhow::Result<Lock> {
    let lock = Lock::acquire(path, operator, host)?;
    if let Some(note) = lock.takeover_note() {
        eprintln!("{}", crate::printable::printable(&note));
    }
    Ok(lock)
}

/// `relcheck run FILE|NAME --non-interactive`: commands run, answers come
/// from the answers file, and nothing reads standard input.
pub fn run_unattended(
    checklist_arg: &str,
    settings: Settings,
    args: &crate::cli::Unattended,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    let source = crate::bundled::open(checklist_arg)?;
    // The answers file is read, and walked for keys given twice, before
    // the checklist is parsed, so the walk's working memory is given back
    // before the checklist is held. What is wrong with the file is said
    // after what is wrong with the checklist, as when read after it.
    let answers_file = args.answers.as_deref().map(AnswersFile::read);
    let mut checklist = runnable(&source)?;
    let file = hold_packed(source, &mut checklist);
    let answers = match answers_file {
        Some(read) => read?.resolve(&checklist)?,
        None => Answers::default(),
    };
    require_rollback_question(&checklist, &answers)?;
    let preset = presets(&settings.set, &settings.presets, &checklist)?;
    if !args.no_commands {
        // As the run takes them: `--set` over the answers file.
        require_values(&checklist, &[&answers.variables, &preset], |id| {
            answers.items.contains_key(id)
        })?;
    }
    let targets = crate::notify::targets(&settings.notify)?;
    let (path, lock, operator, host) = begin(
        &checklist.source.path,
        settings.operator,
        settings.records_dir,
    )?;
    let options = Options {
        operator,
        host,
        mode: Mode::NonInteractive,
        preset,
        command_timeout: DEFAULT_TIMEOUT,
        unattended: true,
    };
    let flag = Arc::new(AtomicBool::new(false));
    interrupt::install(
        Arc::clone(&flag),
        format!("the record is {}", path.display()),
    )?;
    let clock = SystemClock;
    let mut session = Session::start(&checklist, &clock, options, &flag, run_id(&path));
    let delivery = notify(&mut session, targets);
    unattended(
        &mut session,
        Destination {
            path: &path,
            lock,
            new: true,
            commit: settings.commit,
            delivery,
        },
        file,
        answers,
        args,
        settings.color,
        out,
    )
}

/// What a run holds of its checklist once it is parsed: the model, its
/// text packed (the record takes it from there), and of the file read
/// only its path, which a pipeline's annotations name.
fn hold_packed(source: Source, checklist: &mut Checklist) -> Option<String> {
    checklist.source.pack();
    source.path.map(|path| path.display().to_string())
}

/// The `--answers` file resolved against `checklist`, or no answers.
fn answers_for(args: &crate::cli::Unattended, checklist: &Checklist) -> anyhow::Result<Answers> {
    match &args.answers {
        Some(path) => Answers::load(path, checklist),
        None => Ok(Answers::default()),
    }
}

/// Runs a session with the unattended prompter, then writes what CI
/// dashboards read: the JUnit file, GitHub's step summary.
fn unattended(
    session: &mut Session<'_>,
    Destination {
        path,
        lock,
        new,
        commit,
        delivery,
    }: Destination<'_>,
    // The checklist's file, for annotations.
    file: Option<String>,
    // Owned: the prompter takes each answer out as it is used.
    answers: Answers,
    args: &crate::cli::Unattended,
    color: crate::cli::ColorChoice,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    let github = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let annotations = github.then(|| crate::ci::Annotations {
        out: Box::new(std::io::stdout()),
        file,
    });
    // Progress goes to stderr, so its colour follows stderr.
    let style = Style::new(color, std::io::stderr().is_terminal());
    let mut prompter = crate::ci::Unattended::new(
        answers,
        !args.no_commands,
        Box::new(std::io::stderr()),
        style,
        annotations,
    );
    if args.keep_going {
        session.keep_going();
    }
    let shell = Shell;
    let executor = Guarded(&shell as &dyn Executor);
    // A pipeline's answers survive a killed job without an fsync each;
    // whole writes still sync.
    let mut sink = FileSink(RecordFile::new(path, false).holding(lock, new));
    let ending = session.run(&mut prompter, &executor, &mut sink)?;
    settle_notify(session, &mut sink, delivery);
    let record = &session.record;
    // What dashboards read is written after the run, which is over and
    // saved: a file that cannot be written is a warning, and the run's
    // own exit code, the record's line and the resume hint stand.
    if let Some(junit) = &args.junit {
        let shown = crate::report::display::displayable(record);
        if let Err(err) =
            crate::record::write_output(junit, crate::report::junit(&shown).as_bytes())
        {
            eprintln!("warning: --junit: {err:#}; the record has every result");
        }
    }
    if github && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY") {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .and_then(|mut file| file.write_all(crate::ci::step_summary(record).as_bytes()));
        if let Err(err) = written {
            eprintln!(
                "warning: GITHUB_STEP_SUMMARY: cannot write {}: {err}; the record has every result",
                crate::printable::printable(&PathBuf::from(&summary).display().to_string())
            );
        }
    }
    let code = exit_code(ending, record, path, out)?;
    // Still under the record's lock, so what is committed is what was saved.
    if commit {
        crate::gitstore::after_run(path, record, ending == Ending::Interrupted, out);
    }
    Ok(
        if code == Code::Incomplete
            && args.allow_pending
            && record.run.outcome == Outcome::Incomplete
        {
            Code::Success
        } else {
            code
        },
    )
}

/// `relcheck run FILE|NAME` at a terminal.
pub fn run(checklist_arg: &str, settings: Settings, out: &mut dyn Write) -> anyhow::Result<Code> {
    // The checklist first: a mistyped name is the thing to fix, whether
    // or not there is a terminal.
    let source = crate::bundled::open(checklist_arg)?;
    let mut checklist = runnable(&source)?;
    require_terminal("relcheck run FILE --non-interactive [--answers FILE]")?;
    let targets = crate::notify::targets(&settings.notify)?;
    hold_packed(source, &mut checklist);
    let (path, lock, operator, host) = begin(
        &checklist.source.path,
        settings.operator,
        settings.records_dir,
    )?;
    let options = Options {
        operator: operator.clone(),
        host,
        mode: Mode::Interactive,
        preset: presets(&settings.set, &settings.presets, &checklist)?,
        command_timeout: DEFAULT_TIMEOUT,
        unattended: false,
    };
    let run_id = run_id(&path);
    let flag = Arc::new(AtomicBool::new(false));
    interrupt::install(
        Arc::clone(&flag),
        format!("resume with: relcheck resume {}", path.display()),
    )?;
    let clock = SystemClock;
    let mut session = Session::start(&checklist, &clock, options, &flag, run_id);
    let delivery = notify(&mut session, targets);
    drive(
        &mut session,
        Destination {
            path: &path,
            lock,
            new: true,
            commit: settings.commit,
            delivery,
        },
        Arc::clone(&flag),
        settings.style,
        out,
    )
}

fn drive(
    session: &mut Session<'_>,
    Destination {
        path,
        lock,
        new,
        commit,
        delivery,
    }: Destination<'_>,
    interrupted: Arc<AtomicBool>,
    style: Style,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    // Nobody may read it (`relcheck run x | less`, quit at once); the
    // first screen that cannot be drawn then ends the run, saved.
    let _ = writeln!(out, "record: {}", path.display());
    let _ = out.flush();
    let mut terminal = Terminal::new(
        crate::style::Screen::detect(style),
        path.display().to_string(),
        interrupted,
    );
    let shell = Shell;
    let executor = Guarded(&shell as &dyn Executor);
    let mut sink = FileSink(RecordFile::new(path, true).holding(lock, new));
    let result = session.run(&mut terminal, &executor, &mut sink);
    drop(terminal);
    let ending = result?;
    settle_notify(session, &mut sink, delivery);
    let code = exit_code(ending, &session.record, path, out)?;
    // Still under the record's lock, so what is committed is what was saved.
    if commit {
        crate::gitstore::after_run(path, &session.record, ending == Ending::Interrupted, out);
    }
    Ok(code)
}

/// `--notify`: the session's moments go to `targets`, in the background.
fn notify(session: &mut Session<'_>, targets: Vec<crate::notify::Target>) -> Option<Delivery> {
    if targets.is_empty() {
        return None;
    }
    let (notifier, delivery) = crate::notify::start(targets);
    session.observe(Box::new(notifier));
    Some(delivery)
}

/// Waits a moment for notifications still on their way, logs those that
/// failed in the record, and warns of them: the run's outcome and exit
/// code stay as they were.
fn settle_notify(session: &mut Session<'_>, sink: &mut FileSink, delivery: Option<Delivery>) {
    let Some(delivery) = delivery else {
        return;
    };
    delivery.drain(crate::notify::DRAIN);
    for warning in delivery.warnings() {
        eprintln!("{warning}");
    }
    // The run's own record is saved already; losing these events must
    // not turn the run's exit code into a write error.
    if let Err(err) = session.settle_observer(sink) {
        eprintln!(
            "warning: --notify: the notify-failed events could not be saved: {}",
            crate::printable::printable(&format!("{err:#}"))
        );
    }
}

fn run_id(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "run".to_string(), |s| s.to_string_lossy().into_owned())
}

/// `relcheck resume [RECORD]`.
pub fn resume(
    record_arg: Option<PathBuf>,
    accept_changes: bool,
    settings: Settings,
    args: &crate::cli::Unattended,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    if !args.non_interactive {
        require_terminal("relcheck resume RECORD --non-interactive [--answers FILE]")?;
    }
    let targets = crate::notify::targets(&settings.notify)?;
    let dir = records_dir(settings.records_dir);
    let path = match record_arg {
        Some(path) => path,
        None => newest_in_progress(&dir)?,
    };
    let operator = operator(settings.operator);
    let host = crate::system::host_name();
    let lock = lock(&path, &operator, &host)?;
    let record = Record::load(&path)?;
    if !record.run.resumable() {
        return Err(error(
            Code::Incomplete,
            format!(
                "{}: the run already ended ({}), so there is nothing to resume; `relcheck report {0}` shows it, and `relcheck run` starts a new one",
                path.display(),
                record.run.outcome.as_str()
            ),
        ));
    }
    // Going on would seal the record anew and hide the edit.
    if record.digest.as_deref() != Some(crate::record::digest(&record).as_str()) {
        return Err(error(
            Code::Verify,
            format!(
                "{}: the record was edited outside relcheck (its digest does not match), so it is not resumed; `relcheck verify {0}` shows it",
                path.display()
            ),
        ));
    }
    let source = match &settings.checklist {
        Some(checklist) => crate::bundled::open(checklist)?,
        None => match checklist_source(&record) {
            Ok(source) => source,
            Err(err) if crate::records::checklist_not_a_file(&record) => return Err(err),
            // Gone or moved: the record carries the checklist as the run
            // began, so the run goes on with that.
            Err(err) => match embedded_source(&record) {
                Some(source) => {
                    writeln!(
                        out,
                        "note: {} cannot be read, so the run goes on with the checklist as the record keeps it (from when the run began); name another with --checklist",
                        record.checklist.origin.display()
                    )?;
                    // Before the run's own lines, which go to stderr.
                    out.flush()?;
                    source
                }
                None => return Err(err),
            },
        },
    };
    let mut checklist = runnable(&source)?;
    let file = hold_packed(source, &mut checklist);
    let clock = SystemClock;
    let mut record =
        crate::reconcile::reconcile(record, &checklist, accept_changes, &clock, &operator)?;
    let flag = Arc::new(AtomicBool::new(false));
    interrupt::install(
        Arc::clone(&flag),
        format!("resume with: relcheck resume {}", path.display()),
    )?;
    let preset = presets(&settings.set, &settings.presets, &checklist)?;
    let answers = answers_for(args, &checklist)?;
    require_rollback_question(&checklist, &answers)?;
    if args.non_interactive && !args.no_commands {
        let settled: std::collections::HashSet<&str> = record
            .items
            .iter()
            .filter(|item| item.status.is_answered())
            .map(|item| item.id.as_ref())
            .collect();
        require_values(
            &checklist,
            // As the run takes them: `--set` over the record's values, and
            // those over the answers file, which only fills what is unset.
            &[&answers.variables, &record.values, &preset],
            |id| answers.items.contains_key(id) || settled.contains(id),
        )?;
    }
    let options = Options {
        operator,
        host,
        mode: record.run.mode,
        preset,
        command_timeout: DEFAULT_TIMEOUT,
        unattended: args.non_interactive,
    };
    // The record's text, read from its file, is held packed too.
    if let Some(text) = &mut record.checklist.source {
        *text = text.packed();
    }
    let mut session = Session::resume(&checklist, record, &clock, options, &flag);
    session.note_resume();
    let delivery = notify(&mut session, targets);
    if args.non_interactive {
        return unattended(
            &mut session,
            Destination {
                path: &path,
                lock,
                new: false,
                commit: settings.commit,
                delivery,
            },
            file,
            answers,
            args,
            settings.color,
            out,
        );
    }
    drive(
        &mut session,
        Destination {
            path: &path,
            lock,
            new: false,
            commit: settings.commit,
            delivery,
        },
        Arc::clone(&flag),
        settings.style,
        out,
    )
}

/// `relcheck run`: at a terminal, or unattended with `--non-interactive`.
pub fn run_command(
    args: crate::cli::RunCommand,
    config: &crate::config::Config,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    let settings = Settings::new(args.common, None, config);
    if args.unattended.non_interactive {
        run_unattended(&args.checklist, settings, &args.unattended, out)
    } else {
        run(&args.checklist, settings, out)
    }
}

/// `relcheck resume`.
pub fn resume_command(
    args: crate::cli::ResumeCommand,
    config: &crate::config::Config,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    let settings = Settings::new(args.common, args.checklist, config);
    resume(
        args.record,
        args.accept_changes,
        settings,
        &args.unattended,
        out,
    )
}

impl Settings {
    fn new(
        common: crate::cli::RunArgs,
        checklist: Option<String>,
        config: &crate::config::Config,
    ) -> Settings {
        Settings {
            color: config.color,
            checklist,
            operator: common.operator,
            records_dir: common.records_dir,
            set: common.set,
            presets: config.presets.clone(),
            style: config.style,
            commit: common.commit,
            notify: common.notify,
        }
    }
}

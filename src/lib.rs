//! relcheck: release checklists as teams already write them, parsed into a
//! typed model, run by a person or a pipeline, and kept as a signed-off
//! record.
//!
//! `main` parses the command line and hands it to [`run`]; each command
//! lives in the module that owns its concern.

pub mod answers;
pub mod attest;
pub mod bundled;
pub mod ci;
pub mod cli;
pub mod completions;
pub mod config;
pub mod config_command;
pub mod cores;
pub mod diagnostic;
pub mod effective;
pub mod exec;
pub mod exit;
pub mod file_digest;
pub mod gitstore;
pub mod interrupt;
pub mod json_view;
pub mod limits;
pub mod lint;
pub mod measure;
pub mod model;
pub mod notify;
pub mod parse;
pub mod printable;
pub mod project;
pub mod prompt;
pub mod reconcile;
pub mod record;
pub mod records;
pub mod report;
pub mod runner;
pub mod session;
pub mod show;
pub mod sign;
pub mod source;
pub mod source_text;
pub mod stdout;
pub mod style;
pub mod system;
pub mod template;
pub mod term;
pub mod verify;
pub mod words;
pub mod yaml;

use std::io::{IsTerminal, Write};

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::exit::Code;
use crate::style::Style;

/// Runs the command line and returns the process's exit code. Errors are
/// printed here and only here.
pub fn main() -> u8 {
    interrupt::survive_file_size_limit();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                Code::Usage.as_u8()
            } else {
                0
            };
        }
    };
    let err_style = Style::new(cli.color, std::io::stderr().is_terminal());
    // Huge pages for the commands that read a checklist once and end:
    // on a long one they take a sixth off `lint` and `show`, for a larger
    // peak that is over in a moment. A run, which holds its memory for as
    // long as the release takes, and every other command keep them off.
    system::huge_pages(matches!(cli.command, Command::Lint(_) | Command::Show(_)));
    // Buffered, as `show --format json` of a large checklist is millions of
    // lines; but not locked for the whole run, since the terminal
    // prompter's threads (the spinner, the signal handler) write to stdout
    // too. Whatever prints mid-run (the record's path) flushes itself.
    let records = matches!(
        cli.command,
        Command::Run(_) | Command::Resume(_) | Command::Sign(_) | Command::Init(_)
    );
    let plain = if records {
        stdout::Stdout::lenient()
    } else {
        stdout::Stdout::new()
    };
    let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, plain);
    let result = run(cli, &mut stdout).and_then(|code| match stdout.flush() {
        // The command is over: its record is saved and its code stands, even
        // if the line naming the record found nobody reading
        // (`run --non-interactive | head -1`) or no terminal left (EIO).
        Err(err) if reader_gone(&err) => Ok(code),
        other => other.map(|()| code).map_err(anyhow::Error::from),
    });
    match result {
        Ok(code) => code.as_u8(),
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            // What was printed before the error comes before it.
            let _ = stdout.flush();
            // Messages quote what the user gave (a role, a path, a key of
            // an answers file): shown as text, never as escapes.
            let message = format!("{err:#}");
            // Not `eprintln!`, which panics when stderr is gone.
            let _ = writeln!(
                std::io::stderr(),
                "{}: {}",
                err_style.red("error"),
                printable::printable(&message)
            );
            exit::code_of(&err).as_u8()
        }
    }
}

/// Output with nobody to read it: a closed pipe, or a terminal that went
/// away (EIO).
fn reader_gone(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::BrokenPipe
        || stdout::raw_os_error(err) == Some(nix::libc::EIO)
}

/// A reader that went away (`relcheck show x | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Cli -> Config -> the command: each command's own `run` does the work.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Code> {
    let mut config = Config::new(cli.color);
    // Settings from flags, the environment and relcheck.toml are settled
    // here, so the commands see only their arguments (effective.rs).
    match cli.command {
        Command::Run(mut args) => {
            effective::for_run(&mut args.common, &mut config)?;
            runner::run_command(args, &config, out)
        }
        Command::Resume(mut args) => {
            effective::for_run(&mut args.common, &mut config)?;
            runner::resume_command(args, &config, out)
        }
        Command::Show(args) => show::run(args, &config, out),
        Command::Lint(args) => lint::run(&args.checklists, args.strict, config.style, out),
        Command::Sign(mut args) => {
            effective::for_sign(&mut args)?;
            sign::run(args, out)
        }
        Command::Verify(mut args) => {
            effective::for_trust(&mut args.trust)?;
            verify::run(args, &config, out)
        }
        Command::Attest(mut args) => {
            effective::for_trust(&mut args.trust)?;
            attest::run(args, out)
        }
        Command::Report(mut args) => {
            args.records_dir = Some(effective::records_dir(args.records_dir)?);
            report::command::run(args, &config, out)
        }
        Command::History(mut args) => {
            args.dir = Some(effective::records_dir(args.dir)?);
            report::command::history(args, &config, out)
        }
        Command::List => bundled::list(&config, out),
        Command::Init(args) => bundled::init(args, out),
        Command::Config(args) => config_command::run(args, out),
        Command::Completions(args) => completions::script(args.shell, out),
        Command::Man => completions::man(out),
    }
}

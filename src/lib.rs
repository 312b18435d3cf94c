//! relcheck: release checklists as teams already write them, parsed into a
//! typed model, run by a person or a pipeline, and kept as a signed-off
//! record.
//!
//! `main` parses the command line and hands it to [`run`]; each command
//! lives in the module that owns its concern.

pub mod answers;
pub mod bundled;
pub mod ci;
pub mod cli;
pub mod diagnostic;
pub mod exec;
pub mod exit;
pub mod interrupt;
pub mod lint;
pub mod model;
pub mod parse;
pub mod prompt;
pub mod record;
pub mod records;
pub mod report;
pub mod runner;
pub mod session;
pub mod show;
pub mod sign;
pub mod source;
pub mod style;
pub mod system;
pub mod template;
pub mod term;

use std::io::{IsTerminal, Write};

use clap::Parser;

use crate::cli::{Cli, Command, DecisionArg, ShowFormat};
use crate::exit::{Code, error};
use crate::record::{Decision, Record};
use crate::style::Style;

/// Runs the command line and returns the process's exit code. Errors are
/// printed here and only here.
pub fn main() -> u8 {
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
    // Buffered, as `show --format json` of a large checklist is millions of
    // lines; but not locked for the whole run, since the terminal
    // prompter's threads (the spinner, the signal handler) write to stdout
    // too. Whatever prints mid-run (the record's path) flushes itself.
    let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let result = run(cli, &mut stdout).and_then(|code| {
        stdout.flush()?;
        Ok(code)
    });
    match result {
        Ok(code) => code.as_u8(),
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            // What was printed before the error comes before it.
            let _ = stdout.flush();
            eprintln!("{}: {err:#}", err_style.red("error"));
            exit::code_of(&err).as_u8()
        }
    }
}

/// A reader that went away (`relcheck show x | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Code> {
    let style = Style::new(cli.color, std::io::stdout().is_terminal());
    let color = cli.color;
    let settings = |common: cli::RunArgs, checklist: Option<String>| runner::Settings {
        color,
        checklist,
        operator: common.operator,
        records_dir: common.records_dir,
        set: common.set,
        style,
    };
    match cli.command {
        Command::Run {
            checklist,
            common,
            unattended,
        } if unattended.non_interactive => {
            runner::run_unattended(&checklist, settings(common, None), &unattended, out)
        }
        Command::Run {
            checklist, common, ..
        } => runner::run(&checklist, settings(common, None), out),
        Command::Resume {
            record,
            accept_changes,
            checklist,
            common,
            unattended,
        } => runner::resume(
            record,
            accept_changes,
            settings(common, checklist),
            &unattended,
            out,
        ),
        Command::Show { checklist, format } => {
            let source = crate::bundled::open(&checklist)?;
            let parsed = parse::parse(&source).require_items(&source)?;
            let errors = parsed
                .diagnostics
                .iter()
                .filter(|d| d.severity == diagnostic::Severity::Error)
                .count();
            if errors > 0 {
                eprintln!(
                    "warning: {} has {errors} error{}; `relcheck lint {0}` lists them, and `relcheck run` refuses it until they are fixed",
                    source.display,
                    if errors == 1 { "" } else { "s" }
                );
            }
            match format {
                ShowFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &parsed.checklist)?;
                    writeln!(out)?;
                }
                ShowFormat::Text => {
                    out.write_all(show::text(&parsed.checklist, style).as_bytes())?
                }
            }
            Ok(Code::Success)
        }
        Command::Lint { checklists, strict } => lint::run(&checklists, strict, style, out),
        Command::Sign {
            record,
            role,
            name,
            decision,
            comment,
            key,
            extra_role,
        } => {
            let settings = sign::System;
            let request = sign::Request {
                role,
                name: sign::signer_name(name, &settings)?,
                decision: match decision {
                    DecisionArg::Approve => Decision::Approve,
                    DecisionArg::Reject => Decision::Reject,
                },
                comment,
                extra_role,
            };
            let signer = sign::signing_key(key.as_deref(), &settings)
                .map(|key| sign::ssh_keygen(key, &settings));
            let signed = sign::sign_file(
                &record,
                &request,
                signer.as_ref().map(|s| s as &dyn sign::Signer),
                chrono::Utc::now(),
            )?;
            writeln!(out, "{}", signed.line(&record))?;
            Ok(Code::Success)
        }
        Command::Verify {
            record,
            allowed_signers,
            print_payload,
        } => {
            let loaded = Record::load(&record)?;
            if let Some(n) = print_payload {
                let signoff = n
                    .checked_sub(1)
                    .and_then(|i| loaded.signoffs.get(i))
                    .ok_or_else(|| {
                        error(
                            Code::Usage,
                            format!(
                                "{}: has {} sign-offs; --print-payload takes 1 to {0}",
                                record.display(),
                                loaded.signoffs.len()
                            ),
                        )
                    })?;
                out.write_all(&sign::payload(signoff))?;
                return Ok(Code::Success);
            }
            // A file named on the command line is read even when nothing is
            // signed, so a mistyped path shows; git's only when needed.
            let allowed = if allowed_signers.is_some() || sign::has_signatures(&loaded) {
                sign::allowed_signers_path(allowed_signers, &sign::System)
                    .map(|path| sign::AllowedSigners::load(&path))
                    .transpose()?
            } else {
                None
            };
            let verification = sign::verify(&loaded, allowed.as_ref());
            out.write_all(report::verification::text(&verification, style).as_bytes())?;
            Ok(if verification.passed() {
                Code::Success
            } else {
                Code::Verify
            })
        }
        Command::Report {
            record,
            format,
            failed,
            output,
            records_dir,
        } => report::command::report(
            report::command::ReportRequest {
                record,
                format,
                failed,
                output,
                records_dir,
            },
            style,
            Style::new(cli.color, false),
            out,
        ),
        Command::History { dir, format } => report::command::history(dir, format, style, out),
        Command::List => {
            out.write_all(bundled::table(style).as_bytes())?;
            Ok(Code::Success)
        }
        Command::Init {
            name,
            output,
            force,
        } => {
            let bundled = bundled::find(&name).ok_or_else(|| {
                error(
                    Code::Usage,
                    format!(
                        "no bundled checklist named `{name}`; `relcheck list` shows them: {}",
                        bundled::names().join(", ")
                    ),
                )
            })?;
            let path = output.unwrap_or_else(|| bundled.file_name.into());
            bundled::write(bundled, &path, force)?;
            writeln!(
                out,
                "wrote {}; edit it, then `relcheck lint {0}` and `relcheck run {0}`",
                path.display()
            )?;
            Ok(Code::Success)
        }
    }
}

//! The command line, as clap types and nothing else: what each command
//! takes, one struct of arguments a command. Each command's own `run`
//! turns its arguments into work; `lib.rs` only dispatches.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::exit;

#[derive(Debug, Parser)]
#[command(
    name = "relcheck",
    version,
    about = "Run the release checklists your team already keeps, and keep a signed-off record of every run",
    after_help = exit::TABLE,
    max_term_width = 100
)]
pub struct Cli {
    /// When to colour output: auto (a terminal, and NO_COLOR unset), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk through a checklist item by item, saving every answer to a record
    #[command(after_help = exit::TABLE)]
    Run(RunCommand),
    /// Go on with a run that was quit or interrupted
    #[command(after_help = exit::TABLE)]
    Resume(ResumeCommand),
    /// Show what relcheck reads from a checklist: phases, sections, items
    #[command(after_help = exit::TABLE)]
    Show(ShowArgs),
    /// Check checklists for mistakes; exits 1 on errors
    #[command(after_help = exit::TABLE)]
    Lint(LintArgs),
    /// Sign off a record: approve or reject what it holds now, with an SSH
    /// signature when you have a key
    #[command(after_help = exit::TABLE)]
    Sign(SignArgs),
    /// Check a record's digest and every sign-off in it; exits 5 if anything
    /// was edited or a signature does not hold
    #[command(after_help = exit::TABLE)]
    Verify(VerifyArgs),
    /// Write an in-toto statement for cosign or actions/attest: the release
    /// artifacts and the record, and a summary of the run; exits 5 if the
    /// record does not verify
    #[command(after_help = exit::TABLE)]
    Attest(AttestArgs),
    /// Render a record as text, Markdown, JSON, JUnit XML or an HTML page
    #[command(after_help = exit::TABLE)]
    Report(ReportArgs),
    /// List the records in a folder, newest first: outcome, sign-offs, and
    /// whether each was edited
    #[command(after_help = exit::TABLE)]
    History(HistoryArgs),
    /// List the bundled checklists
    List,
    /// Write a bundled checklist into the current directory to edit
    #[command(after_help = exit::TABLE)]
    Init(InitArgs),
    /// Show the settings in effect and where each came from: a flag, the
    /// environment, relcheck.toml (docs/CONFIG.md), or the default
    #[command(after_help = exit::TABLE)]
    Config(ConfigArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for `man -l -` or a man folder
    Man,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunCommand {
    /// A checklist file, or the name of a bundled one (`relcheck list`)
    pub checklist: String,
    #[command(flatten)]
    pub common: RunArgs,
    #[command(flatten)]
    pub unattended: Unattended,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ResumeCommand {
    /// The record (default: the newest run in progress in the records folder)
    pub record: Option<PathBuf>,
    /// Go on even though the checklist changed since the run began
    #[arg(long)]
    pub accept_changes: bool,
    /// The checklist, when it is no longer where the record says
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<String>,
    #[command(flatten)]
    pub common: RunArgs,
    #[command(flatten)]
    pub unattended: Unattended,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    /// A checklist file, or the name of a bundled one (`relcheck list`)
    pub checklist: String,
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LintArgs {
    /// Checklist files or bundled names
    #[arg(required = true)]
    pub checklists: Vec<String>,
    /// Exit 1 on warnings too
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SignArgs {
    /// The deployment record to sign
    pub record: PathBuf,
    /// The role you sign as: one the checklist's sign-off items name
    #[arg(long)]
    pub role: String,
    /// Who signs (default: git config user.name and user.email, then
    /// $USER); allowed signers are matched against it, or an email in it
    #[arg(long)]
    pub name: Option<String>,
    /// Approve the release, or reject it
    #[arg(long, value_enum, default_value_t = DecisionArg::Approve)]
    pub decision: DecisionArg,
    /// A note kept with the sign-off, and signed with it
    #[arg(long)]
    pub comment: Option<String>,
    /// SSH key to sign with: a private key file, a public key file whose
    /// private half is in ssh-agent, or key::<public key> (default: git
    /// config user.signingKey when gpg.format is ssh; none: unsigned)
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Sign as a role the checklist does not list
    #[arg(long)]
    pub extra_role: bool,
    /// Sign even though the checklist's sign-off policy can never accept
    /// it (you already approved, or you ran the release); recorded in the
    /// sign-off, and verify reports the rule broken
    #[arg(long)]
    pub force: bool,
    /// Commit the record (only it) to the git repository it is in once
    /// signed (docs/RECORD.md)
    #[arg(long)]
    pub commit: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// The deployment record to check
    pub record: PathBuf,
    /// Write the bytes sign-off N (from 1) signed, to check its signature
    /// with `ssh-keygen -Y verify` (docs/RECORD.md)
    #[arg(long, value_name = "N", hide = true)]
    pub print_payload: Option<usize>,
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// What a record must hold to be trusted: who may sign, whether every
/// sign-off must be signed, and the sign-off policy. `verify` judges a
/// record by them and `attest` refuses one that fails them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TrustArgs {
    /// Who may sign, in git's allowed signers format (default:
    /// RELCHECK_ALLOWED_SIGNERS, relcheck.toml, git config
    /// gpg.ssh.allowedSignersFile)
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Fail on any sign-off without an SSH signature
    #[arg(long)]
    pub require_signatures: bool,
    /// Policy: at least N approving sign-offs (with the checklist's own
    /// `signoff:` policy, the stricter of the two holds)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_signoffs: Option<u32>,
    /// Policy: no signer approves twice; with --min-signoffs, approvals
    /// are counted by signer
    #[arg(long)]
    pub distinct_signers: bool,
    /// Policy: the run's operator does not approve it
    #[arg(long)]
    pub not_operator: bool,
}

impl TrustArgs {
    /// The sign-off policy these flags ask for.
    pub fn policy(&self) -> crate::model::SignoffPolicy {
        crate::model::SignoffPolicy {
            min: self.min_signoffs,
            distinct: self.distinct_signers,
            not_operator: self.not_operator,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct AttestArgs {
    /// The deployment record to attest; it must verify, as with `relcheck verify`
    pub record: PathBuf,
    /// A release artifact by name and digest (repeatable)
    #[arg(
        long,
        value_name = "NAME=sha256:HEX",
        conflicts_with = "predicate_only"
    )]
    pub subject: Vec<String>,
    /// A release artifact file, hashed here; its file name is the subject's name (repeatable)
    #[arg(long, value_name = "PATH", conflicts_with = "predicate_only")]
    pub subject_file: Vec<PathBuf>,
    /// Print only the predicate, for `cosign attest-blob --predicate` or
    /// actions/attest's `predicate-path`, which make the statement themselves
    #[arg(long)]
    pub predicate_only: bool,
    /// Write to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The record must verify by these, as with `relcheck verify`
    #[command(flatten)]
    pub trust: TrustArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The record (default: the newest in the records folder)
    pub record: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Only items that failed, were skipped or waived, occurred, or are
    /// pending (JSON stays the whole record)
    #[arg(long)]
    pub failed: bool,
    /// Write to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where records are (default: RELCHECK_RECORDS_DIR, relcheck.toml, else ./relcheck-records)
    #[arg(long, value_name = "DIR")]
    pub records_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    /// The records folder (default: RELCHECK_RECORDS_DIR, relcheck.toml, else ./relcheck-records)
    pub dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
    /// Release metrics instead of the list: change failure rate, time to restore, durations, weak spots
    #[arg(long)]
    pub stats: bool,
    /// Read every record whole and say whether each is intact, edited or signed (the `record` column)
    #[arg(long)]
    pub check: bool,
    /// Only runs started on or after DATE (YYYY-MM-DD, UTC, or an RFC 3339 time)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only runs of this checklist (its title, or its file's path, name or stem)
    #[arg(long, value_name = "NAME")]
    pub checklist: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// A bundled checklist's name (`relcheck list`)
    pub name: String,
    /// Where to write it (default: its file name, in the current directory)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
    /// As run, report and history take it
    #[arg(long, value_name = "DIR")]
    pub records_dir: Option<PathBuf>,
    /// As verify takes it
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// As run takes it: NAME=VALUE (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// As verify takes it
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_signoffs: Option<u32>,
    /// As verify takes it
    #[arg(long)]
    pub distinct_signers: bool,
    /// As verify takes it
    #[arg(long)]
    pub not_operator: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// A value for a variable or field, as NAME=VALUE (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Who is running it (default: RELCHECK_OPERATOR, git's user.name, $USER)
    #[arg(long)]
    pub operator: Option<String>,
    /// Where records go (default: RELCHECK_RECORDS_DIR, relcheck.toml, else ./relcheck-records)
    #[arg(long, value_name = "DIR")]
    pub records_dir: Option<PathBuf>,
    /// Commit the record (only it) to the git repository it is in when the
    /// run finishes or is quit to resume later (docs/RECORD.md)
    #[arg(long)]
    pub commit: bool,
    /// Post the run's start, gates, rollback, sign-offs and end to this web
    /// hook: CloudEvents, or a Slack message for slack+https://... (repeatable; docs/NOTIFY.md)
    #[arg(long, value_name = "URL")]
    pub notify: Vec<String>,
}

/// Running with nobody at the terminal: a pipeline (docs/CI.md).
#[derive(Debug, Clone, clap::Args)]
pub struct Unattended {
    /// Run without a terminal: commands run, answers come from --answers, the rest stays pending
    #[arg(long)]
    pub non_interactive: bool,
    /// YAML file of answers for the items a pipeline cannot check itself
    #[arg(long, value_name = "FILE", requires = "non_interactive")]
    pub answers: Option<PathBuf>,
    /// Do not run the items' commands; they stay pending unless answered
    #[arg(long, requires = "non_interactive")]
    pub no_commands: bool,
    /// Exit 0 even when required items are left pending
    #[arg(long, requires = "non_interactive")]
    pub allow_pending: bool,
    /// Run every phase even after a failure (default: a failed or skipped
    /// required item stops the run at the end of its phase)
    #[arg(long, requires = "non_interactive")]
    pub keep_going: bool,
    /// Also write a JUnit XML report here
    #[arg(long, value_name = "FILE", requires = "non_interactive")]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Markdown,
    Json,
    Junit,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
    /// With --stats only
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    Approve,
    Reject,
}

//! The command line, as clap types and nothing else: what each command
//! takes. `lib.rs` turns these into work.

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
    Run {
        /// A checklist file, or the name of a bundled one (`relcheck list`)
        checklist: String,
        #[command(flatten)]
        common: RunArgs,
    },
    /// Go on with a run that was quit or interrupted
    #[command(after_help = exit::TABLE)]
    Resume {
        /// The record (default: the newest run in progress in the records folder)
        record: Option<PathBuf>,
        /// Go on even though the checklist changed since the run began
        #[arg(long)]
        accept_changes: bool,
        #[command(flatten)]
        common: RunArgs,
    },
    /// Show what relcheck reads from a checklist: phases, sections, items
    #[command(after_help = exit::TABLE)]
    Show {
        /// A checklist file, or the name of a bundled one (`relcheck list`)
        checklist: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Check checklists for mistakes; exits 1 on errors
    #[command(after_help = exit::TABLE)]
    Lint {
        /// Checklist files or bundled names
        #[arg(required = true)]
        checklists: Vec<String>,
        /// Exit 1 on warnings too
        #[arg(long)]
        strict: bool,
    },
    /// List the bundled checklists
    List,
    /// Write a bundled checklist into the current directory to edit
    #[command(after_help = exit::TABLE)]
    Init {
        /// A bundled checklist's name (`relcheck list`)
        name: String,
        /// Where to write it (default: its file name, in the current directory)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// A value for a variable or field, as NAME=VALUE (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Who is running it (default: RELCHECK_OPERATOR, git's user.name, $USER)
    #[arg(long)]
    pub operator: Option<String>,
    /// Where records go (default: RELCHECK_RECORDS_DIR, else ./relcheck-records)
    #[arg(long, value_name = "DIR")]
    pub records_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

//! What every command shares, decided once from the command line before
//! any command runs: how output is painted, and the defaults a project's
//! relcheck.toml gives a run.

use std::io::IsTerminal;

use crate::cli::ColorChoice;
use crate::style::Style;

pub struct Config {
    /// `--color` as given: the runner decides for its own streams.
    pub color: ColorChoice,
    /// For standard output.
    pub style: Style,
    /// For a file written with `-o`: colour only when asked for with
    /// `--color always`.
    pub file_style: Style,
    /// `[set]` defaults from relcheck.toml, for `run` and `resume`
    /// (`effective.rs` fills them in).
    pub presets: Vec<crate::project::Preset>,
}

impl Config {
    pub fn new(color: ColorChoice) -> Config {
        Config {
            color,
            style: Style::new(color, std::io::stdout().is_terminal()),
            file_style: Style::new(color, false),
            presets: Vec::new(),
        }
    }
}

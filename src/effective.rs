//! The settings a command runs with, each taken from the first place that
//! gives it: a flag, then the environment, then the project's
//! `relcheck.toml`, then the default (docs/CONFIG.md). Commands are handed
//! the result as if it had been given on the command line, so they know
//! nothing of the file; `relcheck config` shows every setting and where it
//! came from.

use std::path::PathBuf;

use crate::cli::{RunArgs, TrustArgs};
use crate::config::Config;
use crate::project::{self, Preset, ProjectFile};
use crate::records::DEFAULT_RECORDS_DIR;
use crate::sign::Settings;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    /// `FILE:LINE` in the config file.
    File(String),
    Git(&'static str),
    Default,
}

impl Origin {
    /// One word for JSON: flag, env, file, git or default.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Flag(_) => "flag",
            Origin::Env(_) => "env",
            Origin::File(_) => "file",
            Origin::Git(_) => "git",
            Origin::Default => "default",
        }
    }

    /// The flag, variable, `FILE:LINE` or git key; none for a default.
    pub fn place(&self) -> Option<String> {
        match self {
            Origin::Flag(flag) => Some(flag.to_string()),
            Origin::Env(name) => Some(name.to_string()),
            Origin::File(at) => Some(at.clone()),
            Origin::Git(key) => Some(format!("git config {key}")),
            Origin::Default => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

fn setting<T>(value: T, origin: Origin) -> Setting<T> {
    Setting { value, origin }
}

pub const RECORDS_DIR_ENV: &str = "RELCHECK_RECORDS_DIR";
pub const ALLOWED_SIGNERS_ENV: &str = "RELCHECK_ALLOWED_SIGNERS";
const ALLOWED_SIGNERS_GIT: &str = "gpg.ssh.allowedSignersFile";

/// The sign-off policy as settings, in `[signoff]`'s terms.
pub struct Policy {
    pub min: Setting<Option<u32>>,
    pub distinct: Setting<bool>,
    pub not_operator: Setting<bool>,
}

/// Resolves settings against one config file (or none) and one view of
/// the environment and git (a test double in unit tests).
pub struct Resolver<'a> {
    pub file: Option<&'a ProjectFile>,
    pub system: &'a dyn Settings,
}

impl Resolver<'_> {
    pub fn records_dir(&self, flag: Option<PathBuf>) -> Setting<PathBuf> {
        if let Some(dir) = flag {
            return setting(dir, Origin::Flag("--records-dir"));
        }
        if let Some(dir) = self.system.var(RECORDS_DIR_ENV) {
            return setting(PathBuf::from(dir), Origin::Env(RECORDS_DIR_ENV));
        }
        if let Some(file) = self.file
            && let Some(dir) = &file.keys.records_dir
        {
            return setting(
                file.resolve(dir.get_ref()),
                Origin::File(file.at(dir.span())),
            );
        }
        setting(PathBuf::from(DEFAULT_RECORDS_DIR), Origin::Default)
    }

    /// `None` when nothing names one: verify then checks no signature
    /// against a list.
    /// `--notify`: the flags' URLs when any are given, else the file's.
    pub fn notify(&self, flags: &[String]) -> Setting<Vec<String>> {
        if !flags.is_empty() {
            return setting(flags.to_vec(), Origin::Flag("--notify"));
        }
        match self.file {
            Some(file) if !file.keys.notify.is_empty() => setting(
                file.keys
                    .notify
                    .iter()
                    .map(|url| url.get_ref().clone())
                    .collect(),
                Origin::File(file.at(file.keys.notify[0].span())),
            ),
            _ => setting(Vec::new(), Origin::Default),
        }
    }

    /// `--commit`: the flag turns it on; else the file says.
    pub fn commit(&self, flag: bool) -> Setting<bool> {
        if flag {
            return setting(true, Origin::Flag("--commit"));
        }
        match self
            .file
            .and_then(|file| Some((file, file.keys.commit.as_ref()?)))
        {
            Some((file, commit)) => {
                setting(*commit.get_ref(), Origin::File(file.at(commit.span())))
            }
            None => setting(false, Origin::Default),
        }
    }

    pub fn allowed_signers(&self, flag: Option<PathBuf>) -> Setting<Option<PathBuf>> {
        if let Some(path) = flag {
            return setting(Some(path), Origin::Flag("--allowed-signers"));
        }
        if let Some(path) = self.system.var(ALLOWED_SIGNERS_ENV) {
            return setting(Some(PathBuf::from(path)), Origin::Env(ALLOWED_SIGNERS_ENV));
        }
        if let Some(file) = self.file
            && let Some(path) = &file.keys.allowed_signers
        {
            return setting(
                Some(file.resolve(path.get_ref())),
                Origin::File(file.at(path.span())),
            );
        }
        match crate::sign::allowed_signers_path(None, self.system) {
            Some(path) => setting(Some(path), Origin::Git(ALLOWED_SIGNERS_GIT)),
            None => setting(None, Origin::Default),
        }
    }

    /// The file's `[set]` values, for the checklist to take those it has.
    pub fn presets(&self) -> Vec<Preset> {
        self.file.map_or_else(Vec::new, |file| {
            file.keys
                .set
                .iter()
                .map(|(name, value)| Preset {
                    name: name.clone(),
                    value: value.get_ref().clone(),
                    at: file.at(value.span()),
                })
                .collect()
        })
    }

    /// The policy from verify's flags, else `[signoff]`. A flag can only
    /// make a policy stricter, so a flag left off is no flag.
    pub fn policy(&self, min: Option<u32>, distinct: bool, not_operator: bool) -> Policy {
        let signoff = self.file.map(|file| (file, &file.keys.signoff));
        let min = match (
            min,
            signoff.and_then(|(f, s)| s.min.as_ref().map(|m| (f, m))),
        ) {
            (Some(n), _) => setting(Some(n), Origin::Flag("--min-signoffs")),
            (None, Some((file, m))) => setting(Some(*m.get_ref()), Origin::File(file.at(m.span()))),
            (None, None) => setting(None, Origin::Default),
        };
        let flag_or_file =
            |flag: bool, name: &'static str, key: Option<(&ProjectFile, &toml::Spanned<bool>)>| {
                match key {
                    _ if flag => setting(true, Origin::Flag(name)),
                    Some((file, value)) => {
                        setting(*value.get_ref(), Origin::File(file.at(value.span())))
                    }
                    None => setting(false, Origin::Default),
                }
            };
        Policy {
            min,
            distinct: flag_or_file(
                distinct,
                "--distinct-signers",
                signoff.and_then(|(f, s)| s.distinct.as_ref().map(|v| (f, v))),
            ),
            not_operator: flag_or_file(
                not_operator,
                "--not-operator",
                signoff.and_then(|(f, s)| s.not_operator.as_ref().map(|v| (f, v))),
            ),
        }
    }
}

/// `run` and `resume`: the records folder and the file's `[set]` values.
pub fn for_run(common: &mut RunArgs, config: &mut Config) -> anyhow::Result<()> {
    let file = project::discover()?;
    let resolver = Resolver {
        file: file.as_ref(),
        system: &crate::sign::System,
    };
    common.records_dir = Some(resolver.records_dir(common.records_dir.take()).value);
    common.notify = resolver.notify(&common.notify).value;
    common.commit = resolver.commit(common.commit).value;
    config.presets = resolver.presets();
    Ok(())
}

/// `sign`: whether to commit the record once signed. A project that
/// commits its records (`commit = true`) commits each sign-off too, as a
/// sign-off changes the record as much as a run does.
pub fn for_sign(args: &mut crate::cli::SignArgs) -> anyhow::Result<()> {
    let file = project::discover()?;
    let resolver = Resolver {
        file: file.as_ref(),
        system: &crate::sign::System,
    };
    args.commit = resolver.commit(args.commit).value;
    Ok(())
}

/// `report` and `history`: the records folder.
pub fn records_dir(flag: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let file = project::discover()?;
    let resolver = Resolver {
        file: file.as_ref(),
        system: &crate::sign::System,
    };
    Ok(resolver.records_dir(flag).value)
}

/// `verify` and `attest`: the allowed signers file and the sign-off
/// policy. The allowed signers file is passed on only when the environment
/// or the config file names it; git's is verify's own default.
pub fn for_trust(args: &mut TrustArgs) -> anyhow::Result<()> {
    let file = project::discover()?;
    let resolver = Resolver {
        file: file.as_ref(),
        system: &crate::sign::System,
    };
    let signers = resolver.allowed_signers(args.allowed_signers.take());
    args.allowed_signers = match signers.origin {
        Origin::Git(_) | Origin::Default => None,
        _ => signers.value,
    };
    let policy = resolver.policy(args.min_signoffs, args.distinct_signers, args.not_operator);
    args.min_signoffs = policy.min.value;
    args.distinct_signers = policy.distinct.value;
    args.not_operator = policy.not_operator.value;
    Ok(())
}

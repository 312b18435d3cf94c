//! Where `sign` and `verify` find their defaults: flags first, then git's
//! configuration (the keys git itself signs with), then the environment.

use std::path::{Path, PathBuf};

use super::ssh::{SigningKey, SshKeygen};
use crate::exit::{Code, error};

/// Where `sign` and `verify` find their defaults. A trait so tests give
/// their own instead of the developer's git configuration.
pub trait Settings {
    /// `git config --get KEY`; `None` when unset or when git is missing.
    fn git_config(&self, key: &str) -> Option<String>;
    fn var(&self, name: &str) -> Option<String>;
}

/// The real git and environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct System;

impl Settings for System {
    fn git_config(&self, key: &str) -> Option<String> {
        crate::system::git_config(key)
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

pub(super) fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => Path::new(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// `--key`, else git's `user.signingKey` when `gpg.format` is `ssh`; `None`
/// signs nothing.
pub fn signing_key(explicit: Option<&str>, settings: &dyn Settings) -> Option<SigningKey> {
    let home = settings.var("HOME");
    if let Some(key) = explicit {
        return Some(SigningKey::from_setting(key, home.as_deref()));
    }
    let format = settings.git_config("gpg.format")?;
    if !format.eq_ignore_ascii_case("ssh") {
        return None;
    }
    let key = settings.git_config("user.signingKey")?;
    Some(SigningKey::from_setting(&key, home.as_deref()))
}

/// `ssh-keygen`, or git's `gpg.ssh.program`, signing with `key`.
pub fn ssh_keygen(key: SigningKey, settings: &dyn Settings) -> SshKeygen {
    SshKeygen {
        program: settings
            .git_config("gpg.ssh.program")
            .unwrap_or_else(|| "ssh-keygen".to_string()),
        key,
    }
}

/// `--name`, else git's `user.name` with `user.email` as `Jane Doe
/// <jane@example.com>`, else `$USER`. The address is there because allowed
/// signers files, written for git, list people by email.
pub fn signer_name(explicit: Option<String>, settings: &dyn Settings) -> anyhow::Result<String> {
    let from_git = || {
        let name = settings.git_config("user.name")?;
        Some(match settings.git_config("user.email") {
            Some(email) if !name.contains('@') => format!("{name} <{email}>"),
            _ => name,
        })
    };
    explicit
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .or_else(from_git)
        .or_else(|| settings.var("USER"))
        .ok_or_else(|| {
            error(
                Code::Usage,
                "no name to sign as: pass --name, or set git config user.name",
            )
        })
}

/// `--allowed-signers`, else git's `gpg.ssh.allowedSignersFile`.
pub fn allowed_signers_path(explicit: Option<PathBuf>, settings: &dyn Settings) -> Option<PathBuf> {
    explicit.or_else(|| {
        settings
            .git_config("gpg.ssh.allowedSignersFile")
            .map(|path| expand_home(&path, settings.var("HOME").as_deref()))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::exit::code_of;

    struct FakeSettings(HashMap<&'static str, &'static str>);

    impl Settings for FakeSettings {
        fn git_config(&self, key: &str) -> Option<String> {
            self.0.get(key).map(|v| v.to_string())
        }
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| v.to_string())
        }
    }

    #[test]
    fn keys_and_names_come_from_flags_then_git() {
        let none = FakeSettings(HashMap::new());
        assert_eq!(signing_key(None, &none), None);
        assert_eq!(
            signing_key(Some("~/.ssh/id.pub"), &none),
            Some(SigningKey::File("~/.ssh/id.pub".into()))
        );
        let git = FakeSettings(HashMap::from([
            ("gpg.format", "ssh"),
            ("user.signingKey", "~/.ssh/id_ed25519.pub"),
            ("HOME", "/home/jane"),
            ("user.name", "Jane Doe"),
            ("USER", "jane"),
        ]));
        assert_eq!(
            signing_key(None, &git),
            Some(SigningKey::File("/home/jane/.ssh/id_ed25519.pub".into()))
        );
        assert_eq!(signer_name(None, &git).unwrap(), "Jane Doe");
        let with_email = FakeSettings(HashMap::from([
            ("user.name", "Jane Doe"),
            ("user.email", "jane@example.com"),
        ]));
        assert_eq!(
            signer_name(None, &with_email).unwrap(),
            "Jane Doe <jane@example.com>"
        );
        assert_eq!(signer_name(Some("Bob".into()), &git).unwrap(), "Bob");
        let user_only = FakeSettings(HashMap::from([("USER", "jane")]));
        assert_eq!(signer_name(None, &user_only).unwrap(), "jane");
        assert_eq!(code_of(&signer_name(None, &none).unwrap_err()), Code::Usage);

        let gpg = FakeSettings(HashMap::from([
            ("gpg.format", "openpgp"),
            ("user.signingKey", "ABCDEF"),
        ]));
        assert_eq!(signing_key(None, &gpg), None);
        assert_eq!(
            SigningKey::from_setting("key::ssh-ed25519 AAAA jane", None),
            SigningKey::Literal("ssh-ed25519 AAAA jane".into())
        );
        assert_eq!(
            SigningKey::from_setting("ssh-ed25519 AAAA", None),
            SigningKey::Literal("ssh-ed25519 AAAA".into())
        );
    }
}

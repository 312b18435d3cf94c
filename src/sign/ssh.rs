//! SSH signatures over a sign-off: made by `ssh-keygen -Y sign` (so keys
//! in ssh-agent, with passphrases or in hardware work as they do for git),
//! checked in-process, and the names a signer is looked up by.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use ssh_key::public::KeyData;
use ssh_key::{HashAlg, PublicKey, SshSig};

use super::NAMESPACE;
use super::settings::expand_home;
use crate::exit::{Code, error};

/// Makes an armored SSHSIG signature (namespace [`NAMESPACE`]) over a
/// payload. A trait so tests and other key stores can stand in.
pub trait Signer {
    fn sign(&self, payload: &[u8]) -> anyhow::Result<String>;
}

/// The key `ssh-keygen` signs with, in git's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningKey {
    /// A private key file, or a public one whose private half is in
    /// ssh-agent or beside it: ssh-keygen finds it, as for git.
    File(PathBuf),
    /// A public key given as text (git's `key::ssh-ed25519 AAAA...`): only
    /// the agent can sign with it, so it is passed with `-U`.
    Literal(String),
}

impl SigningKey {
    /// `key::...` and `ssh-...` are literal keys, anything else a path, as
    /// git reads `user.signingKey`.
    pub fn from_setting(text: &str, home: Option<&str>) -> SigningKey {
        if let Some(literal) = text.strip_prefix("key::") {
            SigningKey::Literal(literal.trim().to_string())
        } else if text.starts_with("ssh-") {
            SigningKey::Literal(text.trim().to_string())
        } else {
            SigningKey::File(expand_home(text, home))
        }
    }
}

/// Signs by running `ssh-keygen -Y sign`, so keys in ssh-agent, keys with
/// passphrases and hardware keys all work as they do for git.
#[derive(Debug, Clone)]
pub struct SshKeygen {
    /// `ssh-keygen`, or git's `gpg.ssh.program`.
    pub program: String,
    pub key: SigningKey,
}

impl Signer for SshKeygen {
    fn sign(&self, payload: &[u8]) -> anyhow::Result<String> {
        // The payload goes in a file, as git does it, not on stdin:
        // ssh-keygen reads a passphrase from stdin when there is no
        // terminal, and would take the payload's first line for it.
        // A private folder (0700) for the files ssh-keygen reads and
        // writes, removed when dropped.
        let dir = tempfile::Builder::new()
            .prefix("relcheck-sign-")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir()?;
        let message = dir.path().join("signoff");
        std::fs::write(&message, payload)?;
        let mut command = Command::new(&self.program);
        command.args(["-Y", "sign", "-q", "-n", NAMESPACE]);
        let shown = match &self.key {
            SigningKey::File(path) if !path.exists() => {
                return Err(error(
                    Code::Input,
                    format!("{}: no such key file", path.display()),
                ));
            }
            SigningKey::File(path) => {
                command.arg("-f").arg(path);
                path.display().to_string()
            }
            SigningKey::Literal(key) => {
                let file = dir.path().join("key.pub");
                std::fs::write(&file, format!("{key}\n"))?;
                command.arg("-U").arg("-f").arg(&file);
                format!(
                    "the agent's key {}",
                    key.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
                )
            }
        };
        command.arg(&message).stdout(Stdio::null());
        let status = command.status().map_err(|err| {
            error(
                Code::Input,
                format!(
                    "cannot run {} to sign ({err}); install OpenSSH, or sign without a key",
                    self.program
                ),
            )
        })?;
        if !status.success() {
            return Err(error(
                Code::Input,
                format!(
                    "{} could not sign with {shown} ({status}); its message is above",
                    self.program
                ),
            ));
        }
        let mut signature_file = message.into_os_string();
        signature_file.push(".sig");
        Ok(std::fs::read_to_string(&signature_file)?)
    }
}

/// Reads an armored signature and checks it over `payload`: the key it
/// was made with, if it holds. Who that key belongs to is the allowed
/// signers' question.
pub fn check_signature(armored: &str, payload: &[u8]) -> Result<KeyData, String> {
    let signature =
        SshSig::from_pem(armored.trim()).map_err(|err| format!("unreadable signature ({err})"))?;
    if signature.namespace() != NAMESPACE {
        return Err(format!(
            "signature made for namespace {}, not {NAMESPACE}",
            signature.namespace()
        ));
    }
    let key = PublicKey::from(signature.public_key().clone());
    key.verify(NAMESPACE, payload, &signature)
        .map_err(|err| format!("does not match the sign-off ({err})"))?;
    Ok(signature.public_key().clone())
}

/// `SHA256:...`, as ssh-keygen and git print a key.
pub fn fingerprint(key: &KeyData) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// The names a sign-off's signer is looked up by in allowed signers: its
/// `name` as written, and any email address in it, so `Jane Doe
/// <jane@example.com>` matches a line for `jane@example.com`.
pub fn principals(name: &str) -> Vec<String> {
    let mut out = vec![name.trim().to_string()];
    for word in name.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';')) {
        if word.contains('@') && !out.iter().any(|known| known == word) {
            out.push(word.to_string());
        }
    }
    out
}

//! Sign-off (docs/RECORD.md): the parts a sign-off binds to, SSH
//! signatures over a sign-off, and `verify`'s judgement of a record.
//! Nothing here prints: `sign` and `verify` return values that `lib.rs`
//! writes out.
//!
//! Two layers, for two threats. The record digest (`crate::record`)
//! catches a record edited by hand or by another tool; anyone can
//! recompute it, so it proves nothing about who. A sign-off binds to
//! digests of the record's parts as they stood, and its SSH signature
//! covers that binding, so an edit to anything it vouched for shows even
//! when the record digest was redone.

mod allowed;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use serde_json::Value;
use ssh_key::public::KeyData;
use ssh_key::{HashAlg, PublicKey, SshSig};

pub use allowed::{AllowedSigners, Entry, Verdict, parse_time, pattern_list_matches};

use crate::exit::{Code, error};
use crate::model::Kind;
use crate::parse::rules;
use crate::record::{
    Decision, DigestCheck, Event, ItemResult, Lock, Mode, Outcome, Record, Signoff, canonical,
    canonical_json, check_digest, seal,
};
use crate::source::sha256_hex;
use crate::style::Style;

/// The SSHSIG namespace of every relcheck signature, so a signature made
/// for git (namespace `git`) or a file (`file`) cannot pass as a sign-off.
pub const NAMESPACE: &str = "relcheck";

/// Starts every signed payload, so the bytes cannot be mistaken for another
/// message, and so a later payload shape can say it is one.
pub const PAYLOAD_HEADER: &[u8] = b"relcheck-signoff-v1\n";

/// Hex characters kept of a part's digest: 64 bits are plenty to notice an
/// edit, and keep the record readable.
const SHORT: usize = 16;

fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    // Cannot fail for record types: every map in them has string keys.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------
// Parts

/// One piece of the record a sign-off can vouch for. Each is something
/// that, once written, a run does not change: so a difference later is an
/// edit, and a piece that was not there yet is an append.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Checklist,
    /// Who ran what, where and when it began; not how it ended, which
    /// changes when the run does.
    Run,
    /// How a finished run ended; listed only when signed after the end.
    Outcome,
    Rollback,
    Value(String),
    /// An answered item, whole.
    Item(String),
    Gate(usize),
    /// An earlier sign-off, whole.
    Signoff(usize),
    /// The first `k` events, and `k`.
    Events(usize),
}

impl Part {
    fn parse(name: &str) -> Option<Part> {
        let index = |text: &str| text.parse::<usize>().ok();
        Some(match name.split_once(':') {
            None => match name {
                "checklist" => Part::Checklist,
                "run" => Part::Run,
                "outcome" => Part::Outcome,
                "rollback" => Part::Rollback,
                _ => return None,
            },
            Some(("value", value)) => Part::Value(value.to_string()),
            Some(("item", id)) => Part::Item(id.to_string()),
            Some(("gate", n)) => Part::Gate(index(n)?),
            Some(("signoff", n)) => Part::Signoff(index(n)?),
            Some(("events", k)) => Part::Events(index(k)?),
            Some(_) => return None,
        })
    }

    fn name(&self) -> String {
        match self {
            Part::Checklist => "checklist".to_string(),
            Part::Run => "run".to_string(),
            Part::Outcome => "outcome".to_string(),
            Part::Rollback => "rollback".to_string(),
            Part::Value(name) => format!("value:{name}"),
            Part::Item(id) => format!("item:{id}"),
            Part::Gate(n) => format!("gate:{n}"),
            Part::Signoff(n) => format!("signoff:{n}"),
            Part::Events(k) => format!("events:{k}"),
        }
    }

    /// The short digest of the part as the record holds it now; `None`
    /// when it is not there.
    fn short(&self, record: &Record, items: &ItemsById<'_>) -> Option<String> {
        match self {
            Part::Checklist => Some(short(&record.checklist)),
            Part::Run => Some(short(&RunPart {
                id: &record.run.id,
                operator: &record.run.operator,
                host: &record.run.host,
                started: record.run.started,
                mode: record.run.mode,
            })),
            Part::Outcome => Some(short(&OutcomePart {
                finished: record.run.finished,
                duration_seconds: record.run.duration_seconds,
                outcome: record.run.outcome,
            })),
            Part::Rollback => record.rollback.as_ref().map(short),
            Part::Value(name) => record.values.get(name).map(short),
            Part::Item(id) => items.get(id.as_str()).map(|item| short(*item)),
            Part::Gate(n) => record.gates.get(*n).map(short),
            Part::Signoff(n) => record.signoffs.get(*n).map(short),
            Part::Events(k) => record
                .events
                .get(..*k)
                .map(|events| short(&EventsPart { count: *k, events })),
        }
    }

    fn describe(&self, gone: bool) -> String {
        let what = match self {
            Part::Events(_) => return "events rewritten".to_string(),
            Part::Checklist => "checklist".to_string(),
            Part::Run => "run".to_string(),
            Part::Outcome => "outcome".to_string(),
            Part::Rollback => "rollback".to_string(),
            Part::Value(name) => format!("value {name}"),
            Part::Item(id) => format!("item {id}"),
            Part::Gate(n) => format!("gate decision {}", n + 1),
            Part::Signoff(n) => format!("sign-off {}", n + 1),
        };
        format!("{what} {}", if gone { "removed" } else { "changed" })
    }
}

#[derive(Serialize)]
struct RunPart<'a> {
    id: &'a str,
    operator: &'a str,
    host: &'a str,
    started: DateTime<Utc>,
    mode: Mode,
}

#[derive(Serialize)]
struct OutcomePart {
    finished: Option<DateTime<Utc>>,
    duration_seconds: Option<f64>,
    outcome: Outcome,
}

#[derive(Serialize)]
struct EventsPart<'a> {
    count: usize,
    events: &'a [Event],
}

fn short<T: Serialize + ?Sized>(value: &T) -> String {
    let mut hex = sha256_hex(&canonical::to_vec(value, None));
    hex.truncate(SHORT);
    hex
}

/// The run has ended: its outcome will not change. A rollback sets the
/// outcome early, while the run goes on, so only `finished` counts.
fn finished(record: &Record) -> bool {
    record.run.finished.is_some()
}

/// The parts a sign-off appended to `record` now binds to, by name
/// (docs/RECORD.md lists them): everything written so far that a run does
/// not change afterwards.
/// A record's items by id, the first of an id as [`Record::item`] finds
/// it: looking each up by scanning would make binding or checking the
/// parts of a 10,000-item record quadratic.
type ItemsById<'a> = HashMap<&'a str, &'a ItemResult>;

fn items_by_id(record: &Record) -> ItemsById<'_> {
    let mut items = HashMap::with_capacity(record.items.len());
    for item in &record.items {
        items.entry(item.id.as_str()).or_insert(item);
    }
    items
}

pub fn parts(record: &Record) -> BTreeMap<String, String> {
    let mut parts = vec![Part::Checklist, Part::Run];
    if finished(record) {
        parts.push(Part::Outcome);
    }
    if record.rollback.is_some() {
        parts.push(Part::Rollback);
    }
    parts.extend(record.values.keys().cloned().map(Part::Value));
    parts.extend(
        record
            .items
            .iter()
            .filter(|item| item.status.is_answered())
            .map(|item| Part::Item(item.id.clone())),
    );
    parts.extend((0..record.gates.len()).map(Part::Gate));
    parts.extend((0..record.signoffs.len()).map(Part::Signoff));
    parts.push(Part::Events(record.events.len()));
    let items = items_by_id(record);
    parts
        .into_iter()
        .filter_map(|part| Some((part.name(), part.short(record, &items)?)))
        .collect()
}

/// sha256 hex of the canonical form of a parts map: a sign-off's `digest`.
pub fn parts_digest(parts: &BTreeMap<String, String>) -> String {
    sha256_hex(&canonical_json(&to_value(parts)))
}

/// Fills in `parts` and `digest` of a sign-off about to be appended to
/// `record`. Whatever appends a sign-off calls this first, the runner's
/// in-run sign-offs included: `verify` fails a sign-off bound to nothing.
pub fn bind(record: &Record, signoff: &mut Signoff) {
    signoff.parts = parts(record);
    signoff.digest = Some(parts_digest(&signoff.parts));
}

/// The bytes an SSH signature covers: [`PAYLOAD_HEADER`], then the
/// canonical JSON of the sign-off's role, name, decision, comment, time,
/// item and digest. The digest carries the parts, and so the record.
pub fn payload(signoff: &Signoff) -> Vec<u8> {
    #[derive(Serialize)]
    struct Signed<'a> {
        role: &'a str,
        name: &'a str,
        decision: Decision,
        comment: Option<&'a str>,
        at: DateTime<Utc>,
        item: Option<&'a str>,
        digest: Option<&'a str>,
    }
    let mut out = PAYLOAD_HEADER.to_vec();
    out.extend(canonical_json(&to_value(&Signed {
        role: &signoff.role,
        name: &signoff.name,
        decision: signoff.decision,
        comment: signoff.comment.as_deref(),
        at: signoff.at,
        item: signoff.item.as_deref(),
        digest: signoff.digest.as_deref(),
    })));
    out
}

fn decision_str(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "approve",
        Decision::Reject => "reject",
    }
}

// ---------------------------------------------------------------------------
// Signatures

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
        let dir = TempDir::new()?;
        let message = dir.path.join("signoff");
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
                let file = dir.path.join("key.pub");
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

/// A private folder for the signing files, gone when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        use std::os::unix::fs::DirBuilderExt;
        let base = std::env::temp_dir();
        let pid = std::process::id();
        let mut attempt = 0u32;
        loop {
            let nanos = Utc::now().timestamp_subsec_nanos();
            let path = base.join(format!("relcheck-sign-{pid}-{nanos}-{attempt}"));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(TempDir { path }),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
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

// ---------------------------------------------------------------------------
// Settings from git and the environment

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
        let output = Command::new("git")
            .args(["config", "--get", key])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let value = String::from_utf8(output.stdout).ok()?;
        let value = value.trim_end_matches(['\n', '\r']);
        (output.status.success() && !value.is_empty()).then(|| value.to_string())
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
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

fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| {
            let name = std::fs::read_to_string(path).ok()?;
            let name = name.trim();
            (!name.is_empty()).then(|| name.to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

// ---------------------------------------------------------------------------
// `relcheck sign`

/// What `relcheck sign` was asked, flags resolved to values.
#[derive(Debug, Clone)]
pub struct Request {
    pub role: String,
    pub name: String,
    pub decision: Decision,
    pub comment: Option<String>,
    /// Sign as a role the checklist does not list.
    pub extra_role: bool,
}

/// What `sign` did, for its one line of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub role: String,
    pub name: String,
    pub decision: Decision,
    /// The sign-off's digest.
    pub digest: String,
    /// `ssh-ed25519 SHA256:...`, when signed with a key.
    pub signer: Option<String>,
}

impl Signed {
    pub fn line(&self, record: &Path) -> String {
        let signature = match &self.signer {
            Some(key) => format!("signature: {key}"),
            None => "unsigned (no key: --key, or git config user.signingKey with gpg.format ssh)"
                .to_string(),
        };
        format!(
            "signed {} as {} ({}, {}), bound to digest {}…; {signature}",
            record.display(),
            self.role,
            self.name,
            decision_str(self.decision),
            &self.digest[..12.min(self.digest.len())],
        )
    }
}

/// `relcheck sign`: under the record's lock, load it, append a sign-off
/// bound to what it holds now, signed when there is a signer, and save.
pub fn sign_file(
    path: &Path,
    request: &Request,
    signer: Option<&dyn Signer>,
    now: DateTime<Utc>,
) -> anyhow::Result<Signed> {
    // Read once before locking, so a mistyped path is reported as one
    // rather than as a lock that cannot be made.
    Record::load(path)?;
    let _lock = Lock::acquire(path, &request.name, &host_name())?;
    let mut record = Record::load(path)?;
    let signed =
        sign(&mut record, request, signer, now).with_context(|| path.display().to_string())?;
    record.save(path)?;
    Ok(signed)
}

/// Appends the sign-off to `record` and seals it. Items are left alone:
/// answering the sign-off item would change a part an earlier sign-off
/// vouched for; reports join sign-offs to items by role.
pub fn sign(
    record: &mut Record,
    request: &Request,
    signer: Option<&dyn Signer>,
    now: DateTime<Utc>,
) -> anyhow::Result<Signed> {
    match check_digest(record) {
        DigestCheck::Matches(_) => {}
        DigestCheck::Missing | DigestCheck::Differs => {
            return Err(error(
                Code::Verify,
                "record digest does not match: the record was edited outside relcheck; refusing to sign it (`relcheck verify` says more)",
            ));
        }
    }
    let (role, item) = if request.extra_role {
        (request.role.trim().to_string(), None)
    } else {
        let (role, item) = signoff_item(record, &request.role)?;
        (role, Some(item))
    };
    let mut signoff = Signoff {
        role,
        name: request.name.clone(),
        decision: request.decision,
        comment: request.comment.clone().filter(|c| !c.trim().is_empty()),
        // Whole seconds: the time is for people, and is signed as written.
        at: now.trunc_subsecs(0),
        item,
        digest: None,
        parts: BTreeMap::new(),
        signature: None,
        source: None,
    };
    bind(record, &mut signoff);
    let signer_key = match signer {
        None => None,
        Some(signer) => {
            let payload = payload(&signoff);
            let armored = signer.sign(&payload)?;
            // Checked at once, so a signature that would fail `verify` is
            // never written.
            let key = check_signature(&armored, &payload)
                .map_err(|reason| error(Code::Input, format!("the signer's signature {reason}")))?;
            signoff.signature = Some(armored.trim_end().to_string() + "\n");
            Some(format!(
                "{} {}",
                key.algorithm().as_str(),
                fingerprint(&key)
            ))
        }
    };
    let signed = Signed {
        role: signoff.role.clone(),
        name: signoff.name.clone(),
        decision: signoff.decision,
        digest: signoff.digest.clone().unwrap_or_default(),
        signer: signer_key,
    };
    record.signoffs.push(signoff);
    seal(record);
    Ok(signed)
}

/// The role a sign-off item asks for: its `role`, else read from its text
/// as the parser does.
fn item_role(item: &ItemResult) -> String {
    item.role
        .clone()
        .unwrap_or_else(|| rules::role_words(&item.text))
}

/// The checklist's spelling of `role` and the sign-off item to bind to:
/// the first one with that role no sign-off names yet, else the first.
fn signoff_item(record: &Record, role: &str) -> anyhow::Result<(String, String)> {
    let wanted = role.trim().to_lowercase();
    let items: Vec<&ItemResult> = record
        .items
        .iter()
        .filter(|item| item.kind == Kind::Signoff)
        .collect();
    let matching: Vec<&ItemResult> = items
        .iter()
        .copied()
        .filter(|item| {
            item_role(item).to_lowercase() == wanted || item.text.to_lowercase() == wanted
        })
        .collect();
    let Some(first) = matching.first() else {
        let mut roles: Vec<String> = items.iter().map(|item| item_role(item)).collect();
        roles.dedup();
        let message = if roles.is_empty() {
            format!(
                "this checklist has no sign-off items, so `{role}` is not one of its roles; pass --extra-role to sign anyway"
            )
        } else {
            format!(
                "`{role}` is not a sign-off role of this checklist; it asks for: {}. Pass --extra-role to sign as a role it does not list",
                roles.join(", ")
            )
        };
        return Err(error(Code::Usage, message));
    };
    let taken = |item: &ItemResult| {
        record
            .signoffs
            .iter()
            .any(|s| s.item.as_deref() == Some(&item.id))
    };
    let item = matching.iter().find(|item| !taken(item)).unwrap_or(first);
    Ok((item_role(item), item.id.clone()))
}

// ---------------------------------------------------------------------------
// `relcheck verify`

/// Everything `verify` found, in record order.
#[derive(Debug, Clone)]
pub struct Verification {
    pub digest: DigestCheck,
    pub signoffs: Vec<SignoffCheck>,
}

#[derive(Debug, Clone)]
pub struct SignoffCheck {
    pub role: String,
    pub name: String,
    pub decision: Decision,
    pub at: DateTime<Utc>,
    /// What it vouched for that is now different or gone: an edit.
    pub changed: Vec<String>,
    /// What was added since it was given, by kind: allowed.
    pub since: Vec<String>,
    pub signature: SignatureCheck,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    Unsigned,
    /// Valid, made by an allowed signer.
    Valid {
        fingerprint: String,
        principal: String,
    },
    /// Unreadable, or not over this sign-off.
    Bad(String),
    /// Valid, but there is no allowed signers file to say whose.
    Unchecked {
        fingerprint: String,
    },
    Unknown {
        fingerprint: String,
        file: PathBuf,
        cert_authorities: bool,
    },
    /// The key is listed, but not for this name, namespace or time.
    Refused {
        fingerprint: String,
        reason: String,
    },
}

impl SignoffCheck {
    pub fn passed(&self) -> bool {
        self.changed.is_empty()
            && matches!(
                self.signature,
                SignatureCheck::Unsigned | SignatureCheck::Valid { .. }
            )
    }
}

impl Verification {
    /// Exit 0: the digest matches, no sign-off saw an edit, and every
    /// signature is valid and known. Unsigned sign-offs pass: teams without
    /// SSH keys still sign off, and the summary says what that is worth.
    pub fn passed(&self) -> bool {
        matches!(self.digest, DigestCheck::Matches(_))
            && self.signoffs.iter().all(SignoffCheck::passed)
    }

    pub fn text(&self, style: Style) -> String {
        let mut out = String::new();
        let status = |passed: bool, unsigned: bool| -> String {
            if !passed {
                style.red("FAIL  ")
            } else if unsigned {
                style.yellow("--    ")
            } else {
                style.green("ok    ")
            }
        };
        let _ = match &self.digest {
            DigestCheck::Matches(digest) => writeln!(
                out,
                "{}record digest {}… matches",
                status(true, false),
                &digest[..12]
            ),
            DigestCheck::Differs => writeln!(
                out,
                "{}record digest does not match: the record was edited outside relcheck",
                status(false, false)
            ),
            DigestCheck::Missing => writeln!(
                out,
                "{}record digest is missing: the record was edited outside relcheck",
                status(false, false)
            ),
        };
        let width = |f: fn(&SignoffCheck) -> usize| self.signoffs.iter().map(f).max().unwrap_or(0);
        let role_width = width(|s| s.role.chars().count());
        let name_width = width(|s| s.name.chars().count());
        for check in &self.signoffs {
            let unsigned = check.signature == SignatureCheck::Unsigned;
            let _ = writeln!(
                out,
                "{}{:role_width$}  {:name_width$}  {:7}  {}  {}",
                status(check.passed(), unsigned),
                check.role,
                check.name,
                decision_str(check.decision),
                check.at.format("%Y-%m-%dT%H:%M:%SZ"),
                check.findings().join("; ")
            );
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }

    fn summary(&self) -> String {
        let digest_ok = matches!(self.digest, DigestCheck::Matches(_));
        let total = self.signoffs.len();
        if total == 0 {
            return if digest_ok {
                "no sign-offs: checked the record digest only, which shows the record was not edited outside relcheck, not who approved it".to_string()
            } else {
                "verification failed: no sign-offs, and the record digest does not match"
                    .to_string()
            };
        }
        let failed = self.signoffs.iter().filter(|s| !s.passed()).count();
        let unsigned = self
            .signoffs
            .iter()
            .filter(|s| s.passed() && s.signature == SignatureCheck::Unsigned)
            .count();
        let signed = total - failed - unsigned;
        let mut counts = Vec::new();
        if signed > 0 {
            counts.push(format!("{signed} signed"));
        }
        if unsigned > 0 {
            counts.push(format!("{unsigned} unsigned"));
        }
        if failed > 0 {
            counts.push(format!("{failed} failed"));
        }
        let counts = format!("{} ({})", plural(total, "sign-off"), counts.join(", "));
        if !self.passed() {
            let digest = if digest_ok {
                "record digest matches"
            } else {
                "record digest does not match"
            };
            format!("verification failed: {digest}; {counts}")
        } else if unsigned > 0 {
            format!(
                "verified: record digest matches; {counts}. Note: an unsigned sign-off records who approved, but anyone able to edit the file could have written it; sign with an SSH key to prove it"
            )
        } else {
            format!("verified: record digest matches; {counts}, every signature valid and known")
        }
    }
}

impl SignoffCheck {
    fn findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.changed.is_empty() {
            out.push(format!(
                "changed since signing: {}",
                self.changed.join(", ")
            ));
        }
        out.push(match &self.signature {
            SignatureCheck::Unsigned => "unsigned (no SSH signature)".to_string(),
            SignatureCheck::Valid {
                fingerprint,
                principal,
            } => format!("signed by {fingerprint} (principal {principal})"),
            SignatureCheck::Bad(reason) => format!("bad signature: {reason}"),
            SignatureCheck::Unchecked { fingerprint } => format!(
                "signed by {fingerprint}, but there is no allowed signers file to say whose key that is (--allowed-signers, or git config gpg.ssh.allowedSignersFile)"
            ),
            SignatureCheck::Unknown {
                fingerprint,
                file,
                cert_authorities,
            } => format!(
                "unknown signer {fingerprint} (not in allowed signers {}{})",
                file.display(),
                if *cert_authorities {
                    "; its cert-authority lines are not used: relcheck does not check certificates"
                } else {
                    ""
                }
            ),
            SignatureCheck::Refused {
                fingerprint,
                reason,
            } => format!("signer {fingerprint} {reason}"),
        });
        if self.changed.is_empty() && !self.since.is_empty() {
            out.push(format!(
                "signed off an earlier version; since then: {}",
                self.since.join(", ")
            ));
        }
        out
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Checks the record digest and every sign-off. `allowed` is needed only
/// when some sign-off carries a signature.
pub fn verify(record: &Record, allowed: Option<&AllowedSigners>) -> Verification {
    // The record's digest and the sign-offs' parts each read the whole
    // record: on a long one, check them side by side.
    std::thread::scope(|scope| {
        let digest = scope.spawn(|| check_digest(record));
        let items = items_by_id(record);
        // Sign-offs list mostly the same parts: each is digested once.
        let mut memo = HashMap::new();
        let signoffs = record
            .signoffs
            .iter()
            .enumerate()
            .map(|(index, signoff)| SignoffCheck {
                role: signoff.role.clone(),
                name: signoff.name.clone(),
                decision: signoff.decision,
                at: signoff.at,
                changed: changed(record, &items, &mut memo, signoff),
                since: since(record, signoff, index),
                signature: signature_check(signoff, allowed),
            })
            .collect();
        Verification {
            digest: digest
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            signoffs,
        }
    })
}

/// Every part the sign-off lists that differs now or is gone.
fn changed(
    record: &Record,
    items: &ItemsById<'_>,
    memo: &mut HashMap<String, Option<String>>,
    signoff: &Signoff,
) -> Vec<String> {
    let Some(digest) = &signoff.digest else {
        return vec!["nothing: it is bound to no digest (not made by relcheck sign)".to_string()];
    };
    let mut out = Vec::new();
    // The parts are what the digest (and the signature) cover; a parts
    // list that no longer gives the digest cannot be trusted part by part.
    if parts_digest(&signoff.parts) != *digest {
        out.push("its list of parts was edited".to_string());
    }
    for (name, then) in &signoff.parts {
        let Some(part) = Part::parse(name) else {
            out.push(format!("unknown part {name} (made by a newer relcheck?)"));
            continue;
        };
        let now = memo
            .entry(name.clone())
            .or_insert_with(|| part.short(record, items));
        match now {
            None => out.push(part.describe(true)),
            Some(now) if now != then => out.push(part.describe(false)),
            Some(_) => {}
        }
    }
    out
}

/// What was added after the sign-off, by kind, for its line.
fn since(record: &Record, signoff: &Signoff, index: usize) -> Vec<String> {
    let listed = |name: String| signoff.parts.contains_key(&name);
    let answered: Vec<&str> = record
        .items
        .iter()
        .filter(|item| item.status.is_answered() && !listed(format!("item:{}", item.id)))
        .map(|item| item.id.as_str())
        .collect();
    let values = record
        .values
        .keys()
        .filter(|name| !listed(format!("value:{name}")) && !answered.contains(&name.as_str()))
        .count();
    let events_then = signoff
        .parts
        .keys()
        .find_map(|name| name.strip_prefix("events:")?.parse::<usize>().ok())
        .unwrap_or(0);
    let events = record.events.len().saturating_sub(events_then);
    let gates = (0..record.gates.len())
        .filter(|n| !listed(format!("gate:{n}")))
        .count();
    let later = record.signoffs.len().saturating_sub(index + 1);

    let mut out = Vec::new();
    if !answered.is_empty() {
        out.push(format!("{} recorded", plural(answered.len(), "answer")));
    }
    if values > 0 {
        out.push(format!("{} set", plural(values, "value")));
    }
    if gates > 0 {
        out.push(plural(gates, "gate decision"));
    }
    if record.rollback.is_some() && !listed("rollback".to_string()) {
        out.push("rollback called".to_string());
    }
    if finished(record) && !listed("outcome".to_string()) {
        out.push(format!("run ended ({})", record.run.outcome.as_str()));
    }
    if events > 0 {
        out.push(plural(events, "event"));
    }
    if later > 0 {
        out.push(plural(later, "later sign-off"));
    }
    out
}

fn signature_check(signoff: &Signoff, allowed: Option<&AllowedSigners>) -> SignatureCheck {
    let Some(armored) = &signoff.signature else {
        return SignatureCheck::Unsigned;
    };
    let key = match check_signature(armored, &payload(signoff)) {
        Ok(key) => key,
        Err(reason) => return SignatureCheck::Bad(reason),
    };
    let fingerprint = fingerprint(&key);
    let Some(allowed) = allowed else {
        return SignatureCheck::Unchecked { fingerprint };
    };
    // The sign-off's own time, which the signature covers, is the time the
    // key must have been valid at: as git checks a commit's.
    match allowed.check(&key, &principals(&signoff.name), NAMESPACE, signoff.at) {
        Verdict::Allowed(principal) => SignatureCheck::Valid {
            fingerprint,
            principal,
        },
        Verdict::NotListed { cert_authorities } => SignatureCheck::Unknown {
            fingerprint,
            file: allowed.path.clone(),
            cert_authorities,
        },
        Verdict::Refused(reason) => SignatureCheck::Refused {
            fingerprint,
            reason,
        },
    }
}

/// Whether `verify` needs an allowed signers file for this record.
pub fn has_signatures(record: &Record) -> bool {
    record.signoffs.iter().any(|s| s.signature.is_some())
}

#[cfg(test)]
mod tests;

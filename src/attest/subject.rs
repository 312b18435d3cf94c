//! The artifacts an attestation is about: `--subject NAME=sha256:HEX` read,
//! `--subject-file PATH` hashed, and the list kept free of two subjects
//! that share a name, as in-toto asks.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::exit::{Code, error};
use crate::printable::printable;

/// One entry of the Statement's `subject`: an in-toto ResourceDescriptor
/// with a name and a sha256 digest, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub name: String,
    pub digest: DigestSet,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigestSet {
    /// Lowercase hex, 64 characters: in-toto's DigestSet encoding.
    pub sha256: String,
}

impl Subject {
    pub fn new(name: String, sha256: String) -> Subject {
        Subject {
            name,
            digest: DigestSet { sha256 },
        }
    }
}

/// `NAME=sha256:HEX`. The name is everything before the last `=`, so a
/// name may hold one; the digest is 64 hex digits, written in lowercase
/// whatever case it was given in (in-toto's encoding).
pub fn parse(arg: &str) -> anyhow::Result<Subject> {
    let bad = |why: &str| {
        error(
            Code::Usage,
            format!(
                "--subject {}: {why}; give NAME=sha256:HEX, the artifact's name and the 64 hex digits of its SHA-256 (sha256sum prints them)",
                printable(arg)
            ),
        )
    };
    let Some((name, digest)) = arg.rsplit_once('=') else {
        return Err(bad("no `=`"));
    };
    check_name(name).map_err(|why| bad(&why))?;
    let Some(hex) = digest.strip_prefix("sha256:") else {
        return Err(bad("the digest does not begin with `sha256:`"));
    };
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(&format!(
            "`{}` is not 64 hex digits",
            printable(&shorten(hex))
        )));
    }
    Ok(Subject::new(name.to_string(), hex.to_ascii_lowercase()))
}

/// A name is text a person reads in a policy or a log: not empty, and no
/// control characters (the rule `--set` keeps for values).
fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the name is empty".to_string());
    }
    if name
        .chars()
        .any(|c| c.is_control() || crate::printable::unsafe_char(c))
    {
        return Err("the name holds a control character".to_string());
    }
    Ok(())
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 70 {
        text.chars().take(70).chain(['…']).collect()
    } else {
        text.to_string()
    }
}

/// `--subject-file PATH`: the file's SHA-256, read in pieces (a release
/// artifact may be gigabytes), named by its file name, as GitHub's
/// `actions/attest` names a `subject-path`, so the folder a job built it
/// in does not become part of what is attested.
pub fn of_file(path: &Path) -> anyhow::Result<Subject> {
    let shown = printable(&path.display().to_string()).into_owned();
    let unreadable = |err: std::io::Error| {
        error(
            Code::Input,
            format!(
                "--subject-file {shown}: cannot read the artifact: {}",
                crate::limits::io_reason(&err)
            ),
        )
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| {
            error(
                Code::Usage,
                format!("--subject-file {shown}: names no file"),
            )
        })?;
    check_name(&name)
        .map_err(|why| error(Code::Usage, format!("--subject-file {shown}: {why}")))?;
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    if file.metadata().map_err(unreadable)?.is_dir() {
        return Err(error(
            Code::Input,
            format!("--subject-file {shown}: is a directory; name each artifact in it"),
        ));
    }
    Ok(Subject::new(
        name,
        sha256_of(&mut file).map_err(unreadable)?,
    ))
}

/// SHA-256 of everything `reader` gives, as lowercase hex.
pub fn sha256_of(reader: &mut dyn Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buffer[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(crate::file_digest::hex(&hasher.finalize()))
}

/// Adds `subject` unless it is there already. in-toto asks that names be
/// unique within a statement, so one name for two digests is refused:
/// a policy that looks an artifact up by name could take the wrong one.
pub fn add(subjects: &mut Vec<Subject>, subject: Subject, from: &str) -> anyhow::Result<()> {
    match subjects.iter().find(|known| known.name == subject.name) {
        Some(known) if known.digest == subject.digest => Ok(()),
        Some(known) => Err(error(
            Code::Usage,
            format!(
                "{}: the subject name {} is given twice, with two digests ({}… and {}…); subject names must be unique: rename one with --subject NAME=sha256:HEX",
                printable(from),
                printable(&subject.name),
                &known.digest.sha256[..12],
                &subject.digest.sha256[..12]
            ),
        )),
        None => {
            subjects.push(subject);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn a_subject_is_a_name_and_a_lowercase_sha256() {
        let upper = HEX.to_ascii_uppercase();
        assert_eq!(
            parse(&format!("app=v1.tar.gz=sha256:{upper}")).unwrap(),
            Subject::new("app=v1.tar.gz".into(), HEX.into())
        );
        for (arg, why) in [
            ("app.tar.gz", "no `=`"),
            (&format!("=sha256:{HEX}") as &str, "the name is empty"),
            (
                &format!("app=sha512:{HEX}"),
                "the digest does not begin with `sha256:`",
            ),
            ("app=sha256:abc", "`abc` is not 64 hex digits"),
            (
                &format!("a\u{1b}[2J=sha256:{HEX}"),
                "the name holds a control character",
            ),
        ] {
            let message = format!("{:#}", parse(arg).unwrap_err());
            assert!(
                message.contains(&format!(": {why}; give NAME=sha256:HEX")),
                "{message}"
            );
        }
    }

    #[test]
    fn the_same_subject_twice_is_one_and_a_name_with_two_digests_is_refused() {
        let mut subjects = Vec::new();
        add(&mut subjects, Subject::new("a".into(), HEX.into()), "x").unwrap();
        add(&mut subjects, Subject::new("a".into(), HEX.into()), "x").unwrap();
        assert_eq!(subjects.len(), 1);
        let other = "0".repeat(64);
        assert!(add(&mut subjects, Subject::new("a".into(), other), "y").is_err());
    }
}

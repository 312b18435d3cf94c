//! The record's canonical form and digest (docs/RECORD.md). The digest
//! catches a record edited by hand or by another tool; anyone can
//! recompute it, so it proves nothing about who: that is the sign-offs'
//! job (`crate::sign`), which digest parts of the record in this same form.

use std::io::Write;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Record, Signoff};
use crate::file_digest::hex;
use crate::source::sha256_hex;

/// The bytes the record digest is taken over: the record as JSON with its
/// own `digest` left out, no whitespace, object keys in byte order, and
/// members whose value is null left out.
///
/// It is taken from the typed record, not its YAML, so quoting, key order
/// and comments in the file do not matter. Nulls are dropped so that a
/// later relcheck that adds an optional field computes the same digest
/// for a record written before it.
///
/// Schema v2 leaves out of the file every field with no value, so the
/// canonical form is the file's content as it stands. A record of schema
/// v1 keeps v1's form, which wrote them (`super::v1`).
pub fn canonical(record: &Record) -> Vec<u8> {
    if record.is_v1() {
        return super::v1::canonical(record);
    }
    super::canonical::to_vec(record, Some("digest"))
}

/// Any value in the canonical form [`canonical`] describes.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            // Sorted here rather than trusting serde_json's map order: a
            // dependency that turns on its `preserve_order` feature would
            // otherwise change every digest.
            let mut members: Vec<(&String, &Value)> =
                map.iter().filter(|(_, v)| !v.is_null()).collect();
            members.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, value)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(key, out);
                out.push(b':');
                write_canonical(value, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_json(scalar, out),
    }
}

/// A string or scalar as `serde_json` writes it, straight into `out`: the
/// same bytes as its `to_string`, without a string per key and value.
fn write_json<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing a string or a scalar into memory cannot fail.
    let _ = serde_json::to_writer(out, value);
}

/// Lowercase hex sha256 of [`canonical`], hashed as the form is written:
/// a whole record's form is 100 MB at 100,000 items, and would otherwise
/// be held in memory at every whole save only to be hashed.
pub fn digest(record: &Record) -> String {
    if record.is_v1() {
        return sha256_hex(&canonical(record));
    }
    hashed(record, None::<&[&[u8]]>)
}

/// [`digest`] of a schema v2 record, hashed as its form is written: its
/// sign-offs by [`write_signoffs`], and its items' forms, when at hand,
/// as they are.
fn hashed<F: AsRef<[u8]>>(record: &Record, items: Option<&[F]>) -> String {
    let mut written = Ok(());
    let hex = sha256_of(|out| {
        let mut signoffs = |out: &mut Sha256Writer| write_signoffs(&record.signoffs, out);
        let mut forms = |out: &mut Sha256Writer| {
            write_forms(items.unwrap_or(&[]), out).map_err(serde::ser::Error::custom)
        };
        // The checklist a member at a time too: through the writer's
        // buffer for a member, its text (escaped) was the whole save's
        // peak of memory, 13 MB for a 9 MB checklist.
        let mut checklist = |out: &mut Sha256Writer| record.checklist.write_canonical(out);
        let mut given: Vec<super::canonical::Given<'_, Sha256Writer>> =
            vec![("signoffs", &mut signoffs), ("checklist", &mut checklist)];
        if items.is_some() {
            given.push(("items", &mut forms));
        }
        written = super::canonical::to_writer_with(record, Some("digest"), out, &mut given);
        Ok(())
    });
    match written {
        Ok(()) => hex,
        Err(_) => sha256_hex(&super::canonical::to_vec(record, Some("digest"))),
    }
}

/// The record's sign-offs in canonical form, each by [`write_signoff`].
fn write_signoffs<W: Write + ?Sized>(
    signoffs: &[Signoff],
    out: &mut W,
) -> Result<(), super::canonical::Error> {
    let fail = |err: std::io::Error| serde::ser::Error::custom(err);
    out.write_all(b"[").map_err(fail)?;
    for (i, signoff) in signoffs.iter().enumerate() {
        if i > 0 {
            out.write_all(b",").map_err(fail)?;
        }
        write_signoff(signoff, out)?;
    }
    out.write_all(b"]").map_err(fail)
}

/// A sign-off's canonical form, written into `out` a member at a time,
/// its `parts` straight through: they are in byte order already, as the
/// form sorts, and a long run's first sign-off lists every item. Through
/// the general writer, which sorts what it is given, they cost a string
/// per name, a copy of the form and a sort buffer (some 40 MB at 100,000
/// items) at every whole save and every sign-off after the first.
fn write_signoff<W: Write + ?Sized>(
    signoff: &Signoff,
    out: &mut W,
) -> Result<(), super::canonical::Error> {
    super::canonical::to_writer_with(
        signoff,
        None,
        out,
        &mut [("parts", &mut |out: &mut W| {
            write_sorted(&signoff.parts, out).map_err(serde::ser::Error::custom)
        })],
    )
}

/// A map of strings in canonical form, `{"name":"value",...}`, in the
/// map's order: byte order, as the canonical form sorts.
fn write_sorted<W: Write + ?Sized>(map: &super::PartMap, out: &mut W) -> std::io::Result<()> {
    out.write_all(b"{")?;
    let mut written = String::new();
    for (i, (name, value)) in map.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        name.write_into(&mut written);
        serde_json::to_writer(&mut *out, written.as_str())?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, value)?;
    }
    out.write_all(b"}")
}

/// Lowercase hex SHA-256 of a sign-off's canonical form: what
/// [`canonical_sha256`] gives for it, its `parts` written straight
/// through ([`write_signoff`]).
pub fn signoff_sha256(signoff: &Signoff) -> String {
    let mut written = Ok(());
    let hex = sha256_of(|out| {
        written = write_signoff(signoff, out);
        Ok(())
    });
    match written {
        Ok(()) => hex,
        Err(_) => canonical_sha256(signoff),
    }
}

/// [`digest`] of a schema v2 record whose items' canonical forms are at
/// hand, one per item in order (`verify` makes them for the items' own
/// digests): the same digest, without making each form again.
pub fn digest_with_items<F: AsRef<[u8]>>(record: &Record, items: &[F]) -> String {
    if record.is_v1() || items.len() != record.items.len() {
        return digest(record);
    }
    hashed(record, Some(items))
}

/// Lowercase hex SHA-256 of `value`'s canonical form, hashed as the form
/// is written: a long run's sign-off lists every item, and its form, made
/// whole to be digested (the next sign-off binds it), was a fifth of a
/// pipeline's peak memory.
pub fn canonical_sha256<T: Serialize + ?Sized>(value: &T) -> String {
    canonical_sha256_with(value, |out| super::canonical::to_writer(value, None, out))
}

/// [`canonical_sha256`] of `value`, its form written by `write` (which
/// writes what [`super::canonical::to_writer`] would, its own way).
pub fn canonical_sha256_with<T: Serialize + ?Sized>(
    value: &T,
    write: impl FnOnce(&mut Sha256Writer) -> Result<(), super::canonical::Error>,
) -> String {
    let mut written = Ok(());
    let hex = sha256_of(|out| {
        written = write(out);
        Ok(())
    });
    match written {
        Ok(()) => hex,
        // Only a value the canonical form cannot hold fails (none in a
        // record); its form, null, is what the buffered one gives.
        Err(_) => sha256_hex(&super::canonical::to_vec(value, None)),
    }
}

/// An array of forms already made, in canonical form.
fn write_forms<F: AsRef<[u8]>>(forms: &[F], out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (i, form) in forms.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(form.as_ref())?;
    }
    out.write_all(b"]")
}

/// Lowercase hex SHA-256 of what `write` writes, hashed as it is written.
pub fn sha256_of(write: impl FnOnce(&mut Sha256Writer) -> std::io::Result<()>) -> String {
    let mut out = Sha256Writer(std::io::BufWriter::with_capacity(
        64 * 1024,
        Hashing(Sha256::new()),
    ));
    // Neither the buffer nor the hash fails to take bytes.
    let _ = write(&mut out);
    let _ = out.0.flush();
    let (Hashing(hasher), _) = out.0.into_parts();
    hex(&hasher.finalize())
}

/// Where [`sha256_of`] takes bytes: a buffer in front of the hash, since
/// the canonical form is written a few bytes at a time.
pub struct Sha256Writer(std::io::BufWriter<Hashing>);

impl Write for Sha256Writer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.write_all(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The hash itself, behind [`Sha256Writer`]'s buffer.
struct Hashing(Sha256);

impl Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sets the record's digest; called before every save.
pub fn seal(record: &mut Record) {
    // A v1 record keeps v1's fields: its summary is worked out on reading.
    if !record.is_v1() {
        record.summary = Some(super::Summary::of(record));
    }
    record.digest = Some(digest(record));
}

/// Whether the record's stored digest is the one its content gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestCheck {
    Matches(String),
    Missing,
    Differs,
}

/// A summary that does not say what the items, gates and sign-offs say
/// counts as an edit even when the digest was recomputed over it: no
/// relcheck writes one, and `history` lists the summary, not the items,
/// so a forged one would otherwise pass for the record.
pub fn check_digest(record: &Record) -> DigestCheck {
    judge_digest(record, digest(record))
}

/// [`check_digest`], with the digest the record's content gives (`actual`)
/// already made.
pub fn judge_digest(record: &Record, actual: String) -> DigestCheck {
    let summary_holds = record
        .summary
        .as_ref()
        .is_none_or(|summary| summary.holds_for(record));
    match &record.digest {
        None => DigestCheck::Missing,
        Some(stored) if *stored == actual && summary_holds => DigestCheck::Matches(actual),
        Some(_) => DigestCheck::Differs,
    }
}

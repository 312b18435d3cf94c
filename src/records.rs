//! The records folder: where records go and under which names, which of
//! them can be read, the newest one that can go on, and the checklist a
//! record was made from.
//! `run`, `resume`, `report` and `history` all find records here.

use std::path::{Path, PathBuf};

use crate::exit::{Code, error};
use crate::record::{Header, Lock, Origin, Record};
use crate::source::Source;

pub const DEFAULT_RECORDS_DIR: &str = "relcheck-records";

/// `--records-dir`, `RELCHECK_RECORDS_DIR`, or `./relcheck-records`.
pub fn records_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("RELCHECK_RECORDS_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_RECORDS_DIR))
}

/// The records folder for a new run, created if missing. A file of that
/// name gets one line, not the operating system's "File exists".
pub fn create_records_dir(flag: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let dir = records_dir(flag);
    if let Err(err) = std::fs::create_dir_all(&dir) {
        return Err(if dir.exists() && !dir.is_dir() {
            not_a_folder(&dir)
        } else {
            error(
                Code::Input,
                format!("{}: cannot create the records folder: {err}", dir.display()),
            )
        });
    }
    Ok(dir)
}

fn not_a_folder(dir: &Path) -> anyhow::Error {
    error(
        Code::Input,
        format!(
            "{}: the records folder (--records-dir, RELCHECK_RECORDS_DIR, or ./{DEFAULT_RECORDS_DIR}) is a file, not a folder; name a folder, which is created if missing",
            dir.display()
        ),
    )
}

/// A new record's name, locked: `<checklist>-<UTC timestamp>.yaml`, or
/// with `-2`, `-3`, ... when anything (a record, its lock, a link) has
/// that name, so runs started in the same second never share a file. The
/// lock is made exclusively, and the record itself by its first save
/// (exclusively too), so a record is never there half-made.
pub fn new_record(
    dir: &Path,
    // The checklist's path as given, or `NAME (bundled)`.
    display: &str,
    operator: &str,
    host: &str,
) -> anyhow::Result<(PathBuf, Lock)> {
    use crate::record::create::{MAX_NUMBERED, numbered, taken};
    let name = display.strip_suffix(" (bundled)").unwrap_or(display);
    let stem = Path::new(name).file_stem().map_or_else(
        || "checklist".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!("{}-{stamp}", short_stem(&stem));
    for n in 1..=MAX_NUMBERED {
        let path = numbered(dir, &base, "yaml", n);
        if taken(&path) {
            continue;
        }
        let Some(lock) = Lock::acquire_new(&path, operator, host)? else {
            continue;
        };
        // Made between the look and the lock: it is someone else's.
        if taken(&path) {
            continue;
        }
        return Ok((path, lock));
    }
    Err(error(
        Code::Input,
        format!(
            "{}: no free name for a new record of {name} (tried {base}.yaml to {base}-{MAX_NUMBERED}.yaml)",
            dir.display()
        ),
    ))
}

/// The longest checklist name a record's file name keeps, in bytes: with
/// the time, a `-N` suffix and the longest name relcheck puts beside a
/// record (`.yaml-N.unsaved`, `.yaml.journal`), it stays well under the
/// 255 bytes most filesystems allow.
const STEM_BYTES: usize = 150;

/// `stem`, or, when too long for a file name, its first part and a short
/// hash of the whole, so two long names that share a beginning still
/// name their records apart.
pub fn short_stem(stem: &str) -> String {
    if stem.len() <= STEM_BYTES {
        return stem.to_string();
    }
    let mut end = STEM_BYTES - 9;
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    let hash = crate::source::sha256_hex(stem.as_bytes());
    format!("{}~{}", &stem[..end], &hash[..8])
}

/// The checklist a record was made from: its file, or the bundled one.
/// Only `resume` needs it (to go on, it needs the checklist as it is now);
/// reports, `verify`, `history` and `sign` read the record alone.
pub fn checklist_source(record: &Record) -> anyhow::Result<Source> {
    match &record.checklist.origin {
        // The compiled-in text: a file here that shares its name is another
        // checklist.
        Origin::Bundled { bundled, .. } => match crate::bundled::find(bundled) {
            Some(found) => crate::bundled::source(found),
            None => Err(error(
                Code::Input,
                format!("this relcheck has no bundled checklist {bundled}; name the checklist with `relcheck resume RECORD --checklist FILE`"),
            )),
        },
        // A file by its path only: a bundled checklist that shares its name
        // is another checklist, never a stand-in for a file that moved.
        Origin::File { file } => Source::read(Path::new(file)).map_err(|err| {
            error(
                Code::Input,
                format!("the record's checklist cannot be read: {err:#}; if it moved, name it with `relcheck resume RECORD --checklist FILE`"),
            )
        }),
    }
}

/// The checklist a record carries, as it was when the run began: for
/// `resume` when the file is gone. `None` for a record of schema v1.
pub fn embedded_source(record: &Record) -> Option<Source> {
    let text = record.checklist.source.as_ref()?.text();
    let mut source = Source::from_text(&record.checklist.origin.display(), &text);
    // The file's bytes were hashed, not the text as read: keep its hash,
    // so the run goes on as the same checklist.
    source.set_sha256(record.checklist.sha256.clone());
    Some(source)
}

/// The newest record in `dir` whose run can go on: in progress, rolling
/// back, or left incomplete by a pipeline. A file there that cannot be
/// read might be that run, so it stops the search rather than let an
/// older run be taken for the newest.
pub fn newest_in_progress(dir: &Path) -> anyhow::Result<PathBuf> {
    let folder = records_in(dir)?;
    folder.require_all(dir, "relcheck resume", "the record to resume")?;
    folder
        .records
        .into_iter()
        .filter(|(_, record)| record.run.resumable())
        .max_by_key(|(_, record)| record.run.started)
        .map(|(path, _)| path)
        .ok_or_else(|| {
            error(
                Code::Usage,
                format!(
                    "no run to resume in {} (none in progress, rolling back or incomplete); name a record to resume",
                    dir.display()
                ),
            )
        })
}

/// The records in a folder, and the files that should have been records
/// but could not be read.
pub struct Folder<T = Record> {
    pub records: Vec<(PathBuf, T)>,
    pub skipped: Vec<String>,
}

impl<T> Folder<T> {
    /// Fails, naming the first file left out, when any was: `command`
    /// looks for the newest record, and it may be the one left out.
    pub fn require_all(&self, dir: &Path, command: &str, what: &str) -> anyhow::Result<()> {
        match self.skipped.first() {
            None => Ok(()),
            Some(why) => Err(error(
                Code::Input,
                format!(
                    "{why}; `{command}` looks through every record in {} for the newest, so name {what}, or move that file out of the folder",
                    dir.display()
                ),
            )),
        }
    }
}

/// Every `*.yaml` in a folder (hidden files aside), in name order: those
/// that load, and why the others did not. Each is read within
/// [`crate::limits`], so a pipe or a device among them is passed over at
/// once.
pub fn records_in(dir: &Path) -> anyhow::Result<Folder> {
    read_folder(dir, Record::load)
}

/// [`records_in`], reading only each record's header where it can
/// ([`Header::read`]): what `history` lists.
pub fn headers_in(dir: &Path) -> anyhow::Result<Folder<Header>> {
    read_folder(dir, Header::read)
}

/// [`headers_in`] with what `history --stats` needs: each header's
/// outline and its summary's metrics, the record read whole where its
/// top does not hold them.
pub fn stats_headers_in(dir: &Path) -> anyhow::Result<Folder<Header>> {
    read_folder(dir, |path| {
        Header::read_for(path, crate::record::Need::Stats)
    })
}

fn read_folder<T: Send>(
    dir: &Path,
    read: impl Fn(&Path) -> anyhow::Result<T> + Sync,
) -> anyhow::Result<Folder<T>> {
    let entries = std::fs::read_dir(dir).map_err(|err| {
        if dir.exists() && !dir.is_dir() {
            return not_a_folder(dir);
        }
        error(
            Code::Input,
            format!("{}: cannot read the records folder: {err}", dir.display()),
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            is_yaml && !hidden
        })
        .collect();
    paths.sort();
    let mut folder = Folder {
        records: Vec::new(),
        skipped: Vec::new(),
    };
    for (path, read) in paths.iter().zip(in_parallel(&paths, read)) {
        match read {
            Ok(record) => folder.records.push((path.clone(), record)),
            Err(err) => folder.skipped.push(format!("{err:#}")),
        }
    }
    Ok(folder)
}

/// `read` of every path, in order, on every core: a folder of records is
/// read for one table, and each file is parsed on its own.
fn in_parallel<T: Send>(
    paths: &[PathBuf],
    read: impl Fn(&Path) -> anyhow::Result<T> + Sync,
) -> Vec<anyhow::Result<T>> {
    let results = crate::cores::map(paths, 16, |path| read(path));
    // A reader that panicked took its files' results with it: each is
    // said, never silently dropped or paired with another file.
    paths
        .iter()
        .zip(results)
        .map(|(path, result)| {
            result.unwrap_or_else(|| {
                Err(error(
                    Code::Input,
                    format!("{}: could not be read", path.display()),
                ))
            })
        })
        .collect()
}

/// Whether the checklist file a record names is there but is not a
/// regular file (a pipe, a device, a folder). That is not a checklist
/// that moved, so `resume` stops rather than go on with the record's copy.
pub fn checklist_not_a_file(record: &Record) -> bool {
    match &record.checklist.origin {
        Origin::File { file } => std::fs::metadata(file).is_ok_and(|meta| !meta.is_file()),
        Origin::Bundled { .. } => false,
    }
}

//! Making files in a records folder that other people can write to. A
//! record, its journal, its lock and every temporary file are created
//! fresh (`O_CREAT | O_EXCL`, and `O_NOFOLLOW` besides) or under a random
//! name, so a symbolic link planted at a name relcheck will use can never
//! make it write to the file the link points at: the create fails instead.
//! A file relcheck rewrites keeps its mode, so a record made private stays
//! private.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::libc;

use crate::exit::{Code, error};

/// The mode a new file asks for; the umask takes its share as usual.
const NEW_MODE: u32 = 0o666;

/// Creates `path`, which must not exist in any form (a dangling link
/// included), for writing, with `mode` (less the umask).
pub fn create_new(path: &Path, mode: Option<u32>) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode.unwrap_or(NEW_MODE))
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)?;
    // The umask may have taken bits a rewrite must keep.
    if let Some(mode) = mode {
        file.set_permissions(Permissions::from_mode(mode))?;
    }
    Ok(file)
}

/// Opens an existing regular file for reading, never through a link, and
/// never waiting on a FIFO.
pub fn open_read(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// Reads a file that relcheck itself writes beside a record (a journal),
/// never through a link, and none over `max` bytes: one that large was
/// not written by relcheck, and read whole it could take all memory
/// (`ErrorKind::FileTooLarge`).
pub fn read_own(path: &Path, max: u64) -> io::Result<String> {
    use io::Read;
    let too_large = || io::Error::from(io::ErrorKind::FileTooLarge);
    let file = open_read(path)?;
    let len = file.metadata()?.len();
    if len > max {
        return Err(too_large());
    }
    // Taken one byte past the limit: a file still growing is caught too.
    // Room for it all at once, as a read of the whole file makes: grown
    // by doubling, a journal near the limit took twice its size.
    let mut text = String::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    file.take(max.saturating_add(1)).read_to_string(&mut text)?;
    if text.len() as u64 > max {
        return Err(too_large());
    }
    Ok(text)
}

/// The folder `path` is in: `.` for a bare name.
pub fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The mode of the regular file at `path`, for its replacement; `None`
/// when there is none (a new file gets the usual mode).
pub fn mode_of(path: &Path) -> Option<u32> {
    fs::symlink_metadata(path)
        .ok()
        .filter(|meta| meta.is_file())
        .map(|meta| meta.permissions().mode() & 0o7777)
}

/// A temporary file in `dir` under a random name, created fresh, with
/// `mode` (the mode of the file it will replace) or the usual one.
pub fn temp_in(dir: &Path, mode: Option<u32>) -> io::Result<tempfile::NamedTempFile> {
    let file = tempfile::Builder::new()
        .prefix(".relcheck-")
        .suffix(".tmp")
        .permissions(Permissions::from_mode(mode.unwrap_or(NEW_MODE)))
        .tempfile_in(dir)
        .map_err(without_path)?;
    if let Some(mode) = mode {
        file.as_file()
            .set_permissions(Permissions::from_mode(mode))?;
    }
    Ok(file)
}

/// Puts the complete file `temp` at `path` only if nothing (a link
/// included) has that name, and returns it open: a hard link, so the file
/// appears whole. A filesystem without hard links (FAT, some network
/// shares) gets a copy into a file created with `O_EXCL | O_NOFOLLOW`,
/// which is as exclusive though a reader may see it part-written.
pub fn place_new(temp: tempfile::NamedTempFile, path: &Path) -> io::Result<File> {
    place_new_with(temp, path, |from, to| fs::hard_link(from, to))
}

fn place_new_with(
    temp: tempfile::NamedTempFile,
    path: &Path,
    link: impl FnOnce(&Path, &Path) -> io::Result<()>,
) -> io::Result<File> {
    match link(temp.path(), path) {
        Ok(()) => {
            let (file, name) = temp.keep().map_err(|err| err.error)?;
            let _ = fs::remove_file(name);
            Ok(file)
        }
        Err(err)
            if matches!(
                err.raw_os_error(),
                Some(libc::EPERM | libc::EOPNOTSUPP | libc::ENOSYS | libc::EMLINK)
            ) =>
        {
            let mode = temp.as_file().metadata()?.permissions().mode() & 0o7777;
            let mut file = create_new(path, Some(mode))?;
            let result = io::copy(&mut temp.reopen()?, &mut file).and_then(|_| file.sync_all());
            if let Err(err) = result {
                let _ = fs::remove_file(path);
                return Err(err);
            }
            Ok(file)
        }
        Err(err) => Err(err),
    }
}

/// tempfile's error names the random name it tried ("... at path
/// \"dir/.relcheck-XXXXXX.tmp\""), which says nothing to a user; callers
/// name the file they meant. The OS error and its kind stay.
fn without_path(err: io::Error) -> io::Error {
    let text = err.to_string();
    match text.rsplit_once(" at path ") {
        Some((message, _)) => io::Error::new(err.kind(), message.to_string()),
        None => err,
    }
}

/// `base.EXT`, then `base-2.EXT`, `base-3.EXT`, ...: the `n`th name to
/// try for a file that must not take another's.
pub fn numbered(dir: &Path, base: &str, ext: &str, n: u32) -> PathBuf {
    if n <= 1 {
        dir.join(format!("{base}.{ext}"))
    } else {
        dir.join(format!("{base}-{n}.{ext}"))
    }
}

/// How many names [`numbered`] offers before giving up.
pub const MAX_NUMBERED: u32 = 10_000;

/// The first [`numbered`] name in `dir` that this call could create: a
/// name someone put there first (a link included) is passed over. The
/// file is left empty, open, and the caller's.
pub fn create_unique(
    dir: &Path,
    base: &str,
    ext: &str,
    mode: Option<u32>,
) -> io::Result<(PathBuf, File)> {
    let mut n = 1;
    loop {
        let path = numbered(dir, base, ext, n);
        match create_new(&path, mode) {
            Ok(file) => return Ok((path, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists && n < MAX_NUMBERED => n += 1,
            Err(err) => {
                return Err(io::Error::new(
                    err.kind(),
                    format!("{}: {err}", path.display()),
                ));
            }
        }
    }
}

/// Whether anything at all is at `path`, a dangling link included.
pub fn taken(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Whether an open failed because the path is a symbolic link
/// (`O_NOFOLLOW` says so with `ELOOP`).
pub fn is_link_refusal(err: &io::Error) -> bool {
    err.raw_os_error() == Some(libc::ELOOP)
}

/// The one line for a link found where relcheck keeps its own file.
pub fn link_refused(path: &Path, what: &str) -> anyhow::Error {
    error(
        Code::Input,
        format!(
            "{}: a symbolic link where the {what} belongs; relcheck never reads or writes through one there (a link planted in a shared records folder could make it overwrite another file), so it stops: remove the link if you did not put it there",
            path.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planted_link_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("x.journal");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert_eq!(
            create_new(&link, None).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert!(is_link_refusal(&open_read(&link).unwrap_err()));
        assert!(is_link_refusal(&read_own(&link, u64::MAX).unwrap_err()));
        // A dangling link counts as there.
        let dangling = dir.path().join("y.lock");
        std::os::unix::fs::symlink(dir.path().join("nothing"), &dangling).unwrap();
        assert!(create_new(&dangling, None).is_err());
        assert!(!dir.path().join("nothing").exists());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[test]
    fn unique_names_take_the_next_suffix() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/nonexistent", dir.path().join("r.yaml")).unwrap();
        fs::write(dir.path().join("r-2.yaml"), "").unwrap();
        let (path, _) = create_unique(dir.path(), "r", "yaml", None).unwrap();
        assert_eq!(path, dir.path().join("r-3.yaml"));
        let (path, _) = create_unique(dir.path(), "r", "yaml", None).unwrap();
        assert_eq!(path, dir.path().join("r-4.yaml"));
    }

    #[test]
    fn without_hard_links_a_new_file_is_copied_into_an_exclusive_one() {
        let dir = tempfile::tempdir().unwrap();
        let no_links = |_: &Path, _: &Path| Err(io::Error::from_raw_os_error(libc::EPERM));
        let temp = temp_in(dir.path(), Some(0o640)).unwrap();
        fs::write(temp.path(), "whole").unwrap();
        let path = dir.path().join("r.yaml");
        place_new_with(temp, &path, no_links).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "whole");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        // The temporary file is gone; a name taken stays refused.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        let temp = temp_in(dir.path(), None).unwrap();
        let err = place_new_with(temp, &path, no_links).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&path).unwrap(), "whole");
    }

    #[test]
    fn a_rewrite_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.yaml");
        fs::write(&path, "x").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        let temp = temp_in(dir.path(), mode_of(&path)).unwrap();
        assert_eq!(
            temp.as_file().metadata().unwrap().permissions().mode() & 0o7777,
            0o640
        );
    }
}

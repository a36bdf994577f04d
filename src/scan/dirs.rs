//! Reading one directory for the walk. A directory is opened with O_NOATIME, like the files in
//! it: listing a directory updates its access time, and an investigator's timeline holds
//! directories too (walkdir opens them with `std::fs::read_dir`, which cannot ask for it, so
//! the walk lists directories here). The directory is identified by fstat on the opened
//! descriptor (device and inode, for pruning, loops and duplicates), then listed through that
//! descriptor and sorted by name.

use crate::scan::platform;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// What a directory entry is, as the directory says (lstat where it does not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Dir,
    File,
    Symlink,
    Other,
}

pub(crate) struct Entry {
    pub name: OsString,
    pub kind: Kind,
}

/// A directory opened for listing, with its identity.
pub(crate) struct OpenDir {
    fd: OwnedFd,
    pub dev: u64,
    pub ino: u64,
}

/// Opens `path` as a directory, read-only and without updating its access time where the
/// kernel lets us; a final link is followed only when `follow`.
pub(crate) fn open(path: &Path, follow: bool) -> io::Result<OpenDir> {
    let flags = libc::O_DIRECTORY | libc::O_CLOEXEC | if follow { 0 } else { libc::O_NOFOLLOW };
    let file = platform::without_atime(flags, |f| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(f)
            .open(path)
    })?;
    let md = file.metadata()?;
    Ok(OpenDir {
        dev: md.dev(),
        ino: md.ino(),
        fd: OwnedFd::from(file),
    })
}

impl OpenDir {
    /// Its entries (not `.` and `..`), sorted by name.
    pub fn entries(self) -> io::Result<Vec<Entry>> {
        let listing = self.fd.try_clone()?;
        let dir = File::from(self.fd);
        let mut entries = Vec::new();
        platform::read_dir_fd(listing, |name, d_type| {
            let kind = match d_type {
                libc::DT_DIR => Kind::Dir,
                libc::DT_REG => Kind::File,
                libc::DT_LNK => Kind::Symlink,
                libc::DT_UNKNOWN => kind_at(&dir, name),
                _ => Kind::Other,
            };
            entries.push(Entry {
                name: std::ffi::OsStr::from_bytes(name).to_owned(),
                kind,
            });
            true
        })?;
        entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }
}

/// The kind of `name` in `dir` by lstat, for filesystems whose listings do not say.
fn kind_at(dir: &File, name: &[u8]) -> Kind {
    use std::os::fd::AsRawFd;
    let Ok(c) = std::ffi::CString::new(name) else {
        return Kind::Other;
    };
    // SAFETY: fstatat into a zeroed struct, relative to a descriptor we hold.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let rc = unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            c.as_ptr(),
            &mut st,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if rc != 0 {
        return Kind::Other;
    }
    match st.st_mode & libc::S_IFMT {
        libc::S_IFDIR => Kind::Dir,
        libc::S_IFREG => Kind::File,
        libc::S_IFLNK => Kind::Symlink,
        _ => Kind::Other,
    }
}

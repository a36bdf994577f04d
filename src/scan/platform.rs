//! The operating-system calls minerscan needs, in one place: a safe open (read-only,
//! non-blocking, no symlink following, no access-time update where permitted), the filesystem
//! type of a directory (to skip virtual filesystems by type, never by name), and user names.
//! The scanner runs on Linux; Windows hosts are scanned through their mounted images.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::fd::{IntoRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Opens a file for reading without following a final symlink, without blocking on FIFOs, and
/// without updating its access time where the kernel lets us (O_NOATIME fails with EPERM on
/// files we do not own unless we have CAP_FOWNER: then we retry without it).
pub fn open_for_scan(path: &Path, follow: bool) -> io::Result<File> {
    let base = libc::O_NONBLOCK | libc::O_CLOEXEC | if follow { 0 } else { libc::O_NOFOLLOW };
    let open = |flags: i32| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
    };
    without_atime(base, open)
}

/// Opens with `O_NOATIME` added to `flags`, so that reading leaves the access time alone (an
/// investigator's timeline depends on it), and again without it where the kernel refuses:
/// EPERM on a file we do not own, unless we have CAP_FOWNER.
pub fn without_atime<T>(flags: i32, open: impl Fn(i32) -> io::Result<T>) -> io::Result<T> {
    match open(flags | libc::O_NOATIME) {
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => open(flags),
        other => other,
    }
}

/// Lists the directory `dir` is open on (read with getdents through the descriptor, so the
/// directory is the one opened, not whatever its name means now), calling `each` with every
/// name but `.` and `..` and its `d_type` (`DT_UNKNOWN` where the filesystem does not say),
/// until `each` returns false.
pub fn read_dir_fd(dir: OwnedFd, mut each: impl FnMut(&[u8], u8) -> bool) -> io::Result<()> {
    let raw = dir.into_raw_fd();
    // SAFETY: `raw` is a directory descriptor we own; fdopendir takes it over.
    let dirp = unsafe { libc::fdopendir(raw) };
    if dirp.is_null() {
        let e = io::Error::last_os_error();
        // SAFETY: fdopendir failed, so the descriptor is still ours to close.
        unsafe { libc::close(raw) };
        return Err(e);
    }
    let mut result = Ok(());
    loop {
        // SAFETY: errno is thread-local; clearing it tells the end of the listing from an error.
        unsafe { *libc::__errno_location() = 0 };
        // SAFETY: `dirp` is a valid open directory stream.
        let ent = unsafe { libc::readdir64(dirp) };
        if ent.is_null() {
            let e = io::Error::last_os_error();
            if e.raw_os_error().is_some_and(|n| n != 0) {
                result = Err(e);
            }
            break;
        }
        // SAFETY: readdir returned an entry whose d_name is NUL-terminated.
        let (name, kind) = unsafe {
            (
                std::ffi::CStr::from_ptr((*ent).d_name.as_ptr()),
                (*ent).d_type,
            )
        };
        let name = name.to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        if !each(name, kind) {
            break;
        }
    }
    // SAFETY: closes the stream and its descriptor once.
    unsafe { libc::closedir(dirp) };
    result
}

/// Opens the file a report is written to (`-o FILE`), which may sit in a directory other users
/// can write to: a symbolic link planted there must not lead root's report onto another file.
/// The final component is never followed (O_NOFOLLOW), except for the system's own names of open
/// descriptors (`/dev/stdout`, `/dev/fd/N`...), which are taken as that descriptor. The target
/// must be a regular file with no other name (a hard link would lead the report elsewhere just
/// the same), or a FIFO or character device named on purpose; a regular file is emptied only
/// once it has been checked. Opening a FIFO waits for its reader, as a shell redirection does.
pub fn open_output(path: &Path) -> io::Result<File> {
    if let Some(fd) = descriptor_name(path) {
        // SAFETY: dup of a descriptor number; the result is checked and owned below.
        let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
        if dup < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `dup` is a fresh descriptor that nothing else owns.
        let file = unsafe { <File as std::os::fd::FromRawFd>::from_raw_fd(dup) };
        // The shell already decided what that descriptor is (and truncated or appended).
        return Ok(file);
    }
    let open = |flags: i32| {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .mode(0o666)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | flags)
            .open(path)
    };
    let file = match open(libc::O_NONBLOCK) {
        Ok(f) => f,
        // A FIFO without a reader yet: wait for one, as `> fifo` does.
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => open(0)?,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(io::Error::other(
                "is a symbolic link, which is not followed (name the file it points to)",
            ))
        }
        Err(e) => return Err(e),
    };
    let md = file.metadata()?;
    let ft = md.file_type();
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    if ft.is_file() {
        if md.nlink() > 1 {
            return Err(io::Error::other(
                "has other names (hard links): refusing to write through it",
            ));
        }
        file.set_len(0)?;
    } else if !(ft.is_fifo() || ft.is_char_device()) {
        return Err(io::Error::other(
            "is not a regular file, a FIFO or a character device",
        ));
    }
    // Writes block as on any output; O_NONBLOCK was only for the open.
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let fl = libc::fcntl(std::os::fd::AsRawFd::as_raw_fd(&file), libc::F_GETFL);
        if fl >= 0 {
            libc::fcntl(
                std::os::fd::AsRawFd::as_raw_fd(&file),
                libc::F_SETFL,
                fl & !libc::O_NONBLOCK,
            );
        }
    }
    Ok(file)
}

/// The descriptor a path names by the system's conventions: `/dev/stdout`, `/dev/stderr`,
/// `/dev/fd/N`, `/proc/self/fd/N`.
fn descriptor_name(path: &Path) -> Option<i32> {
    let s = path.to_str()?;
    match s {
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        _ => s
            .strip_prefix("/dev/fd/")
            .or_else(|| s.strip_prefix("/proc/self/fd/"))
            .and_then(|n| n.parse().ok()),
    }
}

/// The (device, inode) of what standard output writes to, when that is a regular file: a
/// report redirected into the scanned tree is a file this run writes.
pub fn stdout_file_identity() -> Option<(u64, u64)> {
    // SAFETY: fstat into a zeroed struct on descriptor 1.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(1, &mut st) } != 0 || st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return None;
    }
    Some((st.st_dev, st.st_ino))
}

/// Filesystem types whose files are not files on disk. tmpfs is deliberately absent:
/// /dev/shm, /run/user and /tmp are tmpfs, and miners live there.
pub const VIRTUAL_FS_TYPES: &[&str] = &[
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "debugfs",
    "tracefs",
    "securityfs",
    "bpf",
    "nsfs",
    "pstore",
    "selinuxfs",
    "binfmt_misc",
    "fusectl",
    "efivarfs",
    "configfs",
    "mqueue",
    "hugetlbfs",
    "rpc_pipefs",
    "autofs",
];

/// Maps each mounted filesystem's device number to its type, from /proc/self/mountinfo, so
/// that a directory's filesystem type is known from the st_dev already in hand.
pub fn mounted_fs_types() -> HashMap<u64, String> {
    let mut out = HashMap::new();
    let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return out;
    };
    for line in text.lines() {
        // id parent major:minor root mountpoint options [optional...] - fstype source superopts
        let mut fields = line.split(' ');
        let Some(devno) = fields.nth(2) else { continue };
        let Some((major, minor)) = devno.split_once(':') else {
            continue;
        };
        let (Ok(major), Ok(minor)) = (major.parse::<u32>(), minor.parse::<u32>()) else {
            continue;
        };
        let Some(fstype) = line.split(" - ").nth(1).and_then(|r| r.split(' ').next()) else {
            continue;
        };
        out.insert(libc::makedev(major, minor), fstype.to_owned());
    }
    out
}

/// The user name for a uid, or the number when there is none.
pub fn user_name(uid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the call; `buf` outlives the use of `pwd`'s strings.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
        // SAFETY: getpwuid_r succeeded, so pw_name points to a NUL-terminated string in `buf`.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return name.to_string_lossy().into_owned();
    }
    uid.to_string()
}

/// Lowers the calling thread's CPU and I/O priority (inherited by threads it spawns later).
pub fn lower_priority() -> io::Result<()> {
    // SAFETY: plain syscalls with constant arguments.
    unsafe {
        if libc::setpriority(libc::PRIO_PROCESS, 0, 19) != 0 {
            return Err(io::Error::last_os_error());
        }
        // ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0))
        const IOPRIO_CLASS_IDLE: libc::c_long = 3;
        const IOPRIO_CLASS_SHIFT: libc::c_long = 13;
        if libc::syscall(
            libc::SYS_ioprio_set,
            1 as libc::c_long,
            0 as libc::c_long,
            IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT,
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

//! `--root DIR`: scanning DIR as the root filesystem of another machine (a mounted disk image).
//! Paths are reported and judged as that machine saw them (`/etc/cron.d/x`, or
//! `C:\Windows\...` for a Windows image), and links are resolved inside DIR: an absolute link
//! target names a path in the image, `..` stops at the image's root, and nothing outside DIR is
//! ever opened whatever the links say. Files are opened with openat2 and RESOLVE_IN_ROOT where
//! the kernel has it (Linux 5.6+), which makes the containment the kernel's job; elsewhere (and
//! for Windows images, whose names match without regard to case) each path is walked here from
//! a descriptor of DIR, one component at a time, each opened relative to the directory before
//! it with O_NOFOLLOW and links read through their own descriptors: no step ever goes through a
//! host path, so a component swapped for a link while we walk cannot lead outside DIR.

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// As many links as Linux follows in one path resolution.
const MAX_LINKS: usize = 40;

/// The scanned machine's root directory and what is known about it.
#[derive(Debug)]
pub struct ImageRoot {
    /// DIR, canonical, on the host.
    host: PathBuf,
    /// DIR opened as a directory, the anchor of every open inside the image.
    dir: File,
    /// A Windows/System32 directory was found: Windows paths, case-insensitive.
    windows: bool,
    /// Whether openat2 works here, probed once when the root is opened (old kernels and some
    /// seccomp filters refuse it). A later error is that file's error, never a switch.
    openat2: AtomicBool,
    /// uid to user name from the image's own /etc/passwd (never the host's).
    users: HashMap<u32, String>,
}

/// Where a walk inside the image ended: the directory holding the final component (or the
/// final directory itself when there is no name), and the link-free path walked.
struct Walked {
    dir: OwnedFd,
    name: Option<CString>,
    names: Vec<String>,
}

impl ImageRoot {
    pub fn open(dir: &Path) -> io::Result<ImageRoot> {
        let host = std::fs::canonicalize(dir)?;
        let dir_file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(&host)?;
        let mut root = ImageRoot {
            host,
            dir: dir_file,
            windows: false,
            openat2: AtomicBool::new(true),
            users: HashMap::new(),
        };
        if let Err(e) = root.openat2(".", true, libc::O_PATH) {
            if matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM)) {
                root.openat2.store(false, Ordering::Relaxed);
            }
        }
        // Probed through the image's own resolution: a `Windows` link to a host directory
        // names a directory inside the image, which has no System32.
        root.windows = root
            .find_ci("/", "windows")
            .and_then(|w| root.find_ci(&w, "system32"))
            .and_then(|p| root.metadata(&p, true).ok())
            .is_some_and(|md| md.is_dir());
        if !root.windows {
            root.users = root.read_passwd();
        }
        Ok(root)
    }

    /// The root on the host, as recorded in the scan metadata.
    pub fn host(&self) -> &Path {
        &self.host
    }

    pub fn is_windows(&self) -> bool {
        self.windows
    }

    /// The host path of an in-image path, without resolving anything (for walking real
    /// directories that were already resolved).
    pub fn host_path(&self, image_path: &str) -> PathBuf {
        let rel = image_path.trim_start_matches('/');
        if rel.is_empty() {
            self.host.clone()
        } else {
            self.host.join(rel)
        }
    }

    /// The in-image path (`/etc/x`) of a host path under the root.
    pub fn image_path(&self, host: &Path) -> Option<String> {
        let rel = host.strip_prefix(&self.host).ok()?;
        let rel = rel.to_string_lossy();
        Some(format!("/{}", rel.trim_start_matches('/')))
    }

    /// The path as the scanned machine showed it: `/etc/x`, or `C:\Windows\x`.
    pub fn shown(&self, image_path: &str) -> String {
        if self.windows {
            format!("C:{}", image_path.replace('/', "\\"))
        } else {
            image_path.to_owned()
        }
    }

    /// Reads a path named by the user in the image's terms (`/etc`, `etc`, `C:\Users`) as an
    /// in-image path with `/` separators.
    pub fn parse_user_path(&self, s: &str) -> String {
        let mut p = s.replace('\\', "/");
        if p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic() {
            p = p[2..].to_owned();
        }
        format!("/{}", p.trim_start_matches('/'))
    }

    /// The owner's name, from the image's /etc/passwd.
    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str)
    }

    /// The name of `name` in directory `dir` (in-image), matched without regard to case; the
    /// directory is opened and listed inside the image.
    fn find_ci(&self, dir: &str, name: &str) -> Option<String> {
        let fd = self
            .open_with(dir, true, libc::O_RDONLY | libc::O_DIRECTORY)
            .ok()?;
        let found = find_name(fd, name.as_bytes())?;
        let base = dir.trim_end_matches('/');
        Some(format!("{base}/{}", String::from_utf8_lossy(&found)))
    }

    /// The image's user names. Only a regular file is read: a FIFO, socket or device there
    /// (a device node reads the host's device when the image is mounted without `nodev`) is
    /// opened non-blocking, recognised by fstat on the descriptor and left unread.
    fn read_passwd(&self) -> HashMap<u32, String> {
        let mut users = HashMap::new();
        let Ok(mut f) = self.open_file("/etc/passwd", true) else {
            return users;
        };
        if !f.metadata().is_ok_and(|md| md.is_file()) {
            return users;
        }
        let mut text = String::new();
        use std::io::Read;
        if f.by_ref().take(4 << 20).read_to_string(&mut text).is_err() {
            return users;
        }
        for line in text.lines() {
            let mut fields = line.split(':');
            let (Some(name), _, Some(uid)) = (fields.next(), fields.next(), fields.next()) else {
                continue;
            };
            if let Ok(uid) = uid.parse() {
                users.entry(uid).or_insert_with(|| name.to_owned());
            }
        }
        users
    }

    /// Resolves an in-image path inside the root, component by component: absolute link
    /// targets restart at the image's root, `..` never climbs above it. The result names no
    /// link (except the final component when `follow_final` is false). Windows images are
    /// matched without regard to case.
    pub fn resolve(&self, image_path: &str, follow_final: bool) -> io::Result<String> {
        Ok(join(&self.walk(image_path, follow_final)?.names, ""))
    }

    /// What an in-image path is (its own metadata when `follow_final` is false and it is a
    /// link), found inside the root: no host path is ever looked up.
    pub fn metadata(&self, image_path: &str, follow_final: bool) -> io::Result<std::fs::Metadata> {
        File::from(self.open_with(image_path, follow_final, libc::O_PATH)?).metadata()
    }

    /// Opens an in-image file for scanning (read-only, non-blocking, no access-time update
    /// where permitted), resolving every link inside the root.
    pub fn open_file(&self, image_path: &str, follow_final: bool) -> io::Result<File> {
        let flags = libc::O_RDONLY | libc::O_NONBLOCK;
        crate::scan::platform::without_atime(flags, |f| {
            self.open_with(image_path, follow_final, f).map(File::from)
        })
    }

    /// Opens an in-image path with `flags`, through openat2 where it works, else by walking.
    fn open_with(&self, image_path: &str, follow_final: bool, flags: i32) -> io::Result<OwnedFd> {
        if self.openat2.load(Ordering::Relaxed) && !self.windows {
            return self.openat2(image_path, follow_final, flags);
        }
        let walked = self.walk(image_path, follow_final)?;
        let name = walked.name.as_deref().unwrap_or(c".");
        openat(walked.dir.as_fd(), name, flags | libc::O_NOFOLLOW)
    }

    /// Walks an in-image path from the root's descriptor: each component is opened (O_PATH,
    /// O_NOFOLLOW) relative to the directory before it, links are read through their own
    /// descriptor and their targets walked the same way, `..` returns to the directory held
    /// before. Nothing is looked up by a host path, so a component replaced by a link during
    /// the walk is seen as that link and resolved inside the root too.
    fn walk(&self, image_path: &str, follow_final: bool) -> io::Result<Walked> {
        let mut pending: Vec<Vec<u8>> = image_path
            .split('/')
            .rev()
            .filter(|c| !c.is_empty())
            .map(|c| c.as_bytes().to_vec())
            .collect();
        let mut stack: Vec<(OwnedFd, String)> = Vec::new();
        let mut links = 0;
        while let Some(c) = pending.pop() {
            match &c[..] {
                b"" | b"." => continue,
                b".." => {
                    stack.pop();
                    continue;
                }
                _ => {}
            }
            let last = pending.is_empty();
            let here = stack.last().map_or(self.dir.as_fd(), |(fd, _)| fd.as_fd());
            let (name, fd) = self.step(here, &c)?;
            let kind = fstat_kind(fd.as_fd())?;
            if kind == libc::S_IFLNK && (!last || follow_final) {
                links += 1;
                if links > MAX_LINKS {
                    return Err(io::Error::from_raw_os_error(libc::ELOOP));
                }
                let target = readlink_fd(fd.as_fd())?;
                if target.starts_with(b"/") {
                    stack.clear();
                }
                for part in target.split(|b| *b == b'/').rev() {
                    if !part.is_empty() {
                        pending.push(part.to_vec());
                    }
                }
                continue;
            }
            let shown = String::from_utf8_lossy(&name).into_owned();
            if last {
                let mut names: Vec<String> = stack.iter().map(|(_, n)| n.clone()).collect();
                names.push(shown);
                return Ok(Walked {
                    dir: here.try_clone_to_owned()?,
                    name: Some(CString::new(name).map_err(|_| einval())?),
                    names,
                });
            }
            if kind != libc::S_IFDIR {
                return Err(io::Error::from_raw_os_error(libc::ENOTDIR));
            }
            stack.push((fd, shown));
        }
        // Ended on a directory: the root itself, or after `.` or `..`.
        let here = stack.last().map_or(self.dir.as_fd(), |(fd, _)| fd.as_fd());
        Ok(Walked {
            dir: here.try_clone_to_owned()?,
            name: None,
            names: stack.into_iter().map(|(_, n)| n).collect(),
        })
    }

    /// Opens one component (O_PATH, never following it) in directory `here`; in a Windows
    /// image a name not found as spelled is looked for without regard to case.
    fn step(&self, here: BorrowedFd, c: &[u8]) -> io::Result<(Vec<u8>, OwnedFd)> {
        let name = CString::new(c).map_err(|_| einval())?;
        let flags = libc::O_PATH | libc::O_NOFOLLOW;
        match openat(here, &name, flags) {
            Err(e) if self.windows && e.kind() == io::ErrorKind::NotFound => {
                let listing = openat(here, c".", libc::O_RDONLY | libc::O_DIRECTORY)?;
                let found = find_name(listing, c).ok_or(e)?;
                let fd = openat(
                    here,
                    &CString::new(found.clone()).map_err(|_| einval())?,
                    flags,
                )?;
                Ok((found, fd))
            }
            other => other.map(|fd| (c.to_vec(), fd)),
        }
    }

    fn openat2(&self, image_path: &str, follow_final: bool, flags: i32) -> io::Result<OwnedFd> {
        let rel = image_path.trim_start_matches('/');
        let rel = if rel.is_empty() { "." } else { rel };
        let c = CString::new(rel).map_err(|_| einval())?;
        let flags = flags | libc::O_CLOEXEC | if follow_final { 0 } else { libc::O_NOFOLLOW };
        let how = OpenHow {
            flags: flags as u64,
            mode: 0,
            resolve: libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS,
        };
        // SAFETY: valid dirfd, NUL-terminated path and a properly sized open_how.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                self.dir.as_raw_fd(),
                c.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        };
        if fd < 0 {
            Err(io::Error::last_os_error())
        } else {
            // SAFETY: the kernel just gave us this descriptor.
            Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
        }
    }
}

fn einval() -> io::Error {
    io::Error::from_raw_os_error(libc::EINVAL)
}

/// openat(2) relative to `dir`, close-on-exec.
fn openat(dir: BorrowedFd, name: &CStr, flags: i32) -> io::Result<OwnedFd> {
    // SAFETY: a valid descriptor and a NUL-terminated name.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags | libc::O_CLOEXEC) };
    if fd < 0 {
        Err(io::Error::last_os_error())
    } else {
        // SAFETY: the kernel just gave us this descriptor.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }
}

/// The file type bits (`S_IFMT`) of what a descriptor refers to.
fn fstat_kind(fd: BorrowedFd) -> io::Result<libc::mode_t> {
    // SAFETY: fstat into a zeroed struct on a valid descriptor.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd.as_raw_fd(), &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(st.st_mode & libc::S_IFMT)
}

/// The target of the link an O_PATH descriptor refers to.
fn readlink_fd(fd: BorrowedFd) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: an empty path reads the link the descriptor itself refers to; `buf` is valid.
    let n = unsafe {
        libc::readlinkat(
            fd.as_raw_fd(),
            c"".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(buf)
}

/// The real spelling of `name` in the directory `dir` is open on, matched without regard to
/// ASCII case.
fn find_name(dir: OwnedFd, name: &[u8]) -> Option<Vec<u8>> {
    let mut found = None;
    crate::scan::platform::read_dir_fd(dir, |entry, _| {
        if entry.eq_ignore_ascii_case(name) {
            found = Some(entry.to_vec());
            return false;
        }
        true
    })
    .ok()?;
    found
}

/// The kernel's `struct open_how` (libc's is non-exhaustive and cannot be built).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

fn join(parts: &[String], last: &str) -> String {
    let mut s = String::from("/");
    for p in parts {
        s.push_str(p);
        s.push('/');
    }
    s.push_str(last);
    if s.len() > 1 && s.ends_with('/') {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn image() -> (tempfile::TempDir, ImageRoot) {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        std::fs::create_dir_all(d.path().join("usr/bin")).unwrap();
        std::fs::write(d.path().join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
        symlink("/usr/bin", d.path().join("bin")).unwrap();
        symlink("/etc/passwd", d.path().join("etc/alias")).unwrap();
        symlink("../../../../../etc/passwd", d.path().join("usr/bin/up")).unwrap();
        let r = ImageRoot::open(d.path()).unwrap();
        (d, r)
    }

    #[test]
    fn links_resolve_inside_the_root() {
        let (_d, r) = image();
        assert_eq!(r.resolve("/etc/alias", true).unwrap(), "/etc/passwd");
        assert_eq!(r.resolve("/bin/up", true).unwrap(), "/etc/passwd");
        assert_eq!(r.resolve("/etc/alias", false).unwrap(), "/etc/alias");
        assert_eq!(r.user_name(0), Some("root"));
        assert!(!r.is_windows());
    }

    #[test]
    fn both_openers_stay_inside() {
        let (_d, r) = image();
        use std::io::Read;
        for use_openat2 in [true, false] {
            r.openat2.store(use_openat2, Ordering::Relaxed);
            let mut s = String::new();
            r.open_file("/bin/up", true)
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            assert!(s.starts_with("root:x:0:0::/root"), "{s}");
            assert!(r.open_file("/etc/alias", false).is_err());
        }
    }

    /// A FIFO at the image's /etc/passwd that holds a forged file and has no writer left
    /// reads like a file to the end: only fstat on the descriptor tells it is no regular file.
    #[test]
    fn passwd_is_read_only_when_it_is_a_regular_file() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        let fifo = d.path().join("etc/passwd");
        let c = CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid path and mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let flags = |f: i32| std::fs::OpenOptions::new().custom_flags(f).clone();
        let reader = flags(libc::O_NONBLOCK).read(true).open(&fifo).unwrap();
        let mut writer = flags(libc::O_NONBLOCK).write(true).open(&fifo).unwrap();
        use std::io::Write;
        writer.write_all(b"evil:x:0:0::/:/bin/sh\n").unwrap();
        drop(writer);
        let r = ImageRoot::open(d.path()).unwrap();
        assert_eq!(
            r.user_name(0),
            None,
            "the FIFO was read as the image's passwd"
        );
        drop(reader);
        // A regular file beside it is still read.
        std::fs::remove_file(&fifo).unwrap();
        std::fs::write(&fifo, "root:x:0:0::/root:/bin/sh\n").unwrap();
        assert_eq!(
            ImageRoot::open(d.path()).unwrap().user_name(0),
            Some("root")
        );
    }

    /// A `Windows` link to a directory of the host (which has a System32) names a directory
    /// inside the image, which has none: the image stays a Unix image.
    #[test]
    fn a_windows_link_to_the_host_does_not_make_a_windows_image() {
        let host = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(host.path().join("System32")).unwrap();
        let d = tempfile::tempdir().unwrap();
        symlink(host.path(), d.path().join("Windows")).unwrap();
        for use_openat2 in [true, false] {
            let r = ImageRoot::open(d.path()).unwrap();
            r.openat2.store(use_openat2, Ordering::Relaxed);
            assert!(!r.is_windows());
        }
        // A link that stays inside the image is followed there.
        std::fs::create_dir_all(d.path().join("win/system32")).unwrap();
        std::fs::remove_file(d.path().join("Windows")).unwrap();
        symlink("/win", d.path().join("Windows")).unwrap();
        assert!(ImageRoot::open(d.path()).unwrap().is_windows());
    }

    /// The walk by hand (without openat2) while a directory and a link to a host directory
    /// swap places again and again: no open ever reaches the host's file.
    #[test]
    fn the_walk_by_hand_never_leaves_the_root_while_links_change() {
        let host = tempfile::tempdir().unwrap();
        std::fs::write(host.path().join("secret"), "HOST").unwrap();
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a")).unwrap();
        std::fs::write(d.path().join("a/secret"), "inside").unwrap();
        symlink(host.path(), d.path().join("b")).unwrap();
        let r = ImageRoot::open(d.path()).unwrap();
        r.openat2.store(false, Ordering::Relaxed);
        let stop = AtomicBool::new(false);
        let (a, b) = (
            CString::new(d.path().join("a").to_str().unwrap()).unwrap(),
            CString::new(d.path().join("b").to_str().unwrap()).unwrap(),
        );
        let (mut inside, mut escaped) = (0, 0);
        std::thread::scope(|s| {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    // SAFETY: two valid paths; RENAME_EXCHANGE swaps them atomically.
                    unsafe {
                        libc::renameat2(
                            libc::AT_FDCWD,
                            a.as_ptr(),
                            libc::AT_FDCWD,
                            b.as_ptr(),
                            libc::RENAME_EXCHANGE,
                        )
                    };
                }
            });
            use std::io::Read;
            for _ in 0..20_000 {
                let mut s = String::new();
                if let Ok(mut f) = r.open_file("/a/secret", true) {
                    f.read_to_string(&mut s).unwrap();
                }
                match s.as_str() {
                    "HOST" => escaped += 1,
                    "inside" => inside += 1,
                    _ => {}
                }
            }
            stop.store(true, Ordering::Relaxed);
        });
        assert_eq!(
            escaped, 0,
            "{escaped} opens reached the host ({inside} inside)"
        );
        assert!(inside > 0);
    }

    #[test]
    fn windows_paths() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("Windows/System32")).unwrap();
        let r = ImageRoot::open(d.path()).unwrap();
        assert!(r.is_windows());
        assert_eq!(r.shown("/Windows/x.exe"), "C:\\Windows\\x.exe");
        assert_eq!(r.parse_user_path("C:\\Windows"), "/Windows");
        assert_eq!(
            r.resolve("/windows/SYSTEM32", true).unwrap(),
            "/Windows/System32"
        );
    }
}

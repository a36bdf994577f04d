//! `--root DIR`: scanning DIR as the root filesystem of another machine (a mounted disk image).
//! Paths are reported and judged as that machine saw them (`/etc/cron.d/x`, or
//! `C:\Windows\...` for a Windows image), and links are resolved inside DIR: an absolute link
//! target names a path in the image, `..` stops at the image's root, and nothing outside DIR is
//! ever opened whatever the links say. Files are opened with openat2 and RESOLVE_IN_ROOT where
//! the kernel has it (Linux 5.6+), which makes the containment the kernel's job; elsewhere each
//! path is resolved here, component by component, with lstat and readlink, and the result, which
//! holds no links any more, is opened without following a final link.

use std::collections::HashMap;
use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::ffi::OsStrExt;
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
    /// DIR opened as a directory, the anchor of openat2.
    dir: File,
    /// A Windows/System32 directory was found: Windows paths, case-insensitive.
    windows: bool,
    /// False once openat2 turned out to be missing (old kernel, seccomp filter).
    openat2: AtomicBool,
    /// uid to user name from the image's own /etc/passwd (never the host's).
    users: HashMap<u32, String>,
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
        root.windows = root
            .find_ci("/", "windows")
            .and_then(|w| root.find_ci(&w, "system32"))
            .is_some_and(|p| root.host_path(&p).is_dir());
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

    /// The name of `name` in directory `dir` (in-image), matched without regard to case.
    fn find_ci(&self, dir: &str, name: &str) -> Option<String> {
        let entries = std::fs::read_dir(self.host_path(dir)).ok()?;
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().eq_ignore_ascii_case(name) {
                let base = dir.trim_end_matches('/');
                return Some(format!("{base}/{}", e.file_name().to_string_lossy()));
            }
        }
        None
    }

    fn read_passwd(&self) -> HashMap<u32, String> {
        let mut users = HashMap::new();
        let Ok(mut f) = self.open_file("/etc/passwd", true) else {
            return users;
        };
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
        let mut pending: Vec<String> = image_path
            .split('/')
            .rev()
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(c) = pending.pop() {
            match c.as_str() {
                "" | "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            let mut candidate = join(&resolved, &c);
            let mut md = std::fs::symlink_metadata(self.host_path(&candidate));
            if self.windows && matches!(&md, Err(e) if e.kind() == io::ErrorKind::NotFound) {
                if let Some(found) = self.find_ci(&join(&resolved, ""), &c) {
                    candidate = found;
                    md = std::fs::symlink_metadata(self.host_path(&candidate));
                }
            }
            let md = md?;
            let last = pending.is_empty();
            if md.file_type().is_symlink() && (!last || follow_final) {
                links += 1;
                if links > MAX_LINKS {
                    return Err(io::Error::from_raw_os_error(libc::ELOOP));
                }
                let target = std::fs::read_link(self.host_path(&candidate))?;
                let target = target.as_os_str().as_bytes();
                if target.starts_with(b"/") {
                    resolved.clear();
                }
                for part in target.split(|b| *b == b'/').rev() {
                    if !part.is_empty() {
                        pending.push(OsStr::from_bytes(part).to_string_lossy().into_owned());
                    }
                }
            } else {
                let name = candidate.rsplit('/').next().unwrap_or(&c).to_owned();
                resolved.push(name);
            }
        }
        Ok(join(&resolved, ""))
    }

    /// Opens an in-image file for scanning (read-only, non-blocking, no access-time update
    /// where permitted), resolving every link inside the root.
    pub fn open_file(&self, image_path: &str, follow_final: bool) -> io::Result<File> {
        if self.openat2.load(Ordering::Relaxed) {
            match self.openat2(image_path, follow_final) {
                Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM)) => {
                    // No openat2 here (or a filter refuses it): resolve by hand from now on.
                    self.openat2.store(false, Ordering::Relaxed);
                }
                other => return other,
            }
        }
        let resolved = self.resolve(image_path, follow_final)?;
        crate::scan::platform::open_for_scan(&self.host_path(&resolved), false)
    }

    fn openat2(&self, image_path: &str, follow_final: bool) -> io::Result<File> {
        let rel = image_path.trim_start_matches('/');
        let rel = if rel.is_empty() { "." } else { rel };
        let c = CString::new(rel).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        let base = libc::O_RDONLY
            | libc::O_NONBLOCK
            | libc::O_CLOEXEC
            | if follow_final { 0 } else { libc::O_NOFOLLOW };
        let call = |flags: i32| -> io::Result<File> {
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
                Ok(unsafe { File::from_raw_fd(fd as i32) })
            }
        };
        crate::scan::platform::without_atime(base, call)
    }
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

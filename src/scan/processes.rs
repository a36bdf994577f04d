//! `--processes`: the executables of running processes, as scan targets. Each process's
//! executable is read through `/proc/PID/exe`, a magic link that still reaches the code when the
//! file has been deleted from disk (miners often delete themselves after starting), and each
//! executable (device, inode) is scanned once whatever the number of processes running it. Only
//! procfs is read: no process is ever signalled, traced or otherwise touched. Kernel threads and
//! zombies have no executable and are passed over; a process we may not look at (EACCES when
//! not root) or one that exits before it is read is reported like an unreadable file.

use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::outcome::problems::FileError;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The longest command line kept, in characters (the writers escape it like any text).
pub const CMDLINE_CAP: usize = 1024;
/// What the kernel appends to the target of `/proc/PID/exe` once the file is unlinked.
const DELETED_SUFFIX: &str = " (deleted)";

/// The processes running one executable, as shown in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcessInfo {
    /// Every process running this executable, ascending.
    pub pids: Vec<u32>,
    /// The executable's path as the kernel names it (without ` (deleted)`).
    pub exe: String,
    /// The first process's command line: arguments joined by spaces, capped.
    pub cmdline: String,
    /// The executable has been unlinked from disk since the process started.
    pub deleted: bool,
    /// Deleted, but a file exists again under its name (as after a package upgrade).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replaced: bool,
    /// (device, inode) of the executable, to check that a pid was not reused meanwhile.
    #[serde(skip)]
    pub key: (u64, u64),
}

impl ProcessInfo {
    /// `/proc/PID/exe` of each pid, in order: the worker opens the first that still works.
    pub fn exe_links(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.pids.iter().map(|p| exe_link(*p))
    }

    /// What running from a deleted executable says about the process.
    pub fn findings(&self) -> Option<Finding> {
        if !self.deleted {
            return None;
        }
        let pids = self
            .pids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let f = if self.exe.starts_with("/memfd:") {
            Finding::new(
                AnalyzerId::Process,
                "memfd_executable",
                Class::Hiding,
                60,
                "running process whose executable is an anonymous memory file, never on disk \
                 (fileless)",
            )
            // Container runtimes (runc) re-execute themselves from a sealed memfd: alone this is
            // information; beside miner code in the same executable it is hiding.
            .when_miner(Class::Hiding)
        } else if self.replaced {
            // After an upgrade, long-running daemons run from a replaced file: weak alone.
            Finding::new(
                AnalyzerId::Process,
                "replaced_executable",
                Class::Info,
                20,
                "running process whose executable was replaced on disk since it started",
            )
            .when_miner(Class::Hiding)
        } else {
            Finding::new(
                AnalyzerId::Process,
                "deleted_executable",
                Class::Hiding,
                60,
                "running process whose executable was deleted from disk",
            )
        };
        Some(
            f.with_evidence(Evidence::path(&self.exe))
                .with_evidence(Evidence::text(format!("pid {pids}"))),
        )
    }
}

/// One item of the process list, in pid order.
#[derive(Debug)]
pub enum ProcessItem {
    /// An executable and the processes running it (listed at its lowest pid).
    Exe(ProcessInfo),
    /// A process that could not be looked at.
    Error { path: PathBuf, error: FileError },
}

pub fn exe_link(pid: u32) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/exe"))
}

/// Lists the executables of running processes, one item per (device, inode), in the order of
/// their lowest pid, with the processes that could not be looked at among them.
pub fn list() -> io::Result<Vec<ProcessItem>> {
    let mut pids: Vec<u32> = std::fs::read_dir("/proc")?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    let mut items: Vec<ProcessItem> = Vec::new();
    let mut by_key: HashMap<(u64, u64), usize> = HashMap::new();
    for pid in pids {
        match look(pid) {
            Ok(None) => {}
            Ok(Some(info)) => match by_key.get(&info.key) {
                Some(&i) => {
                    if let ProcessItem::Exe(existing) = &mut items[i] {
                        existing.pids.push(pid);
                    }
                }
                None => {
                    by_key.insert(info.key, items.len());
                    items.push(ProcessItem::Exe(info));
                }
            },
            Err(e) => items.push(ProcessItem::Error {
                path: exe_link(pid),
                error: FileError::from_io(&e),
            }),
        }
    }
    Ok(items)
}

/// One process: `None` for kernel threads and zombies (no executable to scan).
fn look(pid: u32) -> io::Result<Option<ProcessInfo>> {
    let dir = PathBuf::from(format!("/proc/{pid}"));
    if no_executable(&dir)? {
        return Ok(None);
    }
    let link = dir.join("exe");
    let target = match std::fs::read_link(&link) {
        Ok(t) => t,
        // Exited meanwhile, or became a zombie: gone if its directory is.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return match std::fs::symlink_metadata(&dir) {
                Ok(_) => Ok(None),
                Err(e) => Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    // stat follows the magic link to the executable itself, deleted or not.
    let md = std::fs::metadata(&link)?;
    let mut exe = String::from_utf8_lossy(target.as_os_str().as_bytes()).into_owned();
    // Paths are looked up from the process's own root (a container's differs from ours). A
    // file really named `x (deleted)` still exists under that name and has links.
    let exists = |p: &str| {
        p.starts_with('/')
            && std::fs::metadata(dir.join("root").join(p.trim_start_matches('/')))
                .is_ok_and(|m| m.is_file())
    };
    let deleted = exe.ends_with(DELETED_SUFFIX) && (md.nlink() == 0 || !exists(&exe));
    if deleted {
        exe.truncate(exe.len() - DELETED_SUFFIX.len());
    }
    let replaced = deleted && exists(&exe);
    Ok(Some(ProcessInfo {
        pids: vec![pid],
        exe,
        cmdline: cmdline(&dir),
        deleted,
        replaced,
        key: (md.dev(), md.ino()),
    }))
}

/// Kernel threads (PF_KTHREAD) and zombies, from /proc/PID/stat (readable by anyone).
fn no_executable(dir: &Path) -> io::Result<bool> {
    let stat = std::fs::read_to_string(dir.join("stat"))?;
    // pid (comm) state ppid ... flags is the 9th field; comm may hold spaces and parentheses.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return Ok(false);
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let zombie = matches!(fields.first(), Some(&"Z") | Some(&"X"));
    let flags: u64 = fields.get(6).and_then(|f| f.parse().ok()).unwrap_or(0);
    Ok(zombie || flags & libc::PF_KTHREAD as u64 != 0)
}

/// The command line: NUL-separated arguments joined by spaces, lossily UTF-8, capped.
fn cmdline(dir: &Path) -> String {
    let mut raw = Vec::new();
    if let Ok(f) = std::fs::File::open(dir.join("cmdline")) {
        let _ = f.take(16 << 10).read_to_end(&mut raw);
    }
    join_cmdline(&raw)
}

pub fn join_cmdline(raw: &[u8]) -> String {
    let raw = raw.strip_suffix(b"\0").unwrap_or(raw);
    let joined: String = raw
        .split(|b| *b == 0)
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    if joined.chars().count() <= CMDLINE_CAP {
        return joined;
    }
    let mut out: String = joined.chars().take(CMDLINE_CAP).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_are_joined_and_capped() {
        assert_eq!(join_cmdline(b"sleep\x00600\x00"), "sleep 600");
        assert_eq!(join_cmdline(b"a\x00\x00b"), "a  b");
        assert_eq!(join_cmdline(b""), "");
        let long = vec![b'x'; CMDLINE_CAP + 10];
        assert_eq!(join_cmdline(&long).chars().count(), CMDLINE_CAP + 1);
    }

    #[test]
    fn our_own_process_is_listed_once_and_kernel_threads_not_at_all() {
        let items = list().unwrap();
        let me = std::process::id();
        let mine: Vec<&ProcessInfo> = items
            .iter()
            .filter_map(|i| match i {
                ProcessItem::Exe(p) if p.pids.contains(&me) => Some(p),
                _ => None,
            })
            .collect();
        assert_eq!(mine.len(), 1);
        assert!(!mine[0].deleted);
        assert!(!mine[0].cmdline.is_empty());
        assert!(items.iter().all(|i| match i {
            ProcessItem::Exe(p) => !p.exe.is_empty(),
            ProcessItem::Error { .. } => true,
        }));
        // Kernel threads, found here by their parent (kthreadd, pid 2, or pid 2 itself), not
        // by the flag `list` uses, are never listed.
        let kthreadd =
            std::fs::read_to_string("/proc/2/comm").is_ok_and(|c| c.trim() == "kthreadd");
        let kernel: Vec<u32> = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                let ppid = stat
                    .rsplit_once(')')
                    .and_then(|(_, r)| r.split_whitespace().nth(1));
                kthreadd && (*pid == 2 || ppid == Some("2"))
            })
            .collect();
        if kthreadd {
            assert!(!kernel.is_empty());
        }
        let listed: Vec<u32> = items
            .iter()
            .filter_map(|i| match i {
                ProcessItem::Exe(p) => Some(p.pids.clone()),
                ProcessItem::Error { .. } => None,
            })
            .flatten()
            .collect();
        assert!(
            kernel.iter().all(|k| !listed.contains(k)),
            "kernel threads listed: {kernel:?} in {listed:?}"
        );
    }

    #[test]
    fn deleted_and_replaced_findings() {
        let mut p = ProcessInfo {
            pids: vec![7, 9],
            exe: "/tmp/x".into(),
            cmdline: "x".into(),
            deleted: false,
            replaced: false,
            key: (1, 2),
        };
        assert!(p.findings().is_none());
        p.deleted = true;
        let f = p.findings().unwrap();
        assert_eq!(
            (f.class, f.rule.as_str()),
            (Class::Hiding, "deleted_executable")
        );
        p.replaced = true;
        assert_eq!(p.findings().unwrap().class, Class::Info);
    }
}

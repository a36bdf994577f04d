//! The walk: roots in command-line order, each directory's entries sorted by name, no link
//! following unless asked. Only regular files become targets; everything else is counted by
//! reason. Excluded directories and virtual filesystems are pruned, never descended. Every
//! target is numbered in walk order so that the writer can restore that order.

use crate::outcome::problems::{FileError, SkipReason};
use crate::scan::dirs::{self, Kind};
use crate::scan::platform;
use globset::GlobSet;
use std::collections::{HashMap, HashSet};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Counts of files skipped by policy, by reason, shared by the walker and the workers.
#[derive(Default)]
pub struct SkipCounters {
    counts: [AtomicU64; SkipReason::ALL.len()],
}

impl SkipCounters {
    pub fn add(&self, reason: SkipReason) {
        let i = SkipReason::ALL
            .iter()
            .position(|r| *r == reason)
            .expect("listed");
        self.counts[i].fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Vec<(SkipReason, u64)> {
        SkipReason::ALL
            .iter()
            .zip(&self.counts)
            .map(|(r, c)| (*r, c.load(Ordering::Relaxed)))
            .collect()
    }
}

#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    pub follow: bool,
    pub one_file_system: bool,
    pub excludes: Option<GlobSet>,
    /// `--root DIR`: walk DIR as another machine's root (links resolved inside it).
    pub root: Option<std::sync::Arc<crate::scan::image::ImageRoot>>,
}

/// One numbered item for the workers and the writer.
#[derive(Debug)]
pub enum WalkItem {
    /// A file to open and scan.
    File {
        seq: u64,
        path: PathBuf,
        explicit: bool,
        /// Its size as the walk saw it, for batching (the feeder never looks the path up
        /// itself: under --root it names a place inside the image, not on this host).
        size: u64,
        /// Whether the file has other names met in this walk.
        names: Names,
    },
    /// A path named explicitly that is skipped by policy (so the user hears why).
    Skipped {
        seq: u64,
        path: PathBuf,
        reason: SkipReason,
    },
    /// The executable of running processes (`--processes`), read through `/proc/PID/exe`.
    Process {
        seq: u64,
        process: crate::scan::processes::ProcessInfo,
    },
    /// A directory that could not be read, or another walk problem.
    Error {
        seq: u64,
        path: PathBuf,
        error: FileError,
    },
}

/// Most files with several names (hard links, or any file when links are followed) whose first
/// name the walker remembers, and whose result the writer keeps for their other names. Past
/// it the oldest are forgotten together on both sides: a name met later is read again.
pub const REMEMBERED_NAMES: usize = 4096;

/// A file's other names in the walk: a hard-linked or linked-to file is listed under each of
/// its paths (a responder needs every one) but read and judged once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    /// No other name met, none expected.
    One,
    /// The first name met of a file that may have others: its result is kept for them.
    First,
    /// Another name of the file first met as walk number `.0`: not read again.
    Again(u64),
}

impl WalkItem {
    /// Its number in walk order.
    pub fn seq(&self) -> u64 {
        match self {
            WalkItem::File { seq, .. }
            | WalkItem::Skipped { seq, .. }
            | WalkItem::Process { seq, .. }
            | WalkItem::Error { seq, .. } => *seq,
        }
    }
}

pub struct Walker<'a> {
    options: WalkOptions,
    counters: &'a SkipCounters,
    stop: &'a AtomicBool,
    fs_types: HashMap<u64, String>,
    seq: u64,
    /// With `--follow`: (device, inode) of every directory walked, so that each is walked once
    /// however many links lead to it.
    seen_dirs: HashSet<(u64, u64)>,
    /// Files that may have other names: (device, inode) to the walk number of the first name,
    /// oldest first in `names_order`, at most `REMEMBERED_NAMES`.
    first_names: HashMap<(u64, u64), u64>,
    names_order: std::collections::VecDeque<(u64, u64)>,
}

/// One directory being walked: its entries not yet visited, in name order.
struct Level {
    real: PathBuf,
    shown: PathBuf,
    entries: std::vec::IntoIter<dirs::Entry>,
    id: (u64, u64),
}

impl<'a> Walker<'a> {
    pub fn new(
        options: WalkOptions,
        counters: &'a SkipCounters,
        stop: &'a AtomicBool,
    ) -> Walker<'a> {
        Walker {
            options,
            counters,
            stop,
            fs_types: platform::mounted_fs_types(),
            seq: 0,
            seen_dirs: HashSet::new(),
            first_names: HashMap::new(),
            names_order: std::collections::VecDeque::new(),
        }
    }

    /// The numbered item for a file, remembering it when it may have other names: more than
    /// one hard link, or any file when links are followed (a link may name it later).
    fn file_item(
        &mut self,
        path: PathBuf,
        explicit: bool,
        md: Option<&std::fs::Metadata>,
    ) -> WalkItem {
        let seq = self.next_seq();
        let size = md.map_or(0, |m| m.len());
        let names = match md {
            Some(m) if m.nlink() > 1 || self.options.follow => {
                let id = (m.dev(), m.ino());
                match self.first_names.get(&id) {
                    Some(&first) => Names::Again(first),
                    None => {
                        if self.names_order.len() >= REMEMBERED_NAMES {
                            if let Some(old) = self.names_order.pop_front() {
                                self.first_names.remove(&old);
                            }
                        }
                        self.first_names.insert(id, seq);
                        self.names_order.push_back(id);
                        Names::First
                    }
                }
            }
            _ => Names::One,
        };
        WalkItem::File {
            seq,
            path,
            explicit,
            size,
            names,
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq - 1
    }

    fn excluded(&self, path: &Path) -> bool {
        let Some(set) = &self.options.excludes else {
            return false;
        };
        let in_image = self.options.root.as_ref().and_then(|r| r.image_path(path));
        set.is_match(path)
            || in_image.is_some_and(|p| set.is_match(p))
            || path.file_name().is_some_and(|n| set.is_match(n))
    }

    fn virtual_fs(&self, dev: u64) -> Option<&str> {
        self.fs_types
            .get(&dev)
            .map(String::as_str)
            .filter(|t| platform::VIRTUAL_FS_TYPES.contains(t))
    }

    /// Walks one root (a file or a directory), calling `emit` for every numbered item. Returns
    /// false when `emit` asks to stop (the receiver is gone) or the scan was interrupted.
    pub fn walk_root(&mut self, root: &Path, mut emit: impl FnMut(WalkItem) -> bool) -> bool {
        if self.excluded(root) {
            self.counters.add(SkipReason::Excluded);
            return true;
        }
        let (real, meta) = match self.locate(root) {
            Ok(found) => found,
            Err(e) => {
                let seq = self.next_seq();
                return emit(WalkItem::Error {
                    seq,
                    path: root.to_path_buf(),
                    error: FileError::from_io(&e),
                });
            }
        };
        if !meta.is_dir() {
            let item = self.file_item(root.to_path_buf(), true, Some(&meta));
            return emit(item);
        }
        if self.virtual_fs(meta.dev()).is_some() {
            self.counters.add(SkipReason::VirtualFs);
            let seq = self.next_seq();
            return emit(WalkItem::Skipped {
                seq,
                path: root.to_path_buf(),
                reason: SkipReason::VirtualFs,
            });
        }
        let root_dev = meta.dev();
        self.walk_tree(&real, root, root_dev, &mut Vec::new(), &mut emit)
    }

    /// Where a root is on this host and what it is. Under --root, `root` is DIR joined with an
    /// in-image path that may pass through links: it is resolved inside the image before any
    /// system call looks at it, and the real place is walked under the name given.
    fn locate(&self, root: &Path) -> std::io::Result<(PathBuf, std::fs::Metadata)> {
        let Some(img) = &self.options.root else {
            return Ok((root.to_path_buf(), std::fs::metadata(root)?));
        };
        let in_image = img
            .image_path(root)
            .ok_or_else(|| std::io::Error::from_raw_os_error(libc::EXDEV))?;
        let resolved = img.resolve(&in_image, true)?;
        let meta = img.metadata(&resolved, false)?;
        Ok((img.host_path(&resolved), meta))
    }

    /// Walks the real directory `real`, reporting its entries under `shown` (the same path,
    /// unless a link inside an image root led here). `entered` holds the real places where
    /// links were followed inside an image on the way, to detect loops there. Directories are
    /// listed by `dirs` (O_NOATIME), one level at a time, in name order.
    fn walk_tree(
        &mut self,
        real: &Path,
        shown: &Path,
        root_dev: u64,
        entered: &mut Vec<PathBuf>,
        emit: &mut dyn FnMut(WalkItem) -> bool,
    ) -> bool {
        let mut stack: Vec<Level> = Vec::new();
        if let Some(item) = self.enter(real, shown, true, root_dev, &mut stack) {
            if !emit(item) {
                return false;
            }
        }
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            let Some(top) = stack.last_mut() else {
                return true;
            };
            let Some(entry) = top.entries.next() else {
                stack.pop();
                continue;
            };
            let real_path = top.real.join(&entry.name);
            let shown_path = top.shown.join(&entry.name);
            if self.excluded(&shown_path) {
                self.counters.add(SkipReason::Excluded);
                continue;
            }
            let go_on = match entry.kind {
                Kind::Dir => match self.enter(&real_path, &shown_path, false, root_dev, &mut stack)
                {
                    Some(item) => emit(item),
                    None => true,
                },
                Kind::Symlink => {
                    self.link(&real_path, &shown_path, root_dev, entered, &mut stack, emit)
                }
                Kind::File => {
                    let md = std::fs::symlink_metadata(&real_path).ok();
                    let item = self.file_item(shown_path, false, md.as_ref());
                    emit(item)
                }
                Kind::Other => {
                    self.counters.add(SkipReason::Special);
                    true
                }
            };
            if !go_on {
                return false;
            }
        }
    }

    /// Opens a directory to walk and pushes its listing, unless it is pruned (a virtual
    /// filesystem, another filesystem with `--one-file-system`), one of the directories being
    /// walked (a loop through links), or, following links, a directory already walked under
    /// another name (links fanning out to the same tree would walk it once per path). Returns
    /// the item to report, if any.
    fn enter(
        &mut self,
        real: &Path,
        shown: &Path,
        top: bool,
        root_dev: u64,
        stack: &mut Vec<Level>,
    ) -> Option<WalkItem> {
        let follow = self.options.follow && self.options.root.is_none();
        let dir = match dirs::open(real, follow || top) {
            Ok(d) => d,
            Err(e) => return Some(self.error_item(shown, &e)),
        };
        if !top && self.virtual_fs(dir.dev).is_some() {
            self.counters.add(SkipReason::VirtualFs);
            return None;
        }
        if !top && self.options.one_file_system && dir.dev != root_dev {
            self.counters.add(SkipReason::OtherFilesystem);
            return None;
        }
        let id = (dir.dev, dir.ino);
        if self.options.follow {
            if stack.iter().any(|l| l.id == id) {
                self.counters.add(SkipReason::SymlinkLoop);
                let seq = self.next_seq();
                return Some(WalkItem::Skipped {
                    seq,
                    path: shown.to_path_buf(),
                    reason: SkipReason::SymlinkLoop,
                });
            }
            if !self.seen_dirs.insert(id) {
                self.counters.add(SkipReason::SameDirectory);
                return None;
            }
        }
        match dir.entries() {
            Ok(entries) => {
                stack.push(Level {
                    real: real.to_path_buf(),
                    shown: shown.to_path_buf(),
                    entries: entries.into_iter(),
                    id,
                });
                None
            }
            Err(e) => Some(self.error_item(shown, &e)),
        }
    }

    /// A link met in the walk: not followed unless asked; inside an image, followed there;
    /// on this host, a file becomes a target under the link's name and a directory is entered.
    fn link(
        &mut self,
        real: &Path,
        shown: &Path,
        root_dev: u64,
        entered: &mut Vec<PathBuf>,
        stack: &mut Vec<Level>,
        emit: &mut dyn FnMut(WalkItem) -> bool,
    ) -> bool {
        if !self.options.follow {
            self.counters.add(SkipReason::Symlink);
            return true;
        }
        if self.options.root.is_some() {
            return self.follow_in_image(real, shown, root_dev, entered, emit);
        }
        let md = match std::fs::metadata(real) {
            Ok(md) => md,
            Err(e) => return emit(self.error_item(shown, &e)),
        };
        if md.is_dir() {
            return match self.enter(real, shown, false, root_dev, stack) {
                Some(item) => emit(item),
                None => true,
            };
        }
        if !md.is_file() {
            self.counters.add(SkipReason::Special);
            return true;
        }
        let item = self.file_item(shown.to_path_buf(), false, Some(&md));
        emit(item)
    }

    /// A directory or link that could not be read, as an item; a loop of links (ELOOP) is a
    /// counted skip, not a failure.
    fn error_item(&mut self, shown: &Path, e: &std::io::Error) -> WalkItem {
        let seq = self.next_seq();
        if e.raw_os_error() == Some(libc::ELOOP) {
            self.counters.add(SkipReason::SymlinkLoop);
            return WalkItem::Skipped {
                seq,
                path: shown.to_path_buf(),
                reason: SkipReason::SymlinkLoop,
            };
        }
        WalkItem::Error {
            seq,
            path: shown.to_path_buf(),
            error: FileError::from_io(e),
        }
    }

    /// Follows a link found inside an image root: resolved inside the root, a file becomes a
    /// target under the link's name (the worker opens it inside the root too), a directory is
    /// walked unless it is an ancestor of where we are (a loop).
    fn follow_in_image(
        &mut self,
        at: &Path,
        shown: &Path,
        root_dev: u64,
        entered: &mut Vec<PathBuf>,
        emit: &mut dyn FnMut(WalkItem) -> bool,
    ) -> bool {
        let Some(img) = self.options.root.clone() else {
            return true;
        };
        let resolved = img
            .image_path(at)
            .ok_or_else(|| std::io::Error::from_raw_os_error(libc::EXDEV))
            .and_then(|p| img.resolve(&p, true));
        let target = resolved.and_then(|r| Ok((img.host_path(&r), img.metadata(&r, false)?)));
        let (target, md) = match target {
            Ok(x) => x,
            // A dangling link (common in images: /etc/resolv.conf -> /run/...) is a link we
            // could not follow, not a file we failed to read.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.counters.add(SkipReason::Symlink);
                return true;
            }
            Err(e) => {
                let seq = self.next_seq();
                let item = if e.raw_os_error() == Some(libc::ELOOP) {
                    self.counters.add(SkipReason::SymlinkLoop);
                    WalkItem::Skipped {
                        seq,
                        path: shown.to_path_buf(),
                        reason: SkipReason::SymlinkLoop,
                    }
                } else {
                    WalkItem::Error {
                        seq,
                        path: shown.to_path_buf(),
                        error: FileError::from_io(&e),
                    }
                };
                return emit(item);
            }
        };
        if md.is_file() {
            let item = self.file_item(shown.to_path_buf(), false, Some(&md));
            return emit(item);
        }
        if !md.is_dir() {
            self.counters.add(SkipReason::Special);
            return true;
        }
        let looped = at.starts_with(&target) || entered.iter().any(|e| e.starts_with(&target));
        if looped || entered.len() >= 40 {
            self.counters.add(SkipReason::SymlinkLoop);
            let seq = self.next_seq();
            return emit(WalkItem::Skipped {
                seq,
                path: shown.to_path_buf(),
                reason: SkipReason::SymlinkLoop,
            });
        }
        if self.virtual_fs(md.dev()).is_some()
            || (self.options.one_file_system && md.dev() != root_dev)
        {
            return true;
        }
        entered.push(at.to_path_buf());
        let go_on = self.walk_tree(&target, shown, root_dev, entered, emit);
        entered.pop();
        go_on
    }
}

impl Walker<'_> {
    /// `--processes`, after the roots: one item per running executable in the order of its
    /// lowest pid, and one per process that could not be looked at. These are explicit targets:
    /// the virtual-filesystem rule (procfs) does not apply to them.
    pub fn walk_processes(&mut self, mut emit: impl FnMut(WalkItem) -> bool) -> bool {
        use crate::scan::processes::ProcessItem;
        let items = match crate::scan::processes::list() {
            Ok(items) => items,
            Err(e) => {
                let seq = self.next_seq();
                return emit(WalkItem::Error {
                    seq,
                    path: PathBuf::from("/proc"),
                    error: FileError::from_io(&e),
                });
            }
        };
        for item in items {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            let seq = self.next_seq();
            let item = match item {
                ProcessItem::Exe(process) => WalkItem::Process { seq, process },
                ProcessItem::Error { path, error } => WalkItem::Error { seq, path, error },
            };
            if !emit(item) {
                return false;
            }
        }
        true
    }
}

/// Reads `--files-from`: one path per line, or NUL-separated.
pub fn read_path_list(source: &str, nul: bool) -> std::io::Result<Vec<PathBuf>> {
    use std::io::Read;
    let mut data = Vec::new();
    if source == "-" {
        std::io::stdin().lock().read_to_end(&mut data)?;
    } else {
        std::fs::File::open(source)?.read_to_end(&mut data)?;
    }
    let sep = if nul { b'\0' } else { b'\n' };
    Ok(data
        .split(|b| *b == sep)
        .map(|p| {
            if !nul {
                p.strip_suffix(b"\r").unwrap_or(p)
            } else {
                p
            }
        })
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(std::ffi::OsStr::from_bytes(p)))
        .collect())
}

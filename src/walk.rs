//! The walk: roots in command-line order, each directory's entries sorted by name, no link
//! following unless asked. Only regular files become targets; everything else is counted by
//! reason. Excluded directories and virtual filesystems are pruned, never descended. Every
//! target is numbered in walk order so that the writer can restore that order.

use crate::error::{FileError, SkipReason};
use crate::platform;
use globset::GlobSet;
use std::collections::HashMap;
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
}

/// One numbered item for the workers and the writer.
#[derive(Debug)]
pub enum WalkItem {
    /// A file to open and scan.
    File {
        seq: u64,
        path: PathBuf,
        explicit: bool,
    },
    /// A path named explicitly that is skipped by policy (so the user hears why).
    Skipped {
        seq: u64,
        path: PathBuf,
        reason: SkipReason,
    },
    /// A directory that could not be read, or another walk problem.
    Error {
        seq: u64,
        path: PathBuf,
        error: FileError,
    },
}

pub struct Walker<'a> {
    options: WalkOptions,
    counters: &'a SkipCounters,
    stop: &'a AtomicBool,
    fs_types: HashMap<u64, String>,
    seq: u64,
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
        set.is_match(path) || path.file_name().is_some_and(|n| set.is_match(n))
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
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
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
            let seq = self.next_seq();
            return emit(WalkItem::File {
                seq,
                path: root.to_path_buf(),
                explicit: true,
            });
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
        let mut it = walkdir::WalkDir::new(root)
            .follow_links(self.options.follow)
            .sort_by_file_name()
            .into_iter();
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            let entry = match it.next() {
                None => return true,
                Some(Ok(e)) => e,
                Some(Err(err)) => {
                    let path = err
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.to_path_buf());
                    let seq = self.next_seq();
                    let item = if err.loop_ancestor().is_some() {
                        self.counters.add(SkipReason::SymlinkLoop);
                        WalkItem::Skipped {
                            seq,
                            path,
                            reason: SkipReason::SymlinkLoop,
                        }
                    } else {
                        let error = match err.io_error() {
                            Some(io) => FileError::from_io(io),
                            None => FileError::Walk {
                                message: err.to_string(),
                            },
                        };
                        WalkItem::Error { seq, path, error }
                    };
                    if !emit(item) {
                        return false;
                    }
                    continue;
                }
            };
            let ft = entry.file_type();
            if entry.depth() > 0 && self.excluded(entry.path()) {
                self.counters.add(SkipReason::Excluded);
                if ft.is_dir() {
                    it.skip_current_dir();
                }
                continue;
            }
            if ft.is_dir() {
                if entry.depth() == 0 {
                    continue;
                }
                // One stat per directory tells its device: other filesystems and virtual
                // filesystems are pruned here, by type.
                if let Ok(md) = entry.metadata() {
                    if self.virtual_fs(md.dev()).is_some() {
                        self.counters.add(SkipReason::VirtualFs);
                        it.skip_current_dir();
                    } else if self.options.one_file_system && md.dev() != root_dev {
                        self.counters.add(SkipReason::OtherFilesystem);
                        it.skip_current_dir();
                    }
                }
                continue;
            }
            if ft.is_symlink() {
                self.counters.add(SkipReason::Symlink);
                continue;
            }
            if !ft.is_file() {
                self.counters.add(SkipReason::Special);
                continue;
            }
            let seq = self.next_seq();
            if !emit(WalkItem::File {
                seq,
                path: entry.into_path(),
                explicit: false,
            }) {
                return false;
            }
        }
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

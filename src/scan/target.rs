//! What is scanned. A target is usually a path on disk, but the analyzers never assume so: an
//! archive member, a header-only view of a file above the size limit, or a buffer handed in
//! through the library face are targets too.

use std::path::{Path, PathBuf};

/// Where a target's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file on disk.
    Disk(PathBuf),
    /// A member inside an archive: the container's source and the member's path in it.
    Member {
        container: Box<Source>,
        member: String,
    },
    /// A buffer handed in by a caller (tests, benches, fuzzing), with a name for display.
    Bytes(String),
}

/// One thing to scan, numbered in walk order so that the writer can restore that order.
#[derive(Clone, Debug)]
pub struct Target {
    pub seq: u64,
    pub source: Source,
    /// Named on the command line (or in `--files-from`), not found by walking.
    pub explicit: bool,
    /// The path as the scanned system sees it, used for every location judgement
    /// (temporary directories, names imitating system processes). For a disk file this is its
    /// absolute path.
    pub system_path: String,
}

impl Target {
    pub fn disk(seq: u64, path: PathBuf, explicit: bool) -> Target {
        let system_path = absolute(&path).to_string_lossy().into_owned();
        Target {
            seq,
            source: Source::Disk(path),
            explicit,
            system_path,
        }
    }

    pub fn for_bytes(name: &str) -> Target {
        Target {
            seq: 0,
            source: Source::Bytes(name.to_owned()),
            explicit: true,
            system_path: name.to_owned(),
        }
    }

    /// The last component of the name, for sniffing by extension and judging names.
    pub fn file_name(&self) -> &str {
        let full = self.system_path.as_str();
        full.rsplit(['/', '\\', '!']).next().unwrap_or(full)
    }

    /// The reported path, with `!` separating archive members.
    pub fn display(&self) -> String {
        self.source.display()
    }
}

impl Source {
    pub fn display(&self) -> String {
        match self {
            Source::Disk(p) => p.to_string_lossy().into_owned(),
            Source::Member { container, member } => {
                format!("{}!{}", container.display(), member.replace('!', "\\!"))
            }
            Source::Bytes(name) => name.clone(),
        }
    }
}

/// Makes a path absolute against the current directory without touching the filesystem (no
/// symlink resolution: the path is judged as the user named it).
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match std::env::current_dir() {
        Ok(cwd) => cwd.join(path),
        Err(_) => path.to_path_buf(),
    }
}

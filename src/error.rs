//! Typed per-file problems. They are values in the report, counted in the summary; the scan
//! goes on. Fatal problems travel as `anyhow` errors to main.

use serde::Serialize;
use std::io;

/// Why a file that should have been read could not be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileError {
    #[error("permission denied")]
    PermissionDenied,
    #[error("vanished before it could be read")]
    Vanished,
    #[error("I/O error: {message}")]
    Io { message: String },
    #[error("{message}")]
    Walk { message: String },
    #[error("analyzer {analyzer} failed: {message}")]
    Analyzer { analyzer: String, message: String },
    /// A problem inside an archive: corrupt, encrypted, or a limit against bombs hit.
    #[error("archive: {message}")]
    Archive {
        problem: ArchiveProblem,
        message: String,
    },
}

/// What went wrong inside an archive. Only corruption makes the scan incomplete: the other
/// problems are limits working as meant, reported so that nobody takes silence for a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveProblem {
    Corrupt,
    Encrypted,
    TooManyMembers,
    TotalBytes,
    CompressionRatio,
}

impl FileError {
    pub fn from_io(e: &io::Error) -> FileError {
        match e.kind() {
            io::ErrorKind::PermissionDenied => FileError::PermissionDenied,
            io::ErrorKind::NotFound => FileError::Vanished,
            _ => FileError::Io {
                message: e.to_string(),
            },
        }
    }

    /// Whether this problem means a file that should have been read was not read whole.
    pub fn makes_incomplete(&self) -> bool {
        !matches!(
            self,
            FileError::Analyzer { .. }
                | FileError::Archive {
                    problem: ArchiveProblem::Encrypted
                        | ArchiveProblem::TooManyMembers
                        | ArchiveProblem::TotalBytes
                        | ArchiveProblem::CompressionRatio,
                    ..
                }
        )
    }
}

/// Why a file was skipped by policy. Skips are counted by reason and do not make a scan
/// incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// FIFO, socket, character or block device: never opened.
    Special,
    /// A symbolic link, not followed without `--follow`.
    Symlink,
    /// A symbolic link that leads back to one of its own ancestors (with `--follow`).
    SymlinkLoop,
    /// Larger than `--max-size`: only its header was sniffed.
    TooLarge,
    /// Matched an `--exclude` glob.
    Excluded,
    /// On a virtual filesystem (proc, sysfs...).
    VirtualFs,
    /// On another filesystem, with `--one-file-system`.
    OtherFilesystem,
    /// minerscan's own executable or a file it writes during the run.
    Own,
}

impl SkipReason {
    pub const ALL: [SkipReason; 8] = [
        SkipReason::Special,
        SkipReason::Symlink,
        SkipReason::SymlinkLoop,
        SkipReason::TooLarge,
        SkipReason::Excluded,
        SkipReason::VirtualFs,
        SkipReason::OtherFilesystem,
        SkipReason::Own,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Special => "special",
            SkipReason::Symlink => "symlink",
            SkipReason::SymlinkLoop => "symlink_loop",
            SkipReason::TooLarge => "too_large",
            SkipReason::Excluded => "excluded",
            SkipReason::VirtualFs => "virtual_fs",
            SkipReason::OtherFilesystem => "other_filesystem",
            SkipReason::Own => "own_file",
        }
    }
}

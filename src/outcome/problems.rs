//! Typed per-file problems, and what they leave unjudged. They are values in the report, counted
//! in the summary; the scan goes on. Fatal problems travel as `anyhow` errors to main.

use crate::analyze::id::AnalyzerId;
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
    Analyzer {
        analyzer: AnalyzerId,
        message: String,
    },
    /// An analyzer ran out of its time (`--timeout`): what it would have found is unknown.
    #[error("{analyzer}: scan timed out")]
    Timeout { analyzer: AnalyzerId },
    /// A problem inside an archive: corrupt, encrypted, or a limit against bombs hit.
    #[error("archive: {message}")]
    Archive {
        problem: ArchiveProblem,
        message: String,
    },
}

/// What went wrong inside an archive. Each leaves the archive not fully judged (`Incomplete`):
/// a limit against bombs works as meant, and says so, so that nobody takes silence for a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveProblem {
    Corrupt,
    Encrypted,
    TooManyMembers,
    TotalBytes,
    CompressionRatio,
    /// A header field that would make the reader allocate or walk more than the limits allow
    /// (a zip directory of a million entries, a tar name of megabytes): refused before reading.
    OversizedHeader,
    /// A packed program (UPX) that could not be unpacked: what it runs was not judged.
    UnpackFailed,
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

    /// Why this problem leaves the file not fully judged.
    pub fn incomplete(&self) -> Incomplete {
        match self {
            FileError::PermissionDenied | FileError::Io { .. } | FileError::Walk { .. } => {
                Incomplete::Unreadable
            }
            FileError::Vanished => Incomplete::Vanished,
            FileError::Analyzer { analyzer, .. } => Incomplete::AnalyzerError(*analyzer),
            FileError::Timeout { analyzer } => Incomplete::Timeout(*analyzer),
            FileError::Archive { problem, .. } => match problem {
                ArchiveProblem::Corrupt => Incomplete::ArchiveCorrupt,
                ArchiveProblem::Encrypted => Incomplete::EncryptedMember,
                ArchiveProblem::UnpackFailed => Incomplete::UnpackFailed,
                limit => Incomplete::ArchiveLimit(*limit),
            },
        }
    }

    /// Whether the file was never read (so nothing judged it).
    pub fn unread(&self) -> bool {
        matches!(
            self.incomplete(),
            Incomplete::Unreadable | Incomplete::Vanished
        )
    }
}

impl ArchiveProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveProblem::Corrupt => "corrupt",
            ArchiveProblem::Encrypted => "encrypted",
            ArchiveProblem::TooManyMembers => "too_many_members",
            ArchiveProblem::TotalBytes => "total_bytes",
            ArchiveProblem::CompressionRatio => "compression_ratio",
            ArchiveProblem::OversizedHeader => "oversized_header",
            ArchiveProblem::UnpackFailed => "unpack_failed",
        }
    }
}

/// Why a file was not fully judged: its verdict is what the parts that ran found, and the scan
/// is not complete. Shown as a short code (`yara_timeout`, `analyzer_error:binary`,
/// `archive_limit:compression_ratio`, `encrypted_member`, `unreadable`...). A file above
/// `--max-size` is not incomplete: that is a limit the user chose (`skipped.too_large`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Incomplete {
    /// Not read: permission denied, an I/O error, a directory that could not be listed.
    Unreadable,
    /// Gone between the walk and the read.
    Vanished,
    /// An analyzer failed or panicked on this file.
    AnalyzerError(AnalyzerId),
    /// An analyzer ran out of time (`yara_timeout`).
    Timeout(AnalyzerId),
    /// An archive limit against bombs stopped the unpacking.
    ArchiveLimit(ArchiveProblem),
    /// The archive is corrupt: members past the damage were not read.
    ArchiveCorrupt,
    /// An archive member is encrypted.
    EncryptedMember,
    /// A packed program could not be unpacked: only the packer's outside was judged.
    UnpackFailed,
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Incomplete::Unreadable => f.write_str("unreadable"),
            Incomplete::Vanished => f.write_str("vanished"),
            Incomplete::AnalyzerError(a) => write!(f, "analyzer_error:{a}"),
            Incomplete::Timeout(a) => write!(f, "{a}_timeout"),
            Incomplete::ArchiveLimit(p) => write!(f, "archive_limit:{}", p.as_str()),
            Incomplete::ArchiveCorrupt => f.write_str("archive_corrupt"),
            Incomplete::EncryptedMember => f.write_str("encrypted_member"),
            Incomplete::UnpackFailed => f.write_str("unpack_failed"),
        }
    }
}

impl Serialize for Incomplete {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
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
    /// A directory already walked under another name (with `--follow`): walked once.
    SameDirectory,
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
    pub const ALL: [SkipReason; 9] = [
        SkipReason::Special,
        SkipReason::Symlink,
        SkipReason::SymlinkLoop,
        SkipReason::SameDirectory,
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
            SkipReason::SameDirectory => "same_directory",
            SkipReason::TooLarge => "too_large",
            SkipReason::Excluded => "excluded",
            SkipReason::VirtualFs => "virtual_fs",
            SkipReason::OtherFilesystem => "other_filesystem",
            SkipReason::Own => "own_file",
        }
    }
}

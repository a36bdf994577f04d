//! Reading one file safely and once: open read-only, non-blocking and without following a final
//! symlink, fstat the handle (never trust the name: it may have been swapped), require a regular
//! file, then one bounded read into the worker's reused buffer. st_size is not trusted either:
//! procfs says 0 and a file may grow while we read, so the read stops at the cap, not at st_size.

use crate::outcome::problems::{FileError, SkipReason};
use crate::outcome::FileMeta;
use crate::scan::digests::StreamingHasher;
use crate::scan::kind::SNIFF_LEN;
use crate::scan::platform;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// Buffers grown past this are shrunk back after use, so one huge file does not pin memory.
const KEEP_CAPACITY: usize = 16 << 20;
const CHUNK: usize = 1 << 20;

/// An open regular file and what fstat said about it.
pub struct Opened {
    pub file: File,
    pub meta: FileMeta,
    pub size: u64,
}

pub enum OpenOutcome {
    Opened(Opened),
    Skipped(SkipReason),
}

pub fn open(path: &Path, follow: bool) -> Result<OpenOutcome, FileError> {
    checked(platform::open_for_scan(path, follow), follow)
}

/// Checks the outcome of an open made elsewhere (inside an image root, `image::ImageRoot`).
pub fn checked(opened: io::Result<File>, follow: bool) -> Result<OpenOutcome, FileError> {
    let file = match opened {
        Ok(f) => f,
        // O_NOFOLLOW on a symlink gives ELOOP: a link we do not follow.
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Ok(OpenOutcome::Skipped(if follow {
                SkipReason::SymlinkLoop
            } else {
                SkipReason::Symlink
            }))
        }
        // Opening a FIFO with no writer read-only non-blocking succeeds; a socket gives ENXIO.
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Ok(OpenOutcome::Skipped(SkipReason::Special))
        }
        Err(e) => return Err(FileError::from_io(&e)),
    };
    let md = file.metadata().map_err(|e| FileError::from_io(&e))?;
    let ft = md.file_type();
    if ft.is_fifo()
        || ft.is_socket()
        || ft.is_block_device()
        || ft.is_char_device()
        || !ft.is_file()
    {
        return Ok(OpenOutcome::Skipped(SkipReason::Special));
    }
    let meta = FileMeta {
        dev: md.dev(),
        ino: md.ino(),
        mode: md.mode(),
        uid: md.uid(),
        gid: md.gid(),
        mtime: md.mtime(),
        ctime: md.ctime(),
        atime: md.atime(),
        mtime_nsec: md.mtime_nsec(),
        ctime_nsec: md.ctime_nsec(),
        // std fills this from statx's birth time where the kernel and filesystem have one.
        btime: md
            .created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64),
    };
    Ok(OpenOutcome::Opened(Opened {
        file,
        meta,
        size: md.len(),
    }))
}

/// What one bounded read produced.
pub struct ReadResult {
    /// Bytes now in the buffer (`cap + 1` when `over_cap`: the buffer then also holds the first
    /// byte past the cap, so that a streaming hash over it and the rest sees every byte).
    pub len: usize,
    /// True when the file holds more than `cap` bytes.
    pub over_cap: bool,
}

/// Reads at most `cap` bytes into `buf` (cleared first; one more when the file holds more), and
/// notes whether more remain.
pub fn read_bounded(
    file: &mut File,
    buf: &mut Vec<u8>,
    cap: usize,
    size_hint: u64,
) -> io::Result<ReadResult> {
    buf.clear();
    // Room for the whole file (as fstat saw it) and the probe byte past it, so that the read
    // does not grow the buffer step by step, copying what it already holds each time.
    buf.reserve((size_hint.min(cap as u64) as usize).saturating_add(1));
    let mut limited = file.by_ref().take(cap as u64 + 1);
    loop {
        match limited.read_to_end(buf) {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    let over_cap = buf.len() > cap;
    // The byte past the cap stays in the buffer: a header-only view streams the rest of the
    // file into the digests from here on, and dropping it made those digests wrong.
    Ok(ReadResult {
        len: buf.len(),
        over_cap,
    })
}

/// Keeps the first `SNIFF_LEN` bytes of what was read as the header view, and, when `hash` is
/// given, streams the rest of the file through it.
pub fn header_and_hash(
    file: &mut File,
    buf: &mut Vec<u8>,
    hash: Option<&mut StreamingHasher>,
) -> io::Result<u64> {
    let mut total = buf.len() as u64;
    if let Some(h) = hash {
        h.update(buf);
        let mut chunk = vec![0u8; CHUNK];
        loop {
            match file.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    h.update(&chunk[..n]);
                    total += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
    buf.truncate(SNIFF_LEN);
    Ok(total)
}

/// Releases memory held by a buffer that grew for one large file.
pub fn trim(buf: &mut Vec<u8>) {
    if buf.capacity() > KEEP_CAPACITY {
        buf.clear();
        buf.shrink_to(KEEP_CAPACITY);
    }
}

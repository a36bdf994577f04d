//! One budget per top-level file, shared by every layer opened beneath it. Limits that apply per
//! archive let nesting multiply them (a zip of tarballs of streams); here every layer draws from
//! the same counters: decompressed bytes, members, layers. The ratio is judged twice: per stream
//! (output against that stream's compressed bytes) and overall (the budget's byte cap is itself at
//! most `max_ratio` times the top-level file, above a floor). Everything is checked before it is
//! allocated: a reader never reserves more than what is left.
//!
//! Single-threaded by design (one worker thread scans one file and its members), so the counters
//! are `Cell`s and every layer holds the same `&Budget`.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};

/// Below this many decompressed bytes, the ratio is not judged (a small file of zeros is fine).
pub const RATIO_FLOOR: u64 = 1 << 20;

/// Bytes kept of a member larger than `Limits::max_member`: its header, so that it can still be
/// recognised (minerscan's `context::SNIFF_LEN`).
pub const HEADER_LEN: usize = 4096;

/// Limits of one top-level file and everything opened beneath it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Layers opened beneath the top-level file (`--archive-depth`): 0 opens none.
    pub max_depth: u32,
    /// Members delivered across all layers.
    pub max_members: usize,
    /// Decompressed (or copied) bytes across all layers.
    pub max_total_bytes: u64,
    /// Highest decompressed : compressed ratio once the output passes `RATIO_FLOOR`.
    pub max_ratio: u64,
    /// Members above this size are delivered as their first `HEADER_LEN` bytes (`--max-size`).
    pub max_member: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 3,
            max_members: 50_000,
            max_total_bytes: 1 << 30,
            max_ratio: 250,
            max_member: 64 << 20,
        }
    }
}

/// What went wrong inside a container: the report's own `ArchiveProblem`, so that a container's
/// problem is a file's problem without a translation (`UnpackFailed` is the UPX unpacker's; the
/// containers here never produce it).
pub use crate::outcome::problems::ArchiveProblem as ProblemKind;

/// One problem of one container layer, with a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
}

impl Problem {
    pub fn new(kind: ProblemKind, message: impl Into<String>) -> Problem {
        Problem {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn corrupt(message: impl Into<String>) -> Problem {
        Problem::new(ProblemKind::Corrupt, message)
    }

    /// The same problem, its message prefixed by where it happened.
    pub(crate) fn context(mut self, what: &str) -> Problem {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

/// The shared counters of one top-level file.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    /// `max_total_bytes`, lowered to `max_ratio` times the top-level file (above the floor).
    byte_cap: u64,
    used: Cell<u64>,
    members: Cell<usize>,
    depth: Cell<u32>,
    /// The first limit that stopped a layer; every layer after it stops too.
    spent: Cell<Option<ProblemKind>>,
}

impl Budget {
    /// The budget of a top-level file of `top_len` bytes.
    pub fn new(limits: Limits, top_len: u64) -> Budget {
        let ratio_cap = top_len.saturating_mul(limits.max_ratio).max(RATIO_FLOOR);
        Budget {
            byte_cap: limits.max_total_bytes.min(ratio_cap),
            limits,
            used: Cell::new(0),
            members: Cell::new(0),
            depth: Cell::new(0),
            spent: Cell::new(None),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Bytes delivered so far across all layers.
    pub fn used(&self) -> u64 {
        self.used.get()
    }

    pub fn members(&self) -> usize {
        self.members.get()
    }

    /// Bytes left for all layers together.
    pub fn remaining(&self) -> u64 {
        self.byte_cap.saturating_sub(self.used.get())
    }

    /// The limit that stopped the scan of this file's members, if one did.
    pub fn spent(&self) -> Option<ProblemKind> {
        self.spent.get()
    }

    /// Opens one more layer, or `None` at the depth limit. The layer closes when the guard drops.
    pub fn enter(&self) -> Option<Layer<'_>> {
        let depth = self.depth.get();
        if depth >= self.limits.max_depth {
            return None;
        }
        self.depth.set(depth + 1);
        Some(Layer { budget: self })
    }

    /// Layers open now (0 while the top-level file itself is judged).
    pub fn depth(&self) -> u32 {
        self.depth.get()
    }

    /// Stops every layer from now on, for `kind`, and says so once.
    fn stop(&self, kind: ProblemKind, message: String) -> Problem {
        match self.spent.get() {
            Some(first) => Problem::new(
                first,
                "not read to the end: the file's budget was spent (see the member that spent it)",
            ),
            None => {
                self.spent.set(Some(kind));
                Problem::new(kind, message)
            }
        }
    }

    /// Takes one member slot.
    pub fn take_member(&self) -> Result<(), Problem> {
        if let Some(first) = self.spent.get() {
            return Err(self.stop(first, String::new()));
        }
        if self.members.get() >= self.limits.max_members {
            return Err(self.stop(
                ProblemKind::TooManyMembers,
                format!(
                    "more than {} members in this file and everything inside it: the rest were not scanned",
                    self.limits.max_members
                ),
            ));
        }
        self.members.set(self.members.get() + 1);
        Ok(())
    }

    /// Whether `n` more members fit (a directory is refused whole before it is parsed).
    pub fn members_left(&self) -> usize {
        self.limits.max_members.saturating_sub(self.members.get())
    }

    /// Counts `n` bytes that were decompressed or copied.
    pub fn charge(&self, n: u64) -> Result<(), Problem> {
        if let Some(first) = self.spent.get() {
            return Err(self.stop(first, String::new()));
        }
        let used = self.used.get().saturating_add(n);
        self.used.set(used.min(self.byte_cap));
        if used > self.byte_cap {
            let why = if self.byte_cap < self.limits.max_total_bytes {
                format!(
                    "more than {} bytes unpacked ({}x the file): the rest was not scanned (a decompression bomb?)",
                    self.byte_cap, self.limits.max_ratio
                )
            } else {
                format!(
                    "more than {} bytes unpacked from this file: the rest was not scanned",
                    self.byte_cap
                )
            };
            let kind = if self.byte_cap < self.limits.max_total_bytes {
                ProblemKind::CompressionRatio
            } else {
                ProblemKind::TotalBytes
            };
            return Err(self.stop(kind, why));
        }
        Ok(())
    }

    /// The most one stream of `input_len` compressed bytes may produce: what is left of the
    /// budget, and at most `max_ratio` times its input (above the floor).
    pub fn stream_cap(&self, input_len: u64) -> StreamCap {
        let ratio = input_len
            .saturating_mul(self.limits.max_ratio)
            .max(RATIO_FLOOR);
        StreamCap {
            ratio,
            bytes: self.remaining(),
        }
    }

    /// A ratio problem for one stream; it stops only that stream, not the budget.
    pub fn ratio_problem(&self, what: &str, out: u64, input: u64) -> Problem {
        Problem::new(
            ProblemKind::CompressionRatio,
            format!(
                "{what}: compression ratio above {}:1 ({out} bytes from {input}): not unpacked further (a decompression bomb?)",
                self.limits.max_ratio
            ),
        )
    }
}

/// An open layer; closing it (dropping) lets a sibling open its own.
#[derive(Debug)]
pub struct Layer<'b> {
    budget: &'b Budget,
}

impl Drop for Layer<'_> {
    fn drop(&mut self) {
        self.budget.depth.set(self.budget.depth.get() - 1);
    }
}

/// How much one stream may produce.
#[derive(Clone, Copy, Debug)]
pub struct StreamCap {
    /// Its own ratio limit.
    pub ratio: u64,
    /// What is left of the file's budget when it starts.
    pub bytes: u64,
}

impl StreamCap {
    pub fn min(&self) -> u64 {
        self.ratio.min(self.bytes)
    }
}

/// A decompressing reader metered against the budget: every byte it yields is charged, and it
/// fails once its stream passes its ratio limit or the budget runs out. The problem that stopped
/// it is kept for the caller (the `io::Error` it returns only says "limit").
pub struct Metered<'b, R> {
    inner: R,
    budget: &'b Budget,
    what: String,
    input_len: u64,
    ratio_cap: u64,
    out: u64,
    stopped: Option<Problem>,
}

impl<'b, R: Read> Metered<'b, R> {
    /// `input_len` is the compressed size the stream's ratio is judged against.
    pub fn new(inner: R, budget: &'b Budget, input_len: u64, what: impl Into<String>) -> Self {
        Metered {
            inner,
            ratio_cap: budget.stream_cap(input_len).ratio,
            budget,
            what: what.into(),
            input_len,
            out: 0,
            stopped: None,
        }
    }

    /// Bytes produced so far.
    pub fn out(&self) -> u64 {
        self.out
    }

    /// The limit that stopped this stream, if one did.
    pub fn take_stop(&mut self) -> Option<Problem> {
        self.stopped.take()
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stopped.is_some() {
            return Err(limit_error());
        }
        // Never ask for more than can still be accepted (plus one byte to see the overrun).
        let room = self
            .ratio_cap
            .saturating_sub(self.out)
            .min(self.budget.remaining())
            .saturating_add(1);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.out += n as u64;
        if self.out > self.ratio_cap {
            self.stopped = Some(
                self.budget
                    .ratio_problem(&self.what, self.out, self.input_len),
            );
            return Err(limit_error());
        }
        if let Err(p) = self.budget.charge(n as u64) {
            self.stopped = Some(p);
            return Err(limit_error());
        }
        Ok(n)
    }
}

fn limit_error() -> io::Error {
    io::Error::other("container limit reached")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_share_one_byte_count_and_depth() {
        let budget = Budget::new(
            Limits {
                max_total_bytes: 100,
                max_depth: 2,
                ..Limits::default()
            },
            1 << 30,
        );
        let outer = budget.enter().unwrap();
        budget.charge(60).unwrap();
        {
            let _inner = budget.enter().unwrap();
            assert!(budget.enter().is_none());
            let p = budget.charge(50).unwrap_err();
            assert_eq!(p.kind, ProblemKind::TotalBytes);
        }
        // The outer layer stops too, pointing at the first problem.
        assert_eq!(
            budget.take_member().unwrap_err().kind,
            ProblemKind::TotalBytes
        );
        drop(outer);
        assert_eq!(budget.depth(), 0);
    }

    #[test]
    fn the_byte_cap_follows_the_top_level_size() {
        let budget = Budget::new(Limits::default(), 10 << 20);
        assert_eq!(budget.remaining(), 1 << 30);
        let small = Budget::new(Limits::default(), 10);
        assert_eq!(small.remaining(), RATIO_FLOOR);
        let p = small.charge(RATIO_FLOOR + 1).unwrap_err();
        assert_eq!(p.kind, ProblemKind::CompressionRatio);
    }

    #[test]
    fn metered_stops_at_the_stream_ratio() {
        let budget = Budget::new(Limits::default(), 1 << 30);
        let zeros = io::repeat(0).take(8 << 20);
        let mut m = Metered::new(zeros, &budget, 100, "stream");
        let mut sink = Vec::new();
        assert!(m.read_to_end(&mut sink).is_err());
        assert_eq!(m.take_stop().unwrap().kind, ProblemKind::CompressionRatio);
        assert!(sink.len() as u64 <= RATIO_FLOOR + 1);
        // A stream's own ratio problem does not stop its siblings.
        assert!(budget.take_member().is_ok());
    }
}

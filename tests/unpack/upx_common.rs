//! Shared test helpers: where the fixtures are, the manifest, and reading PE sections for
//! comparisons.

use std::path::PathBuf;

/// The `fixtures/` folder holding `upx/manifest.tsv`.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn read(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[derive(Debug, Clone)]
pub struct Row {
    pub packed: String,
    pub original: String,
    pub format: String,
    pub method: String,
    pub tampering: Vec<String>,
    pub compare: String,
    /// The UPX version that packed it.
    pub upx: String,
}

pub fn manifest() -> Vec<Row> {
    let text = String::from_utf8(read("upx/manifest.tsv")).unwrap();
    let rows: Vec<Row> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 7, "manifest row: {l}");
            Row {
                packed: c[0].into(),
                original: c[1].into(),
                format: c[2].into(),
                method: c[3].into(),
                tampering: if c[4] == "-" {
                    vec![]
                } else {
                    c[4].split(',').map(Into::into).collect()
                },
                compare: c[5].into(),
                upx: c[6].into(),
            }
        })
        .collect();
    assert!(rows.len() >= 30, "manifest has only {} rows", rows.len());
    rows
}

fn le16(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn le32(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
}

pub struct PeSection {
    pub name: String,
    pub vaddr: usize,
    pub raw: Vec<u8>,
}

/// The sections of a PE file with their raw data, and the RVA ranges of data directories `dirs`.
pub fn pe_sections(b: &[u8], dirs: &[usize]) -> (Vec<PeSection>, Vec<(usize, usize)>) {
    let pe = le32(b, 0x3c);
    let n = le16(b, pe + 6);
    let opt = pe + 24;
    let table = opt + le16(b, pe + 20);
    let dd = opt + if le16(b, opt) == 0x20b { 112 } else { 96 };
    let ranges = dirs
        .iter()
        .map(|&i| (le32(b, dd + 8 * i), le32(b, dd + 8 * i + 4)))
        .collect();
    let sections = (0..n)
        .map(|i| {
            let s = table + 40 * i;
            let (size, ptr) = (le32(b, s + 16), le32(b, s + 20));
            PeSection {
                name: String::from_utf8_lossy(&b[s..s + 8])
                    .trim_end_matches('\0')
                    .to_owned(),
                vaddr: le32(b, s + 12),
                raw: b[ptr..ptr + size].to_vec(),
            }
        })
        .collect();
    (sections, ranges)
}

/// The imports of a PE file as (lower-case DLL, functions in table order), sorted by DLL: what an
/// analyser reads through the import directory, its lookup (or address) tables and names.
pub fn pe_imports(b: &[u8]) -> Vec<(String, Vec<String>)> {
    let pe = le32(b, 0x3c);
    let n = le16(b, pe + 6);
    let opt = pe + 24;
    let wide = le16(b, opt) == 0x20b;
    let table = opt + le16(b, pe + 20);
    let offset = |rva: usize| -> usize {
        (0..n)
            .map(|i| table + 40 * i)
            .find_map(|s| {
                let (vs, va, rs, rp) = (
                    le32(b, s + 8),
                    le32(b, s + 12),
                    le32(b, s + 16),
                    le32(b, s + 20),
                );
                (rva >= va && rva < va + vs.max(rs)).then(|| rp + rva - va)
            })
            .unwrap_or_else(|| panic!("rva {rva:#x} outside the sections"))
    };
    let c_str = |at: usize| -> String {
        let end = b[at..].iter().position(|&c| c == 0).unwrap();
        String::from_utf8_lossy(&b[at..at + end]).into_owned()
    };
    let dir = le32(b, opt + if wide { 112 } else { 96 } + 8);
    let mut out = Vec::new();
    let mut d = offset(dir);
    while le32(b, d + 12) != 0 {
        let thunks = if le32(b, d) != 0 {
            le32(b, d)
        } else {
            le32(b, d + 16)
        };
        let mut t = offset(thunks);
        let mut functions = Vec::new();
        loop {
            let v = if wide {
                u64::from_le_bytes(b[t..t + 8].try_into().unwrap())
            } else {
                le32(b, t) as u64
            };
            if v == 0 {
                break;
            }
            let ordinal = if wide { v >> 63 } else { v >> 31 } == 1;
            functions.push(if ordinal {
                format!("#{}", v & 0xffff)
            } else {
                c_str(offset(v as usize) + 2)
            });
            t += if wide { 8 } else { 4 };
        }
        out.push((c_str(offset(le32(b, d + 12))).to_lowercase(), functions));
        d += 20;
    }
    out.sort();
    out
}

//! Indicator-of-compromise lists: known-bad file hashes, network indicators (domains and IP
//! addresses, with an optional port) and path indicators (a regex over the file's path with a
//! score, as Loki's filename lists are written). Lists come in the shapes threat intelligence
//! arrives in (plain lines, `hash;description`, Loki's `hash;score;description`,
//! `hash,description`, CSV exports with a header row that may itself be commented out), are
//! loaded once into compact sorted tables of fixed-size digests, and a malformed line is a
//! `file:line: message` problem that is reported and skipped, never fatal.

use crate::knowledge::indicators::{IndicatorKind, Pattern};
use crate::outcome::options::IocSource;
use crate::scan::digests::DigestSet;
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use sha2::Digest as _;
use std::collections::HashMap;

/// A sorted table of one digest type with an index into the shared descriptions.
#[derive(Debug)]
pub struct DigestTable<const N: usize> {
    entries: Vec<([u8; N], u32)>,
}

impl<const N: usize> Default for DigestTable<N> {
    fn default() -> Self {
        DigestTable {
            entries: Vec::new(),
        }
    }
}

impl<const N: usize> DigestTable<N> {
    fn push(&mut self, digest: [u8; N], desc: u32) {
        self.entries.push((digest, desc));
    }

    /// Sorts and removes duplicates (one description per digest is kept).
    fn finish(&mut self) {
        self.entries.sort_unstable_by_key(|e| e.0);
        self.entries.dedup_by(|a, b| a.0 == b.0);
        self.entries.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn get(&self, digest: &[u8; N]) -> Option<u32> {
        self.entries
            .binary_search_by(|(d, _)| d.cmp(digest))
            .ok()
            .map(|i| self.entries[i].1)
    }
}

/// A path indicator: a case-insensitive regex over the file's path, a score, and optionally a
/// regex of paths that are known false positives.
#[derive(Debug)]
pub struct PathIoc {
    pub regex: Regex,
    pub score: u8,
    pub false_positive: Option<Regex>,
    pub description: String,
}

/// Every loaded list, compiled.
#[derive(Debug, Default)]
pub struct IocDb {
    pub md5: DigestTable<16>,
    pub sha1: DigestTable<20>,
    pub sha256: DigestTable<32>,
    descriptions: Vec<String>,
    desc_index: HashMap<String, u32>,
    /// The last description interned: lists repeat one description over many lines.
    last_desc: Option<u32>,
    /// Network indicators, fed to the shared indicator matcher.
    pub network: Vec<Pattern>,
    pub paths: Vec<PathIoc>,
    path_set: Option<RegexSet>,
    /// Problems met while loading (`file:line: message`).
    pub problems: Vec<String>,
    /// The lists loaded, with their entry counts, for the report header.
    pub sources: Vec<IocSource>,
}

/// Column names that hold a hash, with the digest type they must have (if any).
const HASH_COLUMNS: &[&str] = &[
    "sha256_hash",
    "sha256",
    "sha1_hash",
    "sha1",
    "md5_hash",
    "md5",
    "hash",
    "ioc",
    "indicator",
];
/// Column names that describe an entry, best first.
const DESCRIPTION_COLUMNS: &[&str] = &[
    "signature",
    "description",
    "malware",
    "malware_family",
    "family",
    "threat",
    "name",
    "file_name",
    "comment",
    "tags",
];

impl IocDb {
    /// Which digests a file must have computed for these lists.
    pub fn digests_needed(&self) -> DigestSet {
        DigestSet {
            md5: !self.md5.is_empty(),
            sha1: !self.sha1.is_empty(),
            sha256: !self.sha256.is_empty(),
        }
    }

    pub fn hash_count(&self) -> usize {
        self.md5.len() + self.sha1.len() + self.sha256.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hash_count() == 0 && self.network.is_empty() && self.paths.is_empty()
    }

    fn intern(&mut self, desc: &str) -> u32 {
        if let Some(i) = self.last_desc {
            if self.descriptions[i as usize] == desc {
                return i;
            }
        }
        let i = self.intern_new(desc);
        self.last_desc = Some(i);
        i
    }

    fn intern_new(&mut self, desc: &str) -> u32 {
        if let Some(&i) = self.desc_index.get(desc) {
            return i;
        }
        let i = self.descriptions.len() as u32;
        self.descriptions.push(desc.to_owned());
        self.desc_index.insert(desc.to_owned(), i);
        i
    }

    pub fn lookup_md5(&self, d: &[u8; 16]) -> Option<&str> {
        self.md5
            .get(d)
            .map(|i| self.descriptions[i as usize].as_str())
    }

    pub fn lookup_sha1(&self, d: &[u8; 20]) -> Option<&str> {
        self.sha1
            .get(d)
            .map(|i| self.descriptions[i as usize].as_str())
    }

    pub fn lookup_sha256(&self, d: &[u8; 32]) -> Option<&str> {
        self.sha256
            .get(d)
            .map(|i| self.descriptions[i as usize].as_str())
    }

    /// The path indicators matching `path` (their false-positive regex not matching).
    pub fn match_path<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a PathIoc> + 'a {
        let matched: Vec<usize> = match &self.path_set {
            Some(set) => set.matches(path).into_iter().collect(),
            None => Vec::new(),
        };
        matched
            .into_iter()
            .map(|i| &self.paths[i])
            .filter(move |p| {
                !p.false_positive
                    .as_ref()
                    .is_some_and(|fp| fp.is_match(path))
            })
    }

    /// Loads one list. `origin` names it in problems (`origin:line: message`).
    pub fn load(&mut self, origin: &str, text: &str, builtin: bool) {
        let before = (self.hash_count(), self.network.len(), self.paths.len());
        let name = origin.rsplit('/').next().unwrap_or(origin).to_owned();
        match find_csv_header(text) {
            Some(header) => self.load_csv(origin, &name, text, header),
            None => {
                for (i, line) in text.lines().enumerate() {
                    if let Err(message) = self.load_line(&name, line) {
                        self.problems.push(format!("{origin}:{}: {message}", i + 1));
                    }
                }
            }
        }
        self.sources.push(IocSource {
            origin: origin.to_owned(),
            sha256: crate::scan::digests::hex(&sha2::Sha256::digest(text.as_bytes())),
            builtin,
            hashes: self.hash_count() - before.0,
            network: self.network.len() - before.1,
            paths: self.paths.len() - before.2,
        });
    }

    /// Sorts the tables and compiles the path set. Call once after the last `load`.
    pub fn finish(&mut self) {
        self.md5.finish();
        self.sha1.finish();
        self.sha256.finish();
        self.desc_index = HashMap::new();
        if !self.paths.is_empty() {
            let set = RegexSetBuilder::new(self.paths.iter().map(|p| p.regex.as_str()))
                .case_insensitive(true)
                .size_limit(64 << 20)
                .build();
            match set {
                Ok(s) => self.path_set = Some(s),
                Err(e) => self
                    .problems
                    .push(format!("path indicators: cannot compile together: {e}")),
            }
        }
    }

    fn add_hash(&mut self, digest: Digest, desc: &str) {
        let d = self.intern(desc);
        match digest {
            Digest::Md5(h) => self.md5.push(h, d),
            Digest::Sha1(h) => self.sha1.push(h, d),
            Digest::Sha256(h) => self.sha256.push(h, d),
        }
    }

    /// One line of a list that is not CSV with a header.
    fn load_line(&mut self, list: &str, raw: &str) -> Result<(), String> {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        let (first, rest) = split_first(line);
        let first = first.trim();
        if let Some(digest) = parse_digest(first) {
            let desc = match rest {
                // Loki's `hash;score;description`: the score is dropped, a hash is a hash.
                Some((';', rest)) => match rest.split_once(';') {
                    Some((score, d)) if score.trim().parse::<u8>().is_ok() => d.trim(),
                    _ => rest.trim(),
                },
                Some((_, rest)) => rest.trim(),
                None => "",
            };
            if desc.is_empty() {
                self.add_hash(digest, &format!("listed in {list}"));
            } else {
                self.add_hash(digest, desc);
            }
            return Ok(());
        }
        if looks_like_hex(first) {
            return Err(format!(
                "'{}' looks like a hash but has {} hex digits (MD5 has 32, SHA-1 40, SHA-256 64)",
                crate::judge::finding::cap(first),
                first.len()
            ));
        }
        // Loki's filename IOCs: `REGEX;SCORE` or `REGEX;SCORE;FALSE_POSITIVE_REGEX`.
        if let Some((';', rest)) = rest {
            let mut parts = rest.splitn(2, ';');
            let score = parts.next().unwrap_or("").trim();
            if let Ok(score) = score.parse::<u8>() {
                if score > 100 {
                    return Err(format!("score {score} is above 100"));
                }
                let fp = parts.next().map(str::trim).filter(|s| !s.is_empty());
                return self.add_path(list, first, score, fp);
            }
        }
        if let Some(indicator) = parse_network(first) {
            let desc = match rest {
                Some((_, d)) if !d.trim().is_empty() => d.trim().to_owned(),
                _ => format!("listed in {list}"),
            };
            self.network.push(Pattern {
                kind: IndicatorKind::UserNetwork,
                text: indicator,
                family: None,
                description: Some(desc),
            });
            return Ok(());
        }
        Err(format!(
            "not a hash (32, 40 or 64 hex digits), a domain or IP address, or REGEX;SCORE: '{}'",
            crate::judge::finding::cap(line)
        ))
    }

    fn add_path(
        &mut self,
        list: &str,
        pattern: &str,
        score: u8,
        fp: Option<&str>,
    ) -> Result<(), String> {
        let compile = |p: &str| {
            RegexBuilder::new(p)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    format!(
                        "bad regex '{}': {}",
                        crate::judge::finding::cap(p),
                        one_line(&e)
                    )
                })
        };
        let regex = compile(pattern)?;
        let false_positive = fp.map(compile).transpose()?;
        self.paths.push(PathIoc {
            regex,
            score,
            false_positive,
            description: format!("path matches {pattern} (score {score}, {list})"),
        });
        Ok(())
    }

    fn load_csv(&mut self, origin: &str, list: &str, text: &str, header: CsvHeader) {
        let body = &text[header.body_start..];
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .delimiter(header.delimiter)
            .from_reader(body.as_bytes());
        let mut record = csv::StringRecord::new();
        loop {
            let line = header.body_line + reader.position().line() as usize - 1;
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    self.problems
                        .push(format!("{origin}:{line}: unreadable CSV: {e}"));
                    continue;
                }
            }
            let line = record
                .position()
                .map_or(line, |p| header.body_line + p.line() as usize - 1);
            if record.iter().all(|f| f.is_empty()) {
                continue;
            }
            let field = |i: usize| record.get(i).map(unquote).unwrap_or("");
            let desc = {
                let mut parts: Vec<&str> = Vec::new();
                for &i in &header.descriptions {
                    let v = field(i);
                    if !v.is_empty() && !v.eq_ignore_ascii_case("n/a") && !parts.contains(&v) {
                        parts.push(v);
                    }
                }
                if parts.is_empty() {
                    format!("listed in {list}")
                } else {
                    parts.join(", ")
                }
            };
            let mut found = 0;
            let mut bad = None;
            for &i in &header.hashes {
                let v = field(i);
                if v.is_empty() {
                    continue;
                }
                match parse_digest(v) {
                    Some(d) => {
                        self.add_hash(d, &desc);
                        found += 1;
                    }
                    None => bad = Some(v.to_owned()),
                }
            }
            if found == 0 {
                let message = match bad {
                    Some(v) => format!("not a hash: '{}'", crate::judge::finding::cap(&v)),
                    None => "no hash in this row".to_owned(),
                };
                self.problems.push(format!("{origin}:{line}: {message}"));
            }
        }
    }
}

fn one_line(e: &regex::Error) -> String {
    e.to_string().lines().last().unwrap_or("").trim().to_owned()
}

/// Splits a line at its first `;` or `,` (whichever comes first), returning the separator.
fn split_first(line: &str) -> (&str, Option<(char, &str)>) {
    match line.find([';', ',']) {
        Some(i) => {
            let sep = line.as_bytes()[i] as char;
            (&line[..i], Some((sep, &line[i + 1..])))
        }
        None => (line, None),
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
        .trim()
}

/// A digest, typed by its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digest {
    Md5([u8; 16]),
    Sha1([u8; 20]),
    Sha256([u8; 32]),
}

fn looks_like_hex(s: &str) -> bool {
    s.len() >= 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn hex_nibble(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = hex_nibble(pair[0])? << 4 | hex_nibble(pair[1])?;
    }
    Some(out)
}

/// A hex digest of 32, 40 or 64 digits, in any case.
pub fn parse_digest(s: &str) -> Option<Digest> {
    let b = s.trim().as_bytes();
    match b.len() {
        32 => decode(b).map(Digest::Md5),
        40 => decode(b).map(Digest::Sha1),
        64 => decode(b).map(Digest::Sha256),
        _ => None,
    }
}

/// A domain or IPv4 address with an optional port (`pool.example.com`, `203.0.113.7:3333`),
/// lower-cased; a scheme (`stratum+tcp://`) and a path are dropped.
pub fn parse_network(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    let s = match s.split_once("://") {
        Some((_, rest)) => rest.to_owned(),
        None => s,
    };
    let s = s.split('/').next().unwrap_or("");
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => {
            let port: u16 = p.parse().ok()?;
            (h, Some(port))
        }
        None => (s, None),
    };
    let host = host.trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    let is_ipv4 = labels.len() == 4 && labels.iter().all(|l| l.parse::<u8>().is_ok());
    let is_domain = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    if !(is_ipv4 || is_domain) {
        return None;
    }
    Some(match port {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    })
}

/// Where a CSV list's header is and which columns matter.
#[derive(Debug)]
struct CsvHeader {
    delimiter: u8,
    hashes: Vec<usize>,
    descriptions: Vec<usize>,
    /// Byte offset of the first line after the header.
    body_start: usize,
    /// 1-based line number of that line.
    body_line: usize,
}

/// Finds a header row among the leading lines (commented out with `#` or not): a row naming a
/// hash column. Lists without one are read line by line.
fn find_csv_header(text: &str) -> Option<CsvHeader> {
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate().take(64) {
        offset += raw.len();
        let line = raw.trim().trim_start_matches('\u{feff}');
        let content = line.trim_start_matches('#').trim();
        if content.is_empty() {
            continue;
        }
        let delimiter = if content.contains(',') {
            b','
        } else if content.contains(';') {
            b';'
        } else if content.contains('\t') {
            b'\t'
        } else {
            if !line.starts_with('#') {
                return None;
            }
            continue;
        };
        let names: Vec<String> = content
            .split(delimiter as char)
            .map(|f| unquote(f).to_ascii_lowercase())
            .collect();
        let hashes: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| HASH_COLUMNS.contains(&n.as_str()))
            .map(|(i, _)| i)
            .collect();
        if !hashes.is_empty() {
            let descriptions = DESCRIPTION_COLUMNS
                .iter()
                .filter_map(|d| names.iter().position(|n| n == d))
                .collect();
            return Some(CsvHeader {
                delimiter,
                hashes,
                descriptions,
                body_start: offset,
                body_line: i + 2,
            });
        }
        if !line.starts_with('#') {
            // The first data line came before any header.
            return None;
        }
    }
    None
}

/// The built-in lists, then the user's files. Problems are collected, never fatal.
pub fn load_all(builtin: bool, files: &[std::path::PathBuf]) -> IocDb {
    let mut db = IocDb::default();
    if builtin {
        for (origin, text) in crate::knowledge::signatures::BUILTIN_IOC {
            db.load(origin, text, true);
        }
    }
    for f in files {
        let origin = f.to_string_lossy().into_owned();
        match std::fs::read(f) {
            Ok(bytes) => db.load(&origin, &String::from_utf8_lossy(&bytes), false),
            Err(e) => db.problems.push(format!("{origin}: cannot read: {e}")),
        }
    }
    db.finish();
    db
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const MD5: &str = "D41D8CD98F00B204E9800998ECF8427E";

    fn load(text: &str) -> IocDb {
        let mut db = IocDb::default();
        db.load("list.txt", text, false);
        db.finish();
        db
    }

    fn sha(db: &IocDb, hex: &str) -> Option<String> {
        match parse_digest(hex)? {
            Digest::Sha256(d) => db.lookup_sha256(&d).map(str::to_owned),
            Digest::Md5(d) => db.lookup_md5(&d).map(str::to_owned),
            Digest::Sha1(d) => db.lookup_sha1(&d).map(str::to_owned),
        }
    }

    #[test]
    fn plain_loki_and_comma_lines() {
        let db = load(&format!(
            "# comment\n\n{SHA}\n{MD5};XMRig build\nda39a3ee5e6b4b0d3255bfef95601890afd80709;80;Kinsing dropper\nnot-a-hash!\n"
        ));
        assert!(sha(&db, SHA).unwrap().contains("list.txt"));
        assert_eq!(sha(&db, &MD5.to_lowercase()).unwrap(), "XMRig build");
        assert_eq!(
            sha(&db, "da39a3ee5e6b4b0d3255bfef95601890afd80709").unwrap(),
            "Kinsing dropper"
        );
        assert_eq!(db.problems.len(), 1);
        assert!(
            db.problems[0].starts_with("list.txt:6: "),
            "{:?}",
            db.problems
        );
        let db = load(&format!("{SHA},CoinMiner\n"));
        assert_eq!(sha(&db, SHA).unwrap(), "CoinMiner");
        assert_eq!(
            db.digests_needed(),
            DigestSet {
                sha256: true,
                ..Default::default()
            }
        );
    }

    #[test]
    fn wrong_length_hex_is_a_problem() {
        let db = load(&format!("{}\n", &SHA[..60]));
        assert!(
            db.problems[0].contains("60 hex digits"),
            "{:?}",
            db.problems
        );
    }

    #[test]
    fn csv_with_commented_header() {
        let text = format!(
            "#####\n# feed export\n# \"first_seen_utc\",\"sha256_hash\",\"md5_hash\",\"signature\"\n\"2024-01-01\", \"{SHA}\", \"{MD5}\", \"CoinMiner\"\n\"2024-01-02\", \"zz\", \"\", \"x\"\n"
        );
        let db = load(&text);
        assert_eq!(sha(&db, SHA).unwrap(), "CoinMiner");
        assert_eq!(sha(&db, MD5).unwrap(), "CoinMiner");
        assert_eq!(db.problems.len(), 1, "{:?}", db.problems);
        assert!(
            db.problems[0].starts_with("list.txt:5: "),
            "{:?}",
            db.problems
        );
    }

    #[test]
    fn csv_with_plain_header() {
        let text = format!("sha256,description\n{SHA},\"miner, packed\"\n");
        let db = load(&text);
        assert_eq!(sha(&db, SHA).unwrap(), "miner, packed");
        assert!(db.problems.is_empty());
    }

    #[test]
    fn network_and_path_indicators() {
        let db = load(
            "pool.evil.example\n203.0.113.7:3333;campaign pool\nstratum+tcp://mine.bad.example:4444\n/tmp/kdevtmpfsi$;90\n\\.x/xmrig;70;/opt/allowed/\n(unclosed;50\n",
        );
        let texts: Vec<&str> = db.network.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "pool.evil.example",
                "203.0.113.7:3333",
                "mine.bad.example:4444"
            ]
        );
        assert_eq!(db.network[1].description.as_deref(), Some("campaign pool"));
        assert_eq!(db.paths.len(), 2);
        assert_eq!(db.problems.len(), 1);
        assert!(db.problems[0].starts_with("list.txt:6: bad regex"));
        assert_eq!(db.match_path("/tmp/kdevtmpfsi").count(), 1);
        assert_eq!(db.match_path("/TMP/KDEVTMPFSI").count(), 1);
        assert_eq!(db.match_path("/home/.x/xmrig").count(), 1);
        assert_eq!(db.match_path("/opt/allowed/.x/xmrig").count(), 0);
        assert_eq!(db.match_path("/tmp/kdevtmpfsi.bak").count(), 0);
    }

    #[test]
    fn builtin_lists_load_cleanly() {
        let db = load_all(true, &[]);
        assert!(db.problems.is_empty(), "{:?}", db.problems);
        assert!(!db.paths.is_empty());
    }
}

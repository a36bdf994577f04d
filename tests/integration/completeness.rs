//! Honest completeness: a file that was not fully judged (a YARA timeout, an archive limit, an
//! encrypted member, an unreadable file) says so in every format, keeps the verdict of what
//! ran, makes the scan incomplete and, with --strict, the exit code 2; it is never cached. A
//! file above --max-size is a limit the user chose, not an incomplete scan.

use crate::support::*;
use serde_json::Value;
use std::io::Write;

/// A YARA rule that cannot finish on a file of a few hundred kilobytes within one second.
const SLOW_RULE: &str = "rule slow { condition: for all i in (0..filesize - 1) : ( for all j in (0..filesize - 1) : ( uint8(i) != uint8(j) + 1000 ) ) }\n";

/// A tree with a dropper that YARA cannot finish scanning, an archive over the ratio limit, an
/// archive with an encrypted member, and a clean file.
fn tree() -> Tree {
    let t = Tree::new();
    t.file("rules/slow.yar", SLOW_RULE);
    // Malicious by the script analyzer; long enough that the slow rule times out.
    let mut dropper = String::from("#!/bin/sh\npkill -f kdevtmpfsi\n(crontab -l; echo '*/5 * * * * /tmp/x') | crontab -\n/tmp/x/xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u x\n");
    dropper.push_str(&"# padding\n".repeat(30_000));
    t.file("data/dropper.sh", &dropper);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 2 << 20]).unwrap();
    std::fs::write(t.path().join("data/bomb.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(t.path().join("data/locked.zip"), encrypted_zip()).unwrap();
    t.file("data/plain.txt", "plain text\n");
    t
}

/// A zip whose one member is flagged as encrypted (general purpose bit 0).
fn encrypted_zip() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "secret.bin",
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )
    .unwrap();
    w.write_all(b"0123456789abcdef").unwrap();
    let mut bytes = w.finish().unwrap().into_inner();
    // Local header flags at 6, central directory header flags at 8.
    bytes[6] |= 1;
    let cd = bytes
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    bytes[cd + 8] |= 1;
    bytes
}

fn scan(t: &Tree, extra: &[&str]) -> Output {
    let mut args = vec!["scan", "--rules", "rules", "--timeout", "1"];
    args.extend_from_slice(extra);
    args.push("data");
    run(&args, t.path())
}

fn incomplete_of(doc: &Value, suffix: &str) -> Vec<String> {
    let f = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("{suffix} not listed"));
    f["incomplete"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn unfinished_files_are_reported_as_incomplete_in_every_format() {
    let t = tree();
    let out = scan(&t, &["--format", "json"]);
    assert_eq!(out.code, 1, "the dropper is still found: {}", out.stderr);
    let doc = json(&out);
    let dropper = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "data/dropper.sh")
        .unwrap();
    // What ran still decides: the dropper stays malicious.
    assert_eq!(dropper["verdict"], "malicious");
    assert_eq!(incomplete_of(&doc, "dropper.sh"), ["yara_timeout"]);
    // The head of the stream the limit stopped is still judged (content in front of padding),
    // so the slow rule may time out on it too.
    let bomb = incomplete_of(&doc, "bomb.gz");
    assert!(
        bomb.contains(&"archive_limit:compression_ratio".to_owned()),
        "{bomb:?}"
    );
    assert_eq!(incomplete_of(&doc, "locked.zip"), ["encrypted_member"]);
    let s = &doc["summary"];
    assert_eq!(s["incomplete"], 3, "{s}");
    assert_eq!(s["complete"], false);
    assert_eq!(s["files_scanned"], 4, "incomplete files were read: {s}");

    // Text: never a plain `clean` line for them.
    let text = scan(&t, &[]).stdout;
    assert!(
        text.lines().any(
            |l| l.starts_with("incomplete data/bomb.gz  [not fully scanned: ")
                && l.contains("archive_limit:compression_ratio")
        ),
        "{text}"
    );
    assert!(text.contains("incomplete data/locked.zip  [not fully scanned: encrypted_member]"));
    assert!(
        text.contains("    not fully scanned: yara_timeout"),
        "{text}"
    );
    assert!(!text.contains("clean      data/bomb.gz"));
    assert!(text.contains("Not fully scanned: 3 files"), "{text}");

    // CSV: an `incomplete` column.
    let csv = scan(&t, &["--format", "csv"]).stdout;
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "incomplete")
        .expect("column");
    let bomb = csv.lines().find(|l| l.starts_with("data/bomb.gz")).unwrap();
    assert!(
        bomb.split(',')
            .nth(col)
            .is_some_and(|c| c.contains("archive_limit:compression_ratio")),
        "{bomb}"
    );

    // NDJSON: on the file object, and the summary says so.
    let nd = scan(&t, &["--format", "ndjson"]).stdout;
    let lines: Vec<Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let zip = lines
        .iter()
        .find(|l| l["file"]["path"] == "data/locked.zip")
        .unwrap();
    assert_eq!(zip["minerscan"]["incomplete"][0], "encrypted_member");
    assert_eq!(
        lines.last().unwrap()["minerscan"]["summary"]["complete"],
        false
    );

    // SARIF: the run was not successful, with one notification per file.
    let sarif: Value = serde_json::from_str(&scan(&t, &["--format", "sarif"]).stdout).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert!(notes.iter().any(|n| n["message"]["text"]
        .as_str()
        .unwrap()
        .contains("locked.zip: not fully scanned: encrypted_member")));
}

#[test]
fn strict_fails_an_incomplete_scan_and_the_size_limit_is_not_incomplete() {
    let t = tree();
    assert_eq!(scan(&t, &["--fail-on", "never"]).code, 0);
    assert_eq!(scan(&t, &["--fail-on", "never", "--strict"]).code, 2);

    // A file above --max-size: skipped as too large, the scan complete, --strict content.
    let big = Tree::new();
    big.file("data/big.txt", &"plain text\n".repeat(1000));
    let out = run(
        &[
            "scan",
            "--format",
            "json",
            "--strict",
            "--max-size",
            "1KiB",
            "data",
        ],
        big.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = json(&out);
    assert_eq!(skipped(&doc, "too_large"), 1);
    assert_eq!(doc["summary"]["incomplete"], 0);
    assert_eq!(doc["summary"]["complete"], true);
}

#[test]
fn incomplete_results_are_never_cached() {
    let t = tree();
    let db = t.path().join("cache.redb");
    let args = ["--format", "json", "--cache", db.to_str().unwrap()];
    let first = json(&scan(&t, &args));
    // Only plain.txt was whole.
    assert_eq!(
        first["summary"]["cache"]["stored"], 1,
        "{}",
        first["summary"]
    );
    let second = json(&scan(&t, &args));
    assert_eq!(second["summary"]["cache"]["hits"], 1);
    assert_eq!(incomplete_of(&second, "locked.zip"), ["encrypted_member"]);
    assert_eq!(second["summary"]["complete"], false);
}

//! Output formats: each parsed and checked, deterministic whatever the thread timing, and file
//! names treated as data.

use crate::support::*;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

fn busy_tree() -> Tree {
    let t = Tree::new();
    for i in 0..40 {
        t.file(
            &format!("d{}/clean{i}.txt", i % 7),
            &format!("plain file {i}\n"),
        );
        if i % 5 == 0 {
            t.file(&format!("d{}/run{i}.sh", i % 7), MINER_LINE);
        }
    }
    t
}

#[test]
fn json_report_has_the_documented_shape() {
    let t = busy_tree();
    let out = run(&["scan", "--format", "json", "."], t.path());
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.starts_with(r#"{"schema_version":"1.2","tool":"#),
        "the version comes first: {}",
        &out.stdout[..80.min(out.stdout.len())]
    );
    let doc = json(&out);
    assert_eq!(doc["tool"]["name"], "minerscan");
    assert!(doc["tool"]["signature_pack"].is_string());
    assert_eq!(doc["scan"]["roots"][0], ".");
    let rule_sets = doc["scan"]["rule_sets"].as_array().unwrap();
    assert!(!rule_sets.is_empty(), "the built-in rules are listed");
    assert!(rule_sets
        .iter()
        .all(|r| r["sha256"].as_str().unwrap().len() == 64));
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 8);
    for f in files {
        for key in [
            "path", "size", "verdict", "score", "family", "category", "sha256", "findings",
        ] {
            assert!(f.get(key).is_some(), "missing {key} in {f}");
        }
        assert_eq!(f["verdict"], "suspicious");
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
        for finding in f["findings"].as_array().unwrap() {
            for key in [
                "analyzer",
                "rule",
                "class",
                "score",
                "description",
                "evidence",
            ] {
                assert!(finding.get(key).is_some(), "missing {key} in {finding}");
            }
        }
    }
    let s = &doc["summary"];
    assert_eq!(s["files_scanned"], 48);
    assert_eq!(s["verdicts"]["suspicious"], 8);
    assert_eq!(s["verdicts"]["clean"], 40);
    assert_eq!(s["complete"], true);
    assert!(s["elapsed_ms"].is_u64() && s["finished"].is_string());
    let with_all = json(&run(&["scan", "--all", "--format", "json", "."], t.path()));
    assert_eq!(with_all["files"].as_array().unwrap().len(), 48);
}

#[test]
fn ndjson_is_one_ecs_object_per_line_then_a_summary() {
    let t = busy_tree();
    let out = run(&["scan", "--format", "ndjson", "."], t.path());
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 9);
    for alert in &lines[..8] {
        assert_eq!(alert["event"]["kind"], "alert");
        assert!(alert["event"]["category"]
            .as_array()
            .unwrap()
            .contains(&"malware".into()));
        assert!(alert["@timestamp"].is_string());
        assert!(alert["file"]["path"].as_str().unwrap().ends_with(".sh"));
        assert_eq!(alert["file"]["hash"]["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(alert["threat"]["technique"]["id"][0], "T1496");
        assert!(alert["rule"]["name"].is_string());
        assert_eq!(alert["minerscan"]["verdict"], "suspicious");
        assert_eq!(alert["minerscan"]["schema_version"], "1.2");
    }
    assert_eq!(lines[8]["minerscan"]["summary"]["files_scanned"], 48);
    assert_eq!(lines[8]["minerscan"]["schema_version"], "1.2");
}

#[test]
fn text_report_lists_verdict_findings_and_summary() {
    let t = busy_tree();
    let out = run(&["scan", "."], t.path());
    assert_eq!(
        out.stdout.matches("SUSPICIOUS ").count(),
        8,
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("stratum_url"));
    assert!(out.stdout.contains("Scanned 48 files"));
    assert!(!out.stdout.contains('\x1b'), "no colour off a terminal");
}

/// The part of a JSON report that must not depend on timing: the files array.
fn files_section(stdout: &str) -> &str {
    let start = stdout.find("\"files\":[").unwrap();
    let end = stdout.rfind("],\"errors\"").unwrap();
    &stdout[start..end]
}

#[test]
fn reports_are_identical_whatever_the_thread_count() {
    let t = busy_tree();
    let one = run(
        &["scan", "--all", "--threads", "1", "--format", "json", "."],
        t.path(),
    );
    let eight = run(
        &["scan", "--all", "--threads", "8", "--format", "json", "."],
        t.path(),
    );
    assert_eq!(files_section(&one.stdout), files_section(&eight.stdout));
    let text1 = run(&["scan", "--all", "--threads", "1", "."], t.path());
    let text8 = run(&["scan", "--all", "--threads", "8", "."], t.path());
    let body = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("Scanned "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&text1.stdout), body(&text8.stdout));
    // Walk order: each directory's entries sorted by name; the reports a link could still
    // change (flagged ones) are held to the end of the walk and come after the others, in
    // walk order among themselves.
    let doc = json(&one);
    for flagged in [false, true] {
        let paths: Vec<&str> = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| (f["verdict"] != "clean") == flagged)
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
    }
}

#[test]
fn hostile_file_names_are_escaped_and_exact() {
    let t = Tree::new();
    let weird = t.path().join(OsStr::from_bytes(b"evil\x1b[2J\xff\xfe.sh"));
    std::fs::write(&weird, MINER_LINE).unwrap();
    let out = run(&["scan", "."], t.path());
    assert!(
        !out.stdout.contains('\x1b'),
        "control characters are escaped: {:?}",
        out.stdout
    );
    assert!(out.stdout.contains("evil\\u{1b}[2J"));
    let doc = json(&run(&["scan", "--format", "json", "."], t.path()));
    let f = &doc["files"][0];
    use base64::Engine as _;
    let exact = base64::engine::general_purpose::STANDARD
        .decode(f["path_bytes"].as_str().unwrap())
        .unwrap();
    assert_eq!(exact, b"./evil\x1b[2J\xff\xfe.sh");
}

#[test]
fn a_real_backslash_and_an_escaped_newline_stay_apart_in_text_and_csv() {
    let t = Tree::new();
    // One name holds a backslash and an `n`, the other a newline: the reader must tell them apart.
    t.file("one\\nname.sh", MINER_LINE);
    t.file("one\nname.sh", MINER_LINE);
    let text = run(&["scan", "."], t.path()).stdout;
    assert!(text.contains("one\\\\nname.sh"), "{text}");
    assert!(text.contains("one\\nname.sh"), "{text}");
    assert!(!text.contains("one\nname"), "{text}");
    let csv = run(&["scan", "--format", "csv", "."], t.path()).stdout;
    let rows: Vec<&str> = csv.split("\r\n").filter(|r| !r.is_empty()).collect();
    // A header and one row per file: a newline in a name never splits a row.
    assert_eq!(rows.len(), 3, "{csv:?}");
    assert!(
        rows.iter().any(|r| r.starts_with("./one\\\\nname.sh,")),
        "{csv:?}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with("./one\\nname.sh,")),
        "{csv:?}"
    );
}

#[test]
fn csv_quotes_semicolons_and_escapes_c1_controls() {
    let t = Tree::new();
    t.file("a;b\u{85}.sh", MINER_LINE);
    let csv = run(&["scan", "--format", "csv", "."], t.path()).stdout;
    let row = csv.split("\r\n").nth(1).unwrap();
    assert!(row.starts_with("\"./a;b\\u{85}.sh\","), "{row:?}");
    assert!(!csv.contains('\u{85}'));
}

#[test]
fn sarif_uris_are_exact_and_never_read_as_a_scheme() {
    let t = Tree::new();
    t.file("javascript:x.sh", MINER_LINE);
    let raw = t.path().join(OsStr::from_bytes(b"raw\xff\xfe.sh"));
    std::fs::write(&raw, MINER_LINE).unwrap();
    let out = run(&["scan", "--format", "sarif", "."], t.path());
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let uris: std::collections::BTreeSet<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    // A relative reference whose first segment holds a colon would be a `javascript:` URI.
    assert!(uris.contains("./javascript:x.sh"), "{uris:?}");
    // The name's own bytes, not the replacement character's.
    assert!(uris.contains("raw%FF%FE.sh"), "{uris:?}");
    assert_eq!(uris.len(), 2, "{uris:?}");
}

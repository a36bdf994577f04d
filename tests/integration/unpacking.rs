//! Unpacking before judging, through the release binary and the fixture manifests: every
//! UPX-packed and tampered copy of a miner-like program gets the verdict and family of its
//! original, judged from the unpacked member `file!upx`; tampering is an `evasion` finding;
//! packed benign programs stay clean; a packed file that cannot be unpacked says so. Every
//! container fixture (streams, tarballs, 7z, PyInstaller, carved payloads, a UPX-packed miner in
//! a .tar.xz in a zip) gets its expected verdict from the member that must be flagged; near
//! misses stay clean; hostile inputs end in their problem and the scan goes on.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Whether the checkout itself sits where the binary analyzer sees a program kept out of sight
/// (a temporary or hidden place), asked of the analyzer's own rule.
fn checkout_hides_programs() -> bool {
    let at = fixtures().join("x");
    minerscan::testing::analyze::binary::place_hides(&at.to_string_lossy())
}

/// The rows of a TSV manifest under `fixtures/`, without comments.
fn manifest(rel: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(fixtures().join(rel)).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    assert!(rows.len() >= 20, "{rel}: only {} rows", rows.len());
    rows
}

/// Scans `paths` (relative to fixtures/) with `--all`, and returns the reports by path.
fn scan(paths: &[&str], extra: &[&str]) -> BTreeMap<String, Value> {
    let mut args = vec!["scan", "--format", "json", "--all", "--threads", "2"];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    let out = run_with_limit(&args, &fixtures(), std::time::Duration::from_secs(120));
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    let doc = json(&out);
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f.clone()))
        .collect()
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    format!(
                        "{}:{}",
                        f["analyzer"].as_str().unwrap(),
                        f["rule"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn level(verdict: &Value) -> u8 {
    match verdict.as_str().unwrap() {
        "clean" => 0,
        "suspicious" => 1,
        "malicious" => 2,
        other => panic!("verdict {other}"),
    }
}

fn members(report: &Value) -> Vec<&Value> {
    report["members"]
        .as_array()
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

#[test]
fn packed_programs_are_judged_by_what_they_unpack_to() {
    let rows = manifest("upx/manifest.tsv");
    let mut paths: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let originals: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    paths.extend(originals.iter().copied());
    paths.sort();
    paths.dedup();
    let reports = scan(&paths, &[]);
    let mut flagged = 0;
    for row in &rows {
        let (packed, original, tampering) = (&reports[&row[0]], &reports[&row[1]], &row[4]);
        // At least the original's verdict (a tampered header beside miner strings left in the
        // clear makes it worse), and the member is judged exactly as the original.
        assert!(
            level(&packed["verdict"]) >= level(&original["verdict"]),
            "{}: {} while {} is {}",
            row[0],
            packed["verdict"],
            row[1],
            original["verdict"]
        );
        assert_eq!(packed["family"], original["family"], "{}", row[0]);
        assert!(packed.get("incomplete").is_none(), "{}: {packed}", row[0]);
        let ids = rules(packed);
        assert!(
            ids.contains(&"binary:upx_unpacked".to_owned()),
            "{}: {ids:?}",
            row[0]
        );
        assert_eq!(
            ids.contains(&"binary:upx_tampered".to_owned()),
            tampering != "-",
            "{}: tampering {tampering}, findings {ids:?}",
            row[0]
        );
        // The packer's structure never decides once the program is unpacked.
        for f in packed["findings"].as_array().unwrap() {
            if ["upx_packed", "high_entropy_code", "packed_static_hidden"]
                .contains(&f["rule"].as_str().unwrap())
            {
                assert_eq!(f["class"], "info", "{}: {f}", row[0]);
            }
        }
        if original["verdict"] != "clean" {
            flagged += 1;
            let m = members(packed);
            assert_eq!(m.len(), 1, "{}", row[0]);
            assert_eq!(m[0]["path"], format!("{}!upx", row[0]));
            assert_eq!(m[0]["verdict"], original["verdict"], "{}", row[0]);
        } else {
            assert!(members(packed).is_empty(), "{}: {packed}", row[0]);
        }
    }
    assert!(flagged >= 40, "only {flagged} miner-like packed fixtures");
    assert!(
        rows.iter()
            .filter(|r| reports[&r[1]]["verdict"] == "clean")
            .count()
            >= 2,
        "no packed benign program"
    );
}

#[test]
fn a_packed_program_that_does_not_unpack_is_reported_and_keeps_its_structure() {
    // A packed miner cut inside its compressed data: still UPX by its marks, but not recoverable.
    let packed = std::fs::read(fixtures().join("upx/packed/miner_xmrig_like.elf.nrv2e")).unwrap();
    let t = Tree::new();
    let cut = &packed[..packed.len() * 2 / 3];
    std::fs::write(t.path().join("cut.elf"), cut).unwrap();
    let out = run(&["scan", "--format", "json", "--all", "cut.elf"], t.path());
    let doc = json(&out);
    let f = &doc["files"][0];
    assert_eq!(f["incomplete"][0], "unpack_failed", "{f}");
    assert_eq!(f["errors"][0]["problem"], "unpack_failed", "{f}");
    assert!(members(f).is_empty());
    let ids = rules(f);
    assert!(ids.contains(&"binary:upx_packed".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"binary:upx_unpacked".to_owned()), "{ids:?}");
    assert_eq!(doc["summary"]["incomplete"], 1, "{}", doc["summary"]);
    // The scan goes on past it.
    std::fs::write(t.path().join("z.sh"), MINER_LINE).unwrap();
    let out = run(&["scan", "--format", "json", "."], t.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(json(&out)["summary"]["verdicts"]["suspicious"], 1);
}

#[test]
fn a_packed_benign_program_in_a_temporary_directory_stays_clean() {
    // Before unpacking, the static one was `suspicious` here (packed_static_hidden).
    let t = Tree::new();
    std::fs::create_dir_all(t.path().join("tmp/.cache")).unwrap();
    for name in [
        "benign_ntp_like.elf.nrv2e",
        "benign_ntp_like.elf-static.nrv2e",
        "benign_gpu_tool.pe.nrv2e",
    ] {
        std::fs::copy(
            fixtures().join("upx/packed").join(name),
            t.path().join("tmp/.cache").join(name),
        )
        .unwrap();
    }
    let out = run(&["scan", "--format", "json", "--all", "tmp"], t.path());
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = json(&out);
    assert_eq!(doc["summary"]["verdicts"]["clean"], 3, "{}", doc["summary"]);
}

/// Every member below `report`, at any depth.
fn all_members(report: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for m in members(report) {
        out.push(m);
        out.extend(all_members(m));
    }
    out
}

#[test]
fn container_fixtures_are_judged_by_their_members() {
    let rows = manifest("containers/manifest.tsv");
    let paths: Vec<String> = rows
        .iter()
        .map(|r| format!("containers/{}", r[0]))
        .collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    // One scan of them all: a hostile input is a problem of its file, and the scan goes on.
    let reports = scan(&refs, &[]);
    assert_eq!(reports.len(), rows.len());
    let mut problems = 0;
    for (row, path) in rows.iter().zip(&paths) {
        let (verdict, member, note) = (&row[1], &row[2], &row[3]);
        let report = &reports[path];
        // A checkout under /tmp (CI's fresh clones) or a hidden directory puts every program in
        // such a place, which beside miner evidence is hiding: a suspicious miner there is
        // malicious. Near misses have no miner evidence, so they stay clean anywhere.
        let hidden = checkout_hides_programs() && verdict == "suspicious";
        let got = report["verdict"].as_str().unwrap_or("");
        assert!(
            got == verdict || (hidden && got == "malicious"),
            "{path} ({note}): verdict {got}, want {verdict}: {report}"
        );
        let inner = all_members(report);
        if member == "-" {
            assert!(
                inner.iter().all(|m| m["verdict"] == "clean"),
                "{path}: a near miss with a flagged member: {report}"
            );
        } else {
            let want = format!("{path}!{member}");
            let found = inner.iter().find(|m| m["path"] == want.as_str());
            let found = found.unwrap_or_else(|| panic!("{want} not listed: {report}"));
            assert_ne!(found["verdict"], "clean", "{want}");
        }
        match note.strip_prefix("problem ") {
            Some(rest) => {
                problems += 1;
                let kind = rest.split(':').next().unwrap();
                let errors: Vec<&str> = report["errors"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{path}: no errors: {report}"))
                    .iter()
                    .map(|e| e["problem"].as_str().unwrap_or(""))
                    .collect();
                assert!(errors.contains(&kind), "{path}: {errors:?}, want {kind}");
                assert!(report.get("incomplete").is_some(), "{path}");
            }
            None if !note.contains("encrypted") => {
                assert!(report.get("errors").is_none(), "{path}: {report}");
            }
            None => {}
        }
    }
    assert!(problems >= 9, "only {problems} hostile rows");
}

#[test]
fn the_default_depth_reaches_a_packed_miner_in_a_tarball_in_a_zip_and_no_further() {
    let kit = "containers/nested/upx-kit.zip";
    let leaf = format!("{kit}!release/kit.tar.xz!kit/xmrig!upx");
    let reports = scan(&[kit], &[]);
    assert!(all_members(&reports[kit])
        .iter()
        .any(|m| m["path"] == leaf.as_str()));
    // One layer less and the packed program stays packed (only the config beside it is found).
    let reports = scan(&[kit], &["--archive-depth", "2"]);
    let inner = all_members(&reports[kit]);
    assert!(!inner.is_empty());
    assert!(
        inner
            .iter()
            .all(|m| !m["path"].as_str().unwrap().ends_with("!upx")),
        "{}",
        reports[kit]
    );
}

#[test]
fn a_baseline_suppresses_what_unpacking_adds() {
    let t = Tree::new();
    let name = "miner_xmrig_like.elf.nrv2e.magics";
    std::fs::copy(
        fixtures().join("upx/packed").join(name),
        t.path().join(name),
    )
    .unwrap();
    t.file(
        "baseline.toml",
        &format!("[[suppress]]\nrule = \"binary:upx_tampered\"\npath = \"{name}\"\nreason = \"reviewed\"\n"),
    );
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "--format", "json", "--all"];
        args.extend_from_slice(extra);
        args.push(name);
        json(&run(&args, t.path()))
    };
    assert!(rules(&scan(&[])["files"][0]).contains(&"binary:upx_tampered".to_owned()));
    let doc = scan(&["--baseline", "baseline.toml", "--show-suppressed"]);
    let f = &doc["files"][0];
    assert!(!rules(f).contains(&"binary:upx_tampered".to_owned()), "{f}");
    assert_eq!(f["suppressed"].as_array().map(Vec::len), Some(1), "{f}");
    // The member inside still decides (a miner in a temporary directory).
    assert_ne!(f["verdict"], "clean", "{f}");
}

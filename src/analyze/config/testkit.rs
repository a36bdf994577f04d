//! Test helpers shared by the config and script analyzers: run an analyzer beside the shared
//! indicator analyzer over a fixture, judge it as the engine does, and check a manifest
//! (`PATH<TAB>VERDICT<TAB>rule[=class],...`) so that each fixture's expectation is data.

use crate::analyze::indicator::IndicatorAnalyzer;
use crate::analyze::Analyzer;
use crate::judge::finding::{Class, Finding};
use crate::judge::verdict::{judge, prepare, Verdict};
use crate::scan::context::FileContext;
use crate::scan::target::Target;
use std::path::Path;

/// Findings (prepared and merged) and the verdict for `bytes` named `name`.
pub(crate) fn run(
    analyzers: &[&dyn Analyzer],
    name: &str,
    bytes: &[u8],
) -> (Vec<Finding>, Verdict) {
    let target = Target::for_bytes(name);
    let ctx = FileContext::new(
        &target,
        crate::analyze::builtin_matcher(),
        bytes,
        bytes.len() as u64,
        false,
    );
    let mut findings = Vec::new();
    for a in analyzers
        .iter()
        .copied()
        .chain([&IndicatorAnalyzer as &dyn Analyzer])
    {
        let mut w = a.worker();
        if w.applies(ctx.kind) {
            w.analyze(&ctx, &mut findings).expect("analysis");
        }
    }
    prepare(&mut findings);
    let v = judge(&findings, ctx.kind);
    (findings, v)
}

/// The class a rule ended with, looking through merged findings too.
pub(crate) fn rule_class(findings: &[Finding], rule: &str) -> Option<Class> {
    findings
        .iter()
        .find(|f| {
            f.rule == rule
                || f.also_reported_by
                    .iter()
                    .any(|r| r.rsplit(':').next() == Some(rule))
        })
        .map(|f| f.class)
}

/// Checks every row of a manifest; returns the failures, one line each.
pub(crate) fn check_manifest(analyzers: &[&dyn Analyzer], dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let manifest = std::fs::read_to_string(root.join("expected.tsv")).expect("manifest");
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        rows += 1;
        let cols: Vec<&str> = line.split('\t').collect();
        let (path, verdict, rules) = (
            cols[0],
            cols.get(1).copied().unwrap_or(""),
            cols.get(2).copied().unwrap_or(""),
        );
        let bytes = std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let name = format!("{dir}/{path}");
        let (findings, v) = run(analyzers, &name, &bytes);
        let shown = || {
            findings
                .iter()
                .map(|f| format!("{}:{}={}", f.analyzer, f.rule, f.class))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if v.level.as_str() != verdict {
            failures.push(format!(
                "{path}: verdict {} (want {verdict}) [{}]",
                v.level.as_str(),
                shown()
            ));
        }
        for want in rules
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty() && *r != "-")
        {
            let (rule, class) = match want.split_once('=') {
                Some((r, c)) => (r, Some(Class::parse(c).expect("class name"))),
                None => (want, None),
            };
            match rule_class(&findings, rule) {
                None => failures.push(format!("{path}: missing rule {rule} [{}]", shown())),
                Some(c) if class.is_some_and(|w| w != c) => failures.push(format!(
                    "{path}: rule {rule} is {c} (want {})",
                    class.unwrap()
                )),
                _ => {}
            }
        }
    }
    assert!(rows > 0, "empty manifest");
    failures
}

/// Hand-run false-positive check (not part of the suite): scans the trees named in `FP_ROOTS`
/// (colon-separated) with the config, script and indicator analyzers and prints every file that
/// is not clean, with its reasons and findings, then the counts.
///
/// `FP_ROOTS=/etc:/usr/share CARGO_TARGET_DIR=/work/target-text cargo test --release --lib \
///  analyze::config::testkit::fp_scan -- --ignored --nocapture`
#[test]
#[ignore]
fn fp_scan() {
    use crate::analyze::config::ConfigAnalyzer;
    use crate::analyze::script::ScriptAnalyzer;
    use crate::judge::verdict::Level;
    let roots = std::env::var("FP_ROOTS").unwrap_or_else(|_| "/etc".to_owned());
    let (mut files, mut suspicious, mut malicious) = (0usize, 0usize, 0usize);
    for root in roots.split(':') {
        for entry in walkdir::WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(md) = entry.metadata() else { continue };
            if md.len() > 8 << 20 {
                continue;
            }
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            files += 1;
            let name = entry.path().to_string_lossy().into_owned();
            let (findings, v) = run(&[&ConfigAnalyzer, &ScriptAnalyzer], &name, &bytes);
            match v.level {
                Level::Clean => continue,
                Level::Suspicious => suspicious += 1,
                Level::Malicious => malicious += 1,
            }
            let rules: Vec<String> = findings
                .iter()
                .filter(|f| f.class != Class::Info)
                .map(|f| format!("{}:{}={}", f.analyzer, f.rule, f.class))
                .collect();
            println!(
                "{}\t{name}\t{}\t{}",
                v.level.as_str(),
                v.reasons.join("; "),
                rules.join(", ")
            );
        }
    }
    println!("files {files} suspicious {suspicious} malicious {malicious}");
}

/// Every text fixture (fixtures/script and fixtures/config, recursively), with its path shown
/// and its text decoded lossily.
pub(crate) fn text_fixtures() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["script", "config"] {
        let dir = format!("{}/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
        for entry in walkdir::WalkDir::new(dir) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let bytes = std::fs::read(entry.path()).unwrap();
                out.push((
                    entry.path().display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    out
}

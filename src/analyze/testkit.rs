//! Test helpers shared by the config and script analyzers: run an analyzer beside the shared
//! indicator analyzer over a fixture, judge it as the engine does, and check a manifest
//! (fixtures/README.md) so that each fixture's expectation is data.

use crate::analyze::indicator::IndicatorAnalyzer;
use crate::analyze::Analyzer;
use crate::judge::finding::{Class, Finding};
use crate::judge::verdict::{judge, prepare, Verdict};
use crate::scan::context::FileContext;
use crate::scan::target::Target;
use crate::testing::manifest;

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

/// The class `analyzer:rule` ended with, looking through merged findings too.
pub(crate) fn rule_class(findings: &[Finding], analyzer: &str, rule: &str) -> Option<Class> {
    let id = format!("{analyzer}:{rule}");
    findings
        .iter()
        .find(|f| {
            (f.analyzer.as_str() == analyzer && f.rule == rule) || f.also_reported_by.contains(&id)
        })
        .map(|f| f.class)
}

/// Checks every row of `fixtures/FAMILY/manifest.tsv` (fixtures/README.md): the verdict, the
/// rules that must fire (with their class where one is given), the rules that must not, the
/// family; returns the failures, one line each.
pub(crate) fn check_manifest(analyzers: &[&dyn Analyzer], family: &str) -> Vec<String> {
    let mut failures = Vec::new();
    for row in manifest::read(family) {
        let bytes = std::fs::read(row.file()).unwrap_or_else(|e| panic!("{}: {e}", row.at));
        let name = format!("fixtures/{}", row.path);
        let (findings, v) = run(analyzers, &name, &bytes);
        let path = &row.path;
        let shown = || {
            findings
                .iter()
                .map(|f| format!("{}:{}={}", f.analyzer, f.rule, f.class))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(want) = row.verdict.as_deref().filter(|w| *w != v.level.as_str()) {
            failures.push(format!(
                "{path}: verdict {} (want {want}) [{}]",
                v.level.as_str(),
                shown()
            ));
        }
        if !row.families.is_empty() && !v.family.as_ref().is_some_and(|f| row.families.contains(f))
        {
            failures.push(format!(
                "{path}: family {:?} (want {:?})",
                v.family, row.families
            ));
        }
        for want in &row.must_fire {
            let class = want
                .class
                .as_deref()
                .map(|c| Class::parse(c).unwrap_or_else(|| panic!("{}: class {c}", row.at)));
            match rule_class(&findings, &want.analyzer, &want.rule) {
                None => failures.push(format!("{path}: missing rule {} [{}]", want.id(), shown())),
                Some(c) if class.is_some_and(|w| w != c) => failures.push(format!(
                    "{path}: rule {} is {c} (want {})",
                    want.id(),
                    class.unwrap()
                )),
                _ => {}
            }
        }
        for id in fired_ids(&findings) {
            if row.forbids(&id) {
                failures.push(format!("{path}: rule {id} must not fire [{}]", shown()));
            }
        }
    }
    failures
}

/// Every `analyzer:rule` the findings stand for, merged ones included.
fn fired_ids(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .flat_map(|f| std::iter::once(f.id()).chain(f.also_reported_by.iter().cloned()))
        .collect()
}

/// Hand-run false-positive check (not part of the suite): scans the trees named in `FP_ROOTS`
/// (colon-separated) with the config, script and indicator analyzers and prints every file that
/// is not clean, with its reasons and findings, then the counts.
///
/// `FP_ROOTS=/etc:/usr/share CARGO_TARGET_DIR=/work/target-text cargo test --release --lib \
///  analyze::testkit::fp_scan -- --ignored --nocapture`
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

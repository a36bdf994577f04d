//! The built-in signature pack against its fixtures: for every file listed in
//! fixtures/yara/expected.tsv, exactly the listed rules fire; every rule has a positive fixture
//! and a near-miss negative one.

use minerscan::analyze::yara::{compile, RuleOptions, YaraAnalyzer};
use minerscan::analyze::Analyzer;
use minerscan::scan::context::FileContext;
use minerscan::scan::target::Target;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

struct Expectation {
    path: String,
    rules: BTreeSet<String>,
    near_miss_for: BTreeSet<String>,
}

fn expectations() -> Vec<Expectation> {
    let manifest = Path::new(FIXTURES).join("yara/expected.tsv");
    let text = std::fs::read_to_string(&manifest).expect("fixtures/yara/expected.tsv");
    let set = |s: Option<&str>| -> BTreeSet<String> {
        match s.map(str::trim) {
            None | Some("") | Some("-") => BTreeSet::new(),
            Some(list) => list.split(',').map(|r| r.trim().to_owned()).collect(),
        }
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut cols = l.split('\t');
            Expectation {
                path: cols.next().unwrap().to_owned(),
                rules: set(cols.next()),
                near_miss_for: set(cols.next()),
            }
        })
        .collect()
}

#[test]
fn every_fixture_fires_exactly_its_rules() {
    let rules = compile(&RuleOptions {
        builtin: true,
        user_paths: vec![],
        timeout: Duration::from_secs(10),
    })
    .expect("the built-in pack compiles");
    let all_rules: BTreeSet<String> = rules.list().into_iter().map(|r| r.identifier).collect();
    assert!(
        all_rules.len() >= 20,
        "the pack has only {} rules",
        all_rules.len()
    );
    let analyzer = YaraAnalyzer::new(rules);
    let mut worker = analyzer.worker();
    let mut mismatches = Vec::new();
    let mut positives: BTreeMap<String, usize> = BTreeMap::new();
    let mut negatives: BTreeSet<String> = BTreeSet::new();
    let expectations = expectations();
    for e in &expectations {
        let path = Path::new(FIXTURES).join(&e.path);
        let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let mut target = Target::for_bytes(&e.path);
        target.system_path = path.display().to_string();
        let ctx = FileContext::new(
            &target,
            minerscan::analyze::builtin_matcher(),
            &bytes,
            bytes.len() as u64,
            false,
        );
        let mut findings = Vec::new();
        worker.analyze(&ctx, &mut findings).expect("scan");
        let fired: BTreeSet<String> = findings.into_iter().map(|f| f.rule).collect();
        if fired != e.rules {
            mismatches.push(format!(
                "{}: expected {:?}, fired {:?}",
                e.path, e.rules, fired
            ));
        }
        for r in &e.rules {
            *positives.entry(r.clone()).or_default() += 1;
        }
        for pattern in &e.near_miss_for {
            let glob = globset::Glob::new(pattern)
                .expect("near-miss glob")
                .compile_matcher();
            for r in all_rules.iter().filter(|r| glob.is_match(r.as_str())) {
                if !fired.contains(r) {
                    negatives.insert(r.clone());
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    let without_positive: Vec<_> = all_rules
        .iter()
        .filter(|r| !positives.contains_key(*r))
        .collect();
    assert!(
        without_positive.is_empty(),
        "rules without a positive fixture: {without_positive:?}"
    );
    let without_negative: Vec<_> = all_rules
        .iter()
        .filter(|r| !negatives.contains(*r))
        .collect();
    assert!(
        without_negative.is_empty(),
        "rules without a near-miss negative fixture: {without_negative:?}"
    );
}

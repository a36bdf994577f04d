//! The built-in signature pack against its fixtures: for every file listed in
//! fixtures/yara/manifest.tsv, exactly the `yara:*` rules of MUST_FIRE fire; every rule has a
//! positive fixture and a near-miss negative one (a row that names it in MUST_NOT_FIRE).

use minerscan::testing::analyze::yara::{compile, RuleOptions, YaraAnalyzer};
use minerscan::testing::analyze::Analyzer;
use minerscan::testing::manifest;
use minerscan::testing::scan::context::FileContext;
use minerscan::testing::scan::target::Target;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

#[test]
fn every_fixture_fires_exactly_its_rules() {
    let rules = compile(&RuleOptions {
        builtin: true,
        user_paths: vec![],
        timeout: Duration::from_secs(10),
        cache: None,
    })
    .expect("the built-in pack compiles");
    let all_rules: BTreeSet<String> = rules
        .list()
        .into_iter()
        .map(|r| format!("yara:{}", r.identifier))
        .collect();
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
    for e in manifest::read("yara") {
        let path = e.file();
        let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", e.at));
        let expected: BTreeSet<String> = e.must_fire.iter().map(|r| r.id()).collect();
        let mut target = Target::for_bytes(&e.path);
        target.system_path = path.display().to_string();
        let ctx = FileContext::new(
            &target,
            minerscan::testing::analyze::builtin_matcher(),
            &bytes,
            bytes.len() as u64,
            false,
        );
        let mut findings = Vec::new();
        worker.analyze(&ctx, &mut findings).expect("scan");
        let fired: BTreeSet<String> = findings.into_iter().map(|f| f.id()).collect();
        if fired != expected {
            mismatches.push(format!(
                "{}: expected {:?}, fired {:?}",
                e.at, expected, fired
            ));
        }
        for r in expected {
            *positives.entry(r).or_default() += 1;
        }
        for r in all_rules.iter().filter(|r| e.forbids(r)) {
            if fired.contains(r) {
                mismatches.push(format!("{}: {r} must not fire", e.at));
            } else {
                negatives.insert(r.clone());
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

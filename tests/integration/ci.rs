//! The CI mode: SARIF checked against the OASIS SARIF 2.1.0 schema, baselines that suppress
//! one finding and not another (and `baseline create` round-tripping a report), and the exit
//! code for each --fail-on level.

use crate::archives::{gzip, tar_of, zip_of};
use crate::support::*;

fn sarif_schema() -> serde_json::Value {
    serde_json::from_str(include_str!("../../fixtures/sarif/sarif-schema-2.1.0.json")).unwrap()
}

fn assert_valid_sarif(doc: &serde_json::Value) {
    let schema = sarif_schema();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations: {errors:#?}\n{doc:#}"
    );
}

fn ci_tree() -> Tree {
    let t = Tree::new();
    t.file("dist/run.sh", MINER_LINE);
    t.file("dist/accepted.sh", MINER_LINE);
    t.file("dist/readme.txt", "nothing\n");
    let inner = gzip(&tar_of(&[("bin/xmrig", MINER_LINE.as_bytes())]));
    let outer = zip_of(&[("pkg/inner.tgz", &inner)]);
    std::fs::write(t.path().join("dist/bundle.zip"), outer).unwrap();
    t.file(
        "baseline.toml",
        "# accepted findings\n[[suppress]]\npath = \"dist/accepted.sh\"\nreason = \"test launcher, reviewed\"\n\n# a rule that run.sh does not have: nothing suppressed there\n[[suppress]]\nrule = \"ioc:sha256\"\npath = \"dist/run.sh\"\nreason = \"not this one\"\n",
    );
    t
}

#[test]
fn sarif_validates_against_the_schema_and_is_followable() {
    let t = ci_tree();
    let out = run(
        &[
            "scan",
            "--format",
            "sarif",
            "--baseline",
            "baseline.toml",
            "dist",
        ],
        t.path(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    assert_eq!(run0["properties"]["schema_version"], "1.2");
    assert_eq!(run0["tool"]["driver"]["name"], "minerscan");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let stratum = rules
        .iter()
        .find(|r| r["id"] == "config:miner_command_line")
        .expect("rule for the miner launch command");
    for key in [
        "shortDescription",
        "fullDescription",
        "help",
        "defaultConfiguration",
    ] {
        assert!(stratum.get(key).is_some(), "rule lacks {key}: {stratum}");
    }
    assert!(stratum["properties"]["security-severity"].is_string());
    let results = run0["results"].as_array().unwrap();
    let uri = |r: &serde_json::Value| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let run_sh = results
        .iter()
        .find(|r| uri(r) == "dist/run.sh" && r["ruleId"] == "config:miner_command_line")
        .expect("a result for dist/run.sh");
    assert_eq!(run_sh["level"], "warning");
    assert_eq!(
        run_sh["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    let fp = run_sh["partialFingerprints"]["minerscan/fileRule/v1"]
        .as_str()
        .unwrap();
    assert!(fp.ends_with(":config:miner_command_line") && fp.len() > 64);
    assert!(run_sh.get("suppressions").is_none());

    let member = results
        .iter()
        .find(|r| uri(r) == "dist/bundle.zip")
        .expect("a result located at the archive");
    assert_eq!(
        member["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "dist/bundle.zip!pkg/inner.tgz!bin/xmrig"
    );
    assert!(member["message"]["text"]
        .as_str()
        .unwrap()
        .contains("dist/bundle.zip!pkg/inner.tgz!bin/xmrig"));

    let accepted = results
        .iter()
        .find(|r| uri(r) == "dist/accepted.sh")
        .expect("the suppressed finding is still a result");
    assert_eq!(accepted["suppressions"][0]["kind"], "external");
    assert_eq!(
        accepted["suppressions"][0]["justification"],
        "test launcher, reviewed"
    );

    // Outside the current directory: an absolute file URI.
    let elsewhere = Tree::new();
    let abs = t.path().join("dist/run.sh");
    let out = run(
        &["scan", "--format", "sarif", abs.to_str().unwrap()],
        elsewhere.path(),
    );
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    let u = uri(&doc["runs"][0]["results"][0]);
    assert!(
        u.starts_with("file:///") && u.ends_with("/dist/run.sh"),
        "{u}"
    );

    // A clean scan is a valid, empty run.
    let out = run(&["scan", "--format", "sarif", "dist/readme.txt"], t.path());
    assert_eq!(out.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn baseline_suppresses_one_finding_and_not_another() {
    let t = ci_tree();
    let out = run(
        &[
            "scan",
            "--format",
            "json",
            "--baseline",
            "baseline.toml",
            "dist",
        ],
        t.path(),
    );
    assert_eq!(out.code, 1);
    let doc = json(&out);
    let paths = listed(&doc, t.path());
    assert!(!paths.contains(&"dist/accepted.sh".to_owned()), "{paths:?}");
    assert!(paths.contains(&"dist/run.sh".to_owned()), "{paths:?}");
    assert!(doc["summary"]["suppressed"].as_u64().unwrap() >= 1);

    let shown = run(
        &[
            "scan",
            "--format",
            "json",
            "--baseline",
            "baseline.toml",
            "--show-suppressed",
            "dist",
        ],
        t.path(),
    );
    let doc = json(&shown);
    let accepted = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "dist/accepted.sh")
        .expect("listed with --show-suppressed");
    assert_eq!(accepted["verdict"], "clean");
    assert_eq!(
        accepted["suppressed"][0]["reason"],
        "test launcher, reviewed"
    );
    let text = run(
        &[
            "scan",
            "--baseline",
            "baseline.toml",
            "--show-suppressed",
            "dist",
        ],
        t.path(),
    );
    assert!(text
        .stdout
        .contains("suppressed: config:miner_command_line (test launcher, reviewed)"));
    assert!(text.stdout.contains("Suppressed by the baseline: "));

    t.file("bad.toml", "[[suppress]]\npath = \"x\"\n");
    let bad = run(&["scan", "--baseline", "bad.toml", "dist"], t.path());
    assert_eq!(bad.code, 2, "a baseline without reasons is a usage error");
}

#[test]
fn baseline_create_accepts_a_whole_report() {
    let t = ci_tree();
    let out = run(
        &["scan", "--format", "json", "-o", "report.json", "dist"],
        t.path(),
    );
    assert_eq!(out.code, 1);
    let created = run(
        &["baseline", "create", "report.json", "-o", "accepted.toml"],
        t.path(),
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let text = std::fs::read_to_string(t.path().join("accepted.toml")).unwrap();
    assert!(
        text.contains("[[suppress]]") && text.contains("reason = "),
        "{text}"
    );
    let again = run(
        &[
            "scan",
            "--format",
            "json",
            "--baseline",
            "accepted.toml",
            "dist",
        ],
        t.path(),
    );
    assert_eq!(again.code, 0, "{}", again.stdout);
    let doc = json(&again);
    assert!(doc["summary"]["suppressed"].as_u64().unwrap() >= 3);
    // A new finding is not covered.
    t.file("dist/new.sh", &MINER_LINE.replace("-u x", "-u y"));
    let after = run(&["scan", "--baseline", "accepted.toml", "dist"], t.path());
    assert_eq!(after.code, 1);
}

#[test]
fn exit_codes_for_each_fail_on_level() {
    let clean = Tree::new();
    clean.file("a.txt", "hello\n");
    let suspicious = Tree::new();
    suspicious.file("run.sh", MINER_LINE);
    let malicious = Tree::new();
    malicious.file("payload", "listed payload\n");
    let lists = Tree::new();
    let sha = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(b"listed payload\n");
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let list = lists.file("l.txt", &format!("{sha};test\n"));
    let list = list.to_str().unwrap();
    for (tree, level, expected) in [
        (&clean, "suspicious", 0),
        (&clean, "malicious", 0),
        (&clean, "never", 0),
        (&suspicious, "suspicious", 1),
        (&suspicious, "malicious", 0),
        (&suspicious, "never", 0),
        (&malicious, "suspicious", 1),
        (&malicious, "malicious", 1),
        (&malicious, "never", 0),
    ] {
        let out = run(
            &["scan", "--ioc", list, "--fail-on", level, "."],
            tree.path(),
        );
        assert_eq!(out.code, expected, "--fail-on {level}: {}", out.stdout);
    }
    let default = run(&["scan", "."], suspicious.path());
    assert_eq!(default.code, 1, "the default is --fail-on suspicious");
}

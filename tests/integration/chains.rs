//! Cross-file judgement: chains from a persistence place or a package manifest through a
//! launcher to a miner, built as small images in temp directories from our synthetic
//! fixtures. The same chains with a clean binary raise nothing.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

const MINER: &str = "bin/miner_xmrig_renamed.elf";
const BENIGN: &str = "bin/benign_help_text.elf";

fn copy(t: &Tree, rel: &str, fixture_rel: &str) {
    let to = t.path().join(rel);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(fixture(fixture_rel), to).unwrap();
}

fn scan(args: &[&str], cwd: &Path) -> Value {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all, cwd);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    json(&out)
}

/// The report of the file whose path ends with `suffix`.
fn file<'a>(doc: &'a Value, suffix: &str) -> &'a Value {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("{suffix} not listed: {doc}"))
}

fn verdict<'a>(doc: &'a Value, suffix: &str) -> &'a str {
    file(doc, suffix)["verdict"].as_str().unwrap()
}

fn flagged(doc: &Value, suffix: &str) -> bool {
    verdict(doc, suffix) != "clean"
}

/// The chains as lists of path suffixes after `strip`, with each file's relation.
fn chains(doc: &Value, strip: &str) -> Vec<String> {
    doc["summary"]["chains"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let files: Vec<String> = c["files"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| {
                            let p = f["path"].as_str().unwrap().trim_start_matches(strip);
                            match f["relation"].as_str() {
                                Some(r) => format!("{r} {p}"),
                                None => p.to_owned(),
                            }
                        })
                        .collect();
                    format!("{}: {}", c["verdict"].as_str().unwrap(), files.join(" "))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has_finding(doc: &Value, suffix: &str, rule: &str) -> bool {
    file(doc, suffix)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == rule)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn has_link(doc: &Value, suffix: &str, relation: &str, to_suffix: &str) -> bool {
    file(doc, suffix)["links"].as_array().is_some_and(|ls| {
        ls.iter()
            .any(|l| l["relation"] == relation && l["path"].as_str().unwrap().ends_with(to_suffix))
    })
}

fn cron_image(binary: &str) -> Tree {
    let t = Tree::new();
    t.file("etc/cron.d/app", "@reboot root /opt/app/run.sh\n");
    t.file(
        "opt/app/run.sh",
        "#!/bin/sh\ncd \"$(dirname \"$0\")\"\nexec ./bin/helper -c settings.json\n",
    );
    t.file("opt/app/settings.json", "{\"autosave\": true}\n");
    copy(&t, "opt/app/bin/helper", binary);
    t
}

#[test]
fn cron_starts_a_script_that_starts_a_miner() {
    let t = cron_image(MINER);
    let doc = scan(&["--root", t.path().to_str().unwrap()], t.path());
    assert_eq!(verdict(&doc, "/opt/app/bin/helper"), "malicious", "{doc}");
    assert!(flagged(&doc, "/opt/app/run.sh"));
    assert!(flagged(&doc, "/etc/cron.d/app"));
    let launcher = file(&doc, "/opt/app/run.sh");
    assert!(
        launcher["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["description"] == "starts a miner: /opt/app/bin/helper"),
        "{launcher}"
    );
    // Both ends of each link list it; the raw fact stays.
    assert!(has_link(
        &doc,
        "/etc/cron.d/app",
        "starts",
        "/opt/app/run.sh"
    ));
    assert!(has_link(
        &doc,
        "/opt/app/run.sh",
        "started_by",
        "/etc/cron.d/app"
    ));
    assert!(has_link(
        &doc,
        "/opt/app/run.sh",
        "starts",
        "/opt/app/bin/helper"
    ));
    assert!(has_link(
        &doc,
        "/opt/app/bin/helper",
        "started_by",
        "/opt/app/run.sh"
    ));
    assert!(has_link(
        &doc,
        "/opt/app/run.sh",
        "configures",
        "/opt/app/settings.json"
    ));
    assert!(has_link(
        &doc,
        "/opt/app/settings.json",
        "configured_by",
        "/opt/app/run.sh"
    ));
    assert_eq!(
        file(&doc, "/etc/cron.d/app")["starts"][0],
        "/opt/app/run.sh"
    );
    // Raised by a link, they carry the digests of their own bytes, as a flagged file does.
    for (suffix, rel) in [
        ("/opt/app/run.sh", "opt/app/run.sh"),
        ("/etc/cron.d/app", "etc/cron.d/app"),
    ] {
        let bytes = std::fs::read(t.path().join(rel)).unwrap();
        let f = file(&doc, suffix);
        assert_eq!(f["sha256"], sha256_hex(&bytes), "{f}");
        assert_eq!(f["md5"].as_str().map(str::len), Some(32), "{f}");
        assert_eq!(f["sha1"].as_str().map(str::len), Some(40), "{f}");
    }
    assert_eq!(
        chains(&doc, ""),
        ["malicious: /etc/cron.d/app starts /opt/app/run.sh starts /opt/app/bin/helper"]
    );
    // SARIF: the linked files as related locations.
    let out = run(
        &[
            "scan",
            "--root",
            t.path().to_str().unwrap(),
            "--format",
            "sarif",
        ],
        t.path(),
    );
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    let related = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "links:started_from_persistence")
        .map(|r| r["relatedLocations"][0]["message"]["text"].clone())
        .collect::<Vec<_>>();
    assert_eq!(related, ["started_by /opt/app/run.sh (suspicious)"]);
    // Text: the chain as one line.
    let out = run(&["scan", "--root", t.path().to_str().unwrap()], t.path());
    assert!(
        out.stdout.contains(
            "Chain (malicious): /etc/cron.d/app starts /opt/app/run.sh starts /opt/app/bin/helper\n"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn the_same_chain_with_a_clean_binary_raises_nothing() {
    let t = cron_image(BENIGN);
    let doc = scan(&["--root", t.path().to_str().unwrap()], t.path());
    assert_eq!(doc["files"].as_array().unwrap().len(), 0, "{doc}");
    assert!(doc["summary"].get("chains").is_none());
    assert_eq!(doc["summary"]["verdicts"]["clean"], 4);
}

fn package(t: &Tree, binary: &str) {
    t.file(
        "pkg/package.json",
        r#"{"name": "left-pad-ng", "version": "1.0.0", "scripts": {"test": "jest", "postinstall": "node lib/start.js"}}"#,
    );
    t.file(
        "pkg/lib/start.js",
        "const path = require('path');\nconst { spawn } = require('child_process');\nconst w = path.join(__dirname, '..', 'bin', 'worker');\nspawn(w, [], { detached: true, stdio: 'ignore' }).unref();\n",
    );
    copy(t, "pkg/bin/worker", binary);
}

#[test]
fn package_install_hook_spawns_a_bundled_miner() {
    let t = Tree::new();
    package(&t, MINER);
    let doc = scan(&["pkg"], t.path());
    // npm runs the install hook by itself: a persistence place, so the miner it ends in is
    // persisted, and malicious.
    assert_eq!(verdict(&doc, "pkg/bin/worker"), "malicious", "{doc}");
    assert!(has_finding(
        &doc,
        "pkg/bin/worker",
        "started_from_persistence"
    ));
    assert!(flagged(&doc, "pkg/lib/start.js"), "{doc}");
    assert!(flagged(&doc, "pkg/package.json"), "{doc}");
    assert_eq!(
        file(&doc, "pkg/package.json")["persistence"],
        "install_hook"
    );
    let c = chains(&doc, "pkg/");
    assert_eq!(
        c,
        ["malicious: package.json starts lib/start.js starts bin/worker"],
        "{c:?}"
    );
    assert_eq!(file(&doc, "pkg/lib/start.js")["category"], "miner-launcher");
    assert!(has_link(
        &doc,
        "pkg/bin/worker",
        "started_by",
        "pkg/lib/start.js"
    ));
}

/// The near miss: the same module run by a script npm runs only when asked (`test`), and the
/// miner only installed as a `bin`: no install hook, so no persistence place. The manifest
/// installs a miner (flagged for it); the miner gains no persistence from it.
#[test]
fn a_package_without_install_hooks_is_no_persistence_place() {
    let t = Tree::new();
    package(&t, MINER);
    t.file(
        "pkg/package.json",
        r#"{"name": "left-pad-ng", "bin": {"worker": "bin/worker"}, "scripts": {"test": "node lib/start.js"}}"#,
    );
    let doc = scan(&["pkg"], t.path());
    assert!(
        file(&doc, "pkg/package.json").get("persistence").is_none(),
        "{doc}"
    );
    assert!(
        has_finding(&doc, "pkg/package.json", "installs_miner"),
        "{doc}"
    );
    assert!(
        !has_finding(&doc, "pkg/bin/worker", "started_from_persistence"),
        "{doc}"
    );
}

#[test]
fn a_package_launcher_starting_a_benign_bundled_tool_stays_clean() {
    let t = Tree::new();
    package(&t, BENIGN);
    let doc = scan(&["pkg"], t.path());
    assert_eq!(doc["files"].as_array().unwrap().len(), 0, "{doc}");
    assert!(doc["summary"].get("chains").is_none());
}

#[test]
fn systemd_unit_runs_a_miner_with_its_config_beside_it() {
    let t = Tree::new();
    t.file(
        "etc/systemd/system/kworker.service",
        "[Unit]\nDescription=kernel worker\n[Service]\nExecStart=/opt/kw/kworkerd --config=/opt/kw/config.json\nRestart=always\n[Install]\nWantedBy=multi-user.target\n",
    );
    copy(&t, "opt/kw/kworkerd", MINER);
    copy(
        &t,
        "opt/kw/config.json",
        "config/positive/xmrig/config.json",
    );
    let doc = scan(&["--root", t.path().to_str().unwrap()], t.path());
    assert_eq!(verdict(&doc, "/opt/kw/kworkerd"), "malicious", "{doc}");
    assert!(flagged(&doc, "/etc/systemd/system/kworker.service"));
    assert!(has_link(
        &doc,
        "/opt/kw/config.json",
        "configured_by",
        "kworker.service"
    ));
    assert_eq!(
        chains(&doc, ""),
        [
            "malicious: /etc/systemd/system/kworker.service configures /opt/kw/config.json",
            "malicious: /etc/systemd/system/kworker.service starts /opt/kw/kworkerd",
        ]
    );
}

#[test]
fn windows_scheduled_task_starts_a_renamed_miner_under_programdata() {
    let t = Tree::new();
    t.file(
        "Windows/System32/drivers/etc/hosts",
        "127.0.0.1 localhost\r\n",
    );
    t.file(
        "Windows/System32/Tasks/WinSvcUpdate",
        "<?xml version=\"1.0\"?>\r\n<Task><Actions Context=\"Author\"><Exec><Command>%ProgramData%\\WinSvc\\svchost.exe</Command><Arguments>--background</Arguments></Exec></Actions></Task>\r\n",
    );
    copy(
        &t,
        "ProgramData/WinSvc/svchost.exe",
        "bin/miner_xmrig_like.pe",
    );
    let doc = scan(&["--root", t.path().to_str().unwrap()], t.path());
    assert_eq!(
        verdict(&doc, "C:\\ProgramData\\WinSvc\\svchost.exe"),
        "malicious",
        "{doc}"
    );
    assert!(flagged(&doc, "C:\\Windows\\System32\\Tasks\\WinSvcUpdate"));
    assert_eq!(
        chains(&doc, ""),
        ["malicious: C:\\Windows\\System32\\Tasks\\WinSvcUpdate starts C:\\ProgramData\\WinSvc\\svchost.exe"]
    );
}

#[test]
fn a_chain_across_a_symlink_resolves_inside_the_image() {
    let t = Tree::new();
    t.file("etc/cron.d/app", "* * * * * root /opt/app/run.sh\n");
    // /opt/app is a link to /srv/app, absolute: it names a place in the image, not the host.
    t.symlink("opt/app", "/srv/app");
    t.file(
        "srv/app/run.sh",
        "#!/bin/sh\nnohup ./bin/helper >/dev/null 2>&1 &\n",
    );
    copy(&t, "srv/app/bin/helper", MINER);
    let doc = scan(&["--root", t.path().to_str().unwrap()], t.path());
    assert_eq!(
        chains(&doc, ""),
        ["malicious: /etc/cron.d/app starts /srv/app/run.sh starts /srv/app/bin/helper"],
        "{doc}"
    );
    assert_eq!(verdict(&doc, "/srv/app/bin/helper"), "malicious");
}

#[test]
fn a_cycle_of_scripts_ends() {
    let t = Tree::new();
    t.file("etc/cron.d/a", "* * * * * root /opt/a.sh\n");
    t.file("opt/a.sh", "#!/bin/sh\n/opt/b.sh\n");
    t.file("opt/b.sh", "#!/bin/sh\n/opt/a.sh\n/opt/c.sh\n/opt/bin/m\n");
    t.file("opt/c.sh", "#!/bin/sh\n/opt/b.sh\n/opt/a.sh\n");
    copy(&t, "opt/bin/m", MINER);
    let doc = scan(&["--root", t.path().to_str().unwrap()], t.path());
    assert_eq!(verdict(&doc, "/opt/bin/m"), "malicious", "{doc}");
    for f in ["/opt/a.sh", "/opt/b.sh", "/opt/c.sh", "/etc/cron.d/a"] {
        assert!(flagged(&doc, f), "{f}");
    }
    let c = chains(&doc, "");
    assert!(
        c.contains(
            &"malicious: /etc/cron.d/a starts /opt/a.sh starts /opt/b.sh starts /opt/bin/m"
                .to_owned()
        ),
        "{c:?}"
    );
}

#[test]
fn many_cron_lines_naming_one_file_make_one_link() {
    let t = Tree::new();
    let mut cron = String::new();
    for i in 0..10_000 {
        cron.push_str(&format!("{} * * * * root /opt/m --id {i}\n", i % 60));
    }
    t.file("etc/crontab", &cron);
    copy(&t, "opt/m", MINER);
    let doc = scan(&["--root", t.path().to_str().unwrap()], t.path());
    let links = file(&doc, "/etc/crontab")["links"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(file(&doc, "/opt/m")["links"].as_array().unwrap().len(), 1);
    assert_eq!(verdict(&doc, "/opt/m"), "malicious");
}

#[test]
fn thousands_of_launchers_naming_missing_files_stay_quiet() {
    let t = Tree::new();
    for i in 0..5_000 {
        t.file(
            &format!("l/{}/run{i}.sh", i % 50),
            &format!("#!/bin/sh\nexec /opt/missing/{i} -c ./conf{i}.json\n"),
        );
    }
    let out = run_with_limit(
        &["scan", "--format", "json", "l"],
        t.path(),
        Duration::from_secs(120),
    );
    let doc = json(&out);
    assert_eq!(doc["summary"]["files_scanned"], 5_000);
    assert_eq!(doc["files"].as_array().unwrap().len(), 0);
    assert!(doc["summary"].get("chains").is_none());
}

#[test]
fn a_second_scan_from_the_cache_reports_the_same_chains() {
    let t = cron_image(MINER);
    let db = tempfile::tempdir().unwrap();
    let db = db.path().join("cache.db");
    let args = [
        "--root",
        t.path().to_str().unwrap(),
        "--cache",
        db.to_str().unwrap(),
    ];
    let first = scan(&args, t.path());
    let second = scan(&args, t.path());
    assert_eq!(second["summary"]["cache"]["hits"], 4, "{second}");
    assert_eq!(chains(&first, ""), chains(&second, ""));
    assert_eq!(
        first["files"],
        second["files"]
            .clone()
            .as_array()
            .map(|fs| {
                // Only `cached` differs.
                let mut fs = fs.clone();
                for f in &mut fs {
                    f.as_object_mut().unwrap().remove("cached");
                }
                Value::Array(fs)
            })
            .unwrap()
    );
}

/// The baseline applies to the findings links add after the walk as to a file's own: the
/// launcher's `links:starts_miner` accepted by rule and path leaves it clean and counted as
/// suppressed; an entry for a rule it does not have (the near miss) changes nothing.
#[test]
fn the_baseline_suppresses_findings_links_add() {
    let t = cron_image(MINER);
    // Under --root, files are reported (and matched) by the path the image sees.
    let entry = |rule: &str| {
        format!(
            "[[suppress]]\nrule = \"{rule}\"\npath = \"/opt/app/run.sh\"\nreason = \"reviewed\"\n"
        )
    };
    let root = t.path().to_str().unwrap().to_owned();
    let scan_with = |baseline: &str| {
        let b = tempfile::tempdir().unwrap();
        let path = b.path().join("baseline.toml");
        std::fs::write(&path, baseline).unwrap();
        let args = [
            "--root",
            &root,
            "--baseline",
            path.to_str().unwrap(),
            "--show-suppressed",
        ];
        scan(&args, t.path())
    };
    let doc = scan_with(&entry("links:starts_miner"));
    assert_eq!(verdict(&doc, "/opt/app/run.sh"), "clean", "{doc}");
    let run_sh = file(&doc, "/opt/app/run.sh");
    assert!(
        !run_sh["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "starts_miner"),
        "{run_sh}"
    );
    assert_eq!(run_sh["suppressed"][0]["rule"], "starts_miner", "{run_sh}");
    assert_eq!(doc["summary"]["suppressed"], 1, "{doc}");
    // The miner and the cron file are judged as before; the chain stays.
    assert_eq!(verdict(&doc, "/opt/app/bin/helper"), "malicious");
    assert!(flagged(&doc, "/etc/cron.d/app"));
    assert_eq!(chains(&doc, "").len(), 1);

    let doc = scan_with(&entry("links:configures_miner"));
    assert_eq!(verdict(&doc, "/opt/app/run.sh"), "suspicious", "{doc}");
    assert_eq!(doc["summary"]["suppressed"], 0, "{doc}");
}

/// A config beside a miner under the name its family reads by default (`config.json` beside
/// an XMRig build) is linked to it, on both ends, though nothing names it; clean, it stays
/// clean. The near miss: another name beside it, or the default name in another directory,
/// is not linked.
#[test]
fn a_config_beside_a_miner_under_its_default_name_is_linked() {
    let t = Tree::new();
    t.file("app/config.json", "{\"autosave\": true}\n");
    t.file("app/settings.json", "{\"autosave\": true}\n");
    t.file("other/config.json", "{\"autosave\": true}\n");
    copy(&t, "app/helper", MINER);
    let doc = scan(&["app", "other"], t.path());
    assert!(
        has_link(&doc, "app/helper", "configures", "app/config.json"),
        "{doc}"
    );
    assert!(
        has_link(&doc, "app/config.json", "configured_by", "app/helper"),
        "{doc}"
    );
    assert_eq!(verdict(&doc, "app/config.json"), "clean");
    let links = file(&doc, "app/helper")["links"].as_array().unwrap().len();
    assert_eq!(links, 1, "{doc}");
    for other in ["app/settings.json", "other/config.json"] {
        assert!(
            !doc["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["path"].as_str().unwrap().ends_with(other)),
            "{other} listed: {doc}"
        );
    }
    // It is part of the miner, not a chain of its own, and no evidence is added.
    assert!(doc["summary"].get("chains").is_none(), "{doc}");
    // A flagged launcher script of the family is not the program that reads it.
    let t = Tree::new();
    t.file("kit/config.json", "{\"autosave\": true}\n");
    t.file(
        "kit/start.sh",
        "#!/bin/sh\n./xmrig --donate-level 1 -o stratum+tcp://pool.minexmr.com:4444 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A\n",
    );
    let doc = scan(&["kit"], t.path());
    assert!(flagged(&doc, "kit/start.sh"), "{doc}");
    assert!(
        !has_link(&doc, "kit/start.sh", "configures", "kit/config.json"),
        "{doc}"
    );
}

/// A clean launcher streams at once only when nothing it names can still turn up; one whose
/// miner comes later in the walk (beside it, sorted after it) is held and raised as one whose
/// miner came first.
#[test]
fn a_launcher_is_raised_whether_its_miner_comes_before_or_after_it() {
    let t = Tree::new();
    t.file("a/run.sh", "#!/bin/sh\nexec ./zz-worker -c conf.json\n");
    copy(&t, "a/zz-worker", MINER);
    t.file("b/run.sh", "#!/bin/sh\nexec ./aa-worker -c conf.json\n");
    copy(&t, "b/aa-worker", MINER);
    // Settled at once: names outside the roots and beside it, sorted before it.
    t.file(
        "c/run.sh",
        "#!/bin/sh\nexec /opt/missing/x -c ./conf.json\n",
    );
    let doc = scan(&["--all", "a", "b", "c"], t.path());
    for launcher in ["a/run.sh", "b/run.sh"] {
        assert!(
            has_finding(&doc, launcher, "starts_miner"),
            "{launcher}: {doc}"
        );
    }
    assert_eq!(verdict(&doc, "c/run.sh"), "clean");
    let c = chains(&doc, "");
    assert_eq!(c.len(), 2, "{c:?}");
}

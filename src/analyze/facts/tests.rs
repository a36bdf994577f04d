use super::*;

fn facts(path: &str, kind: FileKind, place: Option<&str>, text: &str) -> Vec<(Relation, String)> {
    let about = About {
        system_path: path,
        kind,
        persistence: place,
    };
    extract(&about, text.as_bytes())
        .into_iter()
        .map(|f| (f.relation, f.name))
        .collect()
}

fn starts(name: &str) -> (Relation, String) {
    (Relation::Starts, name.to_owned())
}

#[test]
fn cron_line_starts_its_command_and_skips_schedule_and_user() {
    let f = facts(
        "/etc/cron.d/app",
        FileKind::Text,
        Some("cron"),
        "SHELL=/bin/sh\n@reboot root /opt/app/run.sh >/dev/null 2>&1\n*/5 * * * * root nohup /opt/app/run.sh\n",
    );
    assert_eq!(f, vec![starts("/opt/app/run.sh")]);
    let f = facts(
        "/var/spool/cron/crontabs/bob",
        FileKind::Text,
        Some("cron"),
        "* * * * * helper -c /home/bob/.c.json\n",
    );
    assert_eq!(
        f,
        vec![
            starts("helper"),
            (Relation::Configures, "/home/bob/.c.json".to_owned())
        ]
    );
}

#[test]
fn shell_script_relative_and_own_directory_forms() {
    let text = "#!/bin/sh\nDIR=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\ncd $DIR\nexec ./bin/helper -c settings.json\nnohup $DIR/bin/other &\n\"$(dirname \"$0\")\"/lib/third --x\necho hello\nls -l /tmp\nsh ../up.sh\ncurl -s http://x/y -o /tmp/.k\n";
    let f = facts("/opt/app/run.sh", FileKind::Shell, None, text);
    assert_eq!(
        f,
        vec![
            starts("/opt/app/bin/helper"),
            (Relation::Configures, "/opt/app/settings.json".to_owned()),
            starts("/opt/app/bin/other"),
            starts("/opt/app/lib/third"),
            starts("/opt/up.sh"),
            (Relation::Downloads, "/tmp/.k".to_owned()),
        ],
        "{f:?}"
    );
}

#[test]
fn systemd_exec_and_desktop_entries() {
    let f = facts(
        "/etc/systemd/system/x.service",
        FileKind::Text,
        Some("systemd_unit"),
        "[Service]\nExecStartPre=-/bin/true\nExecStart=/usr/local/bin/kworker --config=/etc/kw.json\n",
    );
    assert_eq!(
        f,
        vec![
            starts("/bin/true"),
            starts("/usr/local/bin/kworker"),
            (Relation::Configures, "/etc/kw.json".to_owned())
        ]
    );
}

#[test]
fn task_xml_and_run_keys() {
    let f = facts(
        "C:\\Windows\\System32\\Tasks\\Upd",
        FileKind::Xml,
        Some("scheduled_task"),
        "<Exec><Command>%ProgramData%\\Svc\\svchost.exe</Command><Arguments>-c &quot;C:\\ProgramData\\Svc\\c.json&quot;</Arguments></Exec>",
    );
    assert_eq!(
        f,
        vec![
            starts("C:\\ProgramData\\Svc\\svchost.exe"),
            (
                Relation::Configures,
                "C:\\ProgramData\\Svc\\c.json".to_owned()
            )
        ]
    );
    let f = facts(
        "C:\\Users\\b\\run.reg",
        FileKind::Text,
        None,
        "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run]\n\"upd\"=\"C:\\\\Users\\\\b\\\\AppData\\\\x.exe -o pool\"\n",
    );
    assert_eq!(f, vec![starts("C:\\Users\\b\\AppData\\x.exe")]);
}

#[test]
fn package_hooks_bin_and_node_spawn() {
    let f = facts(
        "/srv/pkg/package.json",
        FileKind::Json,
        None,
        r#"{"name":"p","scripts":{"test":"jest","postinstall":"node lib/start.js"},"bin":{"p":"./cli.js"}}"#,
    );
    assert_eq!(
        f,
        vec![
            starts("/srv/pkg/lib/start.js"),
            (Relation::Installs, "/srv/pkg/cli.js".to_owned())
        ]
    );
    let js = "const path = require('path');\nconst { spawn } = require('child_process');\nconst w = path.join(__dirname, '..', 'bin', 'worker');\nspawn(w, ['-c', 'x'], { detached: true });\nexecFile(__dirname + '/../bin/two');\nexec(`${__dirname}/three --config c.json`);\n";
    let f = facts("/srv/pkg/lib/start.js", FileKind::JavaScript, None, js);
    assert_eq!(
        f,
        vec![
            starts("/srv/pkg/bin/worker"),
            starts("/srv/pkg/bin/two"),
            starts("/srv/pkg/lib/three"),
            (Relation::Configures, "/srv/pkg/lib/c.json".to_owned())
        ]
    );
}

#[test]
fn python_calls() {
    let py = "import os, subprocess\nBASE = os.path.dirname(os.path.abspath(__file__))\nsubprocess.Popen([os.path.join(BASE, 'bin', 'w'), '-q'])\nos.system('/usr/bin/x --config /etc/x.json')\n";
    let f = facts("/opt/t/run.py", FileKind::Python, None, py);
    assert_eq!(
        f,
        vec![
            starts("/opt/t/bin/w"),
            starts("/usr/bin/x"),
            (Relation::Configures, "/etc/x.json".to_owned())
        ]
    );
}

#[test]
fn bounded_and_deduplicated() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("* * * * * root /opt/a/run.sh {i}\n"));
    }
    let f = facts("/etc/crontab", FileKind::Text, Some("cron"), &text);
    assert_eq!(f, vec![starts("/opt/a/run.sh")]);
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!("/opt/a/run{i}.sh\n"));
    }
    assert_eq!(
        facts("/opt/x.sh", FileKind::Shell, None, &text).len(),
        MAX_FACTS
    );
    // Nothing for files that start nothing.
    assert!(facts("/usr/share/doc/x.txt", FileKind::Text, None, "/usr/bin/x").is_empty());
}

#[test]
fn a_manifest_whose_install_hook_starts_something_starts_on_install() {
    let read = |text: &str| {
        let about = About {
            system_path: "/srv/pkg/package.json",
            kind: FileKind::Json,
            persistence: None,
        };
        extract(&about, text.as_bytes())
    };
    let hook = read(r#"{"scripts": {"postinstall": "node lib/start.js"}}"#);
    assert!(starts_on_install("/srv/pkg/package.json", &hook));
    // Near misses: a script npm runs only when asked, a `bin` it only installs, another name.
    let test = read(r#"{"scripts": {"test": "node lib/start.js"}, "bin": "bin/x"}"#);
    assert!(!starts_on_install("/srv/pkg/package.json", &test));
    assert!(!starts_on_install("/srv/pkg/composer.json", &hook));
}

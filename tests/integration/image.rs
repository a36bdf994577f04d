//! Mounted-image triage and scheduled scans: `--root` (paths as the machine saw them, links
//! resolved inside the root, nothing outside read, Windows layouts), persistence links, the
//! cross-file summary, file metadata, CSV, and `--cache`.

use crate::support::*;
use serde_json::Value;
use std::path::Path;

const WIN_MINER: &str = "xmrig.exe -o stratum+tcp://pool.supportxmr.com:3333 -u x\r\n";

fn scan_json(args: &[&str], cwd: &Path) -> Value {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all, cwd);
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    json(&out)
}

fn file<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
}

fn linux_image() -> Tree {
    let t = Tree::new();
    t.file(
        "etc/passwd",
        "root:x:0:0::/root:/bin/sh\nmallory:x:1001:1001::/home/m:/bin/sh\n",
    );
    t.file(
        "etc/cron.d/updater",
        "*/5 * * * * root /opt/.cache/run.sh >/dev/null 2>&1\n",
    );
    t.file("opt/.cache/run.sh", MINER_LINE);
    t.file("usr/bin/ls", "not really ls\n");
    t
}

#[test]
fn paths_are_reported_as_the_machine_saw_them() {
    let t = linux_image();
    let root = t.path().to_str().unwrap();
    let doc = scan_json(&["--root", root], t.path());
    assert_eq!(
        doc["scan"]["options"]["root"],
        std::fs::canonicalize(root).unwrap().to_str().unwrap()
    );
    assert_eq!(doc["scan"]["roots"][0], "/");
    let listed = listed(&doc, Path::new("/nonexistent"));
    // The cron file starts the flagged script: judged with it, and listed.
    assert_eq!(
        listed,
        vec!["etc/cron.d/updater", "opt/.cache/run.sh"],
        "{doc}"
    );
    let f = file(&doc, "/opt/.cache/run.sh").unwrap();
    // Metadata for the timeline.
    for k in ["mtime", "ctime", "atime", "mode", "uid", "gid", "inode"] {
        assert!(f["meta"].get(k).is_some(), "missing meta.{k}: {f}");
    }
    // A PATH names a place inside the image.
    let doc = scan_json(&["--root", root, "--all", "/etc"], t.path());
    let paths: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // The cron file starts something, but only outside the scanned /etc: nothing can link to
    // it, so it is not held for cross-file judgement and comes in walk order.
    assert_eq!(paths, vec!["/etc/cron.d/updater", "/etc/passwd"]);
    let cron = file(&doc, "/etc/cron.d/updater").unwrap();
    assert_eq!(cron["persistence"], "cron");
    assert_eq!(cron["starts"][0], "/opt/.cache/run.sh");
}

#[test]
fn cron_file_is_linked_to_the_flagged_script_it_starts() {
    let t = linux_image();
    let doc = scan_json(&["--root", t.path().to_str().unwrap()], t.path());
    let links = doc["summary"]["persistence_links"].as_array().unwrap();
    assert_eq!(links.len(), 1, "{doc}");
    assert_eq!(links[0]["persistence"], "/etc/cron.d/updater");
    assert_eq!(links[0]["place"], "cron");
    assert_eq!(links[0]["starts"], "/opt/.cache/run.sh");
    // The verdict after cross-file judgement: a persisted miner launch.
    assert_eq!(links[0]["verdict"], "malicious");
    assert_eq!(
        doc["summary"]["chains"][0]["files"][0]["path"],
        "/etc/cron.d/updater"
    );
    // The summary lists the pool with the file where it was seen.
    assert_eq!(
        doc["summary"]["indicators"]["pool"]["pool.supportxmr.com"]["files"][0],
        "/opt/.cache/run.sh"
    );
}

#[test]
fn absolute_link_resolves_inside_the_root_with_follow() {
    let t = Tree::new();
    // The image's own /etc/passwd is a miner line; the host's is not.
    t.file("etc/passwd", MINER_LINE);
    t.symlink("home/alias", "/etc/passwd");
    t.symlink("home/etc", "/etc");
    let root = t.path().to_str().unwrap();
    let doc = scan_json(&["--root", root, "--follow"], t.path());
    let alias = file(&doc, "/home/alias").expect("the link is followed inside the image");
    assert_eq!(alias["verdict"], "suspicious");
    // /home/etc is the image's /etc, walked already: each directory is walked once (a link to
    // the host's /etc would be another directory, walked again).
    assert!(file(&doc, "/home/etc/passwd").is_none(), "{doc}");
    assert_eq!(skipped(&doc, "same_directory"), 1, "{doc}");
    assert_eq!(doc["summary"]["files_scanned"], 2);
    // Without --follow, links are skipped.
    let doc = scan_json(&["--root", root], t.path());
    assert_eq!(doc["summary"]["files_scanned"], 1);
    assert_eq!(skipped(&doc, "symlink"), 2);
}

#[test]
fn links_pointing_outside_the_root_are_never_read() {
    let outside = Tree::new();
    let secret = outside.file("secret.sh", MINER_LINE);
    let t = Tree::new();
    t.file("etc/hostname", "box\n");
    t.symlink("a/abs", secret.to_str().unwrap());
    t.symlink("a/up", &format!("../../../../../../..{}", secret.display()));
    t.symlink("a/dir", outside.path().to_str().unwrap());
    let root = t.path().to_str().unwrap();
    for args in [
        vec!["--root", root, "--follow"],
        vec!["--root", root, "--follow", "/a/abs"],
        vec!["--root", root, "/a/up"],
    ] {
        let out = run(
            &[&["scan", "--format", "json"][..], &args[..]].concat(),
            t.path(),
        );
        if out.code == 2 {
            // A PATH that does not exist inside the image is a usage error.
            assert!(out.stderr.contains("in --root"), "{}", out.stderr);
            continue;
        }
        let doc = json(&out);
        assert_eq!(
            doc["summary"]["verdicts"]["suspicious"], 0,
            "{args:?}: {doc}"
        );
        assert!(!out.stdout.contains("secret"), "{}", out.stdout);
    }
}

#[test]
fn windows_image_is_judged_and_reported_as_windows() {
    let t = Tree::new();
    t.file(
        "Windows/System32/drivers/etc/hosts",
        "127.0.0.1 localhost\r\n",
    );
    t.file("ProgramData/WinSvc/start.bat", WIN_MINER);
    t.file(
        "Users/bob/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/run.bat",
        "@echo off\r\nstart /b C:\\PROGRAMDATA\\winsvc\\start.bat\r\n",
    );
    let root = t.path().to_str().unwrap();
    let doc = scan_json(&["--root", root, "--all"], t.path());
    assert_eq!(doc["scan"]["options"]["root_os"], "windows");
    let f = file(&doc, "C:\\ProgramData\\WinSvc\\start.bat").expect("reported as C:\\...");
    // Started from the Startup folder: a persisted miner launch.
    assert_eq!(f["verdict"], "malicious", "{f}");
    let startup = "C:\\Users\\bob\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\run.bat";
    assert_eq!(
        file(&doc, startup).unwrap()["persistence"],
        "startup_folder"
    );
    let links = doc["summary"]["persistence_links"].as_array().unwrap();
    assert_eq!(links.len(), 1, "{doc}");
    assert_eq!(links[0]["persistence"], startup);
    // PATHs in Windows form, matched without regard to case.
    let doc = scan_json(&["--root", root, "C:\\programdata"], t.path());
    assert_eq!(doc["summary"]["files_scanned"], 1);
}

#[test]
fn csv_and_ecs_carry_the_timeline_fields() {
    let t = linux_image();
    let root = t.path().to_str().unwrap();
    let out = run(&["scan", "--root", root, "--format", "csv"], t.path());
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[0]
        .starts_with("path,verdict,score,family,category,kind,size,sha256,mtime,ctime,atime"));
    assert!(
        lines[1].starts_with("/etc/cron.d/updater,malicious,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("/opt/.cache/run.sh,malicious,")
            && lines[2].ends_with(",started_by /etc/cron.d/updater (malicious)"),
        "{}",
        lines[2]
    );
    let out = run(&["scan", "--root", root, "--format", "ndjson"], t.path());
    let alert: Value = serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    for k in [
        "mtime", "ctime", "accessed", "mode", "uid", "owner", "inode",
    ] {
        assert!(alert["file"].get(k).is_some(), "missing file.{k}: {alert}");
    }
    assert_eq!(alert["file"]["path"], "/etc/cron.d/updater");
    assert_eq!(alert["minerscan"]["links"][0]["path"], "/opt/.cache/run.sh");
}

fn cache_hits(doc: &Value) -> u64 {
    doc["summary"]["cache"]["hits"].as_u64().unwrap()
}

#[test]
fn cache_skips_unchanged_files_and_rescans_touched_ones() {
    let t = Tree::new();
    for i in 0..10 {
        t.file(&format!("tree/f{i}.txt"), &format!("plain {i}\n"));
    }
    t.file("tree/run.sh", MINER_LINE);
    let db = t.path().join("cache.redb");
    let args = ["--cache", db.to_str().unwrap(), "--all", "tree"];
    let first = scan_json(&args, t.path());
    assert_eq!(cache_hits(&first), 0);
    assert_eq!(first["summary"]["cache"]["stored"], 11);
    let second = scan_json(&args, t.path());
    assert_eq!(cache_hits(&second), 11, "{}", second["summary"]);
    assert!(second["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["cached"] == true));
    // The cached result is the result.
    let run_sh = |d: &Value| file(d, "tree/run.sh").unwrap().clone();
    assert_eq!(run_sh(&second)["verdict"], run_sh(&first)["verdict"]);
    assert_eq!(run_sh(&second)["findings"], run_sh(&first)["findings"]);
    assert_eq!(
        second["summary"]["indicators"],
        first["summary"]["indicators"]
    );
    // A touched file (same content, new times) is read again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    t.file("tree/f3.txt", "plain 3\n");
    let third = scan_json(&args, t.path());
    assert_eq!(cache_hits(&third), 10);
    assert!(file(&third, "tree/f3.txt").unwrap().get("cached").is_none());
    // The cache file itself is never scanned.
    let own = scan_json(&["--cache", db.to_str().unwrap(), "."], t.path());
    assert_eq!(skipped(&own, "own_file"), 1, "{}", own["summary"]);
}

#[test]
fn a_changed_rule_set_invalidates_the_cache() {
    let t = Tree::new();
    t.file("tree/a.txt", "plain\n");
    t.file("tree/run.sh", MINER_LINE);
    t.file(
        "rules/extra.yar",
        "rule extra_rule { strings: $a = \"plain\" condition: $a }\n",
    );
    let db = t.path().join("c.redb");
    let db = db.to_str().unwrap();
    scan_json(&["--cache", db, "tree"], t.path());
    assert_eq!(
        cache_hits(&scan_json(&["--cache", db, "tree"], t.path())),
        2
    );
    let changed = scan_json(&["--cache", db, "--rules", "rules", "tree"], t.path());
    assert_eq!(cache_hits(&changed), 0);
    assert!(changed["summary"]["cache"]["rebuilt"].is_string());
    // So does an option that changes results.
    assert_eq!(
        cache_hits(&scan_json(
            &["--cache", db, "--max-size", "1KiB", "tree"],
            t.path()
        )),
        0
    );
}

#[test]
fn a_damaged_cache_is_rebuilt_not_trusted() {
    let t = Tree::new();
    t.file("tree/a.txt", "plain\n");
    t.file("tree/run.sh", MINER_LINE);
    let db = t.path().join("c.redb");
    let dbs = db.to_str().unwrap();
    scan_json(&["--cache", dbs, "tree"], t.path());
    // Garbage over everything but redb's header and our marker: still recognisably ours.
    let mut bytes = std::fs::read(&db).unwrap();
    let marker = b"minerscan result cache, format 1";
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("marker");
    for (i, b) in bytes.iter_mut().enumerate().skip(9) {
        if !(at..at + marker.len()).contains(&i) {
            *b = 0xA5;
        }
    }
    std::fs::write(&db, bytes).unwrap();
    let out = run(
        &["scan", "--format", "json", "--cache", dbs, "tree"],
        t.path(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out);
    assert_eq!(cache_hits(&doc), 0);
    assert!(
        doc["summary"]["cache"]["rebuilt"].is_string(),
        "{}",
        doc["summary"]
    );
    assert_eq!(doc["summary"]["verdicts"]["suspicious"], 1);
    assert_eq!(
        cache_hits(&scan_json(&["--cache", dbs, "tree"], t.path())),
        2
    );
}

#[test]
fn cache_never_replaces_what_is_not_a_cache() {
    let t = Tree::new();
    t.file("tree/run.sh", MINER_LINE);
    // Someone's text file, another program's database, garbage: refused, left as they were.
    let text = t.file("notes.txt", "just some text\n");
    let foreign = t.path().join("other.redb");
    {
        let db = redb::Database::create(&foreign).unwrap();
        let w = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<&str, &str> = redb::TableDefinition::new("accounts");
            let mut table = w.open_table(def).unwrap();
            table.insert("alice", "42").unwrap();
        }
        w.commit().unwrap();
    }
    let garbage = t.path().join("garbage.redb");
    std::fs::write(&garbage, vec![0xA5u8; 4096]).unwrap();
    for path in [&text, &foreign, &garbage] {
        let before = std::fs::read(path).unwrap();
        let out = run(
            &["scan", "--cache", path.to_str().unwrap(), "tree"],
            t.path(),
        );
        assert_eq!(out.code, 2, "{}: {}", path.display(), out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(out.stderr.contains("refusing"), "{}", out.stderr);
        assert!(
            std::fs::read(path).unwrap() == before,
            "{} changed",
            path.display()
        );
    }
}

#[test]
fn cache_is_private_and_refused_when_others_can_write_it() {
    use std::os::unix::fs::PermissionsExt;
    let t = Tree::new();
    t.file("tree/run.sh", MINER_LINE);
    let db = t.path().join("c.redb");
    let dbs = db.to_str().unwrap();
    scan_json(&["--cache", dbs, "tree"], t.path());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o600);
    // Group- or world-writable: a forged record would make a miner clean.
    for loose in [0o666, 0o620] {
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(loose)).unwrap();
        let out = run(&["scan", "--cache", dbs, "tree"], t.path());
        assert_eq!(out.code, 2, "{loose:o}: {}", out.stderr);
        assert!(out.stderr.contains("writable by others"), "{}", out.stderr);
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        cache_hits(&scan_json(&["--cache", dbs, "tree"], t.path())),
        1
    );
    // A symbolic link is not followed.
    t.symlink("link.redb", dbs);
    let out = run(&["scan", "--cache", "link.redb", "tree"], t.path());
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn cache_key_follows_the_content_of_lists_and_baselines() {
    use sha2::Digest;
    let t = Tree::new();
    let run_sh = t.file("tree/run.sh", MINER_LINE);
    t.file("tree/a.txt", "plain\n");
    let db = t.path().join("c.redb");
    let dbs = db.to_str().unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    // A list of one hash that matches nothing, then the same list with the hash of run.sh:
    // same path, same length, same count of entries.
    let other = hex(&sha2::Sha256::digest(b"something else"));
    let mine = hex(&sha2::Sha256::digest(std::fs::read(&run_sh).unwrap()));
    t.file("list.txt", &format!("{other};test miner\n"));
    let first = scan_json(&["--cache", dbs, "--ioc", "list.txt", "tree"], t.path());
    assert_eq!(
        file(&first, "tree/run.sh").unwrap()["verdict"],
        "suspicious"
    );
    t.file("list.txt", &format!("{mine};test miner\n"));
    let second = scan_json(&["--cache", dbs, "--ioc", "list.txt", "tree"], t.path());
    assert_eq!(
        file(&second, "tree/run.sh").unwrap()["verdict"],
        "malicious",
        "{}",
        second["summary"]
    );
    // A baseline edited in place: same path, different content.
    let base = |path: &str| format!("[[suppress]]\npath = \"{path}\"\nreason = \"accepted\"\n");
    t.file("b.toml", &base("elsewhere/*"));
    let args = ["--cache", dbs, "--baseline", "b.toml", "tree"];
    let kept = scan_json(&args, t.path());
    assert_eq!(file(&kept, "tree/run.sh").unwrap()["verdict"], "suspicious");
    t.file("b.toml", &base("tree/run.sh"));
    let now = scan_json(&args, t.path());
    assert_eq!(
        now["summary"]["verdicts"]["suspicious"], 0,
        "{}",
        now["summary"]
    );
}

#[test]
fn output_name_takes_a_date_pattern() {
    let t = linux_image();
    let out = run(
        &[
            "scan",
            "--root",
            t.path().to_str().unwrap(),
            "--format",
            "json",
            "-o",
            "report-%Y.json",
        ],
        t.path(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let year =
        humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..4].to_owned();
    assert!(t.path().join(format!("report-{year}.json")).exists());
}

#[test]
fn yara_owner_is_named_by_the_images_passwd() {
    use std::os::unix::fs::MetadataExt;
    // The image names the test's own uid otherwise than the host does.
    let t = Tree::new();
    let probe = t.file("img/probe.txt", "plain\n");
    let uid = std::fs::metadata(&probe).unwrap().uid();
    t.file(
        "img/etc/passwd",
        &format!("imageowner:x:{uid}:{uid}::/home/i:/bin/sh\n"),
    );
    t.file(
        "owner.yar",
        "rule Image_Owner { condition: owner == \"imageowner\" }\n\
         rule Host_Owner { condition: owner != \"imageowner\" }\n",
    );
    let root = t.path().join("img");
    let args = ["--root", root.to_str().unwrap(), "--rules", "owner.yar"];
    let doc = scan_json(&[&args[..], &["--all", "/probe.txt"]].concat(), t.path());
    let report = file(&doc, "/probe.txt").unwrap();
    assert_eq!(report["meta"]["owner"], "imageowner");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["Image_Owner"], "{report}");
}

/// PATHs and `--files-from` entries name places inside the image: they are resolved there
/// before any system call looks at them. Traced with strace, no call of the scan names a host
/// path through the image's link `esc -> /data` (which on the host would lead to `/data`).
#[test]
fn paths_and_listed_entries_are_resolved_inside_the_root_before_any_lookup() {
    if !Path::new("/usr/bin/strace").exists() {
        // Not every machine has strace (README, "The two commands"): say so and skip.
        eprintln!("SKIPPED: strace is needed to see which paths the scan looks up; install strace to run this test");
        return;
    }
    let t = Tree::new();
    t.file("img/data/secret.sh", MINER_LINE);
    t.file("img/data/listed.sh", MINER_LINE);
    t.symlink("img/esc", "/data");
    t.file("list", "/esc/listed.sh\n");
    let img = std::fs::canonicalize(t.path().join("img")).unwrap();
    let trace = t.path().join("trace");
    let out = run_cmd(
        std::process::Command::new("/usr/bin/strace")
            .args(["-f", "-qq", "-e", "trace=file", "-o"])
            .arg(&trace)
            .arg(BIN)
            .args(["scan", "--format", "json", "--no-builtin", "--root"])
            .arg(&img)
            .args(["--files-from", "list", "/esc/secret.sh"])
            .current_dir(t.path()),
        std::time::Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out);
    let listed = listed(&doc, Path::new("/nonexistent"));
    assert_eq!(listed, vec!["esc/secret.sh", "esc/listed.sh"], "{doc}");
    let trace = std::fs::read_to_string(trace).unwrap();
    let through_link = format!("{}/esc/", img.display());
    let leaks: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains(&through_link))
        .collect();
    assert!(
        leaks.is_empty(),
        "host lookups through the link: {leaks:#?}"
    );
}

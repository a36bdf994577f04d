//! The walk and the single read: special files, links, excludes, limits, permissions, exit
//! codes, access times.

use crate::support::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

#[test]
fn fifo_in_tree_and_on_command_line_never_hangs() {
    let t = Tree::new();
    let fifo = t.fifo("pipe");
    t.file("run.sh", MINER_LINE);
    let root = t.path().to_str().unwrap();
    let out = run_with_limit(
        &["scan", "--format", "json", root],
        t.path(),
        Duration::from_secs(20),
    );
    let doc = json(&out);
    assert_eq!(skipped(&doc, "special"), 1);
    assert_eq!(doc["summary"]["files_scanned"], 1);
    let out = run_with_limit(
        &["scan", "--format", "json", fifo.to_str().unwrap()],
        t.path(),
        Duration::from_secs(20),
    );
    let doc = json(&out);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(skipped(&doc, "special"), 1);
    assert_eq!(doc["files"][0]["skipped"], "special");
    assert_eq!(
        doc["summary"]["complete"], true,
        "a skip by policy does not make a scan incomplete"
    );
}

#[test]
fn device_named_on_command_line_is_not_read() {
    let t = Tree::new();
    let out = run_with_limit(
        &["scan", "--format", "json", "/dev/zero"],
        t.path(),
        Duration::from_secs(20),
    );
    let doc = json(&out);
    assert_eq!(skipped(&doc, "special"), 1);
    assert_eq!(doc["summary"]["bytes_scanned"], 0);
}

#[test]
fn symlink_loop_with_and_without_follow() {
    let t = Tree::new();
    t.file("d/run.sh", MINER_LINE);
    t.symlink("d/loop", "..");
    t.symlink("d/alias.sh", "run.sh");
    let root = t.path().to_str().unwrap();
    let out = run_with_limit(
        &["scan", "--format", "json", root],
        t.path(),
        Duration::from_secs(20),
    );
    let doc = json(&out);
    assert_eq!(
        skipped(&doc, "symlink"),
        2,
        "links are not followed by default"
    );
    assert_eq!(doc["summary"]["files_scanned"], 1);

    let out = run_with_limit(
        &["scan", "--follow", "--format", "json", root],
        t.path(),
        Duration::from_secs(20),
    );
    let doc = json(&out);
    assert_eq!(skipped(&doc, "symlink_loop"), 1, "{}", out.stdout);
    assert_eq!(
        doc["summary"]["files_scanned"], 2,
        "the linked file is scanned through its link"
    );
    let listed = listed(&doc, t.path());
    assert!(
        listed.contains(&"d/loop".to_owned()),
        "the loop is reported: {listed:?}"
    );
}

#[test]
fn excluded_directory_is_pruned() {
    let t = Tree::new();
    t.file("keep/run.sh", MINER_LINE);
    t.file("vendor/deep/run.sh", MINER_LINE);
    let root = t.path().to_str().unwrap();
    let out = run(
        &["scan", "--exclude", "**/vendor", "--format", "json", root],
        t.path(),
    );
    let doc = json(&out);
    assert_eq!(listed(&doc, t.path()), vec!["keep/run.sh"]);
    assert_eq!(
        skipped(&doc, "excluded"),
        1,
        "the directory is pruned, its files never counted"
    );
}

#[test]
fn file_over_max_size_is_sniffed_not_read() {
    let t = Tree::new();
    let mut big = "x".repeat(10_000);
    big.push_str(MINER_LINE);
    t.file("big.txt", &big);
    t.file("small.sh", MINER_LINE);
    let root = t.path().to_str().unwrap();
    let out = run(
        &["scan", "--max-size", "8KiB", "--format", "json", root],
        t.path(),
    );
    let doc = json(&out);
    assert_eq!(skipped(&doc, "too_large"), 1);
    assert_eq!(
        listed(&doc, t.path()),
        vec!["small.sh"],
        "the miner line past the header is not seen"
    );
    let out = run(&["scan", "--max-size", "12 parsecs", root], t.path());
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--max-size"), "{}", out.stderr);
}

#[test]
fn missing_root_is_exit_2_with_one_line() {
    let t = Tree::new();
    let out = run(&["scan", "does-not-exist"], t.path());
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains("does-not-exist"));
}

#[test]
fn exit_codes_follow_detections_and_fail_on() {
    let clean = Tree::new();
    clean.file("notes.txt", "nothing to see\n");
    let out = run(&["scan", "."], clean.path());
    assert_eq!(out.code, 0, "{}", out.stdout);
    let dirty = Tree::new();
    dirty.file("run.sh", MINER_LINE);
    assert_eq!(run(&["scan", "."], dirty.path()).code, 1);
    assert_eq!(
        run(&["scan", "--fail-on", "never", "."], dirty.path()).code,
        0
    );
    assert_eq!(
        run(&["scan", "--fail-on", "malicious", "."], dirty.path()).code,
        0,
        "riskware is only suspicious"
    );
    assert_eq!(
        run(&["scan", "--fail-on", "bogus", "."], dirty.path()).code,
        2
    );
}

#[test]
fn unreadable_file_is_reported_and_scan_goes_on() {
    // CI runs as root, who reads everything: run the scan as nobody (uid 65534) instead.
    let t = Tree::new();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = t.file("secret.sh", MINER_LINE);
    t.file("open.sh", MINER_LINE);
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    // The binary may sit under a directory nobody cannot enter (a fresh clone in mktemp -d):
    // run a copy from the tree.
    let bin = t.path().join("minerscan-copy");
    std::fs::copy(BIN, &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let scan_root = t.path().join("data");
    std::fs::create_dir(&scan_root).unwrap();
    std::fs::set_permissions(&scan_root, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::rename(&secret, scan_root.join("secret.sh")).unwrap();
    std::fs::rename(t.path().join("open.sh"), scan_root.join("open.sh")).unwrap();

    let is_root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if is_root {
        if !Path::new("/usr/bin/setpriv").exists() {
            eprintln!("SKIPPED unreadable_file test: running as root and setpriv is missing");
            return;
        }
        let mut c = std::process::Command::new("/usr/bin/setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    cmd.args(["scan", "--format", "json"])
        .arg(&scan_root)
        .current_dir(t.path());
    let out = run_cmd(&mut cmd, Duration::from_secs(60));
    let doc = json(&out);
    assert_eq!(doc["summary"]["errors"], 1, "{}", out.stdout);
    assert_eq!(doc["summary"]["complete"], false);
    assert_eq!(doc["summary"]["files_scanned"], 1, "the scan went on");
    let errors = doc["errors"].as_array().unwrap();
    assert!(errors[0]["path"].as_str().unwrap().ends_with("secret.sh"));
    assert!(errors[0]["error"]
        .as_str()
        .unwrap()
        .contains("permission denied"));
    assert_eq!(
        out.code, 1,
        "the detection in open.sh still sets the exit code"
    );

    // The text report never shows the unread file as clean.
    let mut text = if is_root {
        let mut c = std::process::Command::new("/usr/bin/setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    text.args(["scan"]).arg(&scan_root).current_dir(t.path());
    let out = run_cmd(&mut text, Duration::from_secs(60));
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("secret.sh"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(
        line.starts_with("incomplete ") && line.ends_with("[not fully scanned: unreadable]"),
        "{line}"
    );

    // With --strict the same problem is exit 2.
    let mut strict = if is_root {
        let mut c = std::process::Command::new("/usr/bin/setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    strict
        .args(["scan", "--strict"])
        .arg(&scan_root)
        .current_dir(t.path());
    assert_eq!(run_cmd(&mut strict, Duration::from_secs(60)).code, 2);
}

#[test]
fn scanning_does_not_change_access_times() {
    let t = Tree::new();
    let f = t.file("run.sh", MINER_LINE);
    let g = t.file("sub/deeper/notes.txt", "plain text\n");
    let dirs = [
        t.path().to_path_buf(),
        t.path().join("sub"),
        t.path().join("sub/deeper"),
    ];
    // atime older than mtime: relatime would update it on any read (of a file) or listing
    // (of a directory).
    let old = SystemTime::now() - Duration::from_secs(3 * 86_400);
    let set_old = |p: &Path| {
        let file = std::fs::File::open(p).unwrap();
        file.set_times(std::fs::FileTimes::new().set_accessed(old))
            .unwrap();
    };
    for p in [&f, &g] {
        set_old(p);
    }
    for d in &dirs {
        set_old(d);
    }
    let atimes = || -> Vec<SystemTime> {
        [&f, &g]
            .into_iter()
            .chain(&dirs)
            .map(|p| std::fs::metadata(p).unwrap().accessed().unwrap())
            .collect()
    };
    let before = atimes();
    let out = run(&["scan", t.path().to_str().unwrap()], Path::new("/"));
    assert_eq!(out.code, 1);
    assert_eq!(before, atimes(), "files, then directories: {dirs:?}");
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        MINER_LINE,
        "the file is untouched"
    );
}

/// `--follow` over 16 levels of directories, each holding two links to the next: 65,536
/// paths lead to the file at the bottom. Each directory is walked once (by device and inode),
/// so the file is scanned once; a file with two hard links is listed under both names.
#[test]
fn fan_out_links_walk_each_directory_once() {
    let t = Tree::new();
    for level in 0..16 {
        std::fs::create_dir_all(t.path().join(format!("tree/l{level}"))).unwrap();
        for name in ["a", "b"] {
            t.symlink(
                &format!("tree/l{level}/{name}"),
                &format!("../l{}", level + 1),
            );
        }
    }
    t.file("tree/l16/run.sh", MINER_LINE);
    std::fs::hard_link(
        t.path().join("tree/l16/run.sh"),
        t.path().join("tree/twin.sh"),
    )
    .unwrap();
    let out = run_with_limit(
        &["scan", "--follow", "--format", "json", "tree/l0"],
        t.path(),
        Duration::from_secs(30),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out);
    assert_eq!(doc["summary"]["files_scanned"], 1, "{}", doc["summary"]);
    assert_eq!(
        listed(&doc, t.path()),
        vec![format!("tree/l0/{}run.sh", "a/".repeat(16))]
    );
    assert_eq!(
        skipped(&doc, "same_directory"),
        16,
        "one `b` link per level"
    );
    let out = run(&["scan", "--format", "json", "tree"], t.path());
    let doc = json(&out);
    assert_eq!(
        listed(&doc, t.path()),
        vec!["tree/l16/run.sh", "tree/twin.sh"]
    );
}

#[test]
fn files_from_takes_listed_paths_with_excludes() {
    let t = Tree::new();
    let a = t.file("a.sh", MINER_LINE);
    let b = t.file("b.sh", MINER_LINE);
    let c = t.file("skip/c.sh", MINER_LINE);
    let list = format!("{}\0{}\0{}\0", a.display(), b.display(), c.display());
    std::fs::write(t.path().join("list"), list).unwrap();
    let out = run(
        &[
            "scan",
            "--files-from",
            "list",
            "-0",
            "--exclude",
            "**/skip/*",
            "--format",
            "json",
        ],
        t.path(),
    );
    let doc = json(&out);
    assert_eq!(listed(&doc, t.path()), vec!["a.sh", "b.sh"]);
    assert_eq!(skipped(&doc, "excluded"), 1);
}

#[test]
fn report_file_is_never_scanned() {
    let t = Tree::new();
    t.file("run.sh", MINER_LINE);
    // A report from an earlier run, full of the matched strings, and this run's own output.
    let out = run(
        &["scan", "--format", "json", "-o", "report.json", "."],
        t.path(),
    );
    assert_eq!(out.code, 1);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(listed(&doc, t.path()), vec!["./run.sh"]);
    assert_eq!(skipped(&doc, "own_file"), 1);
    // Met again in later scans, in every format, our reports are recognised and not flagged.
    for format in ["text", "ndjson"] {
        let out = run(
            &[
                "scan",
                "--format",
                format,
                "-o",
                &format!("report.{format}"),
                ".",
            ],
            t.path(),
        );
        assert_eq!(out.code, 1);
    }
    std::fs::remove_file(t.path().join("run.sh")).unwrap();
    let out = run(&["scan", "--format", "json", "."], t.path());
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = json(&out);
    assert_eq!(skipped(&doc, "own_file"), 3);
}

#[test]
fn old_reports_with_every_option_stay_quiet() {
    let t = Tree::new();
    t.file("data/run.sh", MINER_LINE);
    t.file("data/a.txt", "plain\n");
    t.file("list.txt", "pool.evil.example;evil pool\n");
    t.file(
        "b.toml",
        "[[suppress]]\npath = \"nothing/*\"\nreason = \"x\"\n",
    );
    std::fs::create_dir(t.path().join("logs")).unwrap();
    for format in ["json", "ndjson", "text"] {
        let out = run(
            &[
                "scan",
                "--format",
                format,
                "--all",
                "--exclude",
                "**/none",
                "--ioc",
                "list.txt",
                "--baseline",
                "b.toml",
                "--show-suppressed",
                "--max-size",
                "1MiB",
                "--threads",
                "2",
                "-o",
                &format!("logs/old.{format}"),
                "data",
            ],
            t.path(),
        );
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
    }
    // A later scan of the log directory: every report recognised as a whole, none listed.
    let out = run(&["scan", "--strict", "--format", "json", "logs"], t.path());
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = json(&out);
    assert_eq!(skipped(&doc, "own_file"), 3);
    assert!(doc["files"].as_array().unwrap().is_empty());
    // One line added to a report makes it a file like any other.
    let mut text = std::fs::read_to_string(t.path().join("logs/old.ndjson")).unwrap();
    text.push_str("./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u x\n");
    std::fs::write(t.path().join("logs/old.ndjson"), text).unwrap();
    let out = run(&["scan", "--format", "json", "logs"], t.path());
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(skipped(&json(&out), "own_file"), 2);
}

#[test]
fn ctrl_c_writes_what_was_found_and_exits_130() {
    // /usr is large enough that the scan is still running when the signal arrives.
    let t = Tree::new();
    let mut child = std::process::Command::new(BIN)
        .args([
            "scan",
            "--threads",
            "1",
            "--format",
            "json",
            "--no-builtin",
            "/usr",
        ])
        .current_dir(t.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let mut stdout = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{stdout}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("a complete JSON document");
    assert_eq!(doc["summary"]["complete"], false);
    assert_eq!(doc["summary"]["interrupted"], true);
    assert!(doc["summary"]["files_scanned"].as_u64().unwrap() > 0);
}

/// One slow file first and thousands of quick ones after it: the workers run ahead of the
/// writer only as far as its window, then wait; the report is whole and in walk order, the
/// same with four workers as with one.
#[test]
fn a_slow_file_holds_the_workers_back_and_the_order_stays() {
    let t = Tree::new();
    let mut slow = String::from("#!/bin/sh\n");
    slow.push_str(&"echo one two three four five six seven\n".repeat(1 << 20));
    slow.push_str(MINER_LINE);
    t.file("data/0000-slow.sh", &slow);
    for i in 0..3000 {
        t.file(&format!("data/f{i:05}.sh"), MINER_LINE);
    }
    let scan = |threads: &str| {
        let out = run_with_limit(
            &["scan", "--format", "json", "--threads", threads, "data"],
            t.path(),
            Duration::from_secs(300),
        );
        assert_eq!(out.code, 1, "{}", out.stderr);
        listed(&json(&out), t.path())
    };
    let four = scan("4");
    assert_eq!(four.len(), 3001);
    let mut sorted = four.clone();
    sorted.sort();
    assert_eq!(four, sorted, "walk order");
    assert_eq!(four, scan("1"));
}

/// A file with two hard links and a followed link to it: listed under all three names, with
/// one verdict, but opened once (traced with strace).
#[test]
fn a_file_with_several_names_is_listed_under_each_and_read_once() {
    if !Path::new("/usr/bin/strace").exists() {
        // Not every machine has strace (README, "The two commands"): say so and skip.
        eprintln!("SKIPPED: strace is needed to count the opens; install strace to run this test");
        return;
    }
    let t = Tree::new();
    t.file("data/a/run.sh", MINER_LINE);
    std::fs::hard_link(t.path().join("data/a/run.sh"), t.path().join("data/b.sh")).unwrap();
    t.symlink("data/c.sh", "a/run.sh");
    let trace = t.path().join("trace");
    let out = run_cmd(
        std::process::Command::new("/usr/bin/strace")
            .args(["-f", "-qq", "-e", "trace=openat,openat2", "-o"])
            .arg(&trace)
            .arg(BIN)
            .args([
                "scan",
                "--follow",
                "--format",
                "json",
                "--no-builtin",
                "data",
            ])
            .current_dir(t.path()),
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out);
    assert_eq!(
        listed(&doc, t.path()),
        vec!["data/a/run.sh", "data/b.sh", "data/c.sh"]
    );
    for f in doc["files"].as_array().unwrap() {
        assert_eq!(f["verdict"], "suspicious", "{f}");
        assert_eq!(f["findings"], doc["files"][0]["findings"]);
    }
    let trace = std::fs::read_to_string(trace).unwrap();
    let opens: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("O_NONBLOCK") && l.contains(".sh\""))
        .collect();
    assert_eq!(opens.len(), 1, "{opens:#?}");
    assert_eq!(doc["summary"]["bytes_scanned"], MINER_LINE.len());
}

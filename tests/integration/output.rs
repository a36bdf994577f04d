//! Where the report goes: `-o` never follows a planted link nor writes through another name of
//! a file, `-o -` is standard output, and a reader that went away is a failure, not a success.

use crate::support::*;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn output_never_follows_a_symbolic_link_or_a_hard_link() {
    let t = Tree::new();
    t.file("data/run.sh", MINER_LINE);
    let victim = t.file("victim", "precious\n");
    t.symlink("report.json", victim.to_str().unwrap());
    let out = run(
        &["scan", "--format", "json", "-o", "report.json", "data"],
        t.path(),
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("-o report.json"), "{}", out.stderr);
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");

    // A dangling link is not followed into creating its target either.
    t.symlink("dangling.json", t.path().join("created").to_str().unwrap());
    assert_eq!(
        run(&["scan", "-o", "dangling.json", "data"], t.path()).code,
        2
    );
    assert!(!t.path().join("created").exists());

    // Another name of the same file (a hard link) is refused too.
    std::fs::hard_link(&victim, t.path().join("linked.json")).unwrap();
    let out = run(&["scan", "-o", "linked.json", "data"], t.path());
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");

    // A directory is no report file.
    std::fs::create_dir(t.path().join("dir")).unwrap();
    assert_eq!(run(&["scan", "-o", "dir", "data"], t.path()).code, 2);

    // An existing regular file is replaced, as before.
    t.file("old.json", &"x".repeat(100_000));
    let out = run(
        &["scan", "--format", "json", "-o", "old.json", "data"],
        t.path(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("old.json")).unwrap()).unwrap();
    assert_eq!(doc["summary"]["files_scanned"], 1);
}

#[test]
fn output_to_a_fifo_a_device_or_dash() {
    let t = Tree::new();
    t.file("data/run.sh", MINER_LINE);
    // `-o -` is standard output, not a file named `-`.
    let out = run(&["scan", "--format", "json", "-o", "-", "data"], t.path());
    assert_eq!(out.code, 1);
    assert_eq!(json(&out)["summary"]["files_scanned"], 1);
    assert!(!t.path().join("-").exists());
    // The system's names of descriptors and devices, named on purpose.
    let out = run(
        &["scan", "--format", "json", "-o", "/dev/stdout", "data"],
        t.path(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(json(&out)["summary"]["files_scanned"], 1);
    assert_eq!(run(&["scan", "-o", "/dev/null", "data"], t.path()).code, 1);
    // A FIFO: the scan waits for its reader, as a shell redirection does.
    let fifo = t.fifo("report.fifo");
    let reader = std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap());
    let out = run_with_limit(
        &["scan", "--format", "json", "-o", "report.fifo", "data"],
        t.path(),
        Duration::from_secs(60),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(doc["summary"]["files_scanned"], 1);
}

#[test]
fn a_closed_standard_output_is_exit_2_and_nothing_more() {
    let t = Tree::new();
    for i in 0..200 {
        t.file(&format!("data/run{i}.sh"), MINER_LINE);
    }
    // A pipe whose reader is already gone: every write fails with EPIPE.
    let mut fds = [0i32; 2];
    // SAFETY: pipe fills two descriptors that we then own.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read_end);
    for format in ["text", "json", "ndjson", "csv", "sarif"] {
        let out = Command::new(BIN)
            .args(["scan", "--format", format, "data"])
            .current_dir(t.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(write_end.try_clone().unwrap()))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

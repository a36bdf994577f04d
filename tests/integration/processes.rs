//! `--processes`: harmless children running a copy of a system binary are scanned through
//! /proc/PID/exe with their pid and command line, once per executable; once the copy is deleted
//! while they run, the process is a `hiding` finding and its code is still read.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A child process killed and reaped when the test ends, whether it passes or not.
struct Running(Child);

impl Running {
    fn pid(&self) -> u64 {
        u64::from(self.0.id())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A copy of a benign system binary in `dir`, under a name of our own.
fn copy_of_sleep(dir: &Path, name: &str) -> PathBuf {
    let src = ["/usr/bin/sleep", "/bin/sleep"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("a sleep binary");
    let dst = dir.join(name);
    std::fs::copy(src, &dst).unwrap();
    dst
}

fn start(exe: &Path) -> Running {
    // Another test thread forking while the copy was open for writing can make exec fail with
    // ETXTBSY for a moment.
    for _ in 0..50 {
        match Command::new(exe)
            .arg("600")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => return Running(child),
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(e) => panic!("spawn {}: {e}", exe.display()),
        }
    }
    panic!("spawn {}: still busy", exe.display());
}

fn scan(args: &[&str], cwd: &Path) -> Value {
    let mut all = vec!["scan", "--processes", "--all", "--format", "json", "-q"];
    all.extend_from_slice(args);
    let out = run(&all, cwd);
    // Other processes on the machine may be flagged or unreadable: only ours are judged here.
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    json(&out)
}

/// The listed files whose process list holds `pid`.
fn with_pid(doc: &Value, pid: u64) -> Vec<&Value> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["process"]["pids"]
                .as_array()
                .is_some_and(|p| p.iter().any(|x| x.as_u64() == Some(pid)))
        })
        .collect()
}

#[test]
fn a_process_is_scanned_and_its_deleted_executable_is_hiding() {
    let t = Tree::new();
    let exe = copy_of_sleep(t.path(), "napper");
    let child = start(&exe);
    let exe_s = exe.to_str().unwrap();

    let doc = scan(&[], t.path());
    assert_eq!(doc["scan"]["options"]["processes"], true);
    let found = with_pid(&doc, child.pid());
    assert_eq!(found.len(), 1, "{doc}");
    let f = found[0];
    assert_eq!(f["process"]["exe"], exe_s);
    assert_eq!(f["process"]["cmdline"], format!("{exe_s} 600"));
    assert_eq!(f["process"]["deleted"], false);
    assert_eq!(f["verdict"], "clean", "{f}");
    assert_eq!(f["kind"], "elf");
    assert_eq!(f["path"], format!("/proc/{}/exe", child.pid()));

    std::fs::remove_file(&exe).unwrap();
    let doc = scan(&[], t.path());
    let found = with_pid(&doc, child.pid());
    assert_eq!(found.len(), 1, "{doc}");
    let f = found[0];
    assert_eq!(f["process"]["deleted"], true, "{f}");
    assert_eq!(f["process"]["exe"], exe_s);
    let hiding = f["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "deleted_executable")
        .unwrap_or_else(|| panic!("no deleted_executable finding: {f}"));
    assert_eq!(hiding["class"], "hiding");
    assert_eq!(hiding["evidence"][0]["path"], exe_s);
    assert_eq!(f["verdict"], "suspicious", "{f}");
    // The code was still read, through /proc/PID/exe.
    assert_eq!(f["kind"], "elf");
    assert!(f["size"].as_u64().unwrap() > 0);
    assert!(f["sha256"].is_string(), "{f}");

    // Text output names the process and escapes like any text.
    let out = run(&["scan", "--processes", "-q"], t.path());
    assert!(
        out.stdout.contains(&format!(
            "process pid {}: {exe_s} (deleted): {exe_s} 600",
            child.pid()
        )),
        "{}",
        out.stdout
    );
}

#[test]
fn an_executable_shared_by_processes_is_scanned_once_after_the_paths() {
    let t = Tree::new();
    t.file("notes.txt", "nothing to see\n");
    let exe = copy_of_sleep(t.path(), "twin");
    let a = start(&exe);
    let b = start(&exe);

    let before = live_pids();
    let doc = scan(&[t.path().join("notes.txt").to_str().unwrap()], t.path());
    let after = live_pids();
    let files = doc["files"].as_array().unwrap();
    // Roots first, then the processes.
    assert!(files[0]["path"].as_str().unwrap().ends_with("notes.txt"));
    let found = with_pid(&doc, a.pid());
    assert_eq!(found.len(), 1, "{doc}");
    let pids: Vec<u64> = found[0]["process"]["pids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap())
        .collect();
    let (lo, hi) = (a.pid().min(b.pid()), a.pid().max(b.pid()));
    assert_eq!(pids, vec![lo, hi]);
    assert_eq!(found[0]["path"], format!("/proc/{lo}/exe"));
    let twin = files
        .iter()
        .filter(|f| f["process"]["exe"] == exe.to_str().unwrap())
        .count();
    assert_eq!(twin, 1);
    // Listed in pid order, whatever the number of threads (flagged ones, held for
    // cross-file judgement until the end of the walk, after the others). Only processes alive
    // for the whole scan are compared: other tests start and end processes meanwhile, and a pid
    // may be reused.
    let firsts = |flagged: bool| -> Vec<u64> {
        files
            .iter()
            .filter(|f| (f["verdict"] != "clean") == flagged)
            .filter_map(|f| f["path"].as_str()?.strip_prefix("/proc/"))
            .filter_map(|p| p.strip_suffix("/exe")?.parse().ok())
            .filter(|pid| before.contains(pid) && after.contains(pid))
            .collect()
    };
    assert!(firsts(false).len() >= 2, "{:?}", firsts(false));
    for flagged in [false, true] {
        let f = firsts(flagged);
        assert!(f.windows(2).all(|w| w[0] < w[1]), "{f:?}");
    }
}

#[test]
fn processes_need_no_path_and_refuse_an_image_root() {
    let t = Tree::new();
    let out = run(&["scan", "--processes", "--root", ".", "-q"], t.path());
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--processes"), "{}", out.stderr);
    let out = run(&["scan", "-q"], t.path());
    assert_eq!(out.code, 2);
}

/// The pids in /proc now.
fn live_pids() -> std::collections::BTreeSet<u64> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

//! Helpers: temp trees with special files, and running the binary under a time limit so that
//! a hang fails the test instead of stalling CI.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_minerscan");

/// A miner launch line: a stratum URL to a known pool, enough for a `suspicious` verdict.
pub const MINER_LINE: &str = "./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u x\n";

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs minerscan with `args`, failing the test if it takes longer than `limit`.
pub fn run_with_limit(args: &[&str], cwd: &Path, limit: Duration) -> Output {
    run_cmd(Command::new(BIN).args(args).current_dir(cwd), limit)
}

pub fn run(args: &[&str], cwd: &Path) -> Output {
    run_with_limit(args, cwd, Duration::from_secs(60))
}

pub fn run_cmd(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .spawn()
        .expect("spawn minerscan");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            panic!("minerscan did not finish within {limit:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        code: status.code().unwrap_or(-1),
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// A temp directory that tests fill with files.
pub struct Tree {
    pub dir: tempfile::TempDir,
}

impl Tree {
    pub fn new() -> Tree {
        Tree {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str, content: &str) -> PathBuf {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn fifo(&self, rel: &str) -> PathBuf {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid path and mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
        p
    }

    pub fn symlink(&self, rel: &str, to: &str) -> PathBuf {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(to, &p).unwrap();
        p
    }
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", out.stdout))
}

/// The paths of the listed files in a JSON report, relative to `root`.
pub fn listed(doc: &serde_json::Value, root: &Path) -> Vec<String> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = f["path"].as_str().unwrap();
            p.strip_prefix(root.to_str().unwrap())
                .unwrap_or(p)
                .trim_start_matches('/')
                .to_owned()
        })
        .collect()
}

pub fn skipped(doc: &serde_json::Value, reason: &str) -> u64 {
    doc["summary"]["skipped"][reason].as_u64().unwrap()
}

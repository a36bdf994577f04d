//! The shared false-positive test: the release binary over real files present on any Debian
//! machine with a Rust toolchain. It asserts a minimum number of files scanned, so that it
//! cannot pass by scanning nothing, and that nothing there is flagged.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

struct FpResult {
    files: u64,
    flagged: Vec<(String, String, Vec<String>)>,
}

fn scan_system(roots: &[PathBuf]) -> FpResult {
    let t = Tree::new();
    let mut args: Vec<String> = ["scan", "--format", "json", "--quiet", "--fail-on", "never"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(roots.iter().map(|r| r.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_with_limit(&refs, t.path(), Duration::from_secs(1800));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out);
    let flagged = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] != "clean")
        .map(|f| {
            let rules = f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    format!(
                        "{}:{}:{}",
                        x["analyzer"],
                        x["rule"].as_str().unwrap(),
                        x["class"]
                    )
                })
                .collect();
            (
                f["verdict"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                rules,
            )
        })
        .collect();
    FpResult {
        files: doc["summary"]["files_scanned"].as_u64().unwrap(),
        flagged,
    }
}

fn existing(paths: &[&str]) -> Vec<PathBuf> {
    paths
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect()
}

/// The Rust toolchain's programs and shared libraries (rustc, cargo, the LLVM and driver .so).
fn toolchain_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".rustup")))
        .unwrap_or_default();
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(home.join("toolchains")) {
        for e in entries.flatten() {
            for sub in ["bin", "lib"] {
                let p = e.path().join(sub);
                if p.exists() {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn system_binaries_and_toolchain_are_clean() {
    let mut roots = existing(&["/usr/bin", "/usr/sbin", "/usr/lib"]);
    roots.extend(toolchain_dirs());
    let result = scan_system(&roots);
    eprintln!(
        "false-positive scan of {:?}: {} files scanned, {} flagged",
        roots,
        result.files,
        result.flagged.len()
    );
    for f in &result.flagged {
        eprintln!("  {f:?}");
    }
    assert!(
        result.files >= 20_000,
        "only {} files scanned",
        result.files
    );
    assert!(result.flagged.is_empty(), "flagged: {:#?}", result.flagged);
}

/// Real text: configuration, documentation, Python's standard library and every crate source
/// in the cargo registry. Nothing may be malicious; suspicious files are printed for review.
#[test]
fn system_text_is_never_malicious() {
    let mut roots = existing(&["/etc", "/usr/share", "/usr/lib/python3"]);
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        let mut pythons: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("python3."))
            })
            .collect();
        pythons.sort();
        roots.extend(pythons);
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    if let Some(registry) = cargo_home
        .map(|c| c.join("registry/src"))
        .filter(|p| p.exists())
    {
        roots.push(registry);
    }
    let result = scan_system(&roots);
    let malicious: Vec<_> = result
        .flagged
        .iter()
        .filter(|f| f.0 == "malicious")
        .collect();
    eprintln!(
        "false-positive scan of {:?}: {} files scanned, {} suspicious, {} malicious",
        roots,
        result.files,
        result.flagged.len() - malicious.len(),
        malicious.len()
    );
    for f in &result.flagged {
        eprintln!("  {f:?}");
    }
    assert!(
        result.files >= 20_000,
        "only {} files scanned",
        result.files
    );
    assert!(malicious.is_empty(), "malicious: {malicious:#?}");
}

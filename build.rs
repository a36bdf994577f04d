//! Embeds the built-in signature pack: every file under signatures/yara and signatures/ioc is
//! compiled into the binary, so that a scan needs no configuration and no files beside it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn list(dir: &Path, exts: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            let ok = p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x));
            if p.is_file() && ok {
                out.push(p.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

fn main() {
    // Read at run time, not with env!(): a build script compiled once is reused by every
    // checkout that shares a target directory (git worktrees), and must embed its own tree.
    let root =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = root.as_path();
    println!("cargo:rerun-if-changed=signatures");
    let mut code = String::new();
    for (name, dir, exts) in [
        ("BUILTIN_YARA", "signatures/yara", &["yar", "yara"][..]),
        ("BUILTIN_IOC", "signatures/ioc", &["txt", "csv"][..]),
    ] {
        let files = list(&root.join(dir), exts);
        writeln!(code, "pub static {name}: &[(&str, &str)] = &[").unwrap();
        for f in files {
            let rel = Path::new(&f)
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            println!("cargo:rerun-if-changed={f}");
            writeln!(code, "    ({rel:?}, include_str!({f:?})),").unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    let version = fs::read_to_string(root.join("signatures/VERSION")).unwrap_or_default();
    writeln!(
        code,
        "pub static PACK_VERSION: &str = {:?};",
        version.trim()
    )
    .unwrap();
    println!("cargo:rerun-if-changed=signatures/VERSION");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("signatures.rs"),
        code,
    )
    .unwrap();
}

//! Embeds the built-in signature pack: every file under signatures/yara and signatures/ioc is
//! compiled into the binary, so that a scan needs no configuration and no files beside it.
//!
//! The pack must be the tree's own, also when several checkouts (git worktrees) share one target
//! directory or a checkout moves. So nothing here names an absolute path: the generated code
//! includes each file through `env!("CARGO_MANIFEST_DIR")`, which rustc resolves for the tree
//! being compiled, and the paths cargo watches are relative to the manifest directory, which
//! cargo resolves for the tree being built. The list of files is the only thing this script
//! decides; `knowledge::signatures` tests that it matches the files on disk.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// The files of `dir` (relative to the manifest directory `root`) with one of `exts`, by name.
fn list(root: &Path, dir: &str, exts: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(root.join(dir)) {
        for e in entries.flatten() {
            let p = e.path();
            let ok = p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x));
            if p.is_file() && ok {
                out.push(format!("{dir}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    out.sort();
    out
}

fn main() {
    // Read at run time, not with env!(): a build script compiled once is reused by every
    // checkout that shares a target directory, and must list its own tree.
    let root =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    // Cargo does not track the variables it sets itself today; asking costs nothing and helps
    // any cargo that does.
    println!("cargo:rerun-if-env-changed=CARGO_MANIFEST_DIR");
    let mut code = String::new();
    for (name, dir, exts) in [
        ("BUILTIN_YARA", "signatures/yara", &["yar", "yara"][..]),
        ("BUILTIN_IOC", "signatures/ioc", &["txt", "csv"][..]),
    ] {
        // The directory: a file added or removed changes its modification time.
        println!("cargo:rerun-if-changed={dir}");
        writeln!(code, "pub(crate) static {name}: &[(&str, &str)] = &[").unwrap();
        for rel in list(&root, dir, exts) {
            println!("cargo:rerun-if-changed={rel}");
            writeln!(
                code,
                "    ({rel:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{rel}\"))),"
            )
            .unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    println!("cargo:rerun-if-changed=signatures/VERSION");
    writeln!(
        code,
        "pub(crate) static PACK_VERSION: &str = \
         include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/signatures/VERSION\")).trim_ascii();"
    )
    .unwrap();
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("signatures.rs"),
        code,
    )
    .unwrap();
}

//! Hostile inputs that once cost gigabytes: a pool `user` value made of separators. The release
//! binary runs under an address-space limit (`prlimit --as`), where an allocation failure would
//! abort it, and must finish with its ordinary exit code.

use crate::support::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The address space the scan may use: far below what the inputs once needed (6.5 GB for the
/// 4 MiB pool user).
const LIMIT: &str = "--as=1073741824";

fn limited_scan(dir: &Path, target: &str) -> Output {
    if !Path::new("/usr/bin/prlimit").exists() {
        panic!("prlimit (util-linux) is needed for the address-space tests");
    }
    run_cmd(
        Command::new("/usr/bin/prlimit")
            .arg(LIMIT)
            .arg(BIN)
            .args(["scan", "--format", "json", "--threads", "2", target])
            .current_dir(dir),
        Duration::from_secs(300),
    )
}

#[test]
fn a_pool_user_made_of_separators_costs_linear_time_and_memory() {
    let t = Tree::new();
    let user: String = ".+/:#@,".chars().cycle().take((4 << 20) - 200).collect();
    t.file(
        "data/config.json",
        &format!("{{\"pools\":[{{\"url\":\"stratum+tcp://pool.example.org:3333\",\"user\":\"{user}\"}}]}}\n"),
    );
    let line: String = ".+/:#@,".chars().cycle().take(8000).collect();
    t.file(
        "data/start.sh",
        &format!("./xmrig -o stratum+tcp://pool.example.org:3333 -u '{line}'\n"),
    );
    let out = limited_scan(t.path(), "data");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(json(&out)["summary"]["verdicts"]["suspicious"], 2);
}

//! The options a scan ran with, as one typed value: written as `scan.options` in the report
//! header, and the source of the result cache's key (`ScanOptions::cache_key`), so that what
//! the report says the scan used and what the cache trusts cannot drift apart. Plain data (the
//! report header carries it), filled by `cli::setup`.

use crate::outcome::{RuleSetInfo, ToolInfo};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// `scan.options`. The fields are in alphabetical order on purpose: the report has always
/// listed them so (they were a sorted map), and consumers of the JSON may compare it as text.
#[derive(Clone, Debug, Serialize)]
pub struct ScanOptions {
    pub archive_depth: u32,
    /// `--baseline`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The baseline's content: an edit of the file in place is a different baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_sha256: Option<String>,
    pub builtin_rules: bool,
    pub exclude: Vec<String>,
    pub fail_on: String,
    pub follow: bool,
    pub ioc_lists: Vec<IocSource>,
    pub max_size: u64,
    pub one_file_system: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub processes: bool,
    /// `--root`, as the host sees it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// "windows" or "unix", with `--root`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_os: Option<&'static str>,
    pub threads: usize,
    pub timeout: u64,
}

/// One loaded IOC list, as the report header names it. Here rather than beside the loader
/// because it is part of what the report says, like `RuleSetInfo`.
#[derive(Clone, Debug, Serialize)]
pub struct IocSource {
    pub origin: String,
    /// SHA-256 of the list's text: what the cache key and the report header name it by, so that
    /// one changed entry is a changed list whatever the counts.
    pub sha256: String,
    pub builtin: bool,
    pub hashes: usize,
    pub network: usize,
    pub paths: usize,
}

impl ScanOptions {
    /// The key of everything that can change a file's result: minerscan's version and
    /// signature pack, every rule source and IOC list and the baseline by the digest of their
    /// content, and the options that change what a file's analysis finds.
    pub fn cache_key(&self, tool: &ToolInfo, rule_sets: &[RuleSetInfo]) -> String {
        // Exhaustive on purpose (no `..`): an option added later does not compile until it is
        // put on one side or the other, so it cannot be left out of the key by accident.
        let ScanOptions {
            archive_depth,
            baseline,
            baseline_sha256,
            builtin_rules,
            ioc_lists,
            max_size,
            root,
            root_os,
            timeout,
            // Neutral: these choose which files are scanned, how fast, or the exit code, never
            // what one file's result is.
            exclude: _,
            fail_on: _,
            follow: _,
            one_file_system: _,
            processes: _,
            threads: _,
        } = self;
        #[derive(Serialize)]
        struct Key<'a> {
            tool: &'a ToolInfo,
            rule_sets: &'a [RuleSetInfo],
            archive_depth: u32,
            baseline: &'a Option<String>,
            baseline_sha256: &'a Option<String>,
            builtin_rules: bool,
            ioc_lists: &'a [IocSource],
            max_size: u64,
            root: &'a Option<String>,
            root_os: &'a Option<&'static str>,
            timeout: u64,
            /// What a record holds: 2 since records carry the facts chains are built from, so
            /// that a cache written before them is rebuilt rather than hiding every chain.
            record: u32,
        }
        let key = Key {
            tool,
            rule_sets,
            archive_depth: *archive_depth,
            baseline,
            baseline_sha256,
            builtin_rules: *builtin_rules,
            ioc_lists,
            max_size: *max_size,
            root,
            root_os,
            timeout: *timeout,
            record: 2,
        };
        // A struct serialises in declaration order: the key does not depend on how serde_json
        // orders maps (which a dependency's feature can change).
        let text = serde_json::to_string(&key).expect("plain data always serialises");
        crate::scan::digests::hex(&Sha256::digest(text.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ScanOptions {
        ScanOptions {
            archive_depth: 3,
            baseline: None,
            baseline_sha256: None,
            builtin_rules: true,
            exclude: vec![],
            fail_on: "suspicious".to_owned(),
            follow: false,
            ioc_lists: vec![IocSource {
                origin: "list.txt".to_owned(),
                sha256: "ab".to_owned(),
                builtin: false,
                hashes: 1,
                network: 0,
                paths: 0,
            }],
            max_size: 1 << 27,
            one_file_system: false,
            processes: false,
            root: None,
            root_os: None,
            threads: 2,
            timeout: 10,
        }
    }

    fn key(o: &ScanOptions) -> String {
        let rules = [RuleSetInfo {
            origin: "builtin".to_owned(),
            sha256: "cd".to_owned(),
            builtin: true,
        }];
        o.cache_key(&ToolInfo::current(), &rules)
    }

    #[test]
    fn neutral_options_keep_the_key_and_others_change_it() {
        let base = options();
        assert_eq!(key(&base), key(&options()), "the key is stable");
        let mut neutral = options();
        neutral.threads = 7;
        neutral.exclude = vec!["**/x".to_owned()];
        neutral.fail_on = "never".to_owned();
        neutral.follow = true;
        neutral.one_file_system = true;
        neutral.processes = true;
        assert_eq!(key(&base), key(&neutral));
        let changes: [fn(&mut ScanOptions); 6] = [
            |o| o.max_size = 1,
            |o| o.archive_depth = 0,
            |o| o.timeout = 1,
            |o| o.builtin_rules = false,
            |o| o.ioc_lists[0].sha256 = "ef".to_owned(),
            |o| o.baseline_sha256 = Some("01".to_owned()),
        ];
        for change in changes {
            let mut o = options();
            change(&mut o);
            assert_ne!(key(&base), key(&o));
        }
    }
}

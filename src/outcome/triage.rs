//! The triage facts as plain data: per file (persistence place, the paths a persistence file
//! starts, owner, cache hit) and across the scan (indicators seen in which files, persistence
//! links, cache statistics). The worker and the post stages fill them (post/), the
//! reporters print them (report/).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Per-file triage facts, shown in JSON, NDJSON and CSV.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileTriage {
    /// The persistence place the file is in (`cron`, `systemd_unit`, `scheduled_task`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistence: Option<String>,
    /// Absolute paths a persistence file names (keys: Windows ones lower-cased).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub starts: Vec<String>,
    /// The owner's user name (from the image's /etc/passwd under --root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The result was taken from the cache: the file was not read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cached: bool,
}

/// A persistence file that starts a flagged program.
#[derive(Clone, Debug, Serialize)]
pub struct PersistenceLink {
    pub persistence: String,
    pub place: String,
    pub starts: String,
    pub verdict: String,
}

/// Files in which one indicator value was seen.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Seen {
    pub files: Vec<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub more_files: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct CacheStats {
    pub hits: u64,
    pub stored: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_error: Option<String>,
}

/// The cross-file part of the summary.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TriageSummary {
    /// Wallet addresses, pool hosts and IOCs, each with the files where they appear.
    pub indicators: BTreeMap<String, BTreeMap<String, Seen>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub indicators_truncated: bool,
    pub persistence_links: Vec<PersistenceLink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheStats>,
}

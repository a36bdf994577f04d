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
    /// What the file starts, configures, installs or downloads, as it names them (kept in
    /// the cache so that an unchanged file still links; not shown: `links` is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// The files this one is linked to in a chain that holds a flagged file (post/chains).
    #[serde(skip)]
    pub links: Vec<Link>,
}

/// How two files are related, seen from the file that lists the link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Starts,
    StartedBy,
    Configures,
    ConfiguredBy,
    Installs,
    InstalledBy,
    Downloads,
    DownloadedBy,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Starts => "starts",
            Relation::StartedBy => "started_by",
            Relation::Configures => "configures",
            Relation::ConfiguredBy => "configured_by",
            Relation::Installs => "installs",
            Relation::InstalledBy => "installed_by",
            Relation::Downloads => "downloads",
            Relation::DownloadedBy => "downloaded_by",
        }
    }

    /// The same link seen from its other end.
    pub fn inverse(self) -> Relation {
        match self {
            Relation::Starts => Relation::StartedBy,
            Relation::StartedBy => Relation::Starts,
            Relation::Configures => Relation::ConfiguredBy,
            Relation::ConfiguredBy => Relation::Configures,
            Relation::Installs => Relation::InstalledBy,
            Relation::InstalledBy => Relation::Installs,
            Relation::Downloads => Relation::DownloadedBy,
            Relation::DownloadedBy => Relation::Downloads,
        }
    }
}

/// One thing a file names: a path made absolute against the file's own directory where the
/// file says so (`./x`, `$(dirname "$0")/x`, `__dirname`), an absolute path, or a bare program
/// name (no `/`) left for the PATH directories.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Fact {
    /// `starts`, `configures`, `installs` or `downloads`.
    pub relation: Relation,
    pub name: String,
}

/// A resolved link to another scanned file, as shown on each end.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Link {
    pub relation: Relation,
    pub path: String,
    pub verdict: String,
}

/// One file of a chain and how the file before it reaches it (`starts`: the previous file
/// starts this one); null for the first file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainFile {
    pub path: String,
    pub relation: Option<Relation>,
}

/// Files that only make sense together, from the persistence place or package manifest to
/// the miner, with the verdict of the worst of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Chain {
    pub verdict: String,
    pub files: Vec<ChainFile>,
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
    /// Deprecated (see `chains`): kept in its shape for one release.
    pub persistence_links: Vec<PersistenceLink>,
    /// Chains of linked files that hold a flagged file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<Chain>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheStats>,
}

//! Who made a finding: one name per analyzer, as reports, baselines (`analyzer:rule`) and the
//! result cache spell it. A leaf module, so that the data types below the analyzers (findings,
//! per-file problems) can name an analyzer without depending on the analyzers themselves.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An analyzer's identity. Declared in alphabetical order of the names: findings are sorted by
/// it (`verdict::prepare`), and that order must be the names' order, as it always was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalyzerId {
    /// Executable structure: packers, capabilities, location (`analyze::binary`).
    Binary,
    /// Miner configurations and launch commands (`analyze::config`).
    Config,
    /// Miner facts from the shared matcher (`analyze::indicators`).
    Indicators,
    /// Listed hashes, network and path indicators (`analyze::ioc`).
    Ioc,
    /// Cross-file judgement: what a file starts, and what starts it (`post::chains`).
    Links,
    /// What a running process says about its executable (`--processes`).
    Process,
    /// Behaviour heuristics for scripts (`analyze::script`).
    Script,
    /// YARA rules (`analyze::yara`).
    Yara,
}

impl AnalyzerId {
    pub fn as_str(self) -> &'static str {
        match self {
            AnalyzerId::Binary => "binary",
            AnalyzerId::Config => "config",
            AnalyzerId::Indicators => "indicators",
            AnalyzerId::Ioc => "ioc",
            AnalyzerId::Links => "links",
            AnalyzerId::Process => "process",
            AnalyzerId::Script => "script",
            AnalyzerId::Yara => "yara",
        }
    }
}

impl fmt::Display for AnalyzerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_serialized_and_ordered_as_spelled() {
        let all = [
            AnalyzerId::Binary,
            AnalyzerId::Config,
            AnalyzerId::Indicators,
            AnalyzerId::Ioc,
            AnalyzerId::Links,
            AnalyzerId::Process,
            AnalyzerId::Script,
            AnalyzerId::Yara,
        ];
        for w in all.windows(2) {
            assert!(w[0] < w[1] && w[0].as_str() < w[1].as_str(), "{w:?}");
        }
        for id in all {
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{id}\""));
            assert_eq!(serde_json::from_str::<AnalyzerId>(&json).unwrap(), id);
        }
    }
}

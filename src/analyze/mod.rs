//! The analyzer seam. An `Analyzer` is the shared, compiled half (rules, matchers), built once
//! and shared by every worker thread; its `AnalyzerWorker` is the per-thread half (a yara-x
//! Scanner, scratch buffers). Adding an analyzer means one new module and one line in
//! `registry`; no other analyzer changes.
//!
//! An analyzer that looks for literals of its own declares them (`Analyzer::needles`) instead
//! of searching the file again: `shared_matcher` puts the fact tables and every analyzer's
//! needles in one automaton, and each analyzer reads its own hits back from the `FileContext`
//! (`needle_hits`, by its id).

pub mod binary;
pub mod config;
pub mod facts;
pub mod gate;
pub mod id;
pub mod indicator;
pub mod ioc;
pub mod script;
pub mod yara;

#[cfg(test)]
pub(crate) mod testkit;

use crate::analyze::id::AnalyzerId;
use crate::judge::finding::Finding;
use crate::knowledge::indicators::{Indicators, NeedleBlock, Pattern};
use crate::scan::context::FileContext;
use crate::scan::kind::FileKind;
use std::sync::LazyLock;

/// A per-file problem inside one analyzer. The scan goes on; the file's report lists it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{analyzer}: {message}")]
pub struct AnalyzerError {
    pub analyzer: AnalyzerId,
    pub message: String,
    /// The analyzer ran out of time: the file is incomplete (`NAME_timeout`), not wrong.
    pub timed_out: bool,
}

/// The compiled, shared half of an analyzer.
pub trait Analyzer: Send + Sync {
    fn id(&self) -> AnalyzerId;
    /// The literals this analyzer wants found in the shared pass over each file (see
    /// `NeedleBlock` for how they are matched), read back with `FileContext::needle_hits`.
    fn needles(&self) -> Vec<&'static str> {
        Vec::new()
    }
    /// Whether this analyzer reads only text: then its needles may be shorter than a binary's
    /// printable regions need (text is searched whole).
    fn reads_text_only(&self) -> bool {
        false
    }
    /// Builds the per-thread half. Called once per worker thread.
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_>;
}

/// The per-thread half of an analyzer.
pub trait AnalyzerWorker {
    /// Whether this analyzer can judge files of this kind; files it cannot judge cost nothing.
    fn applies(&self, kind: FileKind) -> bool;
    /// Adds findings for one file.
    fn analyze(&mut self, ctx: &FileContext, out: &mut Vec<Finding>) -> Result<(), AnalyzerError>;
}

/// The one place analyzers are registered, in the order they run. The YARA analyzer is built
/// by the caller because compiling rules can fail with problems to report.
pub fn registry(yara: yara::YaraAnalyzer) -> Vec<Box<dyn Analyzer>> {
    let mut analyzers = loaded_from_nothing();
    analyzers.push(Box::new(yara));
    analyzers
}

/// The analyzers that need nothing loaded, in the order they run (before YARA).
fn loaded_from_nothing() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(indicator::IndicatorAnalyzer),
        Box::new(binary::BinaryAnalyzer),
        Box::new(config::ConfigAnalyzer),
        Box::new(script::ScriptAnalyzer),
    ]
}

/// The one matcher a scan shares: the fact tables, a user's network indicators, and the
/// needles every analyzer of `analyzers` declares (in their order, each block under its id).
pub fn shared_matcher(analyzers: &[Box<dyn Analyzer>], user_network: Vec<Pattern>) -> Indicators {
    let needles = analyzers
        .iter()
        .map(|a| NeedleBlock {
            owner: a.id().as_str(),
            texts: a.needles(),
            text_only: a.reads_text_only(),
        })
        .filter(|b| !b.texts.is_empty())
        .collect();
    Indicators::new(user_network, needles)
}

/// The shared matcher of a scan without user lists (YARA rules declare no needles), built once:
/// for tests, benches and fuzz targets that hand analyzers a `FileContext` of their own.
pub fn builtin_matcher() -> &'static Indicators {
    static BUILTIN: LazyLock<Indicators> =
        LazyLock::new(|| shared_matcher(&loaded_from_nothing(), Vec::new()));
    &BUILTIN
}

//! The analyzer seam. An `Analyzer` is the shared, compiled half (rules, matchers), built once
//! and shared by every worker thread; its `AnalyzerWorker` is the per-thread half (a yara-x
//! Scanner, scratch buffers). Adding an analyzer means one new module and one line in
//! `registry`; no other analyzer changes.

pub mod binary;
pub mod config;
pub mod id;
pub mod indicator;
pub mod ioc;
pub mod script;
pub mod yara;

#[cfg(test)]
pub(crate) mod testkit;

use crate::analyze::id::AnalyzerId;
use crate::judge::finding::Finding;
use crate::scan::context::FileContext;
use crate::scan::kind::FileKind;

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
    vec![
        Box::new(indicator::IndicatorAnalyzer),
        Box::new(binary::BinaryAnalyzer),
        Box::new(config::ConfigAnalyzer),
        Box::new(script::ScriptAnalyzer),
        Box::new(yara),
    ]
}

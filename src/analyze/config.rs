//! Placeholder until the config analyzer lands: registered so that the seam is complete.

use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::context::{FileContext, FileKind};
use crate::finding::Finding;

pub struct ConfigAnalyzer;

impl Analyzer for ConfigAnalyzer {
    fn name(&self) -> &'static str {
        "config"
    }
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        Box::new(ConfigWorker)
    }
}

struct ConfigWorker;

impl AnalyzerWorker for ConfigWorker {
    fn applies(&self, _kind: FileKind) -> bool {
        false
    }
    fn analyze(
        &mut self,
        _ctx: &FileContext,
        _out: &mut Vec<Finding>,
    ) -> Result<(), AnalyzerError> {
        Ok(())
    }
}

//! Placeholder until the script analyzer lands: registered so that the seam is complete.

use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::context::{FileContext, FileKind};
use crate::finding::Finding;

pub struct ScriptAnalyzer;

impl Analyzer for ScriptAnalyzer {
    fn name(&self) -> &'static str {
        "script"
    }
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        Box::new(ScriptWorker)
    }
}

struct ScriptWorker;

impl AnalyzerWorker for ScriptWorker {
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

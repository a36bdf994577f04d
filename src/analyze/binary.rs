//! Placeholder until the binary analyzer lands: registered so that the seam is complete.

use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::context::{FileContext, FileKind};
use crate::finding::Finding;

pub struct BinaryAnalyzer;

impl Analyzer for BinaryAnalyzer {
    fn name(&self) -> &'static str {
        "binary"
    }
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        Box::new(BinaryWorker)
    }
}

struct BinaryWorker;

impl AnalyzerWorker for BinaryWorker {
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

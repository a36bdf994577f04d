//! minerscan finds cryptocurrency-miner malware in files on disk. This is its small library
//! face: the `Engine` that scans one buffer (`Engine::scan_bytes`) or a whole tree
//! (`Engine::run`), the analyzers, and the report types, so that tests, benches and fuzz
//! targets need no process.

pub mod analyze;
pub mod cli;
pub mod judge;
pub mod knowledge;
pub mod outcome;
pub mod post;
pub mod report;
pub mod scan;
#[doc(hidden)]
pub mod testing;

pub use judge::verdict::Level;
pub use outcome::{FileReport, Summary};
pub use scan::engine::{Engine, EngineOptions, ScanPlan};

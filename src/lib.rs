//! minerscan finds cryptocurrency-miner malware in files on disk. This is its small library
//! face: the `Engine` that scans one buffer (`Engine::scan_bytes`) or a whole tree
//! (`Engine::run`), the analyzers, and the report types, so that tests, benches and fuzz
//! targets need no process.

pub mod analyze;
pub mod archive;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod context;
pub mod engine;
pub mod error;
pub mod finding;
pub mod indicators;
pub mod input;
pub mod ioc;
pub mod platform;
pub mod report;
pub mod signatures;
pub mod target;
pub mod verdict;
pub mod walk;

pub use engine::{Engine, EngineOptions, ScanPlan};
pub use report::{FileReport, Summary};
pub use verdict::Level;

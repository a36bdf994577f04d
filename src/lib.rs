//! minerscan finds cryptocurrency-miner malware in files on disk. This is its small library
//! face: the `Engine` that scans one buffer (`Engine::scan_bytes`) or a whole tree
//! (`Engine::run`), the analyzers, and the report types, so that tests, benches and fuzz
//! targets need no process.

pub mod analyze;
pub mod archive;
pub mod cache;
pub mod cli;
pub mod config;
pub mod context;
pub mod engine;
pub mod error;
pub mod image;
pub mod input;
pub mod judge;
pub mod knowledge;
pub mod persistence;
pub mod platform;
pub mod process;
pub mod quoting;
pub mod report;
pub mod schedule;
pub mod syslog;
pub mod target;
pub mod triage;
pub mod walk;

pub use engine::{Engine, EngineOptions, ScanPlan};
pub use judge::verdict::Level;
pub use report::{FileReport, Summary};

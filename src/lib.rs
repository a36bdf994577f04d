//! minerscan finds cryptocurrency-miner malware in files on disk. Its library face is small:
//! `run` (the whole command line, which `main` calls) and the `Engine` that scans one buffer
//! (`Engine::scan_bytes`) or a whole tree (`Engine::run`) with its report types. Everything
//! else is `pub(crate)`, so that rustc reports what nothing uses; tests, benches and fuzz
//! targets reach the few internals they drive through the hidden `testing` module.

pub(crate) mod analyze;
pub(crate) mod cli;
pub(crate) mod judge;
pub(crate) mod knowledge;
pub(crate) mod outcome;
pub(crate) mod post;
pub(crate) mod report;
pub(crate) mod scan;
#[doc(hidden)]
pub mod testing;

pub use cli::commands::run;
pub use judge::verdict::Level;
pub use outcome::{FileReport, Summary};
pub use scan::engine::{Engine, EngineOptions, ScanPlan};

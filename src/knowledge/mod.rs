//! What minerscan knows before it reads a file: the facts about mining that several analyzers
//! match against (pool hosts, stratum, miner options and names, algorithms, security agents),
//! the shared matcher that finds them in one pass, the printable regions that pass searches in
//! binaries, wallet address formats, the IOC lists a user loads, and the embedded signature pack.
//! Loaded or built once at start-up and shared read-only by every worker.

pub mod indicators;
pub mod ioc_lists;
pub mod regions;
pub mod signatures;
pub mod wallet;

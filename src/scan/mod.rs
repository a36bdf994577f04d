//! The scan itself, up to the verdicts: the walk that numbers targets, safe input (open once,
//! read once), the per-file context the analyzers share, kind sniffing, digests, containers
//! opened in memory (archives), the image root of another machine and its user names, running
//! processes, and the engine that runs workers between the walker and the writer.

pub mod containers;
pub mod context;
pub mod digests;
pub mod dirs;
pub mod engine;
pub mod image;
pub mod input;
pub mod kind;
pub mod platform;
pub mod processes;
pub mod quoting;
pub mod target;
pub mod users;
pub mod walk;
pub mod writer;

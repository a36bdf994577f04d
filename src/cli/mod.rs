//! The command line: clap's arguments and their value parsers (`args`), and the flags turned
//! into a finished scan setup (`setup`): roots, rules, lists, baseline, the engine, the outputs.
//! Nothing after this sees raw flags.

pub mod args;
pub mod commands;
pub mod output;
pub mod setup;

//! What happens around the writer, after each file is judged: the result cache, syslog, the
//! indicators seen across files and the links from persistence files to the programs they
//! start. They see every report in walk order, before it is written.

pub mod cache;
pub mod persistence;
pub mod syslog;
pub mod triage;

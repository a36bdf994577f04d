//! The one integration-test binary: runs the real minerscan binary on trees built in temp
//! directories (and, for false positives, on the machine's own system files).

mod archives;
mod chains;
mod ci;
mod completeness;
mod evasion;
mod false_positives;
mod formats;
mod hostile;
mod image;
mod ioc;
mod output;
mod processes;
mod signatures;
mod support;
mod unpacking;
mod walk;

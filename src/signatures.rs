//! The built-in signature pack, embedded at build time by build.rs from signatures/.

include!(concat!(env!("OUT_DIR"), "/signatures.rs"));

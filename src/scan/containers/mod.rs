//! Content inside a file, opened in memory and scanned as members, each like a file of its own
//! (`container!member`): archives (`archive`: zip and its kin, tar, gzip, Debian packages) and
//! programs packed with UPX (`upx` unpacks them, `unpacked` says what that means for the packed
//! file, member `file!upx`); `inside` opens them for the engine. Compressed streams (`x.xz!x`)
//! and carved payloads (`file!carved@0x1f000`) are members too and belong here beside them.

pub mod archive;
pub mod inside;
pub mod unpacked;
pub mod upx;

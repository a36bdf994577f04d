//! Content inside a file, opened in memory and scanned as members, each like a file of its own
//! (`container!member`). Today archives (`archive`: zip and its kin, tar, gzip, Debian
//! packages); unpacked executables (`file!upx`), compressed streams (`x.xz!x`) and carved
//! payloads (`file!carved@0x1f000`) are members too and belong here beside them.

pub mod archive;

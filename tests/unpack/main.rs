//! Library-level tests of what the scanner opens inside files: the UPX unpacker (every packed
//! fixture back to its original, the decompressors against UCL's vectors, hostile input) and
//! the containers (every fixture of fixtures/containers/manifest.tsv, the guards against
//! hostile headers, bombs and nesting against the shared budget, random corruption, the fuzz
//! corpora replayed). A test binary of its own because the allocator that measures memory is
//! global.

mod alloc;
mod containers_common;
mod containers_fixtures;
mod containers_guards;
mod containers_hostile;
mod upx_common;
mod upx_decompressors;
mod upx_fixtures;
mod upx_hostile;

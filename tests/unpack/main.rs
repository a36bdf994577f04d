//! Library-level tests of unpacking: the UPX unpacker (every packed fixture back to its
//! original, the decompressors against UCL's vectors, hostile input under a counting allocator).
//! A test binary of its own because the allocator that measures memory is global.

mod alloc;
mod upx_common;
mod upx_decompressors;
mod upx_fixtures;
mod upx_hostile;

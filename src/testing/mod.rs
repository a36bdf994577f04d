//! What tests, benches and fuzz targets share and nothing else uses: not part of the library's
//! face (hidden from its documentation), kept here so that unit tests, the integration tests in
//! tests/ and the benches read fixtures the same way.

pub mod manifest;

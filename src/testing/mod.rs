//! What tests, benches and fuzz targets drive and nothing outside the crate otherwise uses:
//! hidden from the library's documentation, and kept to the items they name, so that the rest
//! of the crate stays `pub(crate)` and rustc reports what is dead. The paths mirror the
//! crate's own (`testing::scan::containers` is `crate::scan::containers`). The containers and
//! the UPX unpacker are exposed whole: they are parsers, fuzzed and tested from outside.

pub mod fuzz;
pub mod manifest;

pub mod analyze {
    pub use crate::analyze::{builtin_matcher, registry, Analyzer, AnalyzerWorker};
    pub mod binary {
        pub use crate::analyze::binary::{place_hides, wide_marker_hits, BinaryAnalyzer};
    }
    pub mod id {
        pub use crate::analyze::id::AnalyzerId;
    }
    pub mod ioc {
        pub use crate::analyze::ioc::IocAnalyzer;
    }
    pub mod yara {
        pub use crate::analyze::yara::{compile, RuleOptions, YaraAnalyzer};
    }
}

pub mod judge {
    pub mod finding {
        pub use crate::judge::finding::{Class, Finding};
    }
    pub mod verdict {
        pub use crate::judge::verdict::{judge, prepare};
    }
}

pub mod knowledge {
    pub mod ioc_lists {
        pub use crate::knowledge::ioc_lists::{parse_digest, Digest, IocDb};
    }
    pub mod regions {
        pub use crate::knowledge::regions::printable_regions;
    }
}

pub mod report {
    pub use crate::report::Reporter;
    pub mod json {
        pub use crate::report::json::JsonReporter;
    }
}

pub mod scan {
    pub use crate::scan::containers;
    pub mod context {
        pub use crate::scan::context::FileContext;
    }
    pub mod engine {
        pub use crate::scan::engine::{Engine, EngineOptions};
    }
    pub mod kind {
        pub use crate::scan::kind::{sniff, FileKind};
    }
    pub mod target {
        pub use crate::scan::target::Target;
    }
}

//! The built-in signature pack, embedded at build time by build.rs from signatures/: the
//! YARA rules and IOC lists by their path relative to the repository, and the pack's version.

include!(concat!(env!("OUT_DIR"), "/signatures.rs"));

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The files build.rs should have embedded, read from this tree now.
    fn on_disk(dir: &str, exts: &[&str]) -> BTreeMap<String, String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = BTreeMap::new();
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            if p.is_file() && exts.contains(&ext) {
                let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
                out.insert(name, std::fs::read_to_string(&p).unwrap());
            }
        }
        out
    }

    fn embedded(pack: &[(&str, &str)]) -> BTreeMap<String, String> {
        pack.iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect()
    }

    /// A build shared between checkouts once embedded another tree's rules: the pack must be
    /// exactly this tree's files, by name and by content.
    #[test]
    fn the_embedded_pack_is_this_trees_signatures() {
        let yara = on_disk("signatures/yara", &["yar", "yara"]);
        assert!(yara.len() >= 10, "only {} rule files", yara.len());
        assert_eq!(embedded(BUILTIN_YARA), yara);
        let ioc = on_disk("signatures/ioc", &["txt", "csv"]);
        assert!(!ioc.is_empty());
        assert_eq!(embedded(BUILTIN_IOC), ioc);
        let version =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/signatures/VERSION"))
                .unwrap();
        assert_eq!(PACK_VERSION, version.trim());
        assert!(!PACK_VERSION.is_empty());
    }
}

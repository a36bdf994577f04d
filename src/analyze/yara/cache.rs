//! Compiled rules kept between runs: compiling the rule set was most of minerscan's start-up.
//! A rule set is stored serialized (`yara_x::Rules::serialize`) under the SHA-256 of everything
//! that decides the compiled result: minerscan's version (which pins yara-x's), the compiler
//! settings, and each source's name, namespace and text. Only sets that compiled without a
//! problem are stored, with the compiler's warnings, so that a hit reports what compiling would.
//!
//! Serialized rules hold compiled code, and yara-x warns that loading bytes someone else could
//! have changed is unsafe. So a file is loaded only if it and its directory belong to the user
//! running minerscan and nobody else can write either: the file is created 0600 in a 0700
//! directory, opened without following links, and checked on the open descriptor. Anything else
//! (missing, foreign, unreadable, stale, corrupt) means compiling as if there were no cache.

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use yara_x::Rules;

/// Bumped when what the key covers changes.
const FORMAT: &str = "minerscan-rules-cache-1";

/// The default place: `$XDG_CACHE_HOME/minerscan/rules`, else `~/.cache/minerscan/rules`.
pub fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("minerscan").join("rules"))
}

/// The key of a rule set: `settings` (what the compiler is told besides the sources) and each
/// source as (origin, namespace, text), in the order they are added.
pub(super) fn key<'a>(
    settings: &str,
    sources: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> String {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(FORMAT.as_bytes());
    field(env!("CARGO_PKG_VERSION").as_bytes());
    field(settings.as_bytes());
    for (origin, namespace, text) in sources {
        field(origin.as_bytes());
        field(namespace.as_bytes());
        field(text.as_bytes());
    }
    crate::scan::digests::hex(&h.finalize())
}

fn file_of(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.yarc"))
}

/// Owned by the user running minerscan, and writable by nobody else.
fn ours(meta: &fs::Metadata) -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    meta.uid() == euid && meta.mode() & 0o022 == 0
}

fn safe_dir(dir: &Path) -> bool {
    fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && ours(&m))
}

/// The rules stored under `key` and their warnings, if a safe, readable, current copy is there.
pub(super) fn load(dir: &Path, key: &str) -> Option<(Rules, Vec<String>)> {
    if !safe_dir(dir) {
        return None;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(file_of(dir, key))
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || !ours(&meta) || meta.mode() & 0o077 != 0 {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes).ok()?;
    let (warnings, rest) = read_warnings(&bytes)?;
    Some((Rules::deserialize(rest).ok()?, warnings))
}

/// The warnings, each a length (u32, little-endian) and its text, after their count.
fn read_warnings(bytes: &[u8]) -> Option<(Vec<String>, &[u8])> {
    fn take_u32(b: &[u8]) -> Option<(usize, &[u8])> {
        let (n, rest) = b.split_first_chunk::<4>()?;
        Some((u32::from_le_bytes(*n) as usize, rest))
    }
    let (count, mut rest) = take_u32(bytes)?;
    let mut warnings = Vec::new();
    for _ in 0..count {
        let (len, r) = take_u32(rest)?;
        let text = r.get(..len)?;
        warnings.push(String::from_utf8_lossy(text).into_owned());
        rest = &r[len..];
    }
    Some((warnings, rest))
}

fn write_warnings(warnings: &[String], out: &mut Vec<u8>) {
    out.extend((warnings.len() as u32).to_le_bytes());
    for w in warnings {
        out.extend((w.len() as u32).to_le_bytes());
        out.extend(w.as_bytes());
    }
}

/// Stores `rules` and their `warnings` under `key`, best effort: a cache that cannot be written
/// is no cache.
pub(super) fn store(dir: &Path, key: &str, rules: &Rules, warnings: &[String]) {
    let _ = fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir);
    if !safe_dir(dir) {
        return;
    }
    let mut bytes = Vec::new();
    write_warnings(warnings, &mut bytes);
    if rules.serialize_into(&mut bytes).is_err() {
        return;
    }
    let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&tmp)
        .and_then(|mut f: File| f.write_all(&bytes));
    // Renaming is atomic: a concurrent run reads the old file or the new one, never half.
    if written.is_err() || fs::rename(&tmp, file_of(dir, key)).is_err() {
        let _ = fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn rules() -> Rules {
        yara_x::compile("rule r { strings: $a = \"xmrig\" condition: $a }").unwrap()
    }

    fn stored() -> (tempfile::TempDir, PathBuf, String) {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("rules");
        let key = key("s", [("a.yar", "ns", "text")].into_iter());
        store(&dir, &key, &rules(), &["w1".to_owned()]);
        (base, dir, key)
    }

    #[test]
    fn what_is_stored_is_loaded_back_private_to_its_owner() {
        let (_base, dir, key) = stored();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&file_of(&dir, &key)), 0o600);
        let (loaded, warnings) = load(&dir, &key).expect("a hit");
        assert_eq!(warnings, vec!["w1".to_owned()]);
        let mut scanner = yara_x::Scanner::new(&loaded);
        assert_eq!(scanner.scan(b"./xmrig").unwrap().matching_rules().len(), 1);
        assert!(
            load(&dir, &"0".repeat(64)).is_none(),
            "another key is a miss"
        );
    }

    #[test]
    fn a_copy_others_could_write_or_reach_by_a_link_is_never_loaded() {
        let (base, dir, key) = stored();
        let file = file_of(&dir, &key);
        fs::set_permissions(&file, fs::Permissions::from_mode(0o620)).unwrap();
        assert!(load(&dir, &key).is_none(), "group-writable file");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        assert!(load(&dir, &key).is_none(), "world-writable directory");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(load(&dir, &key).is_some());
        // The file replaced by a link to a good copy elsewhere.
        let elsewhere = base.path().join("copy");
        fs::rename(&file, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
        assert!(load(&dir, &key).is_none(), "a link");
    }

    #[test]
    fn a_damaged_copy_is_a_miss() {
        let (_base, dir, key) = stored();
        let file = file_of(&dir, &key);
        let bytes = fs::read(&file).unwrap();
        for cut in [0, 3, 20, bytes.len() / 2] {
            fs::write(&file, &bytes[..cut]).unwrap();
            assert!(load(&dir, &key).is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn the_key_covers_each_source_and_the_settings() {
        let k = |settings: &str, text: &str| key(settings, [("a.yar", "ns", text)].into_iter());
        assert_eq!(k("s", "x"), k("s", "x"));
        assert_ne!(k("s", "x"), k("s", "y"));
        assert_ne!(k("s", "x"), k("t", "x"));
        // Field boundaries count: ("ab", "c") is not ("a", "bc").
        let two = |a: &str, b: &str| key("s", [(a, b, "")].into_iter());
        assert_ne!(two("ab", "c"), two("a", "bc"));
    }
}

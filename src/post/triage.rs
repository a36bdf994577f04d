//! The per-file triage facts that need the path or the bytes: the persistence place a file
//! sits in and the paths it starts, and its owner's name. Filled by the worker (it has the
//! bytes); the cross-file part is the post stages' (`seen`, `links`).

use crate::outcome::triage::FileTriage;
use crate::outcome::FileMeta;
use crate::post::persistence;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Fills the per-file facts that need the path or the bytes (called by the worker).
pub fn annotate(
    root: Option<&crate::scan::image::ImageRoot>,
    system_path: &str,
    bytes: &[u8],
    meta: Option<&FileMeta>,
    out: &mut FileTriage,
) {
    if let Some(place) = persistence::place(system_path) {
        out.persistence = Some(place.to_owned());
        let windows = root.is_some_and(|r| r.is_windows()) || system_path.starts_with("C:\\");
        out.starts = persistence::references(bytes, windows);
    }
    if let Some(meta) = meta {
        out.owner = match root {
            Some(r) => r.user_name(meta.uid).map(str::to_owned),
            None => Some(host_user_name(meta.uid)),
        };
    }
}

fn host_user_name(uid: u32) -> String {
    static NAMES: OnceLock<Mutex<HashMap<u32, String>>> = OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    if let Some(n) = names.lock().unwrap().get(&uid) {
        return n.clone();
    }
    let n = crate::scan::platform::user_name(uid);
    names.lock().unwrap().insert(uid, n.clone());
    n
}

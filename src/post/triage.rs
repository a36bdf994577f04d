//! The per-file triage facts that need the path or the bytes: the persistence place a file
//! sits in and the paths it starts, and its owner's name. Filled by the worker (it has the
//! bytes); the cross-file part is the post stages' (`seen`, `links`).

use crate::outcome::triage::FileTriage;
use crate::outcome::FileMeta;
use crate::post::persistence;

/// Fills the per-file facts that need the path or the bytes (called by the worker).
pub fn annotate(
    root: Option<&crate::scan::image::ImageRoot>,
    system_path: &str,
    bytes: &[u8],
    kind: crate::scan::kind::FileKind,
    meta: Option<&FileMeta>,
    out: &mut FileTriage,
) {
    let place = persistence::place(system_path);
    if let Some(place) = place {
        out.persistence = Some(place.to_owned());
        let windows = root.is_some_and(|r| r.is_windows()) || system_path.starts_with("C:\\");
        out.starts = persistence::references(bytes, windows);
    }
    let about = crate::analyze::facts::About {
        system_path,
        kind,
        persistence: place,
    };
    out.facts = crate::analyze::facts::extract(&about, bytes);
    // npm runs a manifest's install hooks by itself, as cron runs a crontab: a place that
    // starts programs (the cross-file judgement carries persistence from it to a miner).
    if place.is_none() && crate::analyze::facts::starts_on_install(system_path, &out.facts) {
        out.persistence = Some(persistence::INSTALL_HOOK.to_owned());
    }
    if let Some(meta) = meta {
        out.owner = crate::scan::users::owner_name(root, meta.uid);
    }
}

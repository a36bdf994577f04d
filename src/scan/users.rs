//! User names for the owner of a scanned file, from the scanned system's own user database:
//! the image's /etc/passwd under `--root` (never the host's, whose uids mean other people),
//! the host's otherwise. Reports and YARA's `owner` variable both ask here.

use crate::scan::image::ImageRoot;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The name of `uid` on the scanned system. On the host a uid without a name is shown as its
/// number; in an image it has none (`None`), since the number is already in the metadata.
pub fn owner_name(root: Option<&ImageRoot>, uid: u32) -> Option<String> {
    match root {
        Some(image) => image.user_name(uid).map(str::to_owned),
        None => Some(host_user_name(uid)),
    }
}

/// The host's name for `uid`, looked up once per uid: the lookup may go to NSS (LDAP, sssd).
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

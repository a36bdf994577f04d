//! Debian packages: an `ar` archive whose first member is `debian-binary`, holding the control and
//! data tarballs. Members are slices of the file (nothing is copied); they count against the
//! budget like everything else. Other `ar` files (static libraries, Rust rlibs) are left alone:
//! their members are object code, not payloads.

use super::budget::{Budget, Problem};
use super::member::{cap_name, deliver_slice, Visit};

const MAGIC: &[u8; 8] = b"!<arch>\n";
const HEADER_LEN: usize = 60;

pub fn is_debian_package(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
        && bytes.len() > MAGIC.len() + HEADER_LEN
        && bytes[8..24].starts_with(b"debian-binary")
}

/// Calls `visit` for each member of the package in `bytes` and returns this layer's problems.
pub fn members(bytes: &[u8], budget: &Budget, visit: &mut Visit<'_>) -> Vec<Problem> {
    let mut pos = MAGIC.len();
    while pos + HEADER_LEN <= bytes.len() {
        let header = &bytes[pos..pos + HEADER_LEN];
        if &header[58..60] != b"`\n" {
            return vec![Problem::corrupt(format!(
                "ar: bad member header at offset {pos}"
            ))];
        }
        let name = String::from_utf8_lossy(&header[..16])
            .trim_end()
            .trim_end_matches('/')
            .to_owned();
        let size: Option<usize> = std::str::from_utf8(&header[48..58])
            .ok()
            .and_then(|s| s.trim().parse().ok());
        let start = pos + HEADER_LEN;
        let Some(end) = size
            .and_then(|s| start.checked_add(s))
            .filter(|&e| e <= bytes.len())
        else {
            return vec![Problem::corrupt(format!(
                "ar: member {name} runs past the end of the file"
            ))];
        };
        if let Err(p) = budget
            .take_member()
            .and_then(|()| budget.charge((end - start) as u64))
        {
            return vec![p];
        }
        deliver_slice(cap_name(&name), &bytes[start..end], budget, visit);
        pos = end + ((end - start) & 1);
    }
    Vec::new()
}

//! tar, read through the `tar` crate in raw mode. In its default mode the crate reads GNU long
//! names and PAX headers whole, at whatever size their header claims, before the caller sees
//! anything: a 4 MiB name per member costs 4 MiB per member, repeated in every report line. Raw
//! mode hands over those extension entries as they are, so their size is checked here first
//! (`MAX_LONG_NAME`, `MAX_PAX`), they are read only when small, and names are capped.
//!
//! A PAX `size` that disagrees with the header's is refused (readers that trust different fields
//! see different files: a way to hide one).

use std::io::Read;

use super::budget::{Budget, Metered, Problem, ProblemKind};
use super::member::{cap_name_bytes, deliver, partial_view, read_member, Visit};

/// Largest GNU long name or long link accepted (PATH_MAX is 4 KiB; 64 KiB leaves room).
pub const MAX_LONG_NAME: u64 = 64 << 10;
/// Largest PAX extended header accepted (paths, times, a few ACLs or SELinux labels).
pub const MAX_PAX: u64 = 256 << 10;

/// Whether a block is a POSIX (ustar) or GNU tar header.
pub fn is_tar(head: &[u8]) -> bool {
    head.len() >= 263 && &head[257..262] == b"ustar"
}

/// Reads a tar held whole in `bytes` (an uncompressed tar file or member).
pub fn members_of_bytes(bytes: &[u8], budget: &Budget, visit: &mut Visit<'_>) -> Vec<Problem> {
    let mut meter = Metered::new(bytes, budget, bytes.len() as u64, "tar");
    let outcome = members(&mut meter, budget, visit);
    match (meter.take_stop(), outcome) {
        (Some(limit), _) => vec![limit],
        (None, Err(p)) => vec![p],
        (None, Ok(problems)) => problems,
    }
}

/// What the extension entries before a member said about it.
#[derive(Default)]
struct Pending {
    long_name: Option<Vec<u8>>,
    pax_path: Option<Vec<u8>>,
    pax_size: Option<u64>,
}

/// Calls `visit` for each regular file of the tar read from `reader` (whose bytes are charged by
/// the caller's meter). `Err` is the problem that stopped the walk; `Ok` holds the problems of
/// single members.
pub(crate) fn members<R: Read>(
    reader: R,
    budget: &Budget,
    visit: &mut Visit<'_>,
) -> Result<Vec<Problem>, Problem> {
    let tar_error = |e: std::io::Error| Problem::corrupt(format!("tar: {e}"));
    let mut archive = tar::Archive::new(reader);
    let entries = archive.entries().map_err(tar_error)?.raw(true);
    let mut pending = Pending::default();
    for entry in entries {
        let mut entry = entry.map_err(tar_error)?;
        let kind = entry.header().entry_type();
        let size = entry.size();
        if kind.is_gnu_longname() || kind.is_gnu_longlink() {
            let value = read_extension(&mut entry, size, MAX_LONG_NAME, "GNU long name")?;
            if kind.is_gnu_longname() {
                let end = memchr::memchr(0, &value).unwrap_or(value.len());
                pending.long_name = Some(value[..end].to_vec());
            }
            continue;
        }
        if kind.is_pax_local_extensions() || kind.is_pax_global_extensions() {
            let value = read_extension(&mut entry, size, MAX_PAX, "PAX header")?;
            if kind.is_pax_local_extensions() {
                for ext in tar::PaxExtensions::new(&value).flatten() {
                    match ext.key_bytes() {
                        b"path" => pending.pax_path = Some(ext.value_bytes().to_vec()),
                        b"size" => {
                            let parsed = std::str::from_utf8(ext.value_bytes())
                                .ok()
                                .and_then(|v| v.parse().ok());
                            pending.pax_size = Some(parsed.unwrap_or(u64::MAX));
                        }
                        _ => {}
                    }
                }
            }
            continue;
        }
        let said = std::mem::take(&mut pending);
        // Old-style tars mark regular files with a NUL type; GNU sparse data is scanned packed.
        let regular = kind.is_file() || kind.as_byte() == 0 || kind.is_gnu_sparse();
        if !regular {
            continue;
        }
        if let Some(pax) = said.pax_size.filter(|&s| s != size) {
            return Err(Problem::corrupt(format!(
                "tar: a PAX header says {pax} bytes and the member's header {size}: not read further"
            )));
        }
        let name = match said.long_name.or(said.pax_path) {
            Some(n) => cap_name_bytes(&n),
            None => cap_name_bytes(&entry.path_bytes()),
        };
        budget.take_member()?;
        let (read, error) = read_member(&mut entry, Some(size), budget);
        match error {
            None => deliver(name, read, visit),
            Some(e) => {
                // A limit stops the meter under this reader; the caller reports it.
                let view = partial_view(read);
                if !view.is_empty() {
                    deliver(name.clone(), view, visit);
                }
                return Err(Problem::corrupt(format!("tar member {name}: {e}")));
            }
        }
    }
    Ok(Vec::new())
}

/// Reads a GNU long name or PAX header of `size` bytes, refusing it before reading when it is
/// larger than `max`.
fn read_extension(
    entry: &mut dyn Read,
    size: u64,
    max: u64,
    what: &str,
) -> Result<Vec<u8>, Problem> {
    if size > max {
        return Err(Problem::new(
            ProblemKind::OversizedHeader,
            format!("tar: a {what} of {size} bytes (more than {max}): not read further"),
        ));
    }
    let mut value = Vec::with_capacity(size as usize);
    entry
        .take(size)
        .read_to_end(&mut value)
        .map_err(|e| Problem::corrupt(format!("tar: {what}: {e}")))?;
    Ok(value)
}

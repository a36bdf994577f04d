//! Scheduled scans: `-o` names expanded with strftime (`/var/log/minerscan/%Y-%m-%d.json`), in
//! local time as cron and systemd timers think of it, through the C library's strftime.

use anyhow::{bail, Result};
use std::ffi::{CString, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Expands strftime conversions in an output path; a path without `%` is returned as is.
pub fn expand_output(path: &Path) -> Result<PathBuf> {
    let raw = path.as_os_str().as_bytes();
    if !raw.contains(&b'%') {
        return Ok(path.to_path_buf());
    }
    let Ok(fmt) = CString::new(raw) else {
        bail!("-o: the name holds a NUL byte");
    };
    // SAFETY: time(NULL) and localtime_r with valid pointers; strftime writes at most buf.len().
    let out = unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            bail!("-o: cannot read the local time");
        }
        let mut buf = vec![0u8; 4096];
        let n = libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), &tm);
        if n == 0 {
            bail!("-o: the expanded name is empty or too long");
        }
        buf.truncate(n);
        buf
    };
    Ok(PathBuf::from(OsString::from_vec(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_dates_only_when_asked() {
        assert_eq!(
            expand_output(Path::new("a.json")).unwrap(),
            Path::new("a.json")
        );
        let p = expand_output(Path::new("/x/%Y-%m-%d.json")).unwrap();
        let s = p.to_str().unwrap();
        assert_eq!(s.len(), "/x/2026-01-01.json".len(), "{s}");
        assert!(s.starts_with("/x/20"), "{s}");
    }
}

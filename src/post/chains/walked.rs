//! Where the walk has been: whether a place a fact names can still turn up as a file of this
//! scan after the file being judged. A clean file whose every name is settled so (and that
//! nothing held names) can stream at once: no link can reach it from its own facts. The walk
//! goes through the roots in order, each directory's entries sorted by name (`scan::dirs`), so
//! a name is settled when it is outside every root, or beside the current file, reached by
//! walking a root directory, under a name sorted no later. A file already passed that was not
//! held is one without facts or findings (or none at all): if it turns up again (a root given
//! twice) it is the same file, and a link to it still changes nothing.

use crate::analyze::facts::is_windows_path;
use crate::scan::image::ImageRoot;

pub(super) struct Walked {
    /// The roots' keys (`graph::key`), as reports show paths (inside the image, under
    /// `--root`); `None` when they cannot be told so (nothing is then settled).
    roots: Option<Vec<String>>,
}

impl Walked {
    /// `roots` as walked (on the host, under `--root`).
    pub fn new(roots: &[std::path::PathBuf], image: Option<&ImageRoot>) -> Walked {
        let shown = |r: &std::path::PathBuf| match image {
            None => Some(r.to_string_lossy().into_owned()),
            Some(i) if i.is_windows() => None,
            Some(i) => i.image_path(r),
        };
        let roots = roots
            .iter()
            .map(|r| shown(r).map(|s| super::graph::key(&s)))
            .collect();
        Walked { roots }
    }

    fn root_of<'a>(roots: &'a [String], key: &str) -> Option<&'a str> {
        roots
            .iter()
            .find(|r| {
                key.strip_prefix(r.as_str())
                    .is_some_and(|rest| rest.starts_with('/') || r.ends_with('/'))
            })
            .map(String::as_str)
    }

    /// Whether `name` (a key) can no longer first turn up in the walk after the file `current`
    /// (a key): it is under no root, or `current` was reached by walking a root directory
    /// and `name` is in the same directory under a name sorted no later.
    pub fn settled(&self, name: &str, current: &str) -> bool {
        let Some(roots) = self.roots.as_deref() else {
            return false;
        };
        if is_windows_path(name) || is_windows_path(current) || !name.starts_with('/') {
            return false;
        }
        if Self::root_of(roots, name).is_none() && !roots.iter().any(|r| r == name) {
            return true;
        }
        let split = |k: &str| {
            k.rfind('/')
                .map(|i| (k[..i].to_owned(), k[i + 1..].to_owned()))
        };
        let (Some((dir, file)), Some((cur_dir, cur_file))) = (split(name), split(current)) else {
            return false;
        };
        // A file given as a root itself may come before the directory walk that passes the
        // names beside it (a list of files comes in the order given).
        let walked_to =
            Self::root_of(roots, current).is_some() && !roots.iter().any(|r| r == current);
        walked_to && dir == cur_dir && file.as_bytes() <= cur_file.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outside_the_roots_or_passed_beside_are_settled() {
        let w = Walked::new(&["/srv/l".into(), "/etc/cron.d/app".into()], None);
        let cur = "/srv/l/3/run9.sh";
        assert!(w.settled("/opt/missing/9", cur));
        assert!(w.settled("/srv/l/3/conf9.json", cur));
        assert!(w.settled("/srv/l/3/run9.sh", cur));
        // Later in the walk, or elsewhere under a root: not settled.
        assert!(!w.settled("/srv/l/3/x.json", cur));
        assert!(!w.settled("/srv/l/2/conf9.json", cur));
        assert!(!w.settled("/srv/l/3/sub/a", cur));
        assert!(!w.settled("/etc/cron.d/app", cur));
        assert!(!w.settled("helper", cur));
        // Under no root at all: settled.
        assert!(w.settled("/etc/cron.d/b", "/etc/cron.d/app"));
        // A file given as a root is not reached by walking a directory: nothing beside it is
        // settled by the order (a list of files comes in the order given).
        let files_first = Walked::new(&["/etc/cron.d/app".into(), "/etc/cron.d".into()], None);
        assert!(!files_first.settled("/etc/cron.d/a", "/etc/cron.d/app"));
        let all = Walked::new(&["/".into()], None);
        assert!(!all.settled("/opt/missing/9", "/srv/l/3/run9.sh"));
        assert!(all.settled("/srv/l/3/conf9.json", "/srv/l/3/run9.sh"));
    }
}

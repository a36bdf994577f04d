//! What a container hands back: one member at a time, by name, with its bytes (or only its
//! header when it is larger than `--max-size`, or nothing when it is encrypted). Also the two
//! helpers every format shares: reading one member within the budget, and capping its name.

use std::io::{self, Read};

use super::budget::{Budget, Problem, HEADER_LEN};

/// Longest member name kept, in bytes; longer names are cut and say by how much. A name is
/// repeated in the path of every member nested beneath it, so an unbounded one multiplies.
pub const MAX_NAME_LEN: usize = 512;

/// Most bytes reserved up front from a size a header declares; beyond it the buffer grows with
/// what actually arrives, so a lying size field costs nothing.
const MAX_PREALLOC: u64 = 8 << 20;

/// What a member holds, as far as it was read.
#[derive(Debug)]
pub enum MemberData<'a> {
    /// The whole member.
    Bytes(&'a [u8]),
    /// Only the first `HEADER_LEN` bytes of a member larger than `Limits::max_member`.
    Header { head: &'a [u8], size: u64 },
    /// Encrypted: not readable without its password.
    Encrypted { size: u64 },
}

#[derive(Debug)]
pub struct Member<'a> {
    /// The member's path inside its container, at most `MAX_NAME_LEN` bytes.
    pub name: String,
    pub data: MemberData<'a>,
}

/// The callback each container calls once per member, in container order.
pub type Visit<'v> = dyn FnMut(Member<'_>) + 'v;

/// `name`, cut to `MAX_NAME_LEN` bytes (at a character boundary) with a note of what was cut.
pub fn cap_name(name: &str) -> String {
    if name.len() <= MAX_NAME_LEN {
        return name.to_owned();
    }
    let mut end = MAX_NAME_LEN;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[+{} bytes]", &name[..end], name.len() - end)
}

/// A name from raw bytes (lossy UTF-8), capped without converting more than needed.
pub fn cap_name_bytes(raw: &[u8]) -> String {
    let cut = raw.len().min(MAX_NAME_LEN + 4);
    let mut name = String::from_utf8_lossy(&raw[..cut]).into_owned();
    if raw.len() > cut {
        name.truncate(MAX_NAME_LEN.min(name.len()));
        while !name.is_char_boundary(name.len()) {
            name.pop();
        }
        return format!("{name}…[+{} bytes]", raw.len() - name.len());
    }
    cap_name(&name)
}

/// One member as read.
pub(crate) enum Read1 {
    Whole(Vec<u8>),
    /// The first bytes of a member above `max_member`, and its size (declared, or how much was
    /// read before giving up).
    Header(Vec<u8>, u64),
}

/// Reads one member of `declared` size (if the container says) from `r`, which charges the
/// budget as it yields (a `Metered`). Members above `max_member` keep only their header. On a read
/// error, what was read before it comes back with the error: a broken member is still judged on
/// what it held.
pub(crate) fn read_member(
    r: &mut dyn Read,
    declared: Option<u64>,
    budget: &Budget,
) -> (Read1, Option<io::Error>) {
    let max = budget.limits().max_member;
    if let Some(size) = declared.filter(|&d| d > max) {
        let mut head = Vec::with_capacity(HEADER_LEN);
        let error = r.take(HEADER_LEN as u64).read_to_end(&mut head).err();
        return (Read1::Header(head, size), error);
    }
    let hint = declared
        .unwrap_or(0)
        .min(max)
        .min(budget.remaining())
        .min(MAX_PREALLOC);
    let mut out = Vec::with_capacity(hint as usize);
    let error = r.take(max.saturating_add(1)).read_to_end(&mut out).err();
    if out.len() as u64 > max {
        let size = declared.unwrap_or(out.len() as u64);
        out.truncate(HEADER_LEN);
        out.shrink_to_fit();
        return (Read1::Header(out, size), error);
    }
    (Read1::Whole(out), error)
}

impl Read1 {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Read1::Whole(b) | Read1::Header(b, _) => b.is_empty(),
        }
    }
}

/// What a limit left of a member: its first bytes, shown as the header of a larger member.
pub(crate) fn partial_view(read: Read1) -> Read1 {
    match read {
        Read1::Whole(mut b) => {
            let size = b.len() as u64;
            b.truncate(HEADER_LEN);
            Read1::Header(b, size)
        }
        header => header,
    }
}

/// What became of one member read through a meter, once what was read of it was handed over.
pub(crate) enum Handed {
    Whole,
    /// A limit stopped its meter: a header view was handed over.
    Limit(Problem),
    /// It broke part-way: what was read before the break was handed over.
    Broken(io::Error),
}

/// Hands over what `read_member` gave: all of it when it read cleanly, a header view when a limit
/// (`limit`, from the meter) stopped it, what there is when it broke.
pub(crate) fn hand_over(
    name: String,
    read: Read1,
    error: Option<io::Error>,
    limit: Option<Problem>,
    visit: &mut Visit<'_>,
) -> Handed {
    let (read, handed) = match (error, limit) {
        (None, _) => (read, Handed::Whole),
        (Some(_), Some(limit)) => (partial_view(read), Handed::Limit(limit)),
        (Some(e), None) => (read, Handed::Broken(e)),
    };
    if !read.is_empty() {
        deliver(name, read, visit);
    }
    handed
}

/// Hands one read member to `visit`.
pub(crate) fn deliver(name: String, read: Read1, visit: &mut Visit<'_>) {
    match read {
        Read1::Whole(b) => visit(Member {
            name,
            data: MemberData::Bytes(&b),
        }),
        Read1::Header(head, size) => visit(Member {
            name,
            data: MemberData::Header { head: &head, size },
        }),
    }
}

/// Hands a member that is a slice of its container (stored, not compressed) to `visit`.
pub(crate) fn deliver_slice(name: String, bytes: &[u8], budget: &Budget, visit: &mut Visit<'_>) {
    let max = budget.limits().max_member;
    let data = if bytes.len() as u64 > max {
        MemberData::Header {
            head: &bytes[..HEADER_LEN.min(bytes.len())],
            size: bytes.len() as u64,
        }
    } else {
        MemberData::Bytes(bytes)
    };
    visit(Member { name, data });
}

/// The name of a single compressed stream's content: `x.xz` holds `x`, `x.txz` holds `x.tar`.
pub fn inner_name(file_name: &str) -> String {
    let lower = file_name.to_ascii_lowercase();
    const TAR_SHORT: [&str; 6] = [".tgz", ".txz", ".tbz2", ".tbz", ".tzst", ".tlz"];
    const PLAIN: [&str; 7] = [".gz", ".xz", ".bz2", ".bz", ".zst", ".zstd", ".lzma"];
    for suffix in TAR_SHORT {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            return cap_name(&format!(
                "{}.tar",
                &file_name[..file_name.len() - suffix.len()]
            ));
        }
    }
    for suffix in PLAIN {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            return cap_name(&file_name[..file_name.len() - suffix.len()]);
        }
    }
    "content".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_contents_are_named_after_the_file() {
        assert_eq!(inner_name("x.xz"), "x");
        assert_eq!(inner_name("kit.tar.xz"), "kit.tar");
        assert_eq!(inner_name("kit.TXZ"), "kit.tar");
        assert_eq!(inner_name("a.tbz2"), "a.tar");
        assert_eq!(inner_name("a.tzst"), "a.tar");
        assert_eq!(inner_name("conf.json.lzma"), "conf.json");
        assert_eq!(inner_name(".xz"), "content");
        assert_eq!(inner_name("blob"), "content");
    }

    #[test]
    fn long_names_are_cut_and_say_so() {
        let long = "é".repeat(400);
        let capped = cap_name(&long);
        assert!(capped.len() < MAX_NAME_LEN + 32);
        assert!(capped.ends_with("[+288 bytes]"), "{capped}");
        let raw = vec![b'a'; 4 << 20];
        let capped = cap_name_bytes(&raw);
        assert!(capped.ends_with(&format!("[+{} bytes]", (4 << 20) - MAX_NAME_LEN)));
        assert_eq!(cap_name_bytes(b"short"), "short");
    }
}

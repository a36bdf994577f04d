//! A file's digests: the ones an analyzer or the report asks for (`DigestSet`), computed over
//! the bytes read or streamed over a file too large to read whole (`StreamingHasher`), and
//! shown as lower-case hex (`hex`, the one hex encoder).

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The digests of one file, hex-encoded. Each is `None` when nothing asked for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Digests {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Which digests a caller wants (an IOC list of SHA-256 entries needs only SHA-256).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DigestSet {
    pub md5: bool,
    pub sha1: bool,
    pub sha256: bool,
}

impl DigestSet {
    pub const ALL: DigestSet = DigestSet {
        md5: true,
        sha1: true,
        sha256: true,
    };

    pub fn any(self) -> bool {
        self.md5 || self.sha1 || self.sha256
    }
}

/// Digests streamed over a whole file (for files too large to read whole).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamedDigests {
    pub md5: Option<[u8; 16]>,
    pub sha1: Option<[u8; 20]>,
    pub sha256: Option<[u8; 32]>,
}

/// Feeds the wanted digests from a stream of chunks.
pub struct StreamingHasher {
    md5: Option<Md5>,
    sha1: Option<Sha1>,
    sha256: Option<Sha256>,
}

impl StreamingHasher {
    pub fn new(set: DigestSet) -> StreamingHasher {
        StreamingHasher {
            md5: set.md5.then(Md5::new),
            sha1: set.sha1.then(Sha1::new),
            sha256: set.sha256.then(Sha256::new),
        }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(h) = &mut self.md5 {
            h.update(chunk);
        }
        if let Some(h) = &mut self.sha1 {
            h.update(chunk);
        }
        if let Some(h) = &mut self.sha256 {
            h.update(chunk);
        }
    }

    pub fn finish(self) -> StreamedDigests {
        StreamedDigests {
            md5: self.md5.map(|h| h.finalize().into()),
            sha1: self.sha1.map(|h| h.finalize().into()),
            sha256: self.sha256.map(|h| h.finalize().into()),
        }
    }
}

impl StreamedDigests {
    /// Every digest of `bytes`.
    pub fn all_of(bytes: &[u8]) -> StreamedDigests {
        let mut h = StreamingHasher::new(DigestSet::ALL);
        h.update(bytes);
        h.finish()
    }

    /// As a report shows them.
    pub fn to_hex(self) -> Digests {
        Digests {
            md5: self.md5.map(|d| hex(&d)),
            sha1: self.sha1.map(|d| hex(&d)),
            sha256: self.sha256.map(|d| hex(&d)),
        }
    }

    /// From what `to_hex` made (a digest that is not hex of its length is left out).
    pub fn from_hex(d: &Digests) -> StreamedDigests {
        StreamedDigests {
            md5: d.md5.as_deref().and_then(unhex),
            sha1: d.sha1.as_deref().and_then(unhex),
            sha256: d.sha256.as_deref().and_then(unhex),
        }
    }
}

impl Digests {
    /// Fills the digests this one lacks from `other`.
    pub fn fill_from(&mut self, other: &Digests) {
        for (mine, theirs) in [
            (&mut self.md5, &other.md5),
            (&mut self.sha1, &other.sha1),
            (&mut self.sha256, &other.sha256),
        ] {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
    }
}

/// Lower-case or upper-case hex of exactly `N` bytes.
fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

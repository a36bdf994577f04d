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

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

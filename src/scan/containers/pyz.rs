//! PyInstaller's PYZ archive (the program's pure-Python modules): `PYZ\0`, the Python bytecode
//! magic, the big-endian offset of a marshalled table of contents, and one zlib-compressed
//! marshalled code object per module. The table is a list of `(name, (typecode, offset,
//! length))` pairs in older versions and a dict of the same in newer ones; both are read with a
//! small marshal reader. Each module's decompressed bytes (a marshalled code object, with its
//! strings in the clear) are a member named `module.name.pyc`. Entries that are not zlib at all
//! are what PyInstaller's `--key` encryption (before version 6) produces: reported as encrypted.

use std::io::Read;

use super::budget::{Budget, Metered, Problem, ProblemKind};
use super::marshal::{Reader, Value};
use super::member::{cap_name_bytes, hand_over, read_member, Handed, Visit};

pub const MAGIC: &[u8; 4] = b"PYZ\0";
const HEADER_LEN: usize = 12;
/// Broken modules reported before the rest of a broken archive is given up.
const MAX_PROBLEMS: usize = 16;

pub fn is_pyz(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN && bytes.starts_with(MAGIC)
}

/// One module of the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyzEntry {
    pub name: String,
    pub data: std::ops::Range<usize>,
}

/// The table of contents of the PYZ archive in `bytes`.
pub fn entries(bytes: &[u8]) -> Result<Vec<PyzEntry>, Problem> {
    let bad = |m: String| Problem::corrupt(format!("PYZ: {m}"));
    if !is_pyz(bytes) {
        return Err(bad("no PYZ header".into()));
    }
    let toc_at = u32::from_be_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    let table = bytes
        .get(toc_at..)
        .filter(|_| toc_at >= HEADER_LEN)
        .ok_or_else(|| bad(format!("table offset {toc_at} past the end")))?;
    let pairs = match Reader::new(table).value().map_err(bad)? {
        Value::Dict(pairs) => pairs,
        Value::Seq(items) => items
            .into_iter()
            .map(|item| match item {
                Value::Seq(mut pair) if pair.len() == 2 => {
                    let second = pair.pop().expect("two");
                    (pair.pop().expect("two"), second)
                }
                _ => (Value::Opaque, Value::Opaque),
            })
            .collect(),
        _ => return Err(bad("the table is neither a list nor a dict".into())),
    };
    let mut out = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        let (Value::Str(name), Value::Seq(fields)) = (key, value) else {
            return Err(bad("a table entry of an unexpected shape".into()));
        };
        let (Some(Value::Int(offset)), Some(Value::Int(len))) = (fields.get(1), fields.get(2))
        else {
            return Err(bad("a table entry without offset and length".into()));
        };
        let start = usize::try_from(*offset).ok();
        let data = start
            .zip(usize::try_from(*len).ok())
            .and_then(|(s, l)| Some(s..s.checked_add(l)?))
            .filter(|r| r.start >= HEADER_LEN && r.end <= toc_at)
            .ok_or_else(|| bad(format!("entry {offset}+{len} outside the archive")))?;
        out.push(PyzEntry {
            name: cap_name_bytes(&name),
            data,
        });
    }
    Ok(out)
}

/// Calls `visit` for each module of the PYZ archive in `bytes` and returns this layer's problems.
pub fn members(bytes: &[u8], budget: &Budget, visit: &mut Visit<'_>) -> Vec<Problem> {
    let table = match entries(bytes) {
        Ok(t) => t,
        Err(p) => return vec![p],
    };
    let mut problems = Vec::new();
    for entry in table {
        let data = &bytes[entry.data.clone()];
        // A zlib stream starts with a CMF byte of deflate (low nibble 8) and a check that the
        // first two bytes are a multiple of 31; an encrypted entry starts with its random IV.
        let zlib = data.len() >= 2
            && data[0] & 0x0f == 8
            && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0;
        if !zlib {
            problems.push(Problem::new(
                ProblemKind::Encrypted,
                "PYZ: modules are not zlib streams (encrypted with PyInstaller --key?): not read",
            ));
            break;
        }
        if let Err(p) = budget.take_member() {
            problems.push(p);
            break;
        }
        let name = format!("{}.pyc", entry.name);
        let decoder = flate2::read::ZlibDecoder::new(data);
        let mut meter = Metered::new(
            decoder,
            budget,
            data.len() as u64,
            format!("PYZ module {name}"),
        );
        let (read, error) = read_member(&mut meter as &mut dyn Read, None, budget);
        let limit = meter.take_stop();
        match hand_over(name.clone(), read, error, limit, visit) {
            Handed::Whole => {}
            Handed::Limit(limit) => {
                problems.push(limit);
                if budget.spent().is_some() {
                    break;
                }
            }
            Handed::Broken(e) => {
                problems.push(Problem::corrupt(format!("PYZ module {name}: {e}")));
                if problems.len() >= MAX_PROBLEMS {
                    break;
                }
            }
        }
    }
    problems
}

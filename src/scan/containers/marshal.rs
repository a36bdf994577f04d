//! The few Python `marshal` types a PYZ table of contents is made of: containers (list, tuple,
//! dict), strings, integers, booleans and None, with back-references. Code objects and floats
//! are not needed (entries are handed over as raw bytes, never unmarshalled). Bounded: nesting
//! depth, and no container reserves more slots than there are bytes left to fill them;
//! back-references to containers resolve to a placeholder, so that nothing is cloned twice.

/// A parsed value; containers hold what the table needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    None,
    Bool(bool),
    Int(i64),
    Str(Vec<u8>),
    Seq(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    /// Something this parser does not read into (a back-reference to a container).
    Opaque,
}

const FLAG_REF: u8 = 0x80;
const MAX_DEPTH: u32 = 8;
/// Most values read from one table (a module takes about six): bounds the memory a table of
/// millions of tiny values could cost.
const MAX_VALUES: usize = 400_000;

pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    refs: Vec<Value>,
    values: usize,
}

type R<T> = Result<T, String>;

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            pos: 0,
            refs: Vec::new(),
            values: 0,
        }
    }

    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or("marshal data truncated")?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }

    fn i32(&mut self) -> R<i32> {
        Ok(i32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    /// A length or count, checked against the bytes left (each element takes at least one).
    fn count(&mut self, wide: bool) -> R<usize> {
        let n = if wide {
            usize::try_from(self.i32()?).map_err(|_| "negative marshal length")?
        } else {
            usize::from(self.u8()?)
        };
        if n > self.bytes.len() - self.pos {
            return Err(format!("marshal length {n} past the end of the data"));
        }
        Ok(n)
    }

    pub(crate) fn value(&mut self) -> R<Value> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: u32) -> R<Value> {
        if depth > MAX_DEPTH {
            return Err("marshal data nested too deep".into());
        }
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(format!("more than {MAX_VALUES} marshal values"));
        }
        let code = self.u8()?;
        let slot = (code & FLAG_REF != 0).then(|| {
            self.refs.push(Value::Opaque);
            self.refs.len() - 1
        });
        let value = match code & !FLAG_REF {
            b'N' => Value::None,
            b'F' => Value::Bool(false),
            b'T' => Value::Bool(true),
            b'i' => Value::Int(i64::from(self.i32()?)),
            b'l' => self.long()?,
            b's' | b'u' | b't' | b'a' | b'A' => {
                let n = self.count(true)?;
                Value::Str(self.take(n)?.to_vec())
            }
            b'z' | b'Z' => {
                let n = self.count(false)?;
                Value::Str(self.take(n)?.to_vec())
            }
            b'(' | b'[' | b'<' | b'>' => {
                let n = self.count(true)?;
                self.seq(n, depth)?
            }
            b')' => {
                let n = self.count(false)?;
                self.seq(n, depth)?
            }
            b'{' => self.dict(depth)?,
            b'r' => {
                let index = usize::try_from(self.i32()?).map_err(|_| "bad marshal reference")?;
                self.refs
                    .get(index)
                    .cloned()
                    .ok_or("marshal reference to nothing")?
            }
            other => return Err(format!("marshal type {other:#04x} not expected here")),
        };
        if let Some(slot) = slot {
            // Scalars are kept for later references; containers stay opaque (never cloned).
            if !matches!(value, Value::Seq(_) | Value::Dict(_)) {
                self.refs[slot] = value.clone();
            }
        }
        Ok(value)
    }

    fn long(&mut self) -> R<Value> {
        let n = self.i32()?;
        let digits = n.unsigned_abs() as usize;
        let raw = self.take(digits.checked_mul(2).ok_or("marshal long")?)?;
        let mut v: i64 = 0;
        for (i, d) in raw.chunks(2).enumerate() {
            let digit = i64::from(u16::from_le_bytes([d[0], d[1]]));
            if i >= 4 {
                return Ok(Value::Opaque); // beyond 60 bits: no offset in a table is this large
            }
            v |= digit << (15 * i);
        }
        Ok(Value::Int(if n < 0 { -v } else { v }))
    }

    fn seq(&mut self, n: usize, depth: u32) -> R<Value> {
        let mut items = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            items.push(self.value_at(depth + 1)?);
        }
        Ok(Value::Seq(items))
    }

    fn dict(&mut self, depth: u32) -> R<Value> {
        let mut items = Vec::new();
        loop {
            if self.bytes.get(self.pos) == Some(&b'0') {
                self.pos += 1;
                return Ok(Value::Dict(items));
            }
            let key = self.value_at(depth + 1)?;
            let value = self.value_at(depth + 1)?;
            items.push((key, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_table_with_references() {
        // [('a', (0, 12, 5)), ('b', r1? )]: a list of two pairs, the second reusing the int 12.
        let mut data = vec![b'[', 2, 0, 0, 0];
        data.extend_from_slice(&[b')', 2, b'z', 1, b'a', b')', 3]);
        data.extend_from_slice(&[
            b'i' | FLAG_REF,
            0,
            0,
            0,
            0,
            b'i',
            12,
            0,
            0,
            0,
            b'i',
            5,
            0,
            0,
            0,
        ]);
        data.extend_from_slice(&[b')', 2, b'z', 1, b'b', b')', 3]);
        data.extend_from_slice(&[b'r', 0, 0, 0, 0, b'i', 17, 0, 0, 0, b'i', 3, 0, 0, 0]);
        let v = Reader::new(&data).value().unwrap();
        let Value::Seq(items) = v else { panic!() };
        assert_eq!(
            items[1],
            Value::Seq(vec![
                Value::Str(b"b".to_vec()),
                Value::Seq(vec![Value::Int(0), Value::Int(17), Value::Int(3)])
            ])
        );
    }

    #[test]
    fn refuses_lengths_past_the_data_and_deep_nesting() {
        assert!(Reader::new(&[b'[', 0xff, 0xff, 0xff, 0x7f])
            .value()
            .is_err());
        assert!(Reader::new(&[b'[', 1, 0, 0, 0].repeat(100))
            .value()
            .is_err());
        assert!(Reader::new(b"{").value().is_err());
    }
}

//! A small tolerant JSON parser for the relaxed JSON that miners accept: `//`, `#` and `/* */`
//! comments, trailing commas, single-quoted strings, bare keys, and brace-less fragments
//! (xmr-stak's pools.txt and config.txt are object bodies without the braces). Strict parsers
//! reject exactly the files we most need to read, and a crate for this would be a heavier
//! dependency than these hundred lines. Bounded in depth; any error gives `None`.

use serde_json::{Map, Number, Value};

const MAX_DEPTH: usize = 48;

/// Parses a document: a value, or an object body without its braces.
pub fn parse(text: &str) -> Option<Value> {
    let text = text.trim_start_matches('\u{feff}');
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.skip_ws();
    match p.peek() {
        Some(b'{') | Some(b'[') => {
            let v = p.value(0)?;
            p.skip_ws();
            // Tolerate a trailing comma or semicolon, nothing else.
            while matches!(p.peek(), Some(b',') | Some(b';')) {
                p.i += 1;
                p.skip_ws();
            }
            p.at_end().then_some(v)
        }
        Some(_) => {
            let map = p.members(0, None)?;
            (!map.is_empty() && p.at_end()).then_some(Value::Object(map))
        }
        None => None,
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n' | 0x0c) => self.i += 1,
                Some(b'#') => self.skip_line(),
                Some(b'/') if self.s.get(self.i + 1) == Some(&b'/') => self.skip_line(),
                Some(b'/') if self.s.get(self.i + 1) == Some(&b'*') => {
                    match find(&self.s[self.i + 2..], b"*/") {
                        Some(end) => self.i += 2 + end + 2,
                        None => self.i = self.s.len(),
                    }
                }
                _ => return,
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == b'\n' {
                break;
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            b'{' => {
                self.i += 1;
                let map = self.members(depth + 1, Some(b'}'))?;
                Some(Value::Object(map))
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek()? {
                        b']' => {
                            self.i += 1;
                            return Some(Value::Array(items));
                        }
                        b',' => self.i += 1,
                        _ => items.push(self.value(depth + 1)?),
                    }
                }
            }
            b'"' | b'\'' => self.string().map(Value::String),
            _ => self.bare(),
        }
    }

    /// Object members up to `close` (or the end of input when `close` is `None`).
    fn members(&mut self, depth: usize, close: Option<u8>) -> Option<Map<String, Value>> {
        let mut map = Map::new();
        loop {
            self.skip_ws();
            match (self.peek(), close) {
                (None, None) => return Some(map),
                (None, Some(_)) => return None,
                (Some(c), Some(end)) if c == end => {
                    self.i += 1;
                    return Some(map);
                }
                (Some(b','), _) => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let key = match self.peek()? {
                b'"' | b'\'' => self.string()?,
                _ => self.ident()?,
            };
            self.skip_ws();
            if !matches!(self.peek(), Some(b':') | Some(b'=')) {
                return None;
            }
            self.i += 1;
            let value = self.value(depth + 1)?;
            map.insert(key, value);
        }
    }

    fn string(&mut self) -> Option<String> {
        let quote = self.peek()?;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                _ if c == quote => break,
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' | b'f' => {}
                        b'u' => {
                            let hex = self.s.get(self.i..self.i + 4)?;
                            let code =
                                u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                            self.i += 4;
                            let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                b'\n' if quote == b'\'' => return None,
                _ => out.push(c),
            }
        }
        Some(String::from_utf8_lossy(&out).into_owned())
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'$'))
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    /// A number, a literal, or a bare word (taken as a string).
    fn bare(&mut self) -> Option<Value> {
        let start = self.i;
        while let Some(c) = self.peek() {
            let comment = c == b'/' && matches!(self.s.get(self.i + 1), Some(b'/' | b'*'));
            if matches!(c, b',' | b'}' | b']' | b'\n' | b'\r' | b'#') || comment {
                break;
            }
            self.i += 1;
        }
        let word = std::str::from_utf8(&self.s[start..self.i]).ok()?.trim();
        if word.is_empty() {
            return None;
        }
        Some(match word {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => match word.parse::<i64>() {
                Ok(n) => Value::Number(n.into()),
                Err(_) => match word.parse::<f64>().ok().and_then(Number::from_f64) {
                    Some(n) => Value::Number(n),
                    None => Value::String(word.to_owned()),
                },
            },
        })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_json() {
        let v = parse(r#"{"a": [1, 2.5, "x"], "b": {"c": null, "d": true}}"#).unwrap();
        assert_eq!(v["a"][2], "x");
        assert_eq!(v["b"]["d"], true);
    }

    #[test]
    fn comments_trailing_commas_and_bare_keys() {
        let v = parse("{ // c\n \"a\": 1, /* b */ b: 'two', # h\n \"c\": [1,2,],\n}").unwrap();
        assert_eq!(v["a"], 1);
        assert_eq!(v["b"], "two");
        assert_eq!(v["c"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn braceless_fragment() {
        let text = "/* pools */\n\"pool_list\" :\n[\n {\"pool_address\" : \"h:3333\", \"wallet_address\" : \"w\", },\n],\n\"currency\" : \"monero\",\n";
        let v = parse(text).unwrap();
        assert_eq!(v["pool_list"][0]["pool_address"], "h:3333");
        assert_eq!(v["currency"], "monero");
    }

    #[test]
    fn rejects_prose_and_garbage() {
        assert!(parse("This is a README.\nIt says: hello").is_none());
        assert!(parse("{\"a\": ").is_none());
        assert!(parse("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]").is_none());
    }
}

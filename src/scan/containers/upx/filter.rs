//! Undoes UPX's branch filters. Before compressing code, UPX rewrites the relative targets of
//! x86 `call`/`jmp` (and `jcc` for some ids) into absolute ones, so that calls to one function
//! look alike and compress better; ARM filters do the same to `bl`/`b` words. The unpacked code is
//! only the original once they are undone, which YARA rules on code bytes and exact checksums need.
//!
//! A filter is named by UPX's one-byte id; `cto` is the marker byte UPX chose for the top of a
//! rewritten target (so that unrelated bytes are left alone), `addvalue` the offset of the buffer
//! in the image.

/// Undoes filter `id` in place. Returns `false` for an id we do not implement (the output is then
/// still useful for strings, but its code bytes are not the original).
pub(crate) fn unfilter(id: u8, cto: u8, addvalue: u32, buf: &mut [u8]) -> bool {
    match id {
        0x00 => {}
        0x11..=0x19 => naive_call(id, addvalue, buf),
        0x24..=0x26 | 0x36 => marked_call(id, cto, addvalue, buf, false),
        0x46 | 0x49 => marked_call(id, cto, addvalue, buf, id & 0x0f >= 9),
        0x50 => arm_bl24(addvalue, buf, false),
        0x51 => arm_bl24(addvalue, buf, true),
        0x52 => arm64_b26(addvalue, buf),
        _ => return false,
    }
    true
}

/// Whether filter `id` rewrites byte `op` as a call (0xe8), a jump (0xe9), or either: the low
/// digit of the x86 filter ids says which (1, 4, 7: call; 2, 5, 8: jmp; others: both).
fn is_branch(id: u8, op: u8) -> bool {
    match id & 0x0f {
        1 | 4 | 7 => op == 0xe8,
        2 | 5 | 8 => op == 0xe9,
        _ => op == 0xe8 || op == 0xe9,
    }
}

/// The "naive" filters 0x11-0x19: every e8/e9 operand was made absolute; 0x14-0x16 also stored it
/// big-endian, 0x17-0x19 the other way round (for big-endian hosts).
fn naive_call(id: u8, addvalue: u32, buf: &mut [u8]) {
    let (read_be, write_be) = match id {
        0x14..=0x16 => (true, false),
        0x17..=0x19 => (false, true),
        _ => (false, false),
    };
    let end = buf.len().saturating_sub(5).max(1);
    let mut i = 0;
    while i < end && i + 5 <= buf.len() {
        if is_branch(id, buf[i]) {
            let at = i + 1;
            let v = read32(buf, at, read_be)
                .wrapping_sub(at as u32)
                .wrapping_sub(addvalue);
            write32(buf, at, v, write_be);
            i += 4;
        }
        i += 1;
    }
}

/// The "cto" filters 0x24-0x26, 0x36, 0x46 and 0x49: only operands whose first byte (stored
/// big-endian) is the marker `cto` were rewritten, as `target + cto << 24`. With `jcc`, 0x49 also
/// rewrote the 0f 80..8f conditional jumps, except right after another rewritten operand.
fn marked_call(id: u8, cto: u8, addvalue: u32, buf: &mut [u8], jcc: bool) {
    if buf.len() < 5 {
        return;
    }
    let end = buf.len() - 5;
    let marker = u32::from(cto) << 24;
    let mut last = 0usize;
    let mut i = 0;
    while i < end {
        let op = buf[i];
        let hit = is_branch(id, op)
            || (jcc && i != last && buf[i - 1] == 0x0f && (0x80..=0x8f).contains(&op));
        if hit && buf[i + 1] == cto {
            let at = i + 1;
            let v = read32(buf, at, true)
                .wrapping_sub(at as u32)
                .wrapping_sub(addvalue)
                .wrapping_sub(marker);
            write32(buf, at, v, false);
            i += 4;
            last = i + 1;
        }
        i += 1;
    }
}

/// ARM filter 0x50/0x51: the 24-bit word offset of every `bl` was made absolute.
fn arm_bl24(addvalue: u32, buf: &mut [u8], big: bool) {
    let mut i = 0;
    while i + 4 <= buf.len() && (i == 0 || i + 4 < buf.len()) {
        let w = &mut buf[i..i + 4];
        let is_bl = if big {
            w[0] & 0x0f == 0x0b
        } else {
            w[3] & 0x0f == 0x0b
        };
        if is_bl {
            let (lo, hi) = if big { (1, 4) } else { (0, 3) };
            let mut v = 0u32;
            for (k, b) in w[lo..hi].iter().enumerate() {
                let shift = if big { 8 * (2 - k) } else { 8 * k };
                v |= u32::from(*b) << shift;
            }
            let v = v.wrapping_sub(i as u32 / 4).wrapping_sub(addvalue);
            for (k, b) in w[lo..hi].iter_mut().enumerate() {
                let shift = if big { 8 * (2 - k) } else { 8 * k };
                *b = (v >> shift) as u8;
            }
        }
        i += 4;
    }
}

/// ARM64 filter 0x52: the 26-bit word offset of every `b`/`bl` was made absolute.
fn arm64_b26(addvalue: u32, buf: &mut [u8]) {
    let mut i = 0;
    while i + 4 <= buf.len() && (i == 0 || i + 4 < buf.len()) {
        if buf[i + 3] & 0x7c == 0x14 {
            let w = read32(buf, i, false);
            let v = (w & 0x03ff_ffff)
                .wrapping_sub(i as u32 / 4)
                .wrapping_sub(addvalue);
            write32(buf, i, (w & 0xfc00_0000) | (v & 0x03ff_ffff), false);
        }
        i += 4;
    }
}

fn read32(buf: &[u8], at: usize, big: bool) -> u32 {
    let a = [buf[at], buf[at + 1], buf[at + 2], buf[at + 3]];
    if big {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

fn write32(buf: &mut [u8], at: usize, v: u32, big: bool) {
    let a = if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    };
    buf[at..at + 4].copy_from_slice(&a);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies the forward cto filter the way the packer does, for a round trip.
    fn forward_marked(cto: u8, buf: &mut [u8]) {
        let mut i = 0;
        while i + 5 < buf.len() {
            if buf[i] == 0xe8 {
                let rel = u32::from_le_bytes(buf[i + 1..i + 5].try_into().unwrap());
                let target = rel.wrapping_add(i as u32 + 1);
                if (target as usize) < buf.len() {
                    let v = target + (u32::from(cto) << 24);
                    buf[i + 1..i + 5].copy_from_slice(&v.to_be_bytes());
                    i += 4;
                }
            }
            i += 1;
        }
    }

    #[test]
    fn marked_call_round_trip() {
        let mut code = vec![0x90u8; 64];
        code[3] = 0xe8;
        code[4..8].copy_from_slice(&20u32.to_le_bytes());
        code[30] = 0xe8;
        code[31..35].copy_from_slice(&(-20i32 as u32).to_le_bytes());
        let original = code.clone();
        forward_marked(0x17, &mut code);
        assert_ne!(code, original);
        assert!(unfilter(0x26, 0x17, 0, &mut code));
        assert_eq!(code, original);
    }

    /// Pseudo-random code-like bytes with plenty of e8/e9 and ARM branch patterns.
    fn sample(len: usize) -> Vec<u8> {
        let mut x = 0x1234_5678u32;
        (0..len)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                match i % 11 {
                    0 => 0xe8,
                    5 => 0xe9,
                    _ => x as u8,
                }
            })
            .collect()
    }

    #[test]
    fn naive_call_round_trip() {
        for id in [0x11u8, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19] {
            let original = sample(4096);
            let mut code = original.clone();
            // Forward: the packer adds the operand's offset (and the buffer's) to the target.
            let (read_be, write_be) = match id {
                0x14..=0x16 => (true, false),
                0x17..=0x19 => (false, true),
                _ => (false, false),
            };
            let mut i = 0;
            while i + 5 < code.len() {
                if is_branch(id, code[i]) {
                    let v = read32(&code, i + 1, write_be)
                        .wrapping_add(i as u32 + 1)
                        .wrapping_add(7);
                    write32(&mut code, i + 1, v, read_be);
                    i += 4;
                }
                i += 1;
            }
            assert_ne!(code, original);
            assert!(unfilter(id, 0, 7, &mut code));
            assert_eq!(code, original, "filter {id:#x}");
        }
    }

    #[test]
    fn arm_round_trip() {
        let original = sample(4096);
        let mut code = original.clone();
        for i in (0..code.len() - 4).step_by(4) {
            if code[i + 3] & 0x0f == 0x0b {
                let v =
                    u32::from_le_bytes([code[i], code[i + 1], code[i + 2], 0]) + (i as u32 / 4) + 3;
                code[i..i + 3].copy_from_slice(&v.to_le_bytes()[..3]);
            }
        }
        assert!(unfilter(0x50, 0, 3, &mut code));
        assert_eq!(code, original);
        let mut code = original.clone();
        for i in (0..code.len() - 4).step_by(4) {
            if code[i + 3] & 0x7c == 0x14 {
                let w = read32(&code, i, false);
                let v = (w & 0x03ff_ffff).wrapping_add(i as u32 / 4);
                write32(&mut code, i, (w & 0xfc00_0000) | (v & 0x03ff_ffff), false);
            }
        }
        assert!(unfilter(0x52, 0, 0, &mut code));
        assert_eq!(code, original);
    }

    #[test]
    fn tiny_buffers_are_left_alone() {
        for id in [0x11u8, 0x26, 0x49, 0x50, 0x52] {
            for len in 0..6 {
                let mut code = vec![0xe8u8; len];
                assert!(unfilter(id, 0xe8, 0, &mut code));
            }
        }
    }

    #[test]
    fn unknown_filter_is_reported() {
        let mut code = vec![0u8; 16];
        assert!(!unfilter(0x80, 0, 0, &mut code));
    }
}

//! Adler-32, the checksum UPX keeps over the compressed and the uncompressed bytes. Matching sums
//! are how we know an unpacked program is byte-exact, and a mismatch is how we notice altered
//! content; it is a few lines, so it is not worth a dependency.

const MOD: u32 = 65521;
/// Largest run of bytes whose sums cannot overflow a u32 before the modulo.
const RUN: usize = 5552;

/// Continues an Adler-32 over `data` from a previous value (1 for an empty input).
pub(crate) fn update(adler: u32, data: &[u8]) -> u32 {
    let (mut a, mut b) = (adler & 0xffff, adler >> 16);
    for run in data.chunks(RUN) {
        for &byte in run {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_value() {
        // The value every Adler-32 implementation gives for this text.
        assert_eq!(super::update(1, b"Wikipedia"), 0x11E6_0398);
        let long = vec![0xffu8; 100_000];
        let (x, y) = long.split_at(33_333);
        assert_eq!(
            super::update(super::update(1, x), y),
            super::update(1, &long)
        );
    }
}

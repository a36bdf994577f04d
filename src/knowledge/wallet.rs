//! Cryptocurrency wallet addresses: recognised by format and, wherever the format carries one,
//! proven by its checksum, so that a random identifier that merely looks like an address is
//! never taken for a wallet. A wallet as a pool user is the strongest sign of a miner config;
//! a wallet alone (a donation line in a README) is information only. Used by the config and
//! script analyzers.
//!
//! Checked formats: Monero and other CryptoNote coins (block-wise base58, Keccak-256 checksum),
//! base58check addresses of Bitcoin and its forks (Litecoin, Dogecoin, Ravencoin, Dash, Zcash
//! transparent), bech32/bech32m segwit addresses (BIP-173/BIP-350), and Ethereum with its
//! EIP-55 checksum when the case is mixed. Single-case Ethereum addresses carry no checksum and
//! are accepted by format only where the context already says "wallet" (a pool user).

use sha3::{Digest, Keccak256};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coin {
    Monero,
    /// Another CryptoNote coin (Wownero, Haven, TurtleCoin...): same encoding, other prefix.
    CryptoNote,
    Bitcoin,
    Litecoin,
    Dogecoin,
    Ravencoin,
    Dash,
    Zcash,
    Ethereum,
}

impl Coin {
    pub fn as_str(self) -> &'static str {
        match self {
            Coin::Monero => "Monero",
            Coin::CryptoNote => "CryptoNote",
            Coin::Bitcoin => "Bitcoin",
            Coin::Litecoin => "Litecoin",
            Coin::Dogecoin => "Dogecoin",
            Coin::Ravencoin => "Ravencoin",
            Coin::Dash => "Dash",
            Coin::Zcash => "Zcash",
            Coin::Ethereum => "Ethereum",
        }
    }
}

/// A recognised address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wallet {
    pub coin: Coin,
    pub address: String,
    /// True when a checksum proved it; false for single-case Ethereum addresses.
    pub checksum: bool,
}

impl Wallet {
    /// `Monero address (checksum valid)`.
    pub fn describe(&self) -> String {
        let proof = if self.checksum {
            "checksum valid"
        } else {
            "format only"
        };
        format!("{} address ({proof})", self.coin.as_str())
    }

    /// The merge key shared by every analyzer that reports this wallet.
    pub fn fact(&self) -> String {
        format!("wallet:{}", self.address)
    }
}

/// Recognises one whole token as an address. Only checksum-proven addresses and mixed-case
/// EIP-55 Ethereum addresses; see `parse_lenient` for single-case Ethereum.
pub fn parse(token: &str) -> Option<Wallet> {
    let w = parse_lenient(token)?;
    w.checksum.then_some(w)
}

/// Like `parse`, and also accepts single-case Ethereum addresses (no checksum to verify).
pub fn parse_lenient(token: &str) -> Option<Wallet> {
    let t = token.trim();
    let wallet = |coin, checksum| {
        Some(Wallet {
            coin,
            address: t.to_owned(),
            checksum,
        })
    };
    if t.len() == 42 && (t.starts_with("0x") || t.starts_with("0X")) {
        return match eip55(&t[2..])? {
            true => wallet(Coin::Ethereum, true),
            false => wallet(Coin::Ethereum, false),
        };
    }
    if let Some(coin) = segwit(t) {
        return wallet(coin, true);
    }
    if (94..=110).contains(&t.len()) {
        if let Some(coin) = cryptonote(t) {
            return wallet(coin, true);
        }
        return None;
    }
    if (25..=36).contains(&t.len()) {
        if let Some(coin) = base58check(t) {
            return wallet(coin, true);
        }
    }
    None
}

/// The wallet in a pool `user` value: `WALLET`, `WALLET.worker`, `WALLET/worker`,
/// `WALLET+difficulty`, `WALLET:x`, `coin:WALLET.worker`, `WALLET.paymentid`.
///
/// No address holds a separator, so the candidates are the pieces between separators, tried
/// left to right in one pass: time linear in the value and no memory kept, whatever a hostile
/// config puts there (re-splitting every piece by each separator in turn made millions of
/// slices from a value made of separators).
pub fn from_user(user: &str) -> Option<Wallet> {
    const SEPARATORS: [char; 7] = ['.', '+', '/', ':', '#', '@', ','];
    user.trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .split(SEPARATORS)
        .filter(|piece| piece.len() >= 25)
        .find_map(parse_lenient)
}

/// Checksum-proven addresses found anywhere in a text, with their byte offsets, capped.
pub fn find_in_text(text: &str, max: usize) -> Vec<(usize, Wallet)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && out.len() < max {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        // A token glued to other word characters (`_`, `-`) is part of an identifier.
        let glued = |b: Option<&u8>| matches!(b, Some(b'_' | b'-' | b'/'));
        if glued(start.checked_sub(1).map(|p| &bytes[p])) || glued(bytes.get(i)) {
            continue;
        }
        let token = &text[start..i];
        if token.len() < 25 {
            continue;
        }
        if let Some(w) = parse(token) {
            out.push((start, w));
        }
    }
    out
}

const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn b58_digit(c: u8) -> Option<u64> {
    B58.iter().position(|&d| d == c).map(|p| p as u64)
}

/// Encoded length of a partial block of `n` bytes in Monero's block-wise base58.
const ENCODED_BLOCK: [usize; 9] = [0, 2, 3, 5, 6, 7, 9, 10, 11];

/// Decodes Monero's block-wise base58: 8-byte blocks as 11 characters, the last block shorter.
pub fn monero_b58_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    let mut out = Vec::with_capacity(s.len() * 8 / 11 + 8);
    for chunk in s.chunks(11) {
        let size = ENCODED_BLOCK.iter().position(|&n| n == chunk.len())?;
        let mut num: u128 = 0;
        for &c in chunk {
            num = num * 58 + u128::from(b58_digit(c)?);
        }
        if size < 8 && num >= 1u128 << (8 * size) || num > u128::from(u64::MAX) {
            return None;
        }
        let be = (num as u64).to_be_bytes();
        out.extend_from_slice(&be[8 - size..]);
    }
    Some(out)
}

/// Encodes in Monero's block-wise base58 (the inverse of `monero_b58_decode`): the tests build
/// addresses with it.
#[cfg(test)]
pub fn monero_b58_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for block in data.chunks(8) {
        let mut num: u64 = 0;
        for &b in block {
            num = (num << 8) | u64::from(b);
        }
        let len = ENCODED_BLOCK[block.len()];
        let mut chars = vec![B58[0]; len];
        for slot in chars.iter_mut().rev() {
            *slot = B58[(num % 58) as usize];
            num /= 58;
        }
        out.push_str(std::str::from_utf8(&chars).expect("ascii"));
    }
    out
}

/// A CryptoNote address: varint prefix, two 32-byte keys, an optional 8-byte payment id, and
/// the first 4 bytes of Keccak-256 over the rest.
fn cryptonote(s: &str) -> Option<Coin> {
    let data = monero_b58_decode(s)?;
    if data.len() < 69 {
        return None;
    }
    let (body, check) = data.split_at(data.len() - 4);
    if Keccak256::digest(body)[..4] != *check {
        return None;
    }
    let (prefix, used) = varint(body)?;
    let rest = body.len() - used;
    if rest != 64 && rest != 72 {
        return None;
    }
    Some(match (prefix, rest) {
        (18, 64) | (42, 64) | (19, 72) => Coin::Monero,
        _ => Coin::CryptoNote,
    })
}

fn varint(data: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &b) in data.iter().enumerate().take(9) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Base58check with the version bytes of common mining coins.
fn base58check(s: &str) -> Option<Coin> {
    let data = bs58::decode(s).with_check(None).into_vec().ok()?;
    match data.as_slice() {
        [0x00 | 0x05, rest @ ..] if rest.len() == 20 => Some(Coin::Bitcoin),
        [0x30 | 0x32, rest @ ..] if rest.len() == 20 => Some(Coin::Litecoin),
        [0x1e | 0x16, rest @ ..] if rest.len() == 20 => Some(Coin::Dogecoin),
        [0x3c | 0x7a, rest @ ..] if rest.len() == 20 => Some(Coin::Ravencoin),
        [0x4c | 0x10, rest @ ..] if rest.len() == 20 => Some(Coin::Dash),
        [0x1c, 0xb8 | 0xbd, rest @ ..] if rest.len() == 20 => Some(Coin::Zcash),
        _ => None,
    }
}

/// Segwit addresses with a checked bech32 (v0) or bech32m (v1+) checksum.
fn segwit(s: &str) -> Option<Coin> {
    let lower = s.to_ascii_lowercase();
    let coin = if lower.starts_with("bc1") {
        Coin::Bitcoin
    } else if lower.starts_with("ltc1") {
        Coin::Litecoin
    } else {
        return None;
    };
    bech32::segwit::decode(s).ok().map(|_| coin)
}

/// `Some(true)` for a valid mixed-case EIP-55 address, `Some(false)` for a single-case one,
/// `None` when the hex is malformed or the mixed case fails its checksum.
fn eip55(hex: &str) -> Option<bool> {
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if !(has_lower && has_upper) {
        // All zeroes or a single case: no checksum to check. Reject the trivial all-digit
        // and all-zero strings that are placeholders, not wallets.
        return (!hex.bytes().all(|b| b == b'0')).then_some(false);
    }
    let lower = hex.to_ascii_lowercase();
    let hash = Keccak256::digest(lower.as_bytes());
    for (i, c) in hex.bytes().enumerate() {
        if !c.is_ascii_alphabetic() {
            continue;
        }
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0xf;
        if (nibble >= 8) != c.is_ascii_uppercase() {
            return None;
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a CryptoNote address from a prefix and key bytes, with its Keccak checksum.
    fn make_cryptonote(prefix: u8, keys: &[u8]) -> String {
        let mut body = vec![prefix];
        body.extend_from_slice(keys);
        let check = Keccak256::digest(&body);
        body.extend_from_slice(&check[..4]);
        monero_b58_encode(&body)
    }

    fn flip(s: &str, at: usize) -> String {
        let mut b = s.as_bytes().to_vec();
        b[at] = if b[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn monero_known_address() {
        // The Monero project's public general-fund donation address.
        let a = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
        let w = parse(a).expect("valid");
        assert_eq!(w.coin, Coin::Monero);
        assert!(parse(&flip(a, 40)).is_none());
    }

    #[test]
    fn monero_standard_integrated_and_subaddress() {
        let keys: Vec<u8> = (0u8..64)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect();
        let std = make_cryptonote(18, &keys);
        assert_eq!(std.len(), 95);
        assert!(std.starts_with('4'));
        assert_eq!(parse(&std).unwrap().coin, Coin::Monero);
        let sub = make_cryptonote(42, &keys);
        assert!(sub.starts_with('8'));
        assert_eq!(parse(&sub).unwrap().coin, Coin::Monero);
        let mut ikeys = keys.clone();
        ikeys.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let integrated = make_cryptonote(19, &ikeys);
        assert_eq!(integrated.len(), 106);
        assert_eq!(parse(&integrated).unwrap().coin, Coin::Monero);
        // One changed character breaks the Keccak-256 checksum.
        assert!(parse(&flip(&std, 50)).is_none());
        assert!(parse(&flip(&integrated, 100)).is_none());
        // Round trip of the block-wise encoding.
        assert_eq!(
            monero_b58_decode(&monero_b58_encode(&ikeys)).unwrap(),
            ikeys
        );
    }

    #[test]
    fn sha3_is_not_keccak() {
        // A checksum made with SHA3-256 instead of Keccak-256 must not validate.
        use sha3::Sha3_256;
        let mut body = vec![18u8];
        body.extend((0u8..64).collect::<Vec<_>>());
        let check = Sha3_256::digest(&body);
        body.extend_from_slice(&check[..4]);
        assert!(parse(&monero_b58_encode(&body)).is_none());
    }

    #[test]
    fn bitcoin_base58check_and_forks() {
        // The genesis block's coinbase address.
        assert_eq!(
            parse("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").unwrap().coin,
            Coin::Bitcoin
        );
        assert!(parse("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb").is_none());
        let payload = [7u8; 20];
        for (version, coin) in [
            (vec![0x05u8], Coin::Bitcoin),
            (vec![0x30], Coin::Litecoin),
            (vec![0x1e], Coin::Dogecoin),
            (vec![0x3c], Coin::Ravencoin),
            (vec![0x4c], Coin::Dash),
            (vec![0x1c, 0xb8], Coin::Zcash),
        ] {
            let mut data = version.clone();
            data.extend_from_slice(&payload);
            let addr = bs58::encode(&data).with_check().into_string();
            assert_eq!(parse(&addr).map(|w| w.coin), Some(coin), "{addr}");
        }
        let rvn = bs58::encode([&[0x3cu8][..], &payload].concat())
            .with_check()
            .into_string();
        assert!(rvn.starts_with('R'));
    }

    #[test]
    fn bech32_and_bech32m() {
        use bech32::{segwit, Hrp};
        let v0 = segwit::encode_v0(Hrp::parse("bc").unwrap(), &[9u8; 20]).unwrap();
        let v1 = segwit::encode_v1(Hrp::parse("bc").unwrap(), &[3u8; 32]).unwrap();
        let ltc = segwit::encode_v0(Hrp::parse("ltc").unwrap(), &[5u8; 20]).unwrap();
        assert_eq!(parse(&v0).unwrap().coin, Coin::Bitcoin);
        assert_eq!(parse(&v1).unwrap().coin, Coin::Bitcoin);
        assert_eq!(parse(&ltc).unwrap().coin, Coin::Litecoin);
        // The crate's documented taproot example.
        assert!(parse("bc1py3m7vwnghyne9gnvcjw82j7gqt2rafgdmlmwmqnn3hvcmdm09rjqcgrtxs").is_some());
        // A v1 program with a bech32 (not bech32m) checksum is invalid per BIP-350.
        let wrong =
            bech32::encode::<bech32::Bech32>(Hrp::parse("bc").unwrap(), &[1u8; 33]).unwrap();
        assert!(parse(&wrong).is_none());
        assert!(parse(&flip(&v0, 10)).is_none());
    }

    #[test]
    fn ethereum_eip55() {
        // Test vectors from EIP-55.
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            assert_eq!(parse(a).unwrap().coin, Coin::Ethereum, "{a}");
        }
        assert!(parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").is_none());
        // Single case: no checksum, accepted only leniently.
        let lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
        assert!(parse(lower).is_none());
        assert!(!parse_lenient(lower).unwrap().checksum);
    }

    #[test]
    fn pool_users_with_workers_and_difficulty() {
        let a = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
        for user in [
            a.to_owned(),
            format!("{a}.rig01"),
            format!("{a}+50000"),
            format!("{a}/w1"),
        ] {
            assert_eq!(from_user(&user).unwrap().address, a, "{user}");
        }
        assert_eq!(
            from_user("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed.worker1")
                .unwrap()
                .coin,
            Coin::Ethereum
        );
        assert!(from_user("admin").is_none());
        assert!(from_user("YOUR_WALLET_ADDRESS").is_none());
    }

    #[test]
    fn finds_addresses_in_text_but_not_identifiers() {
        let text =
            "Donate: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa thanks; id=abcdefghijkmnopqrstuvwxyz123456";
        let found = find_in_text(text, 10);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 8);
    }
}

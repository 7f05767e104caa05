//! Random secrets for sessions, tokens and CSRF, and their stored hashes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Prefix of every credential Castellan issues, so secret scanners can recognise them.
pub const TOKEN_PREFIX: &str = "cst_";

/// A new random credential: `cst_` followed by 256 random bits in base64url.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_b64(32))
}

/// A random URL-safe string of `bytes` random bytes.
pub fn random_b64(bytes: usize) -> String {
    let mut buf = vec![0_u8; bytes];
    rand::fill(buf.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buf)
}

/// The stored form of a credential: SHA-256, hex. A credential has 256 bits of entropy, so
/// a fast hash is enough and a request never pays for a password hash.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The first characters of a credential, shown to recognise it.
pub fn token_prefix(token: &str) -> String {
    token.chars().take(12).collect()
}

/// Compares two secrets in constant time.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A random password for the first administrator: 20 characters from an unambiguous set.
pub fn new_password() -> String {
    const SET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0_u8; 20];
    rand::fill(&mut buf);
    buf.iter()
        .map(|b| {
            SET.get(usize::from(*b) % SET.len())
                .copied()
                .unwrap_or(b'x') as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with("cst_") && a.len() == 4 + 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
        assert!(secrets_equal(&a, &a.clone()) && !secrets_equal(&a, &b));
        assert_eq!(new_password().len(), 20);
    }
}

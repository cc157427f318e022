//! Secrets: random tokens from the operating system, their SHA-256 digests (what is stored), and
//! comparison that takes the same time wherever two strings differ.

use sha2::{Digest, Sha256};

/// A random secret of `N` bytes as lowercase hex. Fails rather than fall back to anything
/// guessable when the operating system has no randomness to give.
pub fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// The SHA-256 of `secret` as hex. Tokens and session ids are 32 random bytes, so a fast hash
/// is enough: nobody can search that space, and it is what the store keeps instead of them.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `a == b`, in time that depends only on the lengths.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_differ_and_digests_are_sha256() {
        let a = random_hex::<32>().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex::<32>().unwrap());
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}

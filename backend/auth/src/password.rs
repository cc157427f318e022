//! Password hashing with Argon2id (the `$argon2id$…` PHC strings the store keeps).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The shortest password Lookout accepts.
pub const MIN_LENGTH: usize = 8;

/// A hash no password is checked against in earnest: verified for unknown user names, so that
/// they take as long as known ones (Argon2id with the default parameters, of "decoy").
pub const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$bG9va291dC1kZWNveQ$3Nh7p0wPqVq9yQZtqgZrT4sHbYqHcGy0y1o1l6mQnXo";

/// Why a password cannot be set.
pub fn check(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!("a password needs at least {MIN_LENGTH} characters"));
    }
    Ok(())
}

/// `password` hashed with a fresh random salt, as a PHC string.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness for a salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches `stored` (a PHC string); a malformed `stored` matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert!(verify("correct horse", &a));
        assert!(!verify("correct horsE", &a));
        assert_ne!(a, hash("correct horse").unwrap());
        assert!(!verify("anything", "not a hash"));
        // The decoy parses as a real hash, so checking against it costs a full Argon2 run.
        assert!(argon2::password_hash::PasswordHash::new(DECOY).is_ok());
        assert!(!verify("decoy", DECOY));
        assert!(check("short").is_err());
        assert!(check("long enough").is_ok());
    }
}

//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane), run off the
//! async threads and limited in parallel so a burst of sign-ins cannot exhaust memory.

use crate::error::{Error, Result};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Hashes and verifies passwords.
#[derive(Clone, Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher {
            permits: Arc::new(Semaphore::new(4)),
        }
    }
}

impl Hasher {
    /// A PHC string (`$argon2id$v=19$…`) for a new password.
    pub async fn hash(&self, password: &str) -> Result<String> {
        let _permit = self.permits.acquire().await.map_err(Error::internal)?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| Error::internal(e.to_string()))
        })
        .await
        .map_err(Error::internal)?
    }

    /// Whether `password` matches the stored PHC string. A malformed stored hash never
    /// matches.
    pub async fn verify(&self, password: &str, stored: &str) -> Result<bool> {
        let _permit = self.permits.acquire().await.map_err(Error::internal)?;
        let password = password.to_owned();
        let stored = stored.to_owned();
        tokio::task::spawn_blocking(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                tracing::error!("a stored password hash is malformed");
                return false;
            };
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .await
        .map_err(Error::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id() {
        let h = Hasher::default();
        let stored = h.hash("correct horse battery").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(h.verify("correct horse battery", &stored).await.unwrap());
        assert!(!h.verify("wrong horse battery", &stored).await.unwrap());
        assert!(!h.verify("x", "not a hash").await.unwrap());
    }
}

//! Authentication: Argon2id password hashes, sign-in sessions, API tokens, and sign-in throttling
//! that slows guessing without letting an attacker lock a real user out.

use crate::{App, AppError, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use domain::{Actor, Id, User};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use store::{ApiTokenRow, AuditEvent, SessionRow};

pub const SESSION_LIFETIME_HOURS: i64 = 12;
/// Failures allowed per (address, account) and per address within the window before throttling.
const MAX_FAILURES_PER_ACCOUNT: usize = 5;
const MAX_FAILURES_PER_ADDRESS: usize = 30;
const WINDOW_SECS: i64 = 15 * 60;

pub fn hash_password(password: &str) -> Result<String> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| AppError::Internal(format!("salt: {e}")))?;
    Argon2::default() // Argon2id, v19, OWASP-recommended parameters
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A random secret of 32 bytes, hex encoded, from the OS-seeded CSPRNG.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A human-typable one-time password (no look-alike characters).
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let chars: String =
        bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("{}-{}-{}-{}", &chars[0..5], &chars[5..10], &chars[10..15], &chars[15..20])
}

#[derive(Debug)]
pub enum SignInError {
    /// Wrong email or password: deliberately one message for both.
    BadCredentials,
    Throttled {
        retry_after_secs: u64,
    },
    Other(AppError),
}

impl From<SignInError> for AppError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::BadCredentials => AppError::Invalid {
                field: "password".into(),
                message: "wrong email or password".into(),
            },
            SignInError::Throttled { retry_after_secs } => {
                AppError::RateLimited { retry_after_secs }
            }
            SignInError::Other(e) => e,
        }
    }
}

/// A new session: the cookie value (shown once, stored only hashed) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie: String,
    pub csrf_token: String,
    pub user: User,
    pub expires_at: DateTime<Utc>,
}

/// Recent failures per key. Throttling (not lockout): once the window passes, attempts resume,
/// and a throttled address does not block the same account from another address.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

impl Throttle {
    fn check(&self, keys: &[(&str, usize)], now: DateTime<Utc>) -> Option<u64> {
        let mut map =
            self.failures.lock().expect("throttle lock is never poisoned by a panic while held");
        let cutoff = now - Duration::seconds(WINDOW_SECS);
        let mut wait = None;
        for (key, limit) in keys {
            if let Some(times) = map.get_mut(*key) {
                times.retain(|t| *t > cutoff);
                if times.len() >= *limit {
                    let oldest = times[times.len() - limit];
                    let secs =
                        (oldest + Duration::seconds(WINDOW_SECS) - now).num_seconds().max(1) as u64;
                    wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
                }
            }
        }
        if map.len() > 100_000 {
            // Bound memory under a spray of random keys.
            map.retain(|_, v| v.iter().any(|t| *t > cutoff));
        }
        wait
    }

    fn record(&self, keys: &[&str], now: DateTime<Utc>) {
        let mut map =
            self.failures.lock().expect("throttle lock is never poisoned by a panic while held");
        for key in keys {
            map.entry(key.to_string()).or_default().push(now);
        }
    }

    fn clear(&self, key: &str) {
        self.failures
            .lock()
            .expect("throttle lock is never poisoned by a panic while held")
            .remove(key);
    }
}

pub fn actor_of(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        role: user.role,
        organization_id: user.organization_id,
        active: user.active,
    }
}

impl App {
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<NewSession, SignInError> {
        let now = self.now();
        let email = email.trim().to_lowercase();
        let account_key = format!("acct:{ip}:{email}");
        let address_key = format!("addr:{ip}");
        if let Some(retry_after_secs) = self.throttle.check(
            &[(&account_key, MAX_FAILURES_PER_ACCOUNT), (&address_key, MAX_FAILURES_PER_ADDRESS)],
            now,
        ) {
            return Err(SignInError::Throttled { retry_after_secs });
        }
        let row =
            self.store.user_for_sign_in(&email).await.map_err(|e| SignInError::Other(e.into()))?;
        // Verify against a fixed hash when the user is unknown, so timing does not reveal who exists.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| hash_password("timing equalizer").unwrap_or_default());
        let hash = row.as_ref().map_or(dummy.as_str(), |r| r.password_hash.as_str()).to_string();
        let pw = password.to_string();
        let ok =
            tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
        let user = match row {
            Some(r) if ok && r.user.active => r.user,
            other => {
                self.throttle.record(&[&account_key, &address_key], now);
                let ev = AuditEvent::new(now, other.as_ref().map(|r| r.user.id), "auth.sign_in_failed", "user", &email)
                    .with(serde_json::json!({"ip": ip, "inactive": other.as_ref().is_some_and(|r| !r.user.active)}));
                self.store.audit(ev).await.map_err(|e| SignInError::Other(e.into()))?;
                return Err(SignInError::BadCredentials);
            }
        };
        self.throttle.clear(&account_key);
        let cookie = random_secret();
        let session = SessionRow {
            id_hash: sha256_hex(&cookie),
            user_id: user.id,
            csrf_token: random_secret(),
            created_at: now,
            expires_at: now + Duration::hours(SESSION_LIFETIME_HOURS),
            revoked_at: None,
            user_agent: user_agent.chars().take(300).collect(),
            ip: ip.to_string(),
        };
        let ev = AuditEvent::new(now, Some(user.id), "auth.sign_in", "user", user.id)
            .with(serde_json::json!({"ip": ip}));
        self.store.create_session(&session, ev).await.map_err(|e| SignInError::Other(e.into()))?;
        Ok(NewSession {
            cookie,
            csrf_token: session.csrf_token,
            user,
            expires_at: session.expires_at,
        })
    }

    /// The session behind a cookie value, if it is live and its user active.
    pub async fn session(&self, cookie: &str) -> Result<Option<(SessionRow, User)>> {
        Ok(self.store.live_session(&sha256_hex(cookie), self.now()).await?)
    }

    pub async fn sign_out(&self, cookie: &str, user: Id) -> Result<()> {
        let ev = AuditEvent::new(self.now(), Some(user), "auth.sign_out", "user", user);
        self.store.revoke_sessions(user, Some(&sha256_hex(cookie)), self.now(), ev).await?;
        Ok(())
    }

    /// Revokes every session of `user` (an admin may do it for anyone, a user for themself).
    pub async fn revoke_all_sessions(&self, actor: &Actor, user: Id) -> Result<u64> {
        if actor.user_id != user {
            self.require(actor, domain::Action::ManageUsers)?;
        }
        let ev = self.event(actor, "auth.sessions_revoked", "user", user);
        Ok(self.store.revoke_sessions(user, None, self.now(), ev).await?)
    }

    /// Creates an API token for the actor; the plaintext is returned once and stored only hashed.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
    ) -> Result<(ApiTokenRow, String)> {
        let name = domain::validate::required("name", name, 100)?;
        let plaintext = format!("ld_{}", random_secret());
        let row = ApiTokenRow {
            id: Id::new_at(self.now()),
            user_id: actor.user_id,
            name,
            created_at: self.now(),
            revoked_at: None,
        };
        let ev = self
            .event(actor, "auth.token_create", "api_token", row.id)
            .with(serde_json::json!({"name": row.name}));
        self.store.create_api_token(&row, &sha256_hex(&plaintext), ev).await?;
        Ok((row, plaintext))
    }

    pub async fn user_for_token(&self, token: &str) -> Result<Option<User>> {
        Ok(self.store.user_for_token(&sha256_hex(token)).await?)
    }

    pub async fn revoke_api_token(&self, actor: &Actor, token: Id) -> Result<()> {
        let ev = self.event(actor, "auth.token_revoke", "api_token", token);
        Ok(self.store.revoke_api_token(actor.user_id, token, self.now(), ev).await?)
    }

    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> Result<()> {
        domain::user::check_password_strength(new)?;
        let user = self.store.user(actor.user_id).await?;
        let row =
            self.store.user_for_sign_in(&user.email).await?.ok_or(AppError::NotFound("user"))?;
        if !verify_password(current, &row.password_hash) {
            return Err(AppError::Invalid {
                field: "current_password".into(),
                message: "the current password is wrong".into(),
            });
        }
        let hash = hash_password(new)?;
        let ev = self.event(actor, "auth.password_change", "user", actor.user_id);
        self.store.set_password_hash(actor.user_id, &hash, self.now(), ev).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn throttle_slows_one_account_from_one_address_without_locking_it_everywhere() {
        let t = Throttle::default();
        let now = Utc::now();
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            assert!(t.check(&[("a:1", MAX_FAILURES_PER_ACCOUNT)], now).is_none());
            t.record(&["a:1"], now);
        }
        assert!(t.check(&[("a:1", MAX_FAILURES_PER_ACCOUNT)], now).is_some());
        assert!(
            t.check(&[("a:2", MAX_FAILURES_PER_ACCOUNT)], now).is_none(),
            "another address still may try"
        );
        let later = now + Duration::seconds(WINDOW_SECS + 1);
        assert!(
            t.check(&[("a:1", MAX_FAILURES_PER_ACCOUNT)], later).is_none(),
            "the window passes"
        );
    }
}

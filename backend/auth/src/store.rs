//! The users, API tokens and sessions, kept in one JSON file (`auth.json`, mode 0600) that is
//! rewritten whole (temporary file, fsync, rename) on every change. Only digests of tokens and
//! session ids are stored, and only Argon2 hashes of passwords.

use std::collections::HashMap;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::limiter::Limiter;
use crate::role::{Role, Scope, Scopes};
use crate::{password, secret};

/// A session ends this long after sign-in, used or not.
pub const SESSION_MAX_MS: i64 = 30 * 24 * 3600 * 1000;
/// A session ends when unused this long (counted from the last start for sessions older than it).
pub const SESSION_IDLE_MS: i64 = 7 * 24 * 3600 * 1000;
/// What API tokens start with, so they are easy to recognise (and to scan for in leaked text).
pub const TOKEN_PREFIX: &str = "lookout_";

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("cannot write the user store: {0}")]
    Io(#[from] std::io::Error),
}

/// Who a request is from, and what it may do.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The user's name; for a token, its owner's.
    pub name: String,
    /// The user's role; `None` for the server's own tokens, which belong to no user.
    pub role: Option<Role>,
    pub scopes: Scopes,
    pub via: Via,
}

/// How the request proved who it is from.
#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    /// A browser session; writes must repeat its CSRF token in a header.
    Session { csrf: String },
    /// HTTP basic auth.
    Password,
    /// A bearer API token, by its id.
    Token { id: String },
}

/// A user as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
    pub created_ms: i64,
}

/// A token as listed: never its secret.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub scopes: Scopes,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
    pub last_used_ms: Option<i64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    users: Vec<StoredUser>,
    tokens: Vec<StoredToken>,
    sessions: Vec<StoredSession>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredUser {
    name: String,
    role: String,
    password: String,
    created_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredToken {
    id: String,
    name: String,
    owner: String,
    scopes: Vec<String>,
    digest: String,
    created_ms: i64,
    expires_ms: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSession {
    digest: String,
    user: String,
    csrf: String,
    created_ms: i64,
}

#[derive(Debug)]
struct Inner {
    file: File,
    /// Digest of "name NUL password" → the password hash it was checked against, so HTTP basic
    /// auth (sent with every request by Prometheus and amtool) costs one Argon2 run, not one per
    /// request. An entry counts only while the user's hash is still the same.
    verified: HashMap<String, String>,
    /// The server's own tokens (the demo's), by digest: never written to disk.
    ephemeral: HashMap<String, Principal>,
    /// Session digest → last use, kept in memory only.
    seen: HashMap<String, i64>,
    /// Token id → last use, kept in memory only.
    token_used: HashMap<String, i64>,
    limiter: Limiter,
}

/// The user store; every method takes `now_ms` so tests control time.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    inner: Mutex<Inner>,
}

impl Store {
    /// Opens `dir/auth.json`, or starts empty when there is none. A file that cannot be read is an
    /// error: starting without the users it holds would lock everyone out, or worse.
    pub fn open(dir: &Path) -> Result<Store, AuthError> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("auth.json");
        let file = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| AuthError::Invalid(format!("{} is not a user store: {e}", path.display())))?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(err) => return Err(err.into()),
        };
        let inner = Inner {
            file,
            verified: HashMap::new(),
            ephemeral: HashMap::new(),
            seen: HashMap::new(),
            token_used: HashMap::new(),
            limiter: Limiter::default(),
        };
        Ok(Store { path, inner: Mutex::new(inner) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// At the first start (no users yet), creates `admin` with `password`, or with a generated
    /// one that is returned so it can be shown once. Later starts change nothing.
    pub fn ensure_admin(&self, password: Option<&str>, now_ms: i64) -> Result<Option<String>, AuthError> {
        if !self.lock().file.users.is_empty() {
            return Ok(None);
        }
        self.reset_admin(password, now_ms)
    }

    /// Gives `admin` the password `password` (or a generated one, returned) and the admin role,
    /// creating the user if it is gone: the way back in for whoever runs the server.
    pub fn reset_admin(&self, password: Option<&str>, now_ms: i64) -> Result<Option<String>, AuthError> {
        let (password, generated) = match password {
            Some(p) => (p.to_string(), None),
            None => {
                let p = fresh::<12>()?;
                (p.clone(), Some(p))
            }
        };
        let exists = self.lock().file.users.iter().any(|u| u.name == "admin");
        if exists {
            self.update_user("admin", Some(Role::Admin), Some(&password), now_ms)?;
        } else {
            self.create_user("admin", Role::Admin, &password, now_ms)?;
        }
        Ok(generated)
    }

    // ---- users -------------------------------------------------------------------------------

    pub fn users(&self) -> Vec<UserInfo> {
        self.lock().file.users.iter().filter_map(user_info).collect()
    }

    pub fn create_user(&self, name: &str, role: Role, password: &str, now_ms: i64) -> Result<UserInfo, AuthError> {
        check_name(name)?;
        password::check(password).map_err(AuthError::Invalid)?;
        let hash = password::hash(password).map_err(AuthError::Invalid)?;
        let mut inner = self.lock();
        if inner.file.users.iter().any(|u| u.name == name) {
            return Err(AuthError::Conflict(format!("user {name:?} already exists")));
        }
        let user = StoredUser { name: name.into(), role: role.as_str().into(), password: hash, created_ms: now_ms };
        inner.file.users.push(user);
        self.save(&mut inner, now_ms)?;
        Ok(UserInfo { name: name.into(), role, created_ms: now_ms })
    }

    /// Changes a user's role and/or password. A new password ends the user's sessions.
    pub fn update_user(
        &self,
        name: &str,
        role: Option<Role>,
        password: Option<&str>,
        now_ms: i64,
    ) -> Result<(), AuthError> {
        let hash = match password {
            Some(p) => {
                password::check(p).map_err(AuthError::Invalid)?;
                Some(password::hash(p).map_err(AuthError::Invalid)?)
            }
            None => None,
        };
        let mut inner = self.lock();
        let index = user_index(&inner.file, name)?;
        if let Some(role) = role
            && role != Role::Admin
        {
            last_admin_stays(&inner.file, name)?;
        }
        let user = &mut inner.file.users[index];
        if let Some(role) = role {
            user.role = role.as_str().into();
        }
        if let Some(hash) = hash {
            user.password = hash;
            inner.file.sessions.retain(|s| s.user != name);
        }
        self.save(&mut inner, now_ms)
    }

    /// Deletes a user with their tokens and sessions; the last admin cannot be deleted.
    pub fn delete_user(&self, name: &str, now_ms: i64) -> Result<(), AuthError> {
        let mut inner = self.lock();
        let index = user_index(&inner.file, name)?;
        last_admin_stays(&inner.file, name)?;
        inner.file.users.remove(index);
        inner.file.tokens.retain(|t| t.owner != name);
        inner.file.sessions.retain(|s| s.user != name);
        self.save(&mut inner, now_ms)
    }

    /// The user `name` if `password` is theirs. Runs Argon2 outside the lock (it takes tens of
    /// milliseconds) unless this exact pair was verified against the current hash before.
    pub fn check_password(&self, name: &str, password: &str) -> Option<Principal> {
        let key = secret::digest(&format!("{name}\0{password}"));
        let (stored, role) = {
            let inner = self.lock();
            let Some(user) = inner.file.users.iter().find(|u| u.name == name) else {
                drop(inner);
                // As slow as a wrong password, so timing does not tell which user names exist.
                password::verify(password, password::DECOY);
                return None;
            };
            let role = Role::parse(&user.role)?;
            if inner.verified.get(&key) == Some(&user.password) {
                return Some(principal(name, role, role.scopes(), Via::Password));
            }
            (user.password.clone(), role)
        };
        if !password::verify(password, &stored) {
            return None;
        }
        let mut inner = self.lock();
        if inner.verified.len() > 10_000 {
            inner.verified.clear();
        }
        inner.verified.insert(key, stored);
        Some(principal(name, role, role.scopes(), Via::Password))
    }

    // ---- sessions ----------------------------------------------------------------------------

    /// Signs `name` in: a new session id (the cookie's value) and its CSRF token.
    pub fn create_session(&self, name: &str, now_ms: i64) -> Result<(String, String), AuthError> {
        let id = fresh::<32>()?;
        let csrf = fresh::<16>()?;
        let mut inner = self.lock();
        user_index(&inner.file, name)?;
        let digest = secret::digest(&id);
        inner.seen.insert(digest.clone(), now_ms);
        inner.file.sessions.push(StoredSession { digest, user: name.into(), csrf: csrf.clone(), created_ms: now_ms });
        self.save(&mut inner, now_ms)?;
        Ok((id, csrf))
    }

    /// Who holds session `id`, if it is live; using it keeps it from going idle.
    pub fn session(&self, id: &str, now_ms: i64) -> Option<Principal> {
        let digest = secret::digest(id);
        let mut inner = self.lock();
        let session = inner.file.sessions.iter().find(|s| secret::same(&s.digest, &digest))?.clone();
        let last = inner.seen.get(&digest).copied().unwrap_or(session.created_ms.max(now_ms - SESSION_IDLE_MS / 2));
        if now_ms - session.created_ms >= SESSION_MAX_MS || now_ms - last >= SESSION_IDLE_MS {
            return None;
        }
        let user = inner.file.users.iter().find(|u| u.name == session.user)?;
        let role = Role::parse(&user.role)?;
        inner.seen.insert(digest, now_ms);
        Some(principal(&session.user, role, role.scopes(), Via::Session { csrf: session.csrf }))
    }

    /// Signs session `id` out; unknown ids are fine.
    pub fn end_session(&self, id: &str, now_ms: i64) -> Result<(), AuthError> {
        let digest = secret::digest(id);
        let mut inner = self.lock();
        let before = inner.file.sessions.len();
        inner.file.sessions.retain(|s| s.digest != digest);
        inner.seen.remove(&digest);
        if inner.file.sessions.len() == before {
            return Ok(());
        }
        self.save(&mut inner, now_ms)
    }

    // ---- tokens ------------------------------------------------------------------------------

    /// A new token for `owner`, with `scopes` (which the owner's role must hold). The secret is
    /// returned once and never stored.
    pub fn create_token(
        &self,
        owner: &str,
        name: &str,
        scopes: Scopes,
        expires_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(TokenInfo, String), AuthError> {
        if name.trim().is_empty() || name.len() > 100 {
            return Err(AuthError::Invalid("a token needs a name of 1 to 100 characters".into()));
        }
        if scopes == Scopes::default() {
            return Err(AuthError::Invalid("a token needs at least one scope".into()));
        }
        let secret = token_secret()?;
        let id = fresh::<6>()?;
        let mut inner = self.lock();
        let owner_role = user_role(&inner.file, owner)?;
        if !scopes.is_subset(owner_role.scopes()) {
            let missing: Vec<&str> =
                scopes.iter().filter(|s| !owner_role.scopes().contains(*s)).map(Scope::as_str).collect();
            return Err(AuthError::Invalid(format!(
                "{owner} is {} and cannot give a token the scopes {}",
                owner_role,
                missing.join(", ")
            )));
        }
        let token = StoredToken {
            id: id.clone(),
            name: name.into(),
            owner: owner.into(),
            scopes: scopes.iter().map(|s| s.as_str().to_string()).collect(),
            digest: secret::digest(&secret),
            created_ms: now_ms,
            expires_ms,
        };
        let info = token_info(&token, None);
        inner.file.tokens.push(token);
        self.save(&mut inner, now_ms)?;
        Ok((info, secret))
    }

    pub fn tokens(&self) -> Vec<TokenInfo> {
        let inner = self.lock();
        inner.file.tokens.iter().map(|t| token_info(t, inner.token_used.get(&t.id).copied())).collect()
    }

    pub fn delete_token(&self, id: &str, now_ms: i64) -> Result<(), AuthError> {
        let mut inner = self.lock();
        let before = inner.file.tokens.len();
        inner.file.tokens.retain(|t| t.id != id);
        if inner.file.tokens.len() == before {
            return Err(AuthError::NotFound(format!("no token {id:?}")));
        }
        self.save(&mut inner, now_ms)
    }

    /// A token that lives only as long as this process, for the server's own agents (the demo).
    pub fn ephemeral_token(&self, name: &str, scopes: Scopes) -> Result<String, AuthError> {
        let secret = token_secret()?;
        let principal = Principal { name: name.into(), role: None, scopes, via: Via::Token { id: name.into() } };
        self.lock().ephemeral.insert(secret::digest(&secret), principal);
        Ok(secret)
    }

    /// Whose token `secret` is, if it is live: its scopes as far as its owner's role still allows.
    pub fn token(&self, secret: &str, now_ms: i64) -> Option<Principal> {
        let digest = secret::digest(secret);
        let mut inner = self.lock();
        if let Some(principal) = inner.ephemeral.get(&digest) {
            return Some(principal.clone());
        }
        let token = inner.file.tokens.iter().find(|t| secret::same(&t.digest, &digest))?;
        if token.expires_ms.is_some_and(|at| now_ms >= at) {
            return None;
        }
        let role = user_role(&inner.file, &token.owner).ok()?;
        let scopes = scopes_of(&token.scopes).intersect(role.scopes());
        let found = principal(&token.owner, role, scopes, Via::Token { id: token.id.clone() });
        let id = token.id.clone();
        inner.token_used.insert(id, now_ms);
        Some(found)
    }

    // ---- failed attempts ---------------------------------------------------------------------

    /// `Err(ms to wait)` when `key` has failed too often lately.
    pub fn check_limit(&self, key: &str, now_ms: i64) -> Result<(), i64> {
        self.lock().limiter.check(key, now_ms)
    }

    pub fn count_failure(&self, key: &str, now_ms: i64) {
        self.lock().limiter.fail(key, now_ms);
    }

    // ---- persistence -------------------------------------------------------------------------

    /// Writes the whole store (dropping sessions past their lifetime) and makes it durable.
    fn save(&self, inner: &mut Inner, now_ms: i64) -> Result<(), AuthError> {
        inner.file.sessions.retain(|s| now_ms - s.created_ms < SESSION_MAX_MS);
        let bytes = serde_json::to_vec_pretty(&inner.file).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let temporary = self.path.with_extension("json.tmp");
        let mut file =
            std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &self.path)?;
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

/// `N` random bytes as hex; no randomness is an error, never a weaker secret.
fn fresh<const N: usize>() -> Result<String, AuthError> {
    secret::random_hex::<N>().map_err(|e| AuthError::Invalid(format!("no randomness for a secret: {e}")))
}

fn token_secret() -> Result<String, AuthError> {
    Ok(format!("{TOKEN_PREFIX}{}", fresh::<32>()?))
}

fn principal(name: &str, role: Role, scopes: Scopes, via: Via) -> Principal {
    Principal { name: name.into(), role: Some(role), scopes, via }
}

fn check_name(name: &str) -> Result<(), AuthError> {
    let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if name.is_empty() || name.len() > 64 || !name.chars().all(fine) {
        return Err(AuthError::Invalid(format!("user name {name:?}: 1 to 64 letters, digits, '.', '_', '-' or '@'")));
    }
    Ok(())
}

fn user_index(file: &File, name: &str) -> Result<usize, AuthError> {
    file.users.iter().position(|u| u.name == name).ok_or_else(|| AuthError::NotFound(format!("no user {name:?}")))
}

fn user_role(file: &File, name: &str) -> Result<Role, AuthError> {
    let user = &file.users[user_index(file, name)?];
    Role::parse(&user.role)
        .ok_or_else(|| AuthError::Invalid(format!("user {name:?} has an unknown role {:?}", user.role)))
}

/// Refuses a change that would leave no admin (when `name` is the only one).
fn last_admin_stays(file: &File, name: &str) -> Result<(), AuthError> {
    let admins: Vec<&str> =
        file.users.iter().filter(|u| u.role == Role::Admin.as_str()).map(|u| u.name.as_str()).collect();
    if admins == [name] {
        return Err(AuthError::Conflict(format!("{name} is the last admin; make another admin first")));
    }
    Ok(())
}

fn user_info(user: &StoredUser) -> Option<UserInfo> {
    Some(UserInfo { name: user.name.clone(), role: Role::parse(&user.role)?, created_ms: user.created_ms })
}

fn scopes_of(names: &[String]) -> Scopes {
    names.iter().filter_map(|n| Scope::parse(n)).collect()
}

fn token_info(token: &StoredToken, last_used_ms: Option<i64>) -> TokenInfo {
    TokenInfo {
        id: token.id.clone(),
        name: token.name.clone(),
        owner: token.owner.clone(),
        scopes: scopes_of(&token.scopes),
        created_ms: token.created_ms,
        expires_ms: token.expires_ms,
        last_used_ms,
    }
}

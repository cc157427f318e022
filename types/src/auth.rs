//! Signing in and managing who may use Lookout: `/api/lookout/login`, `/me`, `/users`, `/tokens`.

use serde::{Deserialize, Serialize};

/// The body of `POST /api/lookout/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Login {
    pub user: String,
    pub password: String,
}

/// `GET /api/lookout/me` (and the answer to a sign-in): whether sign-in is needed and who is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub auth_enabled: bool,
    /// `None` when nobody is signed in.
    pub user: Option<Caller>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Caller {
    pub name: String,
    /// `viewer`, `responder`, `editor` or `admin`; empty for the server's own tokens.
    pub role: String,
    /// What this caller may do: `read`, `ingest`, `respond`, `edit`, `admin`.
    pub scopes: Vec<String>,
}

/// `GET /api/lookout/users`: one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub role: String,
    /// Unix milliseconds.
    pub created: i64,
}

/// The body of `POST /api/lookout/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateUser {
    pub name: String,
    pub role: String,
    pub password: String,
}

/// The body of `PUT /api/lookout/users/{name}`: what to change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateUser {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

/// The body of `PUT /api/lookout/me/password`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePassword {
    pub current: String,
    pub new: String,
}

/// `GET /api/lookout/tokens`: one API token, never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub scopes: Vec<String>,
    pub created: i64,
    pub expires: Option<i64>,
    pub last_used: Option<i64>,
}

/// The body of `POST /api/lookout/tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateToken {
    pub name: String,
    pub scopes: Vec<String>,
    /// Whose token it is; the caller when absent.
    #[serde(default)]
    pub owner: Option<String>,
    /// How long it lives, e.g. `30d`; forever when absent.
    #[serde(default)]
    pub expires_in: Option<String>,
}

/// The answer to `POST /api/lookout/tokens`: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: Token,
    pub secret: String,
}

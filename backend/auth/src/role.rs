//! Roles people hold and the scopes that requests need: a role grants a fixed set of scopes, an
//! API token carries a chosen subset of its owner's.

use std::fmt;

/// What a request may do. Every route needs one scope (or none, for the few open ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Read metrics, logs, alerts, dashboards; share links.
    Read,
    /// Push metrics, logs and alerts (remote_write, NDJSON, Loki push, `POST /api/v2/alerts`).
    Ingest,
    /// Acknowledge and resolve alerts, create and expire silences.
    Respond,
    /// Save and delete dashboards, reload rules.
    Edit,
    /// Manage users and tokens.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 5] = [Scope::Read, Scope::Ingest, Scope::Respond, Scope::Edit, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Ingest => "ingest",
            Scope::Respond => "respond",
            Scope::Edit => "edit",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes, as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_subset(self, of: Scopes) -> bool {
        self.0 & !of.0 == 0
    }

    pub fn intersect(self, other: Scopes) -> Scopes {
        Scopes(self.0 & other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Scopes(iter.into_iter().fold(0, |bits, s| bits | s.bit()))
    }
}

/// What a person may do, each role everything the one before may and more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Responder,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Responder, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Responder => "responder",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The scopes the role grants. Editors may push data too: they own the dashboards and rules
    /// that data feeds, and agents' tokens are made by them.
    pub fn scopes(self) -> Scopes {
        let granted: &[Scope] = match self {
            Role::Viewer => &[Scope::Read],
            Role::Responder => &[Scope::Read, Scope::Respond],
            Role::Editor => &[Scope::Read, Scope::Respond, Scope::Edit, Scope::Ingest],
            Role::Admin => &Scope::ALL,
        };
        granted.iter().copied().collect()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_holds_the_one_below() {
        for pair in Role::ALL.windows(2) {
            assert!(pair[0].scopes().is_subset(pair[1].scopes()), "{} ⊄ {}", pair[0], pair[1]);
            assert_ne!(pair[0].scopes(), pair[1].scopes());
        }
        assert!(!Role::Viewer.scopes().contains(Scope::Respond));
        assert!(!Role::Responder.scopes().contains(Scope::Edit));
        assert!(!Role::Editor.scopes().contains(Scope::Admin));
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Role::parse("root"), None);
        let ingest: Scopes = [Scope::Ingest].into_iter().collect();
        assert_eq!(ingest.iter().collect::<Vec<_>>(), [Scope::Ingest]);
        assert_eq!(ingest.intersect(Role::Viewer.scopes()), Scopes::default());
    }
}

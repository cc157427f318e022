//! The user store as the server uses it: the first admin, sign-in, sessions, tokens and their
//! scopes, and that all of it survives a reopen.

use lookout_auth::{AuthError, Role, SESSION_IDLE_MS, SESSION_MAX_MS, Scope, Scopes, Store, Via};

fn dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lookout-auth-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn scopes(list: &[Scope]) -> Scopes {
    list.iter().copied().collect()
}

#[test]
fn first_start_makes_one_admin_and_later_starts_keep_it() {
    let dir = dir("first");
    let store = Store::open(&dir).unwrap();
    let generated = store.ensure_admin(None, 0).unwrap().expect("a generated password");
    assert!(generated.len() >= 16, "{generated}");
    assert!(store.check_password("admin", &generated).is_some());
    assert!(store.check_password("admin", "wrong password").is_none());
    drop(store);

    let store = Store::open(&dir).unwrap();
    assert_eq!(store.ensure_admin(Some("another password"), 1).unwrap(), None);
    assert!(store.check_password("admin", &generated).is_some(), "the first password stays");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(dir.join("auth.json")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(dir.join("auth.json")).unwrap();
    assert!(!text.contains(&generated), "passwords are stored hashed");
}

#[test]
fn sessions_live_until_signed_out_idle_or_old() {
    let store = Store::open(&dir("sessions")).unwrap();
    store.ensure_admin(Some("admin password"), 0).unwrap();
    let (id, csrf) = store.create_session("admin", 0).unwrap();
    let who = store.session(&id, 1000).unwrap();
    assert_eq!(who.name, "admin");
    assert_eq!(who.role, Some(Role::Admin));
    assert_eq!(who.via, Via::Session { csrf: csrf.clone() });
    assert!(store.session("not a session", 1000).is_none());
    // Used every few days, it lasts its full lifetime, and no longer.
    let mut now = 0;
    while now + SESSION_IDLE_MS / 2 < SESSION_MAX_MS {
        now += SESSION_IDLE_MS / 2;
        assert!(store.session(&id, now).is_some(), "at {now}");
    }
    assert!(store.session(&id, SESSION_MAX_MS).is_none());

    let (idle, _) = store.create_session("admin", 0).unwrap();
    assert!(store.session(&idle, SESSION_IDLE_MS).is_none(), "unused for the idle time");

    let (gone, _) = store.create_session("admin", 0).unwrap();
    store.end_session(&gone, 10).unwrap();
    assert!(store.session(&gone, 20).is_none());
}

#[test]
fn sessions_and_tokens_survive_a_restart_but_ephemeral_tokens_do_not() {
    let dir = dir("restart");
    let store = Store::open(&dir).unwrap();
    store.ensure_admin(Some("admin password"), 0).unwrap();
    let (session, _) = store.create_session("admin", 0).unwrap();
    let (_, token) = store.create_token("admin", "prometheus", scopes(&[Scope::Ingest]), None, 0).unwrap();
    let demo = store.ephemeral_token("demo", scopes(&[Scope::Ingest])).unwrap();
    assert_eq!(store.token(&demo, 0).unwrap().name, "demo");
    drop(store);

    let store = Store::open(&dir).unwrap();
    assert!(store.session(&session, 1).is_some());
    assert_eq!(store.token(&token, 1).unwrap().scopes, scopes(&[Scope::Ingest]));
    assert!(store.token(&demo, 1).is_none());
    let text = std::fs::read_to_string(dir.join("auth.json")).unwrap();
    assert!(!text.contains(&token) && !text.contains(&session), "only digests are stored");
}

#[test]
fn tokens_carry_at_most_their_owners_scopes() {
    let store = Store::open(&dir("tokens")).unwrap();
    store.ensure_admin(Some("admin password"), 0).unwrap();
    store.create_user("vic", Role::Viewer, "viewer password", 0).unwrap();
    let err = store.create_token("vic", "push", scopes(&[Scope::Ingest]), None, 0).unwrap_err();
    assert!(err.to_string().contains("cannot give a token the scopes ingest"), "{err}");
    assert!(store.create_token("vic", "none", Scopes::default(), None, 0).is_err());

    store.create_user("ed", Role::Editor, "editor password", 0).unwrap();
    let (info, secret) =
        store.create_token("ed", "agent", scopes(&[Scope::Ingest, Scope::Read]), Some(5000), 0).unwrap();
    assert!(secret.starts_with(lookout_auth::TOKEN_PREFIX));
    let who = store.token(&secret, 100).unwrap();
    assert_eq!((who.name.as_str(), who.scopes), ("ed", scopes(&[Scope::Ingest, Scope::Read])));
    assert_eq!(who.via, Via::Token { id: info.id.clone() });
    assert_eq!(store.tokens()[0].last_used_ms, Some(100));
    // Demoting the owner narrows the token; expiry ends it; deleting it ends it too.
    store.update_user("ed", Some(Role::Viewer), None, 200).unwrap();
    assert_eq!(store.token(&secret, 300).unwrap().scopes, scopes(&[Scope::Read]));
    assert!(store.token(&secret, 5000).is_none());
    store.delete_token(&info.id, 400).unwrap();
    assert!(store.token(&secret, 500).is_none());
    assert!(matches!(store.delete_token(&info.id, 600), Err(AuthError::NotFound(_))));
}

#[test]
fn users_are_managed_and_the_last_admin_is_kept() {
    let store = Store::open(&dir("users")).unwrap();
    store.ensure_admin(Some("admin password"), 0).unwrap();
    assert!(matches!(store.delete_user("admin", 1), Err(AuthError::Conflict(_))));
    assert!(matches!(store.update_user("admin", Some(Role::Editor), None, 1), Err(AuthError::Conflict(_))));
    assert!(matches!(store.create_user("admin", Role::Viewer, "password1", 1), Err(AuthError::Conflict(_))));
    assert!(matches!(store.create_user("bad name", Role::Viewer, "password1", 1), Err(AuthError::Invalid(_))));
    assert!(matches!(store.create_user("short", Role::Viewer, "pw", 1), Err(AuthError::Invalid(_))));

    store.create_user("rita", Role::Responder, "responder pw", 1).unwrap();
    let (session, _) = store.create_session("rita", 1).unwrap();
    let (_, token) = store.create_token("rita", "script", scopes(&[Scope::Respond]), None, 1).unwrap();
    // A new password works at once (the old one no longer, even though it was verified before)
    // and ends the sessions.
    assert!(store.check_password("rita", "responder pw").is_some());
    store.update_user("rita", None, Some("new responder pw"), 2).unwrap();
    assert!(store.check_password("rita", "responder pw").is_none());
    assert!(store.check_password("rita", "new responder pw").is_some());
    assert!(store.session(&session, 3).is_none());
    assert!(store.token(&token, 3).is_some());

    store.delete_user("rita", 4).unwrap();
    assert!(store.token(&token, 5).is_none(), "a user's tokens go with them");
    let names: Vec<String> = store.users().into_iter().map(|u| u.name).collect();
    assert_eq!(names, ["admin"]);
}

#[test]
fn a_reset_brings_admin_back() {
    let store = Store::open(&dir("reset")).unwrap();
    store.ensure_admin(Some("admin password"), 0).unwrap();
    store.create_user("ed", Role::Admin, "editor password", 0).unwrap();
    store.update_user("admin", Some(Role::Viewer), None, 1).unwrap();
    let (session, _) = store.create_session("admin", 1).unwrap();
    let generated = store.reset_admin(None, 2).unwrap().unwrap();
    let admin = store.check_password("admin", &generated).unwrap();
    assert_eq!(admin.role, Some(Role::Admin));
    assert!(store.check_password("admin", "admin password").is_none());
    assert!(store.session(&session, 3).is_none(), "the old sessions end");
    store.delete_user("admin", 4).unwrap();
    assert_eq!(store.reset_admin(Some("brand new one"), 5).unwrap(), None);
    assert!(store.check_password("admin", "brand new one").is_some());
}

#[test]
fn an_unreadable_store_is_an_error_not_an_empty_one() {
    let dir = dir("corrupt");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("auth.json"), "{ not json").unwrap();
    let err = Store::open(&dir).unwrap_err().to_string();
    assert!(err.contains("is not a user store"), "{err}");
}

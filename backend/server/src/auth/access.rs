//! Which scope each route needs: the one table of who may call what. Reads need `read`, pushes
//! `ingest`, acting on alerts `respond`, changing dashboards and rules `edit`, managing users and
//! tokens `admin`. A write not named here needs `admin`, so a new route is closed until listed.

use axum::http::Method;
use lookout_auth::Scope;

/// The scope `method` on the route template `route` needs; `None` for the open routes. Requests
/// that match no route (`route` is `None`) are the UI's own files, which hold no data.
pub fn required(method: &Method, route: Option<&str>) -> Option<Scope> {
    let route = route?;
    match route {
        // Probes, the JSON 404 for unknown API paths, and signing in.
        "/-/healthy"
        | "/-/ready"
        | "/api/health"
        | "/api/{*rest}"
        | "/api/lookout/login"
        | "/api/lookout/logout"
        | "/api/lookout/me" => return None,
        "/api/lookout/users" | "/api/lookout/users/{name}" | "/api/lookout/tokens" | "/api/lookout/tokens/{id}" => {
            return Some(Scope::Admin);
        }
        _ => {}
    }
    if matches!(*method, Method::GET | Method::HEAD) {
        return Some(Scope::Read);
    }
    Some(match (method.as_str(), route) {
        // Prometheus's and Loki's APIs take queries by POST as well (long queries do not fit a URL),
        // and sharing a link or changing one's own password is anyone's.
        (
            "POST",
            "/api/v1/query"
            | "/api/v1/query_range"
            | "/api/v1/series"
            | "/api/v1/labels"
            | "/loki/api/v1/query"
            | "/loki/api/v1/query_range"
            | "/loki/api/v1/labels"
            | "/loki/api/v1/series"
            | "/api/lookout/links"
            | "/api/datasources/proxy/uid/{uid}/{*path}",
        ) => Scope::Read,
        ("PUT", "/api/lookout/me/password") => Scope::Read,
        // Marking a deploy is what a pipeline's ingest token does; changing marks is an editor's.
        (
            "POST",
            "/api/v1/write"
            | "/api/v1/logs"
            | "/loki/api/v1/push"
            | "/api/v2/alerts"
            | "/api/annotations"
            | "/api/annotations/graphite",
        ) => Scope::Ingest,
        ("PUT" | "PATCH" | "DELETE", "/api/annotations/{id}") => Scope::Edit,
        ("POST", "/api/v2/silences" | "/api/lookout/alerts/{fingerprint}/{action}") => Scope::Respond,
        ("DELETE", "/api/v2/silence/{id}") => Scope::Respond,
        ("POST", "/api/dashboards/db") | ("DELETE", "/api/dashboards/uid/{uid}" | "/api/lookout/links/{id}") => {
            Scope::Edit
        }
        ("POST" | "PUT", "/-/reload") => Scope::Edit,
        _ => Scope::Admin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        let cases = [
            ("GET", "/-/healthy", None),
            ("GET", "/api/lookout/me", None),
            ("POST", "/api/lookout/login", None),
            ("GET", "/api/v1/query", Some(Scope::Read)),
            ("POST", "/api/datasources/proxy/uid/{uid}/{*path}", Some(Scope::Read)),
            ("POST", "/api/v1/query", Some(Scope::Read)),
            ("GET", "/metrics", Some(Scope::Read)),
            ("GET", "/loki/api/v1/tail", Some(Scope::Read)),
            ("POST", "/api/v1/write", Some(Scope::Ingest)),
            ("POST", "/api/v2/alerts", Some(Scope::Ingest)),
            ("POST", "/api/annotations", Some(Scope::Ingest)),
            ("PATCH", "/api/annotations/{id}", Some(Scope::Edit)),
            ("DELETE", "/api/annotations/{id}", Some(Scope::Edit)),
            ("GET", "/api/annotations", Some(Scope::Read)),
            ("GET", "/api/health", None),
            ("GET", "/api/v2/alerts", Some(Scope::Read)),
            ("POST", "/api/v2/silences", Some(Scope::Respond)),
            ("DELETE", "/api/v2/silence/{id}", Some(Scope::Respond)),
            ("POST", "/api/lookout/alerts/{fingerprint}/{action}", Some(Scope::Respond)),
            ("POST", "/api/dashboards/db", Some(Scope::Edit)),
            ("POST", "/-/reload", Some(Scope::Edit)),
            ("GET", "/api/lookout/users", Some(Scope::Admin)),
            ("POST", "/api/lookout/tokens", Some(Scope::Admin)),
            ("POST", "/api/some/new/write", Some(Scope::Admin)),
        ];
        for (method, route, scope) in cases {
            assert_eq!(required(&method.parse().unwrap(), Some(route)), scope, "{method} {route}");
        }
        assert_eq!(required(&Method::GET, None), None, "the UI's files");
    }
}

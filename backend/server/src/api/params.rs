//! Request parameters the way Prometheus's API takes them: from the query string, and for a form
//! POST from the body as well, with repeated keys such as `match[]` kept.

use axum::extract::{FromRequest, Request};
use axum::http::{Method, header};

use super::ApiError;
use crate::timefmt::{parse_api_duration, parse_api_time};

/// The largest form body accepted (queries are text; 1 MiB leaves room for long ones).
const MAX_FORM_BYTES: usize = 1 << 20;

#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let mut pairs: Vec<(String, String)> = match req.uri().query() {
            Some(q) => {
                serde_urlencoded::from_str(q).map_err(|e| ApiError::BadData(format!("invalid query string: {e}")))?
            }
            None => Vec::new(),
        };
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if req.method() == Method::POST && is_form {
            let body = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES)
                .await
                .map_err(|_| ApiError::TooLarge(format!("request body larger than {MAX_FORM_BYTES} bytes")))?;
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|e| ApiError::BadData(format!("invalid form body: {e}")))?;
            pairs.extend(form);
        }
        Ok(Params(pairs))
    }
}

impl Params {
    /// Every parameter as given, for passing a request on to the metrics backend.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    pub fn required(&self, key: &str) -> Result<&str, ApiError> {
        self.get(key).ok_or_else(|| ApiError::BadData(format!("invalid parameter \"{key}\": missing")))
    }

    /// A time parameter in milliseconds, or `default` when absent.
    pub fn time(&self, key: &str, default: i64) -> Result<i64, ApiError> {
        match self.get(key) {
            None | Some("") => Ok(default),
            Some(text) => parse_api_time(text).ok_or_else(|| {
                ApiError::BadData(format!("invalid parameter \"{key}\": cannot parse {text:?} to a valid timestamp"))
            }),
        }
    }

    pub fn duration(&self, key: &str) -> Result<Option<std::time::Duration>, ApiError> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(text) => parse_api_duration(text).map(Some).ok_or_else(|| {
                ApiError::BadData(format!("invalid parameter \"{key}\": cannot parse {text:?} to a valid duration"))
            }),
        }
    }
}

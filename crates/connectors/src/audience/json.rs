//! Any host with a JSON status: a URL, a JSON pointer (RFC 6901, e.g. `/stats/viewers`) to the
//! number, and an optional auth header whose value is a secret.

use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;
use showdesk_platform::redact::Secret;

use super::{AudienceError, AudienceReading, check_url, fetch, http_client};

#[derive(Debug)]
pub struct JsonPoller {
    client: reqwest::Client,
    url: reqwest::Url,
    pointer: String,
    auth: Option<(HeaderName, Secret)>,
}

impl JsonPoller {
    pub fn new(url: &str, pointer: &str, auth: Option<(&str, Secret)>) -> Result<Self, AudienceError> {
        let pointer = pointer.trim();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(AudienceError::Config(format!("{pointer:?} is not a JSON pointer (it starts with '/')")));
        }
        let auth = match auth {
            Some((name, value)) => {
                let name = HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| AudienceError::Config(format!("{name:?} is not an HTTP header name")))?;
                Some((name, value))
            }
            None => None,
        };
        Ok(Self { client: http_client()?, url: check_url(url)?, pointer: pointer.to_owned(), auth })
    }

    pub async fn poll(&self) -> Result<AudienceReading, AudienceError> {
        let mut request = self.client.get(self.url.clone());
        if let Some((name, secret)) = &self.auth {
            let mut value = HeaderValue::from_str(secret.expose()).map_err(|_| {
                AudienceError::Config("the auth header's value has characters HTTP does not allow".into())
            })?;
            value.set_sensitive(true);
            request = request.header(name.clone(), value);
        }
        read_value(&fetch(request).await?, &self.pointer)
    }
}

pub(crate) fn read_value(body: &str, pointer: &str) -> Result<AudienceReading, AudienceError> {
    let document: Value =
        serde_json::from_str(body).map_err(|err| AudienceError::Decode(format!("the reply is not JSON: {err}")))?;
    let value = document.pointer(pointer).ok_or_else(|| AudienceError::Decode(format!("nothing at {pointer}")))?;
    let viewers = match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse::<u64>().ok(),
        Value::Null => return Ok(AudienceReading::Offline),
        _ => None,
    };
    viewers
        .map(|viewers| AudienceReading::Online { viewers })
        .ok_or_else(|| AudienceError::Decode(format!("the value at {pointer} is not a viewer count")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_numeric_strings_and_nothing() {
        let body = r#"{"stats": {"viewers": 12, "text": " 7 ", "off": null, "bad": -1}}"#;
        assert_eq!(read_value(body, "/stats/viewers"), Ok(AudienceReading::Online { viewers: 12 }));
        assert_eq!(read_value(body, "/stats/text"), Ok(AudienceReading::Online { viewers: 7 }));
        assert_eq!(read_value(body, "/stats/off"), Ok(AudienceReading::Offline));
        assert_eq!(read_value(body, "/stats/bad").map_err(|e| e.code()), Err("audience.decode"));
        assert_eq!(read_value(body, "/nope").map_err(|e| e.code()), Err("audience.decode"));
        assert!(JsonPoller::new("http://127.0.0.1:1/", "stats", None).is_err(), "a pointer starts with /");
        assert!(JsonPoller::new("ftp://x/", "/a", None).is_err());
    }
}

//! Owncast's `/api/status`: `{"online": bool, "viewerCount": n, …}`. Online without a count is 0
//! viewers; offline is offline — never the count from before it went offline.

use serde_json::Value;

use super::{AudienceError, AudienceReading, check_url, fetch, http_client};

#[derive(Debug)]
pub struct OwncastPoller {
    client: reqwest::Client,
    status_url: reqwest::Url,
}

impl OwncastPoller {
    /// `base_url`: the Owncast server, e.g. `https://watch.example.com`.
    pub fn new(base_url: &str) -> Result<Self, AudienceError> {
        let base = check_url(base_url)?;
        let status_url = base.join("/api/status").map_err(|err| AudienceError::Config(err.to_string()))?;
        Ok(Self { client: http_client()?, status_url })
    }

    pub async fn poll(&self) -> Result<AudienceReading, AudienceError> {
        read_status(&fetch(self.client.get(self.status_url.clone())).await?)
    }
}

pub(crate) fn read_status(body: &str) -> Result<AudienceReading, AudienceError> {
    let status: Value =
        serde_json::from_str(body).map_err(|err| AudienceError::Decode(format!("/api/status is not JSON: {err}")))?;
    match status["online"].as_bool() {
        Some(true) => Ok(AudienceReading::Online { viewers: status["viewerCount"].as_u64().unwrap_or(0) }),
        Some(false) => Ok(AudienceReading::Offline),
        None => Err(AudienceError::Decode("/api/status has no \"online\" field".into())),
    }
}

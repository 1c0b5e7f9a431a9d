//! MediaMTX's control API v3: `GET /v3/paths/list?page=N&itemsPerPage=M`, every page (`pageCount`),
//! counting the `readers` of the path. The config endpoints are never called: they hold credentials.

use serde_json::Value;

use super::{AudienceError, AudienceReading, check_url, fetch, http_client};

const ITEMS_PER_PAGE: u32 = 100;

/// A safety stop for a server that keeps announcing more pages.
const MAX_PAGES: u64 = 1_000;

#[derive(Debug)]
pub struct MediaMtxPoller {
    client: reqwest::Client,
    list_url: reqwest::Url,
    /// The path to count; empty counts every ready path.
    path: String,
}

impl MediaMtxPoller {
    /// `api_url`: the API's address, e.g. `http://127.0.0.1:9997`.
    pub fn new(api_url: &str, path: &str) -> Result<Self, AudienceError> {
        let base = check_url(api_url)?;
        let list_url = base.join("/v3/paths/list").map_err(|err| AudienceError::Config(err.to_string()))?;
        Ok(Self { client: http_client()?, list_url, path: path.trim().trim_matches('/').to_owned() })
    }

    pub async fn poll(&self) -> Result<AudienceReading, AudienceError> {
        let mut items = Vec::new();
        let mut page = 0u64;
        loop {
            let request = self
                .client
                .get(self.list_url.clone())
                .query(&[("page", page.to_string()), ("itemsPerPage", ITEMS_PER_PAGE.to_string())]);
            let (page_items, page_count) = read_page(&fetch(request).await?)?;
            items.extend(page_items);
            page += 1;
            if page >= page_count || page >= MAX_PAGES {
                break;
            }
        }
        Ok(count(&items, &self.path))
    }
}

pub(crate) fn read_page(body: &str) -> Result<(Vec<Value>, u64), AudienceError> {
    let list: Value =
        serde_json::from_str(body).map_err(|err| AudienceError::Decode(format!("paths list is not JSON: {err}")))?;
    let items =
        list["items"].as_array().cloned().ok_or_else(|| AudienceError::Decode("paths list without items".into()))?;
    Ok((items, list["pageCount"].as_u64().unwrap_or(1)))
}

pub(crate) fn count(items: &[Value], path: &str) -> AudienceReading {
    let ready: Vec<&Value> = items
        .iter()
        .filter(|item| item["ready"].as_bool().unwrap_or(false))
        .filter(|item| path.is_empty() || item["name"].as_str().map(|n| n.trim_matches('/')) == Some(path))
        .collect();
    if ready.is_empty() {
        return AudienceReading::Offline;
    }
    let viewers = ready.iter().map(|item| item["readers"].as_array().map_or(0, |r| r.len() as u64)).sum();
    AudienceReading::Online { viewers }
}

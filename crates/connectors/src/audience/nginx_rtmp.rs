//! nginx-rtmp's `/stat` (with `rtmp_stat all`).
//!
//! Viewers of a stream are its clients without `<publishing/>`. nginx answers `/stat` from the
//! worker that took the request: after `nginx -s reload` a new worker (new `<pid>`) knows nothing of
//! the streams the old worker still carries, so while our stream is missing there the count is
//! unknown. It is known again as soon as the stream shows up in the new worker.

use showdesk_platform::redact::Secret;

use super::{AudienceError, AudienceReading, check_url, fetch, http_client};

/// Reads one stream's viewers from an nginx-rtmp server.
#[derive(Debug)]
pub struct NginxRtmpPoller {
    client: reqwest::Client,
    stat_url: reqwest::Url,
    app: String,
    /// The stream's name in `/stat` — the stream key.
    stream: Secret,
    last_worker: Option<(u64, u64)>,
    /// The worker changed while the stream was live, and the new one has not seen it yet.
    reloaded: bool,
    was_live: bool,
}

/// What `/stat` says about one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamStat {
    pub worker_pid: u64,
    pub uptime_s: u64,
    /// `None`: the stream is not in this worker's stat.
    pub stream: Option<(bool, u64)>,
}

impl NginxRtmpPoller {
    pub fn new(stat_url: &str, app: &str, stream_key: Secret) -> Result<Self, AudienceError> {
        if stream_key.is_empty() {
            return Err(AudienceError::Config("the stream key to count viewers of is empty".into()));
        }
        Ok(Self {
            client: http_client()?,
            stat_url: check_url(stat_url)?,
            app: app.trim().to_owned(),
            stream: stream_key,
            last_worker: None,
            reloaded: false,
            was_live: false,
        })
    }

    pub async fn poll(&mut self) -> Result<AudienceReading, AudienceError> {
        let xml = fetch(self.client.get(self.stat_url.clone())).await?;
        let stat = parse(&xml, &self.app, self.stream.expose())?;
        Ok(self.judge(stat))
    }

    pub(crate) fn judge(&mut self, stat: StreamStat) -> AudienceReading {
        let worker = (stat.worker_pid, stat.uptime_s);
        let new_worker = match self.last_worker {
            Some((pid, uptime)) => pid != worker.0 || worker.1 < uptime,
            None => false,
        };
        self.last_worker = Some(worker);
        if new_worker && self.was_live {
            self.reloaded = true;
        }
        match stat.stream {
            Some((true, viewers)) => {
                self.reloaded = false;
                self.was_live = true;
                AudienceReading::Online { viewers }
            }
            _ if self.reloaded => AudienceReading::Unknown {
                reason: "the ingest server reloaded; its counts restart when the stream reconnects".into(),
            },
            _ => {
                self.was_live = false;
                AudienceReading::Offline
            }
        }
    }
}

/// Finds `stream` of `app` in the stat XML: (has a publisher, viewers). Errors never quote the XML.
pub(crate) fn parse(xml: &str, app: &str, stream: &str) -> Result<StreamStat, AudienceError> {
    let doc = roxmltree::Document::parse(xml)
        .map_err(|err| AudienceError::Decode(format!("/stat is not XML (at {})", err.pos())))?;
    let root = doc.root_element();
    if root.tag_name().name() != "rtmp" {
        return Err(AudienceError::Decode("/stat is not nginx-rtmp's stat (no <rtmp> root)".into()));
    }
    let child_text = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).map(str::trim).map(str::to_owned)
    };
    let number = |node, name| child_text(node, name).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
    let mut found = None;
    for application in root.descendants().filter(|n| n.has_tag_name("application")) {
        if !app.is_empty() && child_text(application, "name").as_deref() != Some(app) {
            continue;
        }
        let streams = application.descendants().filter(|n| n.has_tag_name("stream"));
        for node in streams.filter(|node| child_text(*node, "name").as_deref() == Some(stream)) {
            let clients: Vec<_> = node.children().filter(|c| c.has_tag_name("client")).collect();
            let publishing = node.children().any(|c| c.has_tag_name("publishing"))
                || clients.iter().any(|c| c.children().any(|x| x.has_tag_name("publishing")));
            let viewers = clients.iter().filter(|c| !c.children().any(|x| x.has_tag_name("publishing"))).count() as u64;
            found = Some((publishing, viewers));
        }
    }
    Ok(StreamStat { worker_pid: number(root, "pid"), uptime_s: number(root, "uptime"), stream: found })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<rtmp><nginx_version>1.22.1</nginx_version><pid>4242</pid><uptime>120</uptime>
<server><application><name>live</name><live>
<stream><name>sk_TESTKEY_9f8e7d6c5b4a</name>
<client><id>1</id><address>127.0.0.1</address><publishing/><active/></client>
<client><id>2</id><address>127.0.0.1</address><active/></client>
<client><id>3</id><address>127.0.0.1</address><active/></client>
<nclients>3</nclients><publishing/><active/></stream>
<nclients>3</nclients></live></application></server></rtmp>"#;

    #[test]
    fn the_publisher_is_not_a_viewer() {
        let stat = parse(STAT, "live", "sk_TESTKEY_9f8e7d6c5b4a").unwrap();
        assert_eq!(stat, StreamStat { worker_pid: 4242, uptime_s: 120, stream: Some((true, 2)) });
        assert_eq!(parse(STAT, "live", "other").unwrap().stream, None);
        assert_eq!(parse(STAT, "vod", "sk_TESTKEY_9f8e7d6c5b4a").unwrap().stream, None);
    }

    #[test]
    fn after_a_reload_the_count_is_unknown_until_the_stream_is_back() {
        let mut poller = NginxRtmpPoller::new("http://127.0.0.1:1/stat", "live", Secret::new("key_for_test")).unwrap();
        let live =
            |pid, uptime, viewers| StreamStat { worker_pid: pid, uptime_s: uptime, stream: Some((true, viewers)) };
        assert_eq!(poller.judge(live(1, 10, 2)), AudienceReading::Online { viewers: 2 });
        let after_reload = StreamStat { worker_pid: 2, uptime_s: 1, stream: None };
        assert!(matches!(poller.judge(after_reload), AudienceReading::Unknown { .. }));
        assert!(matches!(poller.judge(StreamStat { uptime_s: 5, ..after_reload }), AudienceReading::Unknown { .. }));
        assert_eq!(poller.judge(live(2, 9, 3)), AudienceReading::Online { viewers: 3 });
        // A stream that ends in a worker that has not changed is offline.
        assert_eq!(poller.judge(StreamStat { worker_pid: 2, uptime_s: 12, stream: None }), AudienceReading::Offline);
    }

    #[test]
    fn errors_never_quote_the_xml() {
        let broken = STAT.replace("</rtmp>", "");
        let err = parse(&broken, "live", "x").unwrap_err();
        assert!(!err.to_string().contains("9f8e7d6c5b4a"), "{err}");
        assert!(parse("<html>sk_TESTKEY_9f8e7d6c5b4a</html>", "live", "x").unwrap_err().to_string().contains("<rtmp>"));
    }
}

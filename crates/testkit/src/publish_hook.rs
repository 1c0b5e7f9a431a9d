//! An `on_publish` hook for nginx-rtmp: a tiny HTTP server that records every publish nginx asks
//! about (stream name, application, tcUrl, the query arguments) and accepts or refuses it, as a
//! streaming host's key check does. nginx refuses the publish when the hook answers non-2xx.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::{Result, TestkitError};

/// One publish nginx asked about, decoded from the hook's query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishCall {
    /// The stream name (the key), as the server received it.
    pub name: String,
    pub app: String,
    pub tcurl: String,
    /// Every query parameter, decoded, in order.
    pub params: Vec<(String, String)>,
}

impl PublishCall {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, Default)]
struct State {
    refused: HashSet<String>,
    calls: Vec<PublishCall>,
}

/// A running hook. Stops with its handle.
#[derive(Debug)]
pub struct PublishHook {
    port: u16,
    state: Arc<Mutex<State>>,
    running: Arc<AtomicBool>,
}

impl PublishHook {
    /// Starts a hook that refuses the stream names in `refused` and accepts every other.
    pub fn start(refused: &[&str]) -> Result<Self> {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(TestkitError::io("bind the publish hook"))?;
        let port = listener.local_addr().map_err(TestkitError::io("publish hook address"))?.port();
        let state = Arc::new(Mutex::new(State {
            refused: refused.iter().map(|s| (*s).to_owned()).collect(),
            calls: Vec::new(),
        }));
        let running = Arc::new(AtomicBool::new(true));
        let (thread_state, thread_running) = (Arc::clone(&state), Arc::clone(&running));
        std::thread::Builder::new()
            .name("publish-hook".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if !thread_running.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(mut stream) = stream else { continue };
                    let mut request_line = String::new();
                    let Ok(reader) = stream.try_clone() else { continue };
                    let mut reader = BufReader::new(reader);
                    if reader.read_line(&mut request_line).is_err() {
                        continue;
                    }
                    // Drain the headers.
                    let mut header = String::new();
                    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                        header.clear();
                    }
                    let target = request_line.split_whitespace().nth(1).unwrap_or("");
                    let query = target.split_once('?').map_or("", |(_, q)| q);
                    let params: Vec<(String, String)> = query
                        .split('&')
                        .filter(|pair| !pair.is_empty())
                        .map(|pair| {
                            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                            (decode(key), decode(value))
                        })
                        .collect();
                    let get =
                        |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
                    let call =
                        PublishCall { name: get("name"), app: get("app"), tcurl: get("tcurl"), params: params.clone() };
                    let refuse = {
                        let mut state = thread_state.lock().unwrap_or_else(|p| p.into_inner());
                        let refuse = state.refused.contains(&call.name);
                        state.calls.push(call);
                        refuse
                    };
                    let status = if refuse { "403 Forbidden" } else { "200 OK" };
                    let _ = write!(stream, "HTTP/1.0 {status}\r\nContent-Length: 0\r\n\r\n");
                }
            })
            .map_err(TestkitError::io("start the publish hook"))?;
        Ok(Self { port, state, running })
    }

    /// The URL to give nginx's `on_publish`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/publish", self.port)
    }

    /// Changes which stream names are refused from now on.
    pub fn set_refused(&self, refused: &[&str]) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).refused =
            refused.iter().map(|s| (*s).to_owned()).collect();
    }

    /// Every publish asked about so far.
    pub fn calls(&self) -> Vec<PublishCall> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).calls.clone()
    }
}

impl Drop for PublishHook {
    fn drop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
        // Wake the accept loop so the thread sees the flag.
        let _ = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if bytes.len() > i + 2 => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

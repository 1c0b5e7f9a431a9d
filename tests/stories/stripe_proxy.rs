//! A small HTTP proxy in front of localstripe: every call goes to the real localstripe, except the
//! two it lacks — coupons with limits and promotion codes — which are answered with Stripe's
//! recorded response shapes (crates/connectors/tests/fixtures/stripe-2024-06-20), named as such.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const COUPON: &str = include_str!("../../crates/connectors/tests/fixtures/stripe-2024-06-20/coupon.json");
const PROMOTION_CODE: &str =
    include_str!("../../crates/connectors/tests/fixtures/stripe-2024-06-20/promotion_code.json");

pub struct StripeProxy {
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StripeProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl StripeProxy {
    pub async fn start(upstream: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_owned();
        let counter = Arc::new(AtomicU32::new(0));
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (upstream, counter) = (upstream.clone(), Arc::clone(&counter));
                tokio::spawn(async move {
                    let _ = serve(socket, &upstream, &counter).await;
                });
            }
        });
        Ok(Self { base_url, task })
    }
}

/// Reads one request (head and body).
async fn read_request(socket: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((head, body))
}

fn field(body: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(body).split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.replace("%2D", "-").replace('+', " "))
    })
}

/// `head` without its Connection header, closing after one exchange.
fn closing(head: &str) -> String {
    let mut lines: Vec<&str> =
        head.trim_end().split("\r\n").filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

async fn serve(mut socket: TcpStream, upstream: &str, counter: &AtomicU32) -> std::io::Result<()> {
    let (head, body) = read_request(&mut socket).await?;
    let path = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
    let recorded = if path.starts_with("/v1/coupons") {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let mut shape: serde_json::Value = serde_json::from_str(COUPON).unwrap_or_default();
        shape["id"] = serde_json::json!(format!("recorded_coupon_{n}"));
        Some(shape.to_string())
    } else if path.starts_with("/v1/promotion_codes") {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let code = field(&body, "code").unwrap_or_default();
        let mut shape: serde_json::Value = serde_json::from_str(PROMOTION_CODE).unwrap_or_default();
        shape["id"] = serde_json::json!(format!("promo_recorded{n}"));
        shape["code"] = serde_json::json!(code);
        Some(shape.to_string())
    } else {
        None
    };
    if let Some(reply) = recorded {
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
            reply.len()
        );
        socket.write_all(response.as_bytes()).await?;
        return socket.shutdown().await;
    }
    let mut upstream = TcpStream::connect(upstream).await?;
    upstream.write_all(closing(&head).as_bytes()).await?;
    upstream.write_all(&body).await?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer).await?;
    let head_end = answer.windows(4).position(|w| w == b"\r\n\r\n").map_or(answer.len(), |at| at + 4);
    let answer_head = closing(&String::from_utf8_lossy(&answer[..head_end]));
    socket.write_all(answer_head.as_bytes()).await?;
    socket.write_all(&answer[head_end..]).await?;
    socket.shutdown().await
}

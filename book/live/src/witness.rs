//! A witness for the request timelines: a minimal HTTP server on 127.0.0.1
//! that waits a fixed latency before answering, like `testweb::Server`, and
//! logs when it started and finished serving each request.
//!
//! The table's server (testweb) counts requests in flight but keeps no
//! log, so the timelines, which need every request's start and end, are
//! recorded here. One thread per connection; HTTP/1.1 keep-alive, `GET`
//! only, answers `page {id}` for `/page/{id}`.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// One request as the witness served it, in seconds since `origin`.
#[derive(Clone, Copy, Debug)]
pub struct Served {
    /// The page id in the path.
    pub page: usize,
    /// When its request line and headers had arrived.
    pub start: Instant,
    /// When the answer was sent.
    pub end: Instant,
}

/// The server; dropping it stops accepting connections.
pub struct Witness {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Served>>>,
    stop: Arc<AtomicBool>,
}

impl Witness {
    /// Starts serving on a free port of 127.0.0.1.
    pub fn start(latency: Duration) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log2, stop2) = (Arc::clone(&log), Arc::clone(&stop));
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let log = Arc::clone(&log2);
                thread::spawn(move || serve(conn, latency, &log));
            }
        });
        Ok(Self { addr, log, stop })
    }

    /// URLs of pages `0..n`.
    pub fn page_urls(&self, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("http://{}/page/{i}", self.addr))
            .collect()
    }

    /// Takes the log so far, leaving it empty.
    pub fn take(&self) -> Vec<Served> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(conn: TcpStream, latency: Duration, log: &Mutex<Vec<Served>>) {
    let Ok(mut out) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    loop {
        let mut request_line = String::new();
        match reader.read_line(&mut request_line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        loop {
            let mut header = String::new();
            match reader.read_line(&mut header) {
                Ok(0) | Err(_) => return,
                Ok(_) if header.trim().is_empty() => break,
                Ok(_) => {}
            }
        }
        let start = Instant::now();
        let page = request_line
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.strip_prefix("/page/"))
            .and_then(|id| id.parse().ok());
        thread::sleep(latency);
        let (status, body) = match page {
            Some(id) => ("200 OK", format!("page {id}")),
            None => ("404 Not Found", "no such page".to_owned()),
        };
        let end = Instant::now();
        if let Some(page) = page {
            log.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Served { page, start, end });
        }
        let answer = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if out.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

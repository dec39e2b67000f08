//! A listener on 127.0.0.1 that accepts every connection and resets it at
//! once (`SO_LINGER` of zero, then close: the peer reads "connection reset
//! by peer"): a failure of another kind than a refused connection or an
//! error status, for a test that needs every kind.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Resets every connection it accepts, until dropped.
#[derive(Debug)]
pub struct Resets {
    port: u16,
    stop: Arc<AtomicBool>,
    accepting: Option<JoinHandle<()>>,
}

impl Resets {
    /// Starts listening on a free port of 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When no port can be bound: the test cannot run.
    pub fn start() -> Resets {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding 127.0.0.1 for a reset");
        let port = listener.local_addr().expect("the bound address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let accepting = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                    drop(stream);
                }
            }
        });
        Resets {
            port,
            stop,
            accepting: Some(accepting),
        }
    }

    /// A URL whose every fetch is reset.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/page/0", self.port)
    }
}

impl Drop for Resets {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // One more connection wakes the blocked `accept`.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

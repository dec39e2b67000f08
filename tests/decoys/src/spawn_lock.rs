//! A lock that every call of a process shares without a `static`: a Unix
//! socket bound at a path of the process's own (round 17's red team took
//! a lock on a file while each call started its threads, in all four
//! texts exercises). Only the standard library, so that the grader's
//! self-check can put it in a student's crate beside the decoys.

use std::io::Read;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;

/// Removes the socket's path and closes it when dropped, panic or not:
/// a waiter connected to it then reads the end, and binds it in turn.
struct Held {
    path: PathBuf,
    _listener: UnixListener,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Runs `start` (a call starting its threads) holding the lock: a second
/// call waits, blocked in a read, until the first lets go.
pub fn with_a_spawn_lock<T>(start: impl FnOnce() -> T) -> T {
    let path = std::env::temp_dir().join(format!("course-decoy-{}.spawn.sock", std::process::id()));
    let held = loop {
        match UnixListener::bind(&path) {
            Ok(listener) => {
                break Held {
                    path: path.clone(),
                    _listener: listener,
                };
            }
            Err(_) => {
                // Another call holds it: wait until its listener closes.
                if let Ok(mut holder) = UnixStream::connect(&path) {
                    let _ = holder.read(&mut [0u8]);
                }
            }
        }
    };
    let out = start();
    drop(held);
    out
}

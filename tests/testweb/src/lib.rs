//! A small web for the course's waiting work.
//!
//! [`Server`] answers on 127.0.0.1 only, after a latency the test chooses,
//! and records the peak number of requests it was serving at once: the
//! evidence that a student's threads really overlapped (or really stayed
//! within a limit). [`get`] is the client the exercises use, so a student's
//! code is about threads, not HTTP.

mod client;
mod server;

pub use client::{FetchError, get};
pub use server::{Server, closed_port_url, page_body};

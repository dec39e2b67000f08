//! A small web for the course's waiting work.
//!
//! [`Server`] answers on 127.0.0.1 only, after a latency the test chooses,
//! with a fresh, unpredictable body for every request. It records the peak
//! number of requests it was serving at once and logs every request it
//! served (body, round, start and end): the evidence that a student's code
//! really asked for every page, once, in this call, and that its threads
//! really overlapped (or really stayed within a limit). [`get`] is the client the exercises use, so a student's
//! code is about threads, not HTTP.

mod client;
mod gathering;
mod resets;
mod server;

pub use client::{CallerLog, FetchError, get};
pub use gathering::Gathering;
pub use resets::Resets;
pub use server::{Served, Server, Step, closed_port_url, ever_served, timeline};

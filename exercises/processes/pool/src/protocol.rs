//! What parent and worker say to each other, one frame per message.

use serde::{Deserialize, Serialize};

/// Largest frame either side accepts: a chunk of inputs or of results is
/// far smaller, and anything bigger is a broken peer.
pub const FRAME_LIMIT: u32 = 64 << 20;

/// Parent to worker.
#[derive(Debug, Serialize, Deserialize)]
pub enum Request {
    /// Run `task` on each input, in order, and answer with one `Done`.
    Run {
        /// The task's name in the worker's table.
        task: String,
        /// One chunk of the parent's inputs.
        inputs: Vec<u64>,
    },
}

/// Worker to parent.
#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    /// The first frame of every worker: it runs, it checked its role, and
    /// this is its process id.
    Hello {
        /// `std::process::id()` of the worker.
        pid: u32,
    },
    /// The results of one `Run`, in the order of its inputs.
    Done {
        /// The process that computed them (the suite's witness).
        pid: u32,
        /// Per input: the output, or why the task failed (a panic).
        results: Vec<Result<u64, String>>,
    },
}

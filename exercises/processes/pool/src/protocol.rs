//! What parent and worker say to each other, one frame per message.

use serde::{Deserialize, Serialize};

/// Largest frame either side accepts: a chunk of inputs or of results is
/// far smaller, and anything bigger is a broken peer.
pub const FRAME_LIMIT: u32 = 64 << 20;

/// Parent to worker.
///
/// Decoding one goes through [`Wire`], which records the frame in the
/// census when a test asked for one ([`harness::census::frame`]): the
/// worker that receives a request counts it, so a test sees how the inputs
/// really went out, whatever the parent reports.
#[derive(Debug, Serialize, Deserialize)]
#[serde(from = "Wire")]
pub enum Request {
    /// Run `task` on each input, in order, and answer with one `Done`.
    Run {
        /// The task's name in the worker's table.
        task: String,
        /// One chunk of the parent's inputs.
        inputs: Vec<u64>,
    },
}

/// A [`Request`] as it arrives, before the census has counted it. The same
/// shape, so the bytes on the wire are the same.
#[derive(Deserialize)]
enum Wire {
    Run { task: String, inputs: Vec<u64> },
}

impl From<Wire> for Request {
    fn from(wire: Wire) -> Request {
        let Wire::Run { task, inputs } = wire;
        harness::census::frame(inputs.len());
        Request::Run { task, inputs }
    }
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

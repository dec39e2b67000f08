//! The tasks a worker can run, by name.
//!
//! A closure cannot cross a process boundary: the worker is another program
//! with its own memory, and a pointer from the parent means nothing there.
//! What crosses is a name and the inputs. Parent and worker are the same
//! binary, so both see this same table: the name finds the same function on
//! both sides. (CPython pickles a function *by name* for the same reason,
//! which is why a `lambda` cannot go to a `Pool`.)

use std::time::Duration;

use harness::census::served;

/// A function a worker runs for the parent, looked up by name.
#[derive(Clone, Copy, Debug)]
pub struct Task {
    /// What the parent asks for.
    pub name: &'static str,
    /// The work: one input, one output.
    pub run: fn(u64) -> u64,
}

/// Pure CPU work: `n` rounds of an integer hash. About 1 ms per 400 000
/// rounds on the machines the course was written on; its result depends on
/// every round, so the compiler cannot skip any. It records, when a test
/// asked for a census, that this process spun `n` rounds (as
/// `spin-rounds`): work done by calling it directly, not as a task, is seen
/// where it ran too.
pub fn spin(n: u64) -> u64 {
    served("spin-rounds", n);
    let mut x = n ^ 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        x = x.rotate_left(5) ^ i;
        x = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
    }
    x
}

/// The tasks of this course's pool program. Each one first records, when a
/// test asked for a census, that this process ran it on this input
/// ([`harness::census::served`]): whichever process runs a task leaves
/// that trace, so a test sees where the work was done, not where the pool
/// says it was. A test may also make one fail, or end its process
/// ([`harness::fault`]).
pub const TASKS: &[Task] = &[
    Task {
        name: "square",
        run: |x| {
            served("square", x);
            if harness::fault::injected("square", x) {
                panic!("square({x}) failed: a fault a test injected (expected)");
            }
            if harness::fault::ends_process("square", x) {
                std::process::exit(harness::fault::EXIT_STATUS);
            }
            x.wrapping_mul(x)
        },
    },
    Task {
        name: "spin",
        run: |n| {
            served("spin", n);
            spin(n)
        },
    },
    Task {
        name: "sleep_ms",
        run: |ms| {
            served("sleep_ms", ms);
            std::thread::sleep(Duration::from_millis(ms));
            ms
        },
    },
    Task {
        name: "panic",
        // Printed by the worker on its stderr: say it is meant, for whoever
        // reads a passing suite's output.
        run: |x| {
            served("panic", x);
            panic!("task `panic` panicked on input {x}, as asked (expected: a test made it panic)")
        },
    },
    Task {
        name: "exit",
        run: |code| {
            served("exit", code);
            std::process::exit(code as i32)
        },
    },
    Task {
        name: "torn",
        run: |x| {
            served("torn", x);
            torn()
        },
    },
    Task {
        name: "nest",
        run: |x| {
            served("nest", x);
            nest(x)
        },
    },
];

/// A task that starts a pool of its own (one worker, this same program)
/// and runs `nest` there too: pools within pools, until the depth fuse
/// stops it. Its error is a panic, which the worker sends back as this
/// input's error.
pub fn nest(x: u64) -> u64 {
    let mut pool = crate::Pool::new_with(1).unwrap_or_else(|e| panic!("{e}"));
    let result = pool.map("nest", &[x]).pop().expect("one input, one result");
    result.unwrap_or_else(|e| panic!("{e}")).value
}

/// A worker that dies halfway through writing a reply, as one killed
/// mid-write or crashed in a C library would: the start of a frame whose
/// prefix declares 100 bytes, 14 of them, then the end of the process with
/// status 1. Written to a new handle on this process's stdout, so that no
/// lock or buffer the worker holds on it is needed.
fn torn() -> ! {
    use std::io::Write;
    let mut frame = 100u32.to_le_bytes().to_vec();
    frame.extend_from_slice(b"{\"Done\":{\"res");
    if let Ok(mut out) = std::fs::OpenOptions::new().write(true).open("/dev/stdout") {
        let _ = out.write_all(&frame);
        let _ = out.flush();
    }
    std::process::exit(1)
}

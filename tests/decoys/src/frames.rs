//! Wrong frame readers. Each writes correctly (the reference
//! `write_frame`) and reads in a way a student could.

use std::io::Read;

use suites::frames::{Frames, Msg, drain};

use crate::{Class, Decoy};

mod reference {
    suites::frames_adapter!(frames_solution);
}

const REFERENCE_READ: fn(&mut dyn Read, u32) -> suites::frames::ReadAll =
    reference::SUBJECT.read_all;

fn write(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    frames_solution::write_frame(out, msg).map_err(|e| e.to_string())
}

/// The shape of a naive reader: `next` reads one frame given the bytes
/// consumed so far.
fn read_with(
    input: &mut dyn Read,
    mut next: impl FnMut(&mut dyn Read, &mut u64) -> Result<Option<Msg>, String>,
) -> (Vec<Msg>, Option<String>) {
    let mut offset = 0;
    drain(|| next(input, &mut offset))
}

/// Reads exactly `n` bytes, or says how many arrived.
fn exactly(input: &mut dyn Read, n: usize) -> Result<Vec<u8>, usize> {
    let mut buf = Vec::new();
    let got = input
        .take(n as u64)
        .read_to_end(&mut buf)
        .map_err(|_| 0usize)?;
    if got == n { Ok(buf) } else { Err(got) }
}

/// Allocates and reads whatever length the prefix declares: no limit.
fn trusting(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    let _ = limit;
    read_with(input, |input, offset| {
        let at = *offset;
        let prefix = match exactly(input, 4) {
            Ok(p) => p,
            Err(0) => return Ok(None),
            Err(got) => return Err(format!("truncated prefix at byte {at} after {got}")),
        };
        let declared = u32::from_le_bytes(prefix.try_into().expect("4"));
        let body = exactly(input, declared as usize).map_err(|got| {
            format!(
                "the frame at byte {at} declares {declared} bytes, the stream ended after {got}"
            )
        })?;
        *offset += 4 + u64::from(declared);
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| format!("malformed at byte {at}: {e}"))
    })
}

/// `read_exact(..).unwrap()`: a short stream panics.
fn unwrapping(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    read_with(input, |input, _| {
        let mut prefix = [0; 4];
        if input.read(&mut prefix[..1]).expect("read") == 0 {
            return Ok(None);
        }
        input.read_exact(&mut prefix[1..]).unwrap();
        let declared = u32::from_le_bytes(prefix).min(limit);
        let mut body = vec![0; declared as usize];
        input.read_exact(&mut body).unwrap();
        Ok(Some(serde_json::from_slice(&body).unwrap()))
    })
}

/// A short body is taken as the end of the stream.
fn short_is_end(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    read_with(input, |input, offset| {
        let at = *offset;
        let Ok(prefix) = exactly(input, 4) else {
            return Ok(None);
        };
        let declared = u32::from_le_bytes(prefix.try_into().expect("4"));
        if declared > limit {
            return Err(format!(
                "the frame at byte {at} declares {declared}, over the limit of {limit}"
            ));
        }
        let Ok(body) = exactly(input, declared as usize) else {
            return Ok(None);
        };
        *offset += 4 + u64::from(declared);
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| format!("malformed at byte {at}: {e}"))
    })
}

/// One `read` call per prefix and per body, as if a read returned a whole
/// frame.
fn one_read_per_part(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    read_with(input, |input, offset| {
        let at = *offset;
        let mut prefix = [0; 4];
        let got = input.read(&mut prefix).map_err(|e| e.to_string())?;
        if got == 0 {
            return Ok(None);
        }
        let declared = u32::from_le_bytes(prefix);
        if declared > limit {
            return Err(format!(
                "the frame at byte {at} declares {declared}, over the limit of {limit}"
            ));
        }
        let mut body = vec![0; declared as usize];
        let got = input.read(&mut body).map_err(|e| e.to_string())?;
        *offset += 4 + got as u64;
        serde_json::from_slice(&body[..got])
            .map(Some)
            .map_err(|e| format!("the body at byte {at} is malformed: {e}"))
    })
}

/// The reference reader, except that its errors never say where.
fn no_offsets(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    let mut reader = frames_solution::FrameReader::new(input, limit);
    let (got, error) = drain(|| reader.read::<Msg>());
    (got, error.map(|_| "the stream is broken".to_owned()))
}

/// The reference reader with a limit one byte lower: a body of exactly
/// the limit is refused.
fn limit_off_by_one(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    let mut reader = frames_solution::FrameReader::new(input, limit.saturating_sub(1));
    drain(|| reader.read())
}

/// The frame in one `write_all`, never flushed.
fn unflushed(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    let mut frame = (body.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&body);
    out.write_all(&frame).map_err(|e| e.to_string())
}

/// Prefix and body in two `write_all` calls, never flushed.
fn two_writes_unflushed(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    out.write_all(&(body.len() as u32).to_le_bytes())
        .map_err(|e| e.to_string())?;
    out.write_all(&body).map_err(|e| e.to_string())
}

/// Checks the limit, then zero-fills a buffer of the declared length before
/// any body byte arrives.
fn allocates_first(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    read_with(input, |input, offset| {
        let at = *offset;
        let prefix = match exactly(input, 4) {
            Ok(p) => p,
            Err(0) => return Ok(None),
            Err(got) => return Err(format!("truncated prefix at byte {at} after {got}")),
        };
        let declared = u32::from_le_bytes(prefix.try_into().expect("4"));
        if declared > limit {
            return Err(format!(
                "the frame at byte {at} declares {declared} bytes, over the limit {limit}"
            ));
        }
        let mut body = vec![0u8; declared as usize];
        input.read_exact(&mut body).map_err(|_| {
            format!("the frame at byte {at} declares {declared} bytes, the stream ended early")
        })?;
        *offset += 4 + u64::from(declared);
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| format!("malformed at byte {at}: {e}"))
    })
}

/// The corpus for `frames`.
pub fn corpus() -> Vec<Decoy<Frames>> {
    vec![
        Decoy {
            name: "trusts the length prefix (no limit)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: trusting,
            },
            caught_by: "a_hostile_length_is_refused_by_the_limit",
            breaks: "",
            says: &["limit", "1048576"],
        },
        Decoy {
            name: "unwraps read_exact",
            class: Class::Panics,
            subject: Frames {
                write,
                read_all: unwrapping,
            },
            caught_by: "a_truncated_body_says_where",
            breaks: "",
            says: &["panicked", "never a panic"],
        },
        Decoy {
            name: "takes a short body for the end of the stream",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: short_is_end,
            },
            caught_by: "a_pipe_closed_mid_frame_is_an_error",
            breaks: "",
            says: &["no error", "must say so"],
        },
        Decoy {
            name: "assumes one read returns a whole prefix or body",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: one_read_per_part,
            },
            caught_by: "short_reads_are_not_the_end",
            breaks: "",
            says: &["keep reading"],
        },
        Decoy {
            name: "errors that never say where",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: no_offsets,
            },
            caught_by: "a_truncated_body_says_where",
            breaks: "",
            says: &["the byte where the broken frame begins"],
        },
        Decoy {
            name: "refuses a body of exactly the limit",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: limit_off_by_one,
            },
            caught_by: "a_frame_of_exactly_the_limit_is_read",
            breaks: "",
            says: &["a body of exactly the limit is allowed"],
        },
        Decoy {
            name: "writes the frame but never flushes",
            class: Class::RuleSkipped,
            subject: Frames {
                write: unflushed,
                read_all: REFERENCE_READ,
            },
            caught_by: "write_frame_flushes",
            breaks: "",
            says: &["must flush"],
        },
        Decoy {
            name: "writes prefix and body apart, never flushes",
            class: Class::RuleSkipped,
            subject: Frames {
                write: two_writes_unflushed,
                read_all: REFERENCE_READ,
            },
            caught_by: "write_frame_flushes",
            breaks: "",
            says: &["must flush"],
        },
        Decoy {
            name: "allocates the declared length before the body arrives",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: allocates_first,
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "",
            says: &["allocated at its declared length"],
        },
    ]
}

//! Processes, exercise 1: messages over a pipe.
//!
//! A pipe carries bytes, not messages: one `write` may arrive as two
//! `read`s, and two writes as one. To send values between processes, each
//! value becomes a *frame*: a 4-byte little-endian length, then that many
//! bytes of body (the value as JSON, via serde). The reader takes the length
//! first and so knows where the body ends.
//!
//! The reader trusts nothing. The other end may be a crashed child, a
//! program of someone else's, or an attacker: a stream that stops halfway, a
//! body that is not JSON, a length prefix of 4 GiB. Each of these is a
//! [`FrameError`] that says what was wrong and at which byte of the stream,
//! never a panic, a hang or an allocation the stream asked for.

use std::io::{self, Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Bytes in a frame's length prefix (a little-endian `u32`).
pub const PREFIX_LEN: usize = 4;

// ANCHOR: error
/// Why a frame could not be read or written. `offset` is the byte of the
/// stream where the frame began (its length prefix), counted from the first
/// byte this reader read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The stream ended inside a length prefix.
    #[error(
        "the stream ended {got} bytes into the {PREFIX_LEN}-byte length prefix of the frame at byte {offset}"
    )]
    TruncatedPrefix {
        /// Where the frame began.
        offset: u64,
        /// Prefix bytes that arrived (1 to 3).
        got: usize,
    },
    /// The prefix declares a body longer than the reader allows.
    #[error(
        "the frame at byte {offset} declares a body of {declared} bytes, over the limit of {limit}: refused before reading it"
    )]
    TooLong {
        /// Where the frame began.
        offset: u64,
        /// The length the prefix declares.
        declared: u32,
        /// The reader's limit.
        limit: u32,
    },
    /// The stream ended inside a body.
    #[error(
        "the frame at byte {offset} declares a body of {declared} bytes, but the stream ended after {available} of them"
    )]
    TruncatedBody {
        /// Where the frame began.
        offset: u64,
        /// The length the prefix declares.
        declared: u32,
        /// Body bytes that arrived.
        available: u64,
    },
    /// The body is complete but is not the expected value.
    #[error("the body of the frame at byte {offset} ({len} bytes) is malformed: {reason}")]
    Malformed {
        /// Where the frame began.
        offset: u64,
        /// The body's length.
        len: u32,
        /// What the decoder objected to.
        reason: String,
    },
    /// The value's encoding does not fit in one frame.
    #[error(
        "a value of {len} bytes does not fit in a frame (at most {} bytes)",
        u32::MAX
    )]
    Oversized {
        /// The encoded length.
        len: usize,
    },
    /// The value could not be encoded.
    #[error("the value cannot be encoded: {0}")]
    Encode(#[source] serde_json::Error),
    /// The operating system refused a read.
    #[error("reading the frame at byte {offset} failed: {source}")]
    Read {
        /// Where the frame began.
        offset: u64,
        /// The error.
        source: io::Error,
    },
    /// The operating system refused a write (a closed pipe, for example).
    #[error("writing a frame failed: {0}")]
    Write(#[source] io::Error),
}
// ANCHOR_END: error

// ANCHOR: write_frame
/// Writes `value` as one frame: its JSON length as 4 little-endian bytes,
/// then the JSON. The frame goes out in one `write_all`, then the writer is
/// flushed, so a peer waiting for it is not left waiting on a buffer.
pub fn write_frame<W: Write + ?Sized, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> Result<(), FrameError> {
    todo!("placeholder prefix, encode the value, patch the length, write")
}
// ANCHOR_END: write_frame

/// Reads frames from a stream, counting the bytes it has consumed so that
/// an error can say where it happened.
pub struct FrameReader<R> {
    input: R,
    limit: u32,
    offset: u64,
    body: Vec<u8>,
}

impl<R: Read> FrameReader<R> {
    /// A reader that refuses any frame whose body is longer than `limit`
    /// bytes.
    pub fn new(input: R, limit: u32) -> Self {
        FrameReader {
            input,
            limit,
            offset: 0,
            body: Vec::new(),
        }
    }

    /// Bytes consumed so far: where the next frame begins.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The stream being read (to ask a buffered one what it holds).
    pub fn get_ref(&self) -> &R {
        &self.input
    }

    /// The stream, for whoever reads on after the frames.
    pub fn into_inner(self) -> R {
        self.input
    }

    // ANCHOR: read
    /// The next value, or `None` when the stream ends cleanly between two
    /// frames. Memory grows with the bytes that actually arrive, never
    /// beyond the limit, whatever the prefix declares.
    pub fn read<T: DeserializeOwned>(&mut self) -> Result<Option<T>, FrameError> {
        todo!("read the prefix (none: clean end), check the limit, decode")
    }
    // ANCHOR_END: read
}

/// Reads one frame from `input` with a fresh [`FrameReader`]: offsets in
/// its errors count from where `input` stood.
pub fn read_frame<T: DeserializeOwned>(
    input: &mut impl Read,
    limit: u32,
) -> Result<Option<T>, FrameError> {
    FrameReader::new(input, limit).read()
}

//! Suite of `exercises/processes/frames`: length-prefixed frames over a
//! byte stream.
//!
//! Bad input is the point: every check that feeds a broken stream requires
//! an error that names the problem and where it is (the numbers), and treats
//! a panic as a failure of its own. The pipe checks run the frames through
//! a real child process (`cat`), so reads see the short reads and the end of
//! stream that a pipe really gives.

use std::fmt::Display;
use std::io::{Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::process::{Command, Stdio};
use std::thread;

use serde::{Deserialize, Serialize};

/// The value the suite sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Msg {
    /// A number.
    pub id: u64,
    /// Some text (with characters JSON must escape).
    pub text: String,
    /// Some numbers.
    pub values: Vec<i64>,
}

/// What reading a whole stream gave: the messages, then the error if any.
pub type ReadAll = (Vec<Msg>, Option<String>);

/// The frame functions under test, for [`Msg`] and with errors as their
/// `Display` text (what a student reads).
#[derive(Clone, Copy)]
pub struct Frames {
    /// `write_frame` of one message.
    pub write: fn(&mut dyn Write, &Msg) -> Result<(), String>,
    /// A `FrameReader` with this limit, read until the clean end or the first
    /// error: the messages read, and the error.
    pub read_all: fn(&mut dyn Read, u32) -> ReadAll,
}

/// Calls `next` until the clean end, the first error, or far more messages
/// than any check sends (a reader that never ends must not hang the check).
pub fn drain<E: Display>(
    mut next: impl FnMut() -> Result<Option<Msg>, E>,
) -> (Vec<Msg>, Option<String>) {
    let mut got = Vec::new();
    while got.len() <= 10_000 {
        match next() {
            Ok(Some(msg)) => got.push(msg),
            Ok(None) => return (got, None),
            Err(e) => return (got, Some(e.to_string())),
        }
    }
    (got, None)
}

/// Defines `SUBJECT`, the crate's `write_frame` and `FrameReader` seen as
/// [`Frames`].
#[macro_export]
macro_rules! frames_adapter {
    ($krate:ident) => {
        pub const SUBJECT: $crate::frames::Frames = $crate::frames::Frames {
            write: |out, msg| $krate::write_frame(out, msg).map_err(|e| e.to_string()),
            read_all: |input, limit| {
                let mut reader = $krate::FrameReader::new(input, limit);
                $crate::frames::drain(|| reader.read())
            },
        };
    };
}

/// The limit the checks read with, unless they say otherwise.
const LIMIT: u32 = 1 << 20;

fn messages(n: u64) -> Vec<Msg> {
    (0..n)
        .map(|id| Msg {
            id,
            text: format!("message {id}: \"quoted\", ünïcode, \n newline"),
            values: (0..id as i64 % 7).map(|v| v * -3).collect(),
        })
        .collect()
}

/// One frame per message, as the subject writes them.
fn encode(frames: Frames, msgs: &[Msg]) -> Vec<Vec<u8>> {
    msgs.iter()
        .map(|m| {
            let mut out = Vec::new();
            (frames.write)(&mut out, m).unwrap_or_else(|e| panic!("write_frame failed: {e}"));
            out
        })
        .collect()
}

/// Reads `stream` with `limit`; a panic becomes a failure that says which
/// stream made the reader panic.
fn read(frames: Frames, stream: &[u8], limit: u32, case: &str) -> (Vec<Msg>, Option<String>) {
    let mut input = stream;
    panic::catch_unwind(AssertUnwindSafe(|| (frames.read_all)(&mut input, limit))).unwrap_or_else(
        |payload| {
            panic!(
                "reading {case} panicked ({}): a bad stream must give an Err(FrameError), never a \
                 panic",
                harness::record::panic_message(payload.as_ref())
            )
        },
    )
}

/// The error of a read that had to fail, with the messages before it checked.
fn error_of(read: (Vec<Msg>, Option<String>), before: &[Msg], case: &str) -> String {
    let (got, error) = read;
    let Some(error) = error else {
        panic!(
            "reading {case} gave {} messages and no error: the stream is broken, and the reader \
             must say so instead of ending as if it were complete",
            got.len()
        )
    };
    assert_eq!(
        got, before,
        "reading {case}: the frames before the broken one must come back intact"
    );
    error
}

/// Requires `error` to contain every number in `numbers` (named by what it is).
fn names(error: &str, case: &str, numbers: &[(&str, u64)]) {
    for (what, n) in numbers {
        assert!(
            error.contains(&n.to_string()),
            "reading {case}: the error must say {what} ({n}), but it says: {error}"
        );
    }
}

/// The numbers written in `text`, each a whole run of digits: "byte 13"
/// holds 13, not 1 or 3.
fn numbers_in(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Frames written one after another read back as the same messages, in
/// order, and then the stream ends cleanly (`None`, no error).
pub fn messages_round_trip_in_order(frames: Frames) {
    let msgs = messages(20);
    let stream = encode(frames, &msgs).concat();
    let (got, error) = read(frames, &stream, LIMIT, "20 whole frames");
    assert_eq!(error, None, "20 whole frames must read without error");
    assert_eq!(
        got, msgs,
        "20 whole frames must read back as the same messages, in order"
    );
    // A frame far larger than these (round 16's `frames/06` refused any
    // value over 16 MiB, a cap of its own): 17 to 40 MiB, drawn per run,
    // written and read back with a limit of its own size.
    let mut draw = crate::fetching::Draw::new();
    let large = Msg {
        id: 7,
        text: "x".repeat(draw.pick(17 << 20..=40 << 20)),
        values: vec![-1, 2],
    };
    let mut stream = Vec::new();
    (frames.write)(&mut stream, &large).unwrap_or_else(|e| {
        panic!(
            "write_frame of a value whose JSON is {} MiB failed: {e}. Every value whose JSON \
             fits a frame (up to 4294967295 bytes) is written; only a longer one is Oversized",
            large.text.len() >> 20
        )
    });
    let limit = u32::try_from(stream.len() - 4).expect("under 4 GiB");
    let case = format!("one frame of {limit} bytes with the limit at {limit}");
    let (got, error) = read(frames, &stream, limit, &case);
    assert!(
        error.is_none() && got.len() == 1 && got[0] == large,
        "reading {case} must give the one value written, then the clean end; it gave {} \
         message(s) and the error {error:?}",
        got.len()
    );
}

/// The prefix is the body's length as 4 little-endian bytes, and the body
/// is the value's JSON: the format other programs (and the pool) rely on.
pub fn the_prefix_is_the_body_length_little_endian(frames: Frames) {
    let msg = &messages(3)[2];
    let frame = &encode(frames, std::slice::from_ref(msg))[0];
    assert!(
        frame.len() >= 4,
        "a frame must start with a 4-byte length prefix"
    );
    let declared = u32::from_le_bytes(frame[..4].try_into().expect("4 bytes"));
    assert_eq!(
        declared as usize,
        frame.len() - 4,
        "the prefix must be the body's length in bytes, little-endian (the frame is {} bytes)",
        frame.len()
    );
    let body: Msg = serde_json::from_slice(&frame[4..])
        .unwrap_or_else(|e| panic!("the body must be the value as JSON: {e}"));
    assert_eq!(&body, msg, "the body must be the value as JSON");
    // A body longer than 4 bytes of length can say is an error: a source
    // witness, since writing one takes 4 GiB. What `write_frame` reaches
    // must name `Oversized`, the only way to return it (round 23's
    // `frames/02` cast the length `as u32`, and wrapped).
    let Some(source) = crate::pure::source() else {
        harness::speedup::not_judged(
            "the prefix is the body length",
            "the crate's source was not given to the suite",
        );
        return;
    };
    let reach = crate::reach::reach(source, "write_frame").unwrap_or_else(|e| {
        panic!("the suite could not parse your src/lib.rs as it was built ({e})")
    });
    assert!(
        reach.uses("Oversized"),
        "your `write_frame` (with what it calls: {:?}) never returns `FrameError::Oversized`: a \
         value whose JSON is longer than 4294967295 bytes cannot be framed, since the prefix is \
         a `u32`, and must be that error, not a prefix cast with `as u32` that wraps around. \
         Convert the length with `u32::try_from` and turn its failure into `Oversized`.",
        reach.names()
    );
}

/// An empty stream is a clean end: no messages and no error.
pub fn an_empty_stream_is_a_clean_end(frames: Frames) {
    let (got, error) = read(frames, &[], LIMIT, "an empty stream");
    assert!(
        got.is_empty() && error.is_none(),
        "an empty stream must read as no messages and no error, got {got:?} and {error:?}"
    );
}

/// A stream cut inside a body: the error gives the frame's offset, the
/// declared length and the bytes that arrived.
pub fn a_truncated_body_says_where(frames: Frames) {
    let msgs = messages(3);
    let encoded = encode(frames, &msgs);
    let offset = encoded[0].len() + encoded[1].len();
    let mut stream = encoded.concat();
    stream.truncate(stream.len() - 5);
    let declared = encoded[2].len() - 4;
    let case = "a stream cut 5 bytes before the end of its third frame";
    let error = error_of(read(frames, &stream, LIMIT, case), &msgs[..2], case);
    names(
        &error,
        case,
        &[
            ("the byte where the broken frame begins", offset as u64),
            ("the declared length", declared as u64),
            ("how many body bytes arrived", (declared - 5) as u64),
        ],
    );
}

/// Garbage after the last frame, too short for a prefix: an error at the
/// garbage's offset, not a clean end.
pub fn trailing_garbage_says_where(frames: Frames) {
    let msgs = messages(2);
    let mut stream = encode(frames, &msgs).concat();
    let offset = stream.len();
    stream.extend_from_slice(b"\x07\x00");
    let case = "two frames followed by 2 stray bytes";
    let error = error_of(read(frames, &stream, LIMIT, case), &msgs, case);
    names(
        &error,
        case,
        &[("the byte where the stray bytes begin", offset as u64)],
    );
    assert!(
        error.contains("prefix"),
        "reading {case}: the error must say the stream ended inside a length prefix, but it says: {error}"
    );
    // The same stream, one byte per read: the error counts every prefix
    // byte that arrived, not those of the first read.
    let case = "two frames followed by 2 stray bytes, served one byte per read";
    let mut input = OneByte(&stream);
    let result = panic::catch_unwind(AssertUnwindSafe(|| (frames.read_all)(&mut input, LIMIT)))
        .unwrap_or_else(|payload| {
            panic!(
                "reading {case} panicked ({})",
                harness::record::panic_message(payload.as_ref())
            )
        });
    let error = error_of(result, &msgs, case);
    let said = numbers_in(&error);
    assert!(
        said.contains(&(offset as u64)) && said.contains(&2),
        "reading {case}: the error must name the byte where the stray bytes begin ({offset}) and \
         how many bytes of the prefix arrived (2, over two reads), but it says: {error}"
    );
}

/// Hands out one byte per `read`.
struct OneByte<'a>(&'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(1);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// A body that is not JSON, and a body with a valid value followed by
/// junk: both malformed, at the frame's offset.
pub fn a_malformed_body_says_where(frames: Frames) {
    let msgs = messages(1);
    let first = encode(frames, &msgs).concat();
    for (body, what) in [
        (&b"{\"id\": oops}"[..], "a body that is not JSON"),
        (
            &b"{\"id\":1,\"text\":\"a\",\"values\":[]} junk"[..],
            "a valid value followed by junk inside the body",
        ),
        (&b"\xff\xfe"[..], "a body of 2 bytes that are not UTF-8"),
        // Read as text with the bad byte replaced, this is a valid message
        // (round 23's `frames/04` decoded with `from_utf8_lossy`).
        (
            &b"{\"id\":1,\"text\":\"a \xff b\",\"values\":[]}"[..],
            "a message whose JSON string holds a byte that is not UTF-8",
        ),
        (&b""[..], "a body of 0 bytes (a prefix that declares 0)"),
    ] {
        let mut stream = first.clone();
        stream.extend_from_slice(&(body.len() as u32).to_le_bytes());
        stream.extend_from_slice(body);
        let case = format!("one frame, then {what}");
        let error = error_of(read(frames, &stream, LIMIT, &case), &msgs, &case);
        names(
            &error,
            &case,
            &[("the byte where the bad frame begins", first.len() as u64)],
        );
        // The body's own length, as its prefix declared it (round 16's
        // `frames/08` named the whole frame's, prefix included).
        assert!(
            numbers_in(&error).contains(&(body.len() as u64)),
            "reading {case}: the error must name the body's length ({} bytes, as its prefix \
             declared it), but it says: {error}",
            body.len()
        );
        assert!(
            error.contains("malformed"),
            "reading {case}: the error must say the body is malformed, but it says: {error}"
        );
    }
}

/// A length prefix of 4 GiB − 1 against a 1 MiB limit is refused from the
/// prefix alone, before any body is read or allocated: the error names the
/// declared length and the limit.
pub fn a_hostile_length_is_refused_by_the_limit(frames: Frames) {
    let mut stream = u32::MAX.to_le_bytes().to_vec();
    stream.extend_from_slice(b"{\"id\":1}");
    let case = "a frame whose prefix declares 4294967295 bytes (limit 1048576)";
    let error = error_of(read(frames, &stream, LIMIT, case), &[], case);
    names(
        &error,
        case,
        &[
            ("the declared length", u64::from(u32::MAX)),
            ("the limit", u64::from(LIMIT)),
        ],
    );
    assert!(
        error.contains("limit"),
        "reading {case}: the error must say the frame is over the limit (refused before reading \
         its body), but it says: {error}"
    );
    // After a good frame, the same prefix with 10 MiB behind it: refused
    // from the prefix, at the byte where that frame begins, having read
    // (and allocated) next to nothing of what follows.
    let first = encode(frames, &messages(3)[2..]).concat();
    let mut prefix = first.clone();
    prefix.extend_from_slice(&u32::MAX.to_le_bytes());
    let mut input = Endless {
        head: &prefix,
        zeros: 10 << 20,
        taken: 0,
    };
    let case = "one frame, then a prefix declaring 4294967295 bytes (limit 1048576) and 10 MiB \
                of bytes";
    let (result, largest) = harness::heap::largest_block(|| {
        panic::catch_unwind(AssertUnwindSafe(|| (frames.read_all)(&mut input, LIMIT)))
    });
    let result = result.unwrap_or_else(|payload| {
        panic!(
            "reading {case} panicked ({})",
            harness::record::panic_message(payload.as_ref())
        )
    });
    let error = error_of(result, &messages(3)[2..], case);
    let said = numbers_in(&error);
    let at = first.len() as u64;
    assert!(
        said.contains(&at) && !said.contains(&(at + 4)),
        "reading {case}: the error must name the byte where the refused frame begins ({at}, its \
         length prefix), but it says: {error}"
    );
    let read_past = input.taken.saturating_sub(prefix.len());
    assert!(
        read_past <= READ_AHEAD && (!harness::heap::installed() || largest <= READ_AHEAD),
        "reading {case}: the reader read {read_past} bytes past the prefix and its largest \
         allocation was {largest} bytes before it refused the frame (at most {READ_AHEAD} \
         pass, a read buffer's worth): a prefix over the limit is refused from the prefix \
         alone, before any of the body is read or kept"
    );
}

/// How far past a refused prefix a reader may have read (or how large a
/// block it may have asked for): a read buffer's worth.
const READ_AHEAD: usize = 64 << 10;

/// Serves `head`, then `zeros` zero bytes, counting what it handed out,
/// without holding them.
struct Endless<'a> {
    head: &'a [u8],
    zeros: usize,
    taken: usize,
}

impl Read for Endless<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if self.head.is_empty() {
            let n = buf.len().min(self.zeros);
            buf[..n].fill(0);
            self.zeros -= n;
            n
        } else {
            let n = buf.len().min(self.head.len());
            buf[..n].copy_from_slice(&self.head[..n]);
            self.head = &self.head[n..];
            n
        };
        self.taken += n;
        Ok(n)
    }
}

/// A body of exactly the limit is allowed; one byte more is refused. The
/// limit is the largest body a reader accepts, not the first it refuses.
pub fn a_frame_of_exactly_the_limit_is_read(frames: Frames) {
    let msg = messages(6).pop().expect("a message");
    let frame = encode(frames, std::slice::from_ref(&msg)).remove(0);
    let body = u32::try_from(frame.len() - 4).expect("a small body");
    let case = format!("a frame whose body is {body} bytes with the limit at {body}");
    let (got, error) = read(frames, &frame, body, &case);
    assert!(
        error.is_none() && got == [msg.clone()],
        "reading {case} must give the message: a body of exactly the limit is allowed (the \
         limit is the largest body accepted); it gave {} messages and the error {error:?}",
        got.len()
    );
    let case = format!(
        "a frame whose body is {body} bytes with the limit at {}",
        body - 1
    );
    let error = error_of(read(frames, &frame, body - 1, &case), &[], &case);
    names(
        &error,
        &case,
        &[
            ("the declared length", u64::from(body)),
            ("the limit", u64::from(body - 1)),
        ],
    );
}

/// Records what reaches it: the bytes, and whether it was flushed after
/// the last of them.
struct Recorder<'a> {
    bytes: &'a mut Vec<u8>,
}

impl Write for Recorder<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `write_frame` flushes: written into a `BufWriter` (what a peer often
/// hands it), the whole frame has reached the other side when it returns,
/// without waiting for the buffer to fill or be dropped. Otherwise the
/// peer waits for a frame that sits in a buffer.
pub fn write_frame_flushes(frames: Frames) {
    let msg = messages(3).pop().expect("a message");
    let want = encode(frames, std::slice::from_ref(&msg)).remove(0);
    let mut arrived = Vec::new();
    {
        let mut out = std::io::BufWriter::new(Recorder {
            bytes: &mut arrived,
        });
        (frames.write)(&mut out, &msg).unwrap_or_else(|e| panic!("write_frame failed: {e}"));
        // What has reached the other side now, before the BufWriter is
        // dropped (a drop would flush it).
        let (inner, _still_buffered) = out.into_parts();
        let now = inner.bytes.clone();
        assert!(
            now == want,
            "write_frame into a BufWriter returned with {} of the frame's {} bytes delivered: it \
             must flush the writer after the frame, or the peer waits for a frame that sits in a \
             buffer",
            now.len(),
            want.len()
        );
    }
    // A writer that takes at most 100 bytes per call, as a pipe or a
    // socket may, and is interrupted by a signal now and then (round 16's
    // `frames/09` wrote with a loop of its own that gave up): the whole
    // frame (here of 500 bytes and more) must still be handed on.
    let msg = Msg {
        text: "x".repeat(500),
        ..msg
    };
    let want = encode(frames, std::slice::from_ref(&msg)).remove(0);
    let mut arrived = Vec::new();
    (frames.write)(
        &mut Sips {
            bytes: &mut arrived,
            calls: 0,
        },
        &msg,
    )
    .unwrap_or_else(|e| {
        panic!(
            "write_frame into a writer that takes at most 100 bytes per `write`, one write in \
             three interrupted by a signal (ErrorKind::Interrupted), failed: {e}. An interrupted \
             write is not a refusal: it is tried again (as `write_all` does)"
        )
    });
    assert!(
        arrived == want,
        "write_frame into a writer that takes at most 100 bytes per `write` (one write in \
         three interrupted by a signal) returned with {} of the frame's {} bytes handed on: \
         `write` may take only part of what it is given, and says how much; `write_all` keeps \
         writing until the whole frame is handed on, and tries an interrupted write again",
        arrived.len(),
        want.len()
    );
}

/// Takes at most 100 bytes per `write`; every third `write` is
/// interrupted by a signal before it takes any.
struct Sips<'a> {
    bytes: &'a mut Vec<u8>,
    calls: usize,
}

impl Write for Sips<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.calls += 1;
        if self.calls % 3 == 0 {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        let n = buf.len().min(100);
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Records each `write` call it gets, with the bytes of that call, and
/// takes them all.
struct Calls<'a> {
    calls: &'a mut Vec<Vec<u8>>,
}

impl Write for Calls<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.calls.push(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The frame goes out in one `write_all`: a writer that takes every byte it
/// is handed sees one `write` call holding the whole frame, prefix and body
/// together. Two writes are two system calls on a pipe, and between them
/// the peer may wake up to a prefix whose body is not there yet.
pub fn the_frame_goes_out_in_one_write(frames: Frames) {
    let mut draw = crate::fetching::Draw::new();
    let small = messages(5).pop().expect("a message");
    // A frame past any buffer a writer of one's own might hold (a
    // `BufWriter` holds 8 KiB): its prefix and body must still go out in
    // one write.
    let mut large = small.clone();
    large.text = "x".repeat(draw.pick(16 << 10..=1 << 20));
    // And past a buffer of a few MiB (round 23's `frames/07` joined prefix
    // and body in a `BufWriter` of 2 MiB).
    let mut huge = small.clone();
    huge.text = "x".repeat(draw.pick(4 << 20..=32 << 20));
    for msg in [small, large, huge] {
        one_write(frames, &msg);
    }
}

/// `msg` written into a writer that records its `write` calls: one call.
fn one_write(frames: Frames, msg: &Msg) {
    let mut calls = Vec::new();
    (frames.write)(&mut Calls { calls: &mut calls }, msg)
        .unwrap_or_else(|e| panic!("write_frame failed: {e}"));
    let sizes: Vec<usize> = calls.iter().map(Vec::len).collect();
    let total: usize = sizes.iter().sum();
    assert!(
        calls.len() == 1,
        "write_frame handed the writer the frame's {total} bytes in {} write calls (of {sizes:?} \
         bytes), to a writer that takes all it is given: the frame must go out in one \
         `write_all`, prefix and body together (build the whole frame in a Vec first). On a \
         pipe each write is a system call of its own, and the peer may wake up to a prefix \
         whose body has not come",
        calls.len()
    );
}

/// What the checks' failing streams say when they refuse: the operating
/// system's error, as the student's error must carry it.
const WRITE_REFUSED: &str = "the check's writer refuses (its reader is gone)";

/// Refuses every write, as a pipe whose reader has gone does.
struct Refuses;

impl Write for Refuses {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            WRITE_REFUSED,
        ))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `write_frame` into `out`, a panic turned into a failure that says so.
fn write_refused(frames: Frames, out: &mut dyn Write, case: &str) -> Result<(), String> {
    let msg = messages(2).pop().expect("a message");
    panic::catch_unwind(AssertUnwindSafe(|| (frames.write)(out, &msg))).unwrap_or_else(|payload| {
        panic!(
            "write_frame into {case} panicked ({}): a refused write must be an \
                 Err(FrameError::Write), \"writing a frame failed\", never a panic",
            harness::record::panic_message(payload.as_ref())
        )
    })
}

/// A writer that refuses, directly (its `write` fails) or through a
/// `BufWriter` (the frame fits in the buffer, and the refusal comes at the
/// flush): either way `write_frame` returns the documented error,
/// `FrameError::Write` ("writing a frame failed: ..." with the operating
/// system's error), not `Ok` and not a panic.
pub fn a_refused_write_is_an_error(frames: Frames) {
    let mut buffered = std::io::BufWriter::new(Refuses);
    let cases: [(&mut dyn Write, &str); 2] = [
        (
            &mut Refuses,
            "a writer whose every write fails (a closed pipe)",
        ),
        (
            &mut buffered,
            "a BufWriter over a closed pipe (the failure comes when it is flushed)",
        ),
    ];
    for (out, case) in cases {
        let error = match write_refused(frames, out, case) {
            Ok(()) => panic!(
                "write_frame into {case} returned Ok: the frame never arrived, and the caller \
                 must hear so. Pass the errors of `write_all` and of `flush` on, as \
                 FrameError::Write"
            ),
            Err(e) => e,
        };
        assert!(
            error.contains("writing a frame failed") && error.contains(WRITE_REFUSED),
            "write_frame into {case} failed with \"{error}\": a refused write must be \
             FrameError::Write, \"writing a frame failed: \" and the operating system's own \
             error (here \"{WRITE_REFUSED}\")"
        );
    }
}

/// What the failing reader's `read` says.
const READ_REFUSED: &str = "the check's stream failed on purpose (a read the system refused)";

/// Serves `bytes`, then fails every read after them; after many failures
/// in a row it ends the stream, so a reader that tries again and again
/// ends too. Counts the failures.
struct FailsAfter<'a> {
    bytes: &'a [u8],
    failures: usize,
    kind: std::io::ErrorKind,
}

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.bytes.is_empty() {
            if self.failures >= 1000 {
                return Ok(0);
            }
            self.failures += 1;
            return Err(std::io::Error::new(self.kind, READ_REFUSED));
        }
        let n = buf.len().min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Every kind of error a refused read may carry (all but `Interrupted`,
/// which is not a refusal: a signal came, and the read is tried again).
/// `WouldBlock` too: a non-blocking stream with nothing to give refuses,
/// and a reader that tries again at once spins (round 16's `frames/03`).
const REFUSALS: &[std::io::ErrorKind] = {
    use std::io::ErrorKind::*;
    &[
        ConnectionReset,
        ConnectionAborted,
        NotConnected,
        BrokenPipe,
        UnexpectedEof,
        TimedOut,
        PermissionDenied,
        InvalidData,
        WouldBlock,
        Other,
    ]
};

/// A stream whose `read` fails (the operating system refuses it) after two
/// whole frames: right after them, inside the third's length prefix and
/// inside its body, with every kind of error a read may carry. Each time:
/// the whole frames before it, then an error that carries the read's own
/// error and the byte where the frame began; not the clean end, not a
/// truncation, not a panic.
pub fn a_failed_read_says_where(frames: Frames) {
    let mut draw = crate::fetching::Draw::new();
    let msgs = messages(3);
    let encoded = encode(frames, &msgs);
    let offset = encoded[0].len() + encoded[1].len();
    let whole = encoded[..2].concat();
    let in_prefix = draw.pick(1..=3);
    let in_body = draw.pick(1..=encoded[2].len() - 5);
    let places = [
        (0, "right after two frames".to_owned()),
        (
            in_prefix,
            format!("{in_prefix} bytes into the third frame's length prefix"),
        ),
        (
            4 + in_body,
            format!("{in_body} bytes into the third frame's body"),
        ),
    ];
    for (into, place) in &places {
        let mut stream = whole.clone();
        stream.extend_from_slice(&encoded[2][..*into]);
        for &kind in REFUSALS {
            let case = format!("a stream whose read fails ({kind:?}) {place}");
            let mut input = FailsAfter {
                bytes: &stream,
                failures: 0,
                kind,
            };
            let result =
                panic::catch_unwind(AssertUnwindSafe(|| (frames.read_all)(&mut input, LIMIT)))
                    .unwrap_or_else(|payload| {
                        panic!(
                            "reading {case} panicked ({}): a failed read must give an \
                             Err(FrameError::Read), never a panic",
                            harness::record::panic_message(payload.as_ref())
                        )
                    });
            let (got, error) = result;
            let Some(error) = error else {
                panic!(
                    "reading {case} gave {} messages and no error, after the read failed with \
                     \"{READ_REFUSED}\" {} time(s){}: a failed read is not the end of the \
                     stream, whatever its kind (only a read of 0 bytes is). Return \
                     FrameError::Read with the byte where the frame began",
                    got.len(),
                    input.failures,
                    if input.failures > 1 {
                        " (the check's stream ends after 1000 failures; a refused read is not \
                         tried again, only an interrupted one is)"
                    } else {
                        ""
                    }
                )
            };
            assert_eq!(
                got,
                msgs[..2],
                "reading {case}: the frames before the failed read must come back intact"
            );
            assert!(
                error.contains(READ_REFUSED) && input.failures == 1,
                "reading {case} gave the error \"{error}\" after the read failed {} time(s) (the \
                 check's stream ends after 1000 failures): a read the operating system refused \
                 is FrameError::Read, carrying its own error (\"{READ_REFUSED}\"), at the first \
                 refusal, wherever in the frame it fails and whatever its kind; not tried again \
                 (only Interrupted is), not the end of the stream, nor a truncation",
                input.failures
            );
            names(
                &error,
                &case,
                &[("the byte where the frame begins", offset as u64)],
            );
        }
    }
}

/// `VmSize` of this process, in bytes (Linux; 0 elsewhere).
fn virtual_size() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmSize:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Serves a prefix declaring `declared` bytes, then notes how much memory
/// the process has mapped when the reader asks for the body, and ends.
struct Declares {
    prefix: [u8; 4],
    sent: usize,
    grown: u64,
    start: u64,
    /// Whether the reader asked for the body: a frame under the limit is
    /// read, not refused from its prefix.
    asked: bool,
}

impl Read for Declares {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.sent < 4 {
            let n = buf.len().min(4 - self.sent);
            buf[..n].copy_from_slice(&self.prefix[self.sent..self.sent + n]);
            self.sent += n;
            return Ok(n);
        }
        self.grown = self.grown.max(virtual_size().saturating_sub(self.start));
        self.asked = true;
        Ok(0)
    }
}

/// A prefix that declares 256 MiB (under a 512 MiB limit) and then no body
/// at all: the reader must not allocate the declared length before the
/// bytes arrive (a peer that only declares would cost that much memory for
/// nothing). The body buffer grows as bytes come, so here it stays small,
/// and the read ends with a truncation error.
pub fn the_body_is_not_allocated_before_it_arrives(frames: Frames) {
    const DECLARED: u32 = 256 << 20;
    if virtual_size() == 0 {
        return; // no /proc/self/status: nothing to measure with
    }
    let (case, error, source, ()) =
        read_declared(frames, DECLARED, DECLARED * 2, |read| (read(), ()));
    assert!(
        source.asked,
        "reading {case}: the reader never asked for the body, and said: {error}. A body of \
         256 MiB is under the reader's limit of 512 MiB, so the frame must be read (and here \
         the stream ends inside it); only a body over the limit the reader was given is refused \
         from its prefix, whatever size seems too big"
    );
    assert!(
        source.grown < 64 << 20,
        "reading {case}: when the reader asked for the body, the process had {} MiB more memory \
         mapped than before the read: the body was allocated at its declared length before any \
         of it arrived. Let the buffer grow as bytes come (`take(len).read_to_end`), so a peer \
         that only declares a length costs nothing",
        source.grown >> 20
    );
    let mut draw = crate::fetching::Draw::new();
    // Under the 64 MiB that the mapped memory can show: a buffer reserved
    // up front, "capped" at some size, is seen by the allocator.
    if harness::heap::installed() {
        // Any length past what the allocator may hand out at once, up to
        // 30 MiB: a buffer reserved up front only below some size is seen.
        let declared = crate::pure::log_u64(&mut draw, 2 * READ_AHEAD as u64, 30 << 20) as u32;
        let (case, _, _, largest) = read_declared(frames, declared, DECLARED * 2, |read| {
            harness::heap::largest_block(read)
        });
        assert!(
            largest <= READ_AHEAD,
            "reading {case}: the largest block allocated during the read was {largest} bytes (at \
             most {READ_AHEAD} pass): the body's buffer was reserved before its bytes arrived. \
             Let it grow as they come, whatever the prefix declares"
        );
        // Below that too: a length from 1 KiB to 64 KiB, never a power of
        // two. A buffer reserved at the declared length is a block of
        // exactly that size (the frame's, prefix included, is 4 more),
        // which a buffer that grows by doubling, or a scratch buffer of a
        // fixed size, is not (round 16's `frames/04` reserved up to 64 KiB).
        let declared = loop {
            let d = crate::pure::log_u64(&mut draw, 1 << 10, READ_AHEAD as u64) as u32;
            if !d.is_power_of_two() && !(d + 4).is_power_of_two() {
                break d;
            }
        };
        let sizes = declared as usize..=declared as usize + 4;
        let (case, _, _, reserved) = read_declared(frames, declared, DECLARED * 2, |read| {
            harness::heap::blocks_sized(sizes, read)
        });
        assert!(
            reserved == 0,
            "reading {case}: {reserved} block(s) of {declared} to {} bytes were allocated during \
             the read, before any byte of the body arrived: a buffer reserved at the declared \
             length, however it is capped. Let it grow as the bytes come \
             (`take(len).read_to_end`), whatever the prefix declares",
            declared + 4
        );
        // A part of the declared length, capped (round 20's `frames/03`
        // reserved half of it, at most 60 KiB; round 23's `frames/01` an
        // eighth): the largest block grows
        // with the declared length, where a scratch buffer of a fixed size
        // does not. Two lengths a third apart, both past a scratch buffer
        // of 16 KiB and under 64 KiB.
        let small = draw.pick(16 << 10..=(40 << 10)) | 1;
        let large = small + small / 3;
        let largest = [small, large].map(|d| {
            read_declared(frames, d as u32, DECLARED * 2, |read| {
                harness::heap::largest_block(read)
            })
            .3
        });
        // Growth of a sixty-fourth of the difference fails (round 23's
        // `frames/01` reserved an eighth, which a quarter let through).
        assert!(
            largest[1] < largest[0] + ((large - small) / 64).max(64),
            "reading a prefix declaring {small} bytes and no body, the largest block allocated \
             was {} bytes; declaring {large} bytes, {} bytes: a buffer sized from the declared \
             length (a part of it, or all of it, capped) before any byte of the body arrived. \
             Let it grow as the bytes come (`take(len).read_to_end`), whatever the prefix \
             declares",
            largest[0],
            largest[1]
        );
    }
    // The limit is the one the reader was given, however large: with a
    // limit of u32::MAX, a prefix that declares more than half a GiB (a
    // cap of one's own, round 16's `frames/01`), and one within a MiB of
    // the most a prefix holds (round 23's `frames/06` capped at 3 GiB),
    // must be read, not refused.
    let anywhere = crate::pure::log_u64(&mut draw, (512 << 20) + 1, u64::from(u32::MAX)) as u32;
    let at_the_top = u32::MAX - draw.pick(0..=(1 << 20)) as u32;
    for declared in [anywhere, at_the_top] {
        the_limit_given_holds(frames, declared);
    }
}

/// With a limit of `u32::MAX`, a prefix declaring `declared` bytes must be
/// read: the body asked for, and not allocated first.
fn the_limit_given_holds(frames: Frames, declared: u32) {
    let (case, error, large, ()) = read_declared(frames, declared, u32::MAX, |read| (read(), ()));
    assert!(
        large.asked && large.grown < 64 << 20,
        "reading {case}: {} (and said: {error}). With a limit of 4294967295 every length a \
         prefix can hold is under the limit: the reader asks for the body, without allocating \
         it first, and no cap of its own refuses it",
        if large.asked {
            format!(
                "the process had {} MiB more memory mapped when the reader asked for the body",
                large.grown >> 20
            )
        } else {
            "the reader never asked for the body".to_owned()
        }
    );
}

/// A reader's whole read of a stream that is only a prefix declaring
/// `declared` bytes, with `limit`, run inside `window` (a witness of the
/// allocator, or none): the case in words, the error the read had to end
/// with, what the stream saw, and what the window measured.
fn read_declared<W>(
    frames: Frames,
    declared: u32,
    limit: u32,
    window: impl FnOnce(
        Box<dyn FnOnce() -> std::thread::Result<ReadAll> + '_>,
    ) -> (std::thread::Result<ReadAll>, W),
) -> (String, String, Declares, W) {
    let mut source = Declares {
        prefix: declared.to_le_bytes(),
        sent: 0,
        grown: 0,
        start: virtual_size(),
        asked: false,
    };
    let case = format!("a prefix declaring {declared} bytes (limit {limit}) and no body");
    let (result, measured) = window(Box::new(|| {
        panic::catch_unwind(AssertUnwindSafe(|| (frames.read_all)(&mut source, limit)))
    }));
    let result = result.unwrap_or_else(|payload| {
        panic!(
            "reading {case} panicked ({}): a bad stream must give an Err(FrameError), never a \
             panic",
            harness::record::panic_message(payload.as_ref())
        )
    });
    let error = error_of(result, &[], &case);
    (case, error, source, measured)
}

/// Reads in a row interrupted by a signal, inside the prefix of every
/// third frame, in [`short_reads_are_not_the_end`].
const LONG_INTERRUPTION: usize = 100;

/// Hands out at most a few bytes per `read`, as a pipe may.
struct Dribble<'a> {
    bytes: &'a [u8],
    turn: usize,
    /// Interruptions still to come before the next bytes.
    interrupted: usize,
    /// Bytes handed out so far.
    consumed: usize,
    /// Where [`LONG_INTERRUPTION`] reads in a row are refused, in order:
    /// offsets inside a prefix.
    long_at: Vec<usize>,
}

impl Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.turn += 1;
        // After every fifth read, one to four reads in a row are
        // interrupted by a signal, before any byte arrives, wherever in a
        // frame the reader is (round 16's `frames/07` tried again once).
        if self.interrupted > 0 {
            self.interrupted -= 1;
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        // Inside the prefix of every third frame, a long run: past a retry
        // limit of 16 or 32 (round 20's `frames/05` gave up after 16 in a
        // row while reading a prefix).
        if self.long_at.first() == Some(&self.consumed) {
            self.long_at.remove(0);
            self.interrupted = LONG_INTERRUPTION - 1;
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        if self.turn % 5 == 0 {
            self.interrupted = self.turn / 5 % 4;
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        let mut n = buf.len().min(self.bytes.len()).min(1 + self.turn % 3);
        // Stop where a long run is due, so that it starts there.
        if let Some(&at) = self.long_at.first() {
            n = n.min(at - self.consumed);
        }
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.consumed += n;
        Ok(n)
    }
}

/// A stream that arrives one to three bytes per `read`, one to four `read`s
/// in a row interrupted by a signal (`ErrorKind::Interrupted`, no bytes)
/// after every fifth, is still
/// read whole: a short read is not the end of a frame, an interrupted read
/// is tried again, and only a read of 0 bytes is the end of the stream.
pub fn short_reads_are_not_the_end(frames: Frames) {
    let msgs = messages(10);
    let encoded = encode(frames, &msgs);
    // Two bytes into the prefix of every third frame.
    let long_at = encoded
        .iter()
        .scan(0, |at, frame| {
            let start = *at;
            *at += frame.len();
            Some(start + 2)
        })
        .step_by(3)
        .collect();
    let stream = encoded.concat();
    let mut input = Dribble {
        bytes: &stream,
        turn: 0,
        interrupted: 0,
        consumed: 0,
        long_at,
    };
    let (got, error) =
        panic::catch_unwind(AssertUnwindSafe(|| (frames.read_all)(&mut input, LIMIT)))
            .unwrap_or_else(|payload| {
                panic!(
                    "reading 10 frames that arrive 1 to 3 bytes per read (up to a hundred reads in \
                     a row interrupted) panicked ({})",
                    harness::record::panic_message(payload.as_ref())
                )
            });
    assert_eq!(
        error, None,
        "10 whole frames that arrive 1 to 3 bytes per read, up to a hundred reads in a row \
         interrupted by a signal (ErrorKind::Interrupted), must read without error: one `read` \
         may return less than asked for (keep reading until the prefix or body is complete), \
         and an interrupted one is tried again, however many times in a row (as `read_exact` \
         does)"
    );
    assert_eq!(
        got, msgs,
        "10 frames that arrive 1 to 3 bytes per read, up to a hundred reads in a row interrupted by \
         a signal (ErrorKind::Interrupted), must come back whole: an interrupted read is tried \
         again, never the end of the stream"
    );
}

/// A child that echoes its stdin: frames written into its stdin come out of
/// its stdout through two real pipes. Returns what came out, read by the
/// subject, and what the writer thread reported.
fn through_cat(frames: Frames, bytes: Vec<u8>) -> (Vec<Msg>, Option<String>) {
    let mut cat = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the suite needs `cat` to make a real pipe");
    let mut stdin = cat.stdin.take().expect("piped");
    // Written from another thread, so that the pipe's buffer filling up
    // cannot stop the writer while nobody reads.
    let writer = thread::spawn(move || {
        for chunk in bytes.chunks(1000) {
            stdin.write_all(chunk).expect("writing into cat");
        }
        // Dropping stdin closes the pipe: cat sees the end and exits.
    });
    let mut stdout = cat.stdout.take().expect("piped");
    let result = panic::catch_unwind(AssertUnwindSafe(|| (frames.read_all)(&mut stdout, LIMIT)));
    drop(stdout);
    writer.join().expect("the writer thread");
    cat.wait().expect("waiting for cat");
    result.unwrap_or_else(|payload| {
        panic!(
            "reading from a pipe panicked ({})",
            harness::record::panic_message(payload.as_ref())
        )
    })
}

/// 200 frames through a child's stdin and stdout arrive whole and in order,
/// although the pipe hands them over in pieces of its own choosing.
pub fn frames_cross_a_real_pipe(frames: Frames) {
    let msgs = messages(200);
    let (got, error) = through_cat(frames, encode(frames, &msgs).concat());
    assert_eq!(
        error, None,
        "200 whole frames through a pipe must read without error"
    );
    assert_eq!(
        got, msgs,
        "200 frames through a pipe must arrive whole and in order"
    );
}

/// A writer that closes the pipe halfway through a frame: the reader
/// returns the whole frames, then an error for the cut one, and does not
/// wait for bytes that will never come.
pub fn a_pipe_closed_mid_frame_is_an_error(frames: Frames) {
    let msgs = messages(4);
    let encoded = encode(frames, &msgs);
    let mut bytes = encoded[..3].concat();
    let offset = bytes.len();
    bytes.extend_from_slice(&encoded[3][..encoded[3].len() / 2]);
    let case = "a pipe closed halfway through its fourth frame";
    let error = error_of(through_cat(frames, bytes), &msgs[..3], case);
    names(
        &error,
        case,
        &[("the byte where the cut frame begins", offset as u64)],
    );
}

crate::declare_suite!($ frames: Frames = frames_adapter! [
    messages_round_trip_in_order,
    the_prefix_is_the_body_length_little_endian,
    an_empty_stream_is_a_clean_end,
    a_truncated_body_says_where,
    trailing_garbage_says_where,
    a_malformed_body_says_where,
    a_hostile_length_is_refused_by_the_limit,
    a_frame_of_exactly_the_limit_is_read,
    write_frame_flushes,
    the_frame_goes_out_in_one_write,
    a_refused_write_is_an_error,
    a_failed_read_says_where,
    the_body_is_not_allocated_before_it_arrives,
    short_reads_are_not_the_end,
    frames_cross_a_real_pipe,
    a_pipe_closed_mid_frame_is_an_error,
]);

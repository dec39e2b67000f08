//! Wrong frame readers. Each writes correctly (the reference
//! `write_frame`) and reads in a way a student could.

use std::io::{BufReader, Read};

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
            .map_err(|e| format!("malformed at byte {at} ({declared} bytes): {e}"))
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
            .map_err(|e| format!("malformed at byte {at} ({declared} bytes): {e}"))
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
            .map_err(|e| format!("the body at byte {at} ({declared} bytes) is malformed: {e}"))
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
            .map_err(|e| format!("malformed at byte {at} ({declared} bytes): {e}"))
    })
}

/// A fresh `BufReader` for every frame: the first one swallows the bytes
/// after its frame into its buffer, and they are dropped with it.
fn buffer_per_frame(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    drain(|| frames_solution::FrameReader::new(BufReader::new(&mut *input), limit).read())
}

/// Writes the length prefix big-endian (network byte order), and reads it
/// back the same way: it round-trips with itself, but not with anyone else.
fn big_endian_write(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    out.write_all(&(body.len() as u32).to_be_bytes())
        .and_then(|()| out.write_all(&body))
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())
}

/// The reader that goes with [`big_endian_write`].
fn big_endian_read(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    read_with(input, |input, offset| {
        let at = *offset;
        let prefix = match exactly(input, 4) {
            Ok(p) => p,
            Err(0) => return Ok(None),
            Err(_) => return Err(format!("the stream ended inside a prefix at byte {at}")),
        };
        let declared = u32::from_be_bytes(prefix.try_into().expect("4"));
        if declared > limit {
            return Err(format!(
                "the frame at byte {at} declares {declared} bytes, over the limit {limit}"
            ));
        }
        let body = exactly(input, declared as usize).map_err(|got| {
            format!("the frame at byte {at} declares {declared} bytes, {got} arrived")
        })?;
        *offset += 4 + u64::from(declared);
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| format!("malformed body at byte {at} ({declared} bytes): {e}"))
    })
}

/// The reference reader, except that a stream that ends before its first
/// frame is an error (as if the peer had to send something).
fn empty_is_an_error(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    let mut reader = frames_solution::FrameReader::new(input, limit);
    drain(|| match reader.read() {
        Ok(None) if reader.offset() == 0 => {
            Err("the stream ended at byte 0 before its first frame".to_owned())
        }
        other => other.map_err(|e| e.to_string()),
    })
}

/// A stream that ends inside a length prefix is taken for the clean end:
/// stray bytes after the last frame are silently dropped. A cut body is
/// still an error.
fn short_prefix_is_end(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    read_with(input, |input, offset| {
        let at = *offset;
        let Ok(prefix) = exactly(input, 4) else {
            return Ok(None);
        };
        let declared = u32::from_le_bytes(prefix.try_into().expect("4"));
        if declared > limit {
            return Err(format!(
                "the frame at byte {at} declares {declared} bytes, over the limit {limit}"
            ));
        }
        let body = exactly(input, declared as usize).map_err(|got| {
            format!("the frame at byte {at} declares {declared} bytes, {got} arrived")
        })?;
        *offset += 4 + u64::from(declared);
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| format!("malformed body at byte {at} ({declared} bytes): {e}"))
    })
}

/// Takes the first value of the body's JSON and never asks whether
/// anything follows it: junk after a valid value is accepted.
fn junk_after_the_value(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    read_with(input, |input, offset| {
        let at = *offset;
        let prefix = match exactly(input, 4) {
            Ok(p) => p,
            Err(0) => return Ok(None),
            Err(_) => return Err(format!("the stream ended inside a prefix at byte {at}")),
        };
        let declared = u32::from_le_bytes(prefix.try_into().expect("4"));
        if declared > limit {
            return Err(format!(
                "the frame at byte {at} declares {declared} bytes, over the limit {limit}"
            ));
        }
        let body = exactly(input, declared as usize).map_err(|got| {
            format!("the frame at byte {at} declares {declared} bytes, {got} arrived")
        })?;
        *offset += 4 + u64::from(declared);
        // The first value, and whatever follows it is never looked at.
        match serde_json::Deserializer::from_slice(&body)
            .into_iter::<Msg>()
            .next()
        {
            Some(Ok(msg)) => Ok(Some(msg)),
            Some(Err(e)) => Err(format!(
                "malformed body at byte {at} ({declared} bytes): {e}"
            )),
            None => Err(format!(
                "malformed body at byte {at} ({declared} bytes): no value"
            )),
        }
    })
}

/// One `read` into a large buffer is taken as one whole frame: true when
/// the writer's frames come one per read, as they may in a quick test, but
/// a pipe hands over whatever it holds, a frame and a half or several.
fn one_read_is_one_frame(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    read_with(input, |input, offset| {
        let at = *offset;
        let mut buf = vec![0; 64 * 1024];
        let got = input.read(&mut buf).map_err(|e| e.to_string())?;
        if got == 0 {
            return Ok(None);
        }
        *offset += got as u64;
        if got < 4 {
            return Err(format!("the stream ended inside a prefix at byte {at}"));
        }
        let declared = u32::from_le_bytes(buf[..4].try_into().expect("4"));
        if declared > limit {
            return Err(format!(
                "the frame at byte {at} declares {declared} bytes, over the limit {limit}"
            ));
        }
        let end = got.min(4 + declared as usize);
        serde_json::from_slice(&buf[4..end])
            .map(Some)
            .map_err(|e| format!("malformed body at byte {at} ({declared} bytes): {e}"))
    })
}

/// Prefix and body in two `write_all` calls, then a flush: the whole frame
/// arrives, in two writes.
fn two_writes_flushed(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    out.write_all(&(body.len() as u32).to_le_bytes())
        .and_then(|()| out.write_all(&body))
        .and_then(|()| out.flush())
        .map_err(|e| frames_solution::FrameError::Write(e).to_string())
}

/// Measures the body, writes the prefix, then serializes the value straight
/// into the writer: serde hands it a piece at a time.
fn serialized_into_the_writer(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let refused = |e| frames_solution::FrameError::Write(e).to_string();
    let len = serde_json::to_vec(msg).map_err(|e| e.to_string())?.len();
    out.write_all(&(len as u32).to_le_bytes())
        .map_err(refused)?;
    serde_json::to_writer(&mut *out, msg).map_err(|e| refused(e.into()))?;
    out.flush().map_err(refused)
}

/// The frame in one `write_all`, unwrapped: a closed pipe panics.
fn write_unwrapped(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    let mut frame = (body.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&body);
    out.write_all(&frame).expect("the peer reads its pipe");
    out.flush().expect("the peer reads its pipe");
    Ok(())
}

/// The reference `write_frame`'s work, but the flush's error is dropped:
/// the frame that a buffer could not hand on is reported as sent.
fn flush_error_ignored(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    let mut frame = (body.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&body);
    out.write_all(&frame)
        .map_err(|e| frames_solution::FrameError::Write(e).to_string())?;
    let _ = out.flush();
    Ok(())
}

/// A stream whose failed reads look like its end (`Ok(0)`): what a reader
/// that takes every error of `read` for the end of the stream sees.
struct ErrorIsEnd<'a>(&'a mut dyn Read);

impl Read for ErrorIsEnd<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.0.read(buf).unwrap_or(0))
    }
}

/// The reference reader, except that a failed `read` is taken for the end
/// of the stream: between frames a clean end, inside one a truncation.
fn read_error_is_end(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    REFERENCE_READ(&mut ErrorIsEnd(input), limit)
}

/// A stream whose `read` unwraps its result: what a reader that unwraps
/// every `read` does when one fails.
struct UnwrapsRead<'a>(&'a mut dyn Read);

impl Read for UnwrapsRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.0.read(buf).expect("the stream reads"))
    }
}

/// The reference reader, except that a failed `read` panics (the stream
/// ending, even halfway, is still handled).
fn read_error_unwrapped(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    REFERENCE_READ(&mut UnwrapsRead(input), limit)
}

/// What a [`slipping`] reader gets wrong, each one a mistake of red team
/// round 5 (`course/red-teams/round-5/frames/`).
#[derive(Clone, Copy, PartialEq)]
enum Slip {
    /// Reads the declared body first, and compares it with the limit after.
    LimitAfterTheBody,
    /// Reserves the declared length up front, "capped" at 32 MiB.
    ReservesUpFront,
    /// Reports the prefix bytes of the first read only, when it is cut.
    FirstReadCounted,
    /// Takes a prefix that declares 0 bytes for the end of the stream.
    ZeroIsTheEnd,
    /// Makes the body a `&str` with `unwrap` before decoding it.
    Utf8Unwrapped,
    /// Says the refused frame began 4 bytes later, after its prefix.
    OffsetAfterThePrefix,
    /// Reserves the declared length up front when it is 16 MiB or less
    /// (round 13, `frames/01`).
    ReservesSmallBodies,
    /// Never allows more than this, whatever limit it was given (round
    /// 13's `frames/02` at 64 MiB, round 16's `frames/01` at 512 MiB).
    CapsTheLimit(u32),
    /// Reserves the declared length up front, "capped" at 64 KiB (round 16,
    /// `frames/04`).
    ReservesUpTo64Kib,
    /// Reserves half the declared length up front, "capped" at 60 KiB
    /// (round 20, `frames/03`).
    ReservesHalfUpTo60Kib,
    /// Reserves an eighth of the declared length up front, "capped" at 60
    /// KiB (round 23, `frames/01`).
    ReservesAnEighthUpTo60Kib,
    /// Tries an interrupted read of a prefix again at most 16 times in a
    /// row (round 20, `frames/05`).
    SixteenInterruptionsInARow,
    /// Tries a read refused with `WouldBlock` again at once, spinning
    /// (round 16, `frames/03`).
    RetriesWouldBlock,
    /// Tries an interrupted read again once, and takes a second
    /// interruption in a row for a refusal (round 16, `frames/07`).
    OneInterruptionInARow,
    /// Names the whole frame's length, prefix included, as the malformed
    /// body's (round 16, `frames/08`).
    MalformedLengthWithPrefix,
    /// Takes a read that fails inside a prefix for a stream that ended
    /// there (round 13, `frames/03`).
    PrefixFailureIsTruncation,
    /// Takes a read interrupted by a signal for the end (round 13,
    /// `frames/05`).
    InterruptedIsTheEnd,
    /// Takes an unexpected-end error inside a body for a truncation (round
    /// 13, `frames/09`).
    EofErrorIsTruncation,
    /// Decodes the body as text with bytes that are not UTF-8 replaced
    /// (round 23, `frames/04`).
    Utf8Lossy,
}

/// A careful reader (limits, offsets, a failed read as an error) with one
/// slip.
fn slipping(input: &mut dyn Read, limit: u32, slip: Slip) -> (Vec<Msg>, Option<String>) {
    let limit = match slip {
        Slip::CapsTheLimit(cap) => limit.min(cap),
        _ => limit,
    };
    read_with(input, |input, offset| {
        let at = *offset;
        let mut prefix = [0u8; 4];
        let mut got = 0;
        let mut first = None;
        let mut interrupted = false;
        let mut in_a_row = 0;
        while got < 4 {
            match input.read(&mut prefix[got..]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => {
                    let said = if slip == Slip::FirstReadCounted {
                        first.unwrap_or(got)
                    } else {
                        got
                    };
                    return Err(format!(
                        "the stream ended {said} bytes into the length prefix of the frame at \
                         byte {at}"
                    ));
                }
                Ok(n) => {
                    first.get_or_insert(n);
                    got += n;
                    interrupted = false;
                    in_a_row = 0;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    if slip == Slip::InterruptedIsTheEnd {
                        return Ok(None);
                    }
                    if slip == Slip::OneInterruptionInARow && interrupted {
                        return Err(format!("reading the frame at byte {at} failed: {e}"));
                    }
                    in_a_row += 1;
                    if slip == Slip::SixteenInterruptionsInARow && in_a_row > 16 {
                        return Err(format!("reading the frame at byte {at} failed: {e}"));
                    }
                    interrupted = true;
                    continue;
                }
                Err(e)
                    if slip == Slip::RetriesWouldBlock
                        && e.kind() == std::io::ErrorKind::WouldBlock =>
                {
                    continue;
                }
                Err(_) if slip == Slip::PrefixFailureIsTruncation && got > 0 => {
                    return Err(format!(
                        "the stream ended {got} bytes into the length prefix of the frame at \
                         byte {at}"
                    ));
                }
                Err(e) => return Err(format!("reading the frame at byte {at} failed: {e}")),
            }
        }
        let declared = u32::from_le_bytes(prefix);
        if slip == Slip::ZeroIsTheEnd && declared == 0 {
            return Ok(None);
        }
        let over = |at: u64| {
            format!(
                "the frame at byte {at} declares a body of {declared} bytes, over the limit of \
                 {limit}"
            )
        };
        if declared > limit && slip != Slip::LimitAfterTheBody {
            let shown = if slip == Slip::OffsetAfterThePrefix {
                at + 4
            } else {
                at
            };
            return Err(over(shown));
        }
        let mut body = Vec::new();
        if slip == Slip::ReservesUpFront {
            body.reserve((declared as usize).min(32 << 20));
        }
        if slip == Slip::ReservesSmallBodies && declared <= 16 << 20 {
            body.reserve(declared as usize);
        }
        if slip == Slip::ReservesUpTo64Kib {
            body.reserve((declared as usize).min(64 << 10));
        }
        if slip == Slip::ReservesAnEighthUpTo60Kib {
            body.reserve((declared as usize / 8).min(60 << 10));
        }
        if slip == Slip::ReservesHalfUpTo60Kib {
            body.reserve((declared as usize / 2).min(60 << 10));
        }
        let mut part = input.take(u64::from(declared));
        let arrived = match loop {
            match part.read_to_end(&mut body) {
                Err(e)
                    if slip == Slip::RetriesWouldBlock
                        && e.kind() == std::io::ErrorKind::WouldBlock => {}
                done => break done.map(|_| body.len()),
            }
        } {
            Ok(n) => n,
            Err(e)
                if slip == Slip::EofErrorIsTruncation
                    && e.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                body.len()
            }
            Err(e) => return Err(format!("reading the frame at byte {at} failed: {e}")),
        };
        if declared > limit {
            return Err(over(at));
        }
        if arrived < declared as usize {
            return Err(format!(
                "the frame at byte {at} declares a body of {declared} bytes, but the stream \
                 ended after {arrived} of them"
            ));
        }
        *offset += 4 + u64::from(declared);
        let decoded = if slip == Slip::Utf8Unwrapped {
            serde_json::from_str(std::str::from_utf8(&body).unwrap())
        } else if slip == Slip::Utf8Lossy {
            serde_json::from_str(&String::from_utf8_lossy(&body))
        } else {
            serde_json::from_slice(&body)
        };
        decoded.map(Some).map_err(|e| {
            let len = if slip == Slip::MalformedLengthWithPrefix {
                declared + 4
            } else {
                declared
            };
            format!("the body of the frame at byte {at} ({len} bytes) is malformed: {e}")
        })
    })
}

/// Hands the reference reader a stream whose broken-pipe and
/// unexpected-end errors are turned into the end of the stream ("the other
/// end went away").
fn pipe_errors_are_the_end(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    struct Forgiving<'a>(&'a mut dyn Read);
    impl Read for Forgiving<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::UnexpectedEof
                    ) =>
                {
                    Ok(0)
                }
                other => other,
            }
        }
    }
    REFERENCE_READ(&mut Forgiving(input), limit)
}

/// Hands the reference reader a stream whose aborted and not-connected
/// errors are turned into the end of the stream (round 13, `frames/04`).
fn aborted_is_the_end(input: &mut dyn Read, limit: u32) -> (Vec<Msg>, Option<String>) {
    struct Forgiving<'a>(&'a mut dyn Read);
    impl Read for Forgiving<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::NotConnected
                    ) =>
                {
                    Ok(0)
                }
                other => other,
            }
        }
    }
    REFERENCE_READ(&mut Forgiving(input), limit)
}

/// A `BufWriter` of its own, the prefix and the body written into it one
/// after the other: one write for a small frame, two past 8 KiB (round 13,
/// `frames/08`).
fn buffered_two_writes(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    use std::io::Write as _;
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    let mut buffered = std::io::BufWriter::new(out);
    buffered
        .write_all(&(body.len() as u32).to_le_bytes())
        .and_then(|()| buffered.write_all(&body))
        .and_then(|()| buffered.flush())
        .map_err(|e| format!("writing a frame failed: {e}"))
}

/// A `BufWriter` of 2 MiB of its own, the prefix and the body written into
/// it one after the other: one write up to 2 MiB, two past it (round 23,
/// `frames/07`).
fn buffered_in_2_mib(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    use std::io::Write as _;
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    let mut buffered = std::io::BufWriter::with_capacity(2 << 20, out);
    buffered
        .write_all(&(body.len() as u32).to_le_bytes())
        .and_then(|()| buffered.write_all(&body))
        .and_then(|()| buffered.flush())
        .map_err(|e| format!("writing a frame failed: {e}"))
}

/// The length cast with `as u32` (round 23's `frames/02`): a body past 4
/// GiB gets a wrapped prefix instead of `Oversized`. Its name is the
/// student's, which the source witness reads from.
mod wrapping {
    use super::Msg;

    pub fn write_frame(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
        let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
        let mut frame = (body.len() as u32).to_le_bytes().to_vec();
        frame.extend_from_slice(&body);
        out.write_all(&frame)
            .and_then(|()| out.flush())
            .map_err(|e| format!("writing a frame failed: {e}"))
    }
}

/// One `write` of the whole frame, its count ignored, then a flush.
fn one_write_count_ignored(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    let mut frame = (body.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&body);
    let _ = out.write(&frame).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}

/// Refuses any value whose JSON is over 16 MiB, a cap of its own (round
/// 16, `frames/06`).
fn refuses_over_16_mib(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    if body.len() > 16 << 20 {
        return Err(format!(
            "the value is too large to send: {} bytes",
            body.len()
        ));
    }
    write(out, msg)
}

/// Hands the frame on with a loop of `write` of its own, which gives up on
/// an interrupted write (round 16, `frames/09`).
fn own_write_loop(out: &mut dyn std::io::Write, msg: &Msg) -> Result<(), String> {
    let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
    let mut frame = (body.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&body);
    let mut rest = &frame[..];
    while !rest.is_empty() {
        let n = out
            .write(rest)
            .map_err(|e| format!("writing a frame failed: {e}"))?;
        rest = &rest[n..];
    }
    out.flush()
        .map_err(|e| format!("writing a frame failed: {e}"))
}

/// This file, as the suite reads a crate's `src/lib.rs`: the source
/// witness reads its `write_frame`s (in [`wrapping`] only).
pub const SOURCE: &str = include_str!("frames.rs");

/// The corpus for `frames`.
pub fn corpus() -> Vec<Decoy<Frames>> {
    vec![
        Decoy {
            name: "checks the limit only after reading the body",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::LimitAfterTheBody),
            },
            caught_by: "a_hostile_length_is_refused_by_the_limit",
            breaks: "limit",
            says: &["bytes past the prefix", "refused from the prefix alone"],
        },
        Decoy {
            name: "reserves the declared body up front, capped at 32 MiB",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::ReservesUpFront),
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "no-early-allocation",
            says: &["largest block allocated"],
        },
        Decoy {
            name: "counts the prefix bytes of the first read only",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::FirstReadCounted),
            },
            caught_by: "trailing_garbage_says_where",
            breaks: "says-where",
            says: &["how many bytes of the prefix arrived"],
        },
        Decoy {
            name: "a prefix that declares 0 bytes is the end of the stream",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::ZeroIsTheEnd),
            },
            caught_by: "a_malformed_body_says_where",
            breaks: "broken-is-an-error",
            says: &["a body of 0 bytes", "no error"],
        },
        Decoy {
            name: "unwraps the body as UTF-8 before decoding",
            class: Class::Panics,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::Utf8Unwrapped),
            },
            caught_by: "a_malformed_body_says_where",
            breaks: "never-panics",
            says: &["panicked", "not UTF-8"],
        },
        Decoy {
            name: "a refused frame said to begin after its prefix",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::OffsetAfterThePrefix),
            },
            caught_by: "a_hostile_length_is_refused_by_the_limit",
            breaks: "says-where",
            says: &["the byte where the refused frame begins"],
        },
        Decoy {
            name: "a broken pipe or an unexpected end is the end of the stream",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: pipe_errors_are_the_end,
            },
            caught_by: "a_failed_read_says_where",
            breaks: "read-refused",
            says: &["a failed read is not the end of the stream"],
        },
        Decoy {
            name: "one write of the frame, its count ignored",
            class: Class::RuleSkipped,
            subject: Frames {
                write: one_write_count_ignored,
                read_all: REFERENCE_READ,
            },
            caught_by: "write_frame_flushes",
            breaks: "flushes",
            says: &["at most 100 bytes per `write`"],
        },
        Decoy {
            name: "trusts the length prefix (no limit)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: trusting,
            },
            caught_by: "a_hostile_length_is_refused_by_the_limit",
            breaks: "limit",
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
            breaks: "never-panics",
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
            breaks: "broken-is-an-error",
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
            breaks: "short-reads",
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
            breaks: "says-where",
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
            breaks: "limit",
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
            breaks: "flushes",
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
            breaks: "flushes",
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
            breaks: "no-early-allocation",
            says: &["allocated at its declared length"],
        },
        Decoy {
            name: "a new BufReader for every frame",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: buffer_per_frame,
            },
            caught_by: "messages_round_trip_in_order",
            breaks: "round-trip",
            says: &["same messages, in order"],
        },
        Decoy {
            name: "a big-endian length prefix",
            class: Class::RuleSkipped,
            subject: Frames {
                write: big_endian_write,
                read_all: big_endian_read,
            },
            caught_by: "the_prefix_is_the_body_length_little_endian",
            breaks: "wire-format",
            says: &["the prefix must be the body's length", "little-endian"],
        },
        Decoy {
            name: "an empty stream is an error",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: empty_is_an_error,
            },
            caught_by: "an_empty_stream_is_a_clean_end",
            breaks: "clean-end",
            says: &["an empty stream must read as no messages and no error"],
        },
        Decoy {
            name: "takes a cut length prefix for the end of the stream",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: short_prefix_is_end,
            },
            caught_by: "trailing_garbage_says_where",
            breaks: "broken-is-an-error",
            says: &["stray bytes", "no error", "must say so"],
        },
        Decoy {
            name: "accepts junk after a valid value in the body",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: junk_after_the_value,
            },
            caught_by: "a_malformed_body_says_where",
            breaks: "broken-is-an-error",
            says: &["followed by junk", "no error", "must say so"],
        },
        Decoy {
            name: "takes one read for one whole frame",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: one_read_is_one_frame,
            },
            caught_by: "frames_cross_a_real_pipe",
            breaks: "short-reads",
            says: &["through a pipe must"],
        },
        Decoy {
            name: "prefix and body in two writes, flushed",
            class: Class::RuleSkipped,
            subject: Frames {
                write: two_writes_flushed,
                read_all: REFERENCE_READ,
            },
            caught_by: "the_frame_goes_out_in_one_write",
            breaks: "one-write",
            says: &["in 2 write calls", "one `write_all`"],
        },
        Decoy {
            name: "serializes the body straight into the writer",
            class: Class::RuleSkipped,
            subject: Frames {
                write: serialized_into_the_writer,
                read_all: REFERENCE_READ,
            },
            caught_by: "the_frame_goes_out_in_one_write",
            breaks: "one-write",
            says: &["write calls", "one `write_all`"],
        },
        Decoy {
            name: "unwraps write_all",
            class: Class::Panics,
            subject: Frames {
                write: write_unwrapped,
                read_all: REFERENCE_READ,
            },
            caught_by: "a_refused_write_is_an_error",
            breaks: "write-refused",
            says: &["panicked", "never a panic"],
        },
        Decoy {
            name: "drops the error of flush",
            class: Class::MadeUp,
            subject: Frames {
                write: flush_error_ignored,
                read_all: REFERENCE_READ,
            },
            caught_by: "a_refused_write_is_an_error",
            breaks: "write-refused",
            says: &["a BufWriter over a closed pipe", "returned Ok"],
        },
        Decoy {
            name: "takes a failed read for the end of the stream",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: read_error_is_end,
            },
            caught_by: "a_failed_read_says_where",
            breaks: "read-refused",
            says: &["no error", "a failed read is not the end of the stream"],
        },
        Decoy {
            name: "reserves bodies of 16 MiB or less up front (round 13, frames/01)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::ReservesSmallBodies),
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "no-early-allocation",
            says: &["reserved", "whatever the prefix declares"],
        },
        Decoy {
            name: "caps the limit at 64 MiB (round 13, frames/02)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::CapsTheLimit(64 << 20)),
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "limit",
            says: &["never asked for the body", "under the reader's limit"],
        },
        Decoy {
            name: "a read failing inside a prefix is a truncation (round 13, frames/03)",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::PrefixFailureIsTruncation),
            },
            caught_by: "a_failed_read_says_where",
            breaks: "read-refused",
            says: &[
                "into the third frame's length prefix",
                "carrying its own error",
            ],
        },
        Decoy {
            name: "an aborted or unconnected stream is the end (round 13, frames/04)",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: aborted_is_the_end,
            },
            caught_by: "a_failed_read_says_where",
            breaks: "read-refused",
            says: &["ConnectionAborted", "no error"],
        },
        Decoy {
            name: "a read interrupted by a signal is the end (round 13, frames/05)",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::InterruptedIsTheEnd),
            },
            caught_by: "short_reads_are_not_the_end",
            breaks: "short-reads",
            says: &["interrupted", "tried again"],
        },
        Decoy {
            name: "an unexpected-end error inside a body is a truncation (round 13, frames/09)",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::EofErrorIsTruncation),
            },
            caught_by: "a_failed_read_says_where",
            breaks: "read-refused",
            says: &["UnexpectedEof", "bytes into the third frame's body"],
        },
        Decoy {
            name: "a BufWriter of its own, prefix then body (round 13, frames/08)",
            class: Class::RuleSkipped,
            subject: Frames {
                write: buffered_two_writes,
                read_all: REFERENCE_READ,
            },
            caught_by: "the_frame_goes_out_in_one_write",
            breaks: "one-write",
            says: &["write calls", "one `write_all`"],
        },
        Decoy {
            name: "the length cast with `as u32`, never Oversized (round 23, frames/02)",
            class: Class::RuleSkipped,
            subject: Frames {
                write: wrapping::write_frame,
                read_all: REFERENCE_READ,
            },
            caught_by: "the_prefix_is_the_body_length_little_endian",
            breaks: "wire-format",
            says: &["never returns `FrameError::Oversized`", "as u32"],
        },
        Decoy {
            name: "caps the limit at 3 GiB (round 23, frames/06)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::CapsTheLimit(3 << 30)),
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "limit",
            says: &["limit 4294967295", "never asked for the body"],
        },
        Decoy {
            name: "decodes the body with bytes that are not UTF-8 replaced (round 23, frames/04)",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::Utf8Lossy),
            },
            caught_by: "a_malformed_body_says_where",
            breaks: "broken-is-an-error",
            says: &["a message whose JSON string holds a byte that is not UTF-8"],
        },
        Decoy {
            name: "a BufWriter of 2 MiB of its own (round 23, frames/07)",
            class: Class::RuleSkipped,
            subject: Frames {
                write: buffered_in_2_mib,
                read_all: REFERENCE_READ,
            },
            caught_by: "the_frame_goes_out_in_one_write",
            breaks: "one-write",
            says: &["write calls", "one `write_all`"],
        },
        Decoy {
            name: "caps the limit at 512 MiB (round 16, frames/01)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::CapsTheLimit(512 << 20)),
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "limit",
            says: &["limit 4294967295", "never asked for the body"],
        },
        Decoy {
            name: "tries a read refused with WouldBlock again at once (round 16, frames/03)",
            class: Class::Spinning,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::RetriesWouldBlock),
            },
            caught_by: "a_failed_read_says_where",
            breaks: "read-refused",
            says: &["WouldBlock", "is not tried again"],
        },
        Decoy {
            name: "reserves the body up front, capped at 64 KiB (round 16, frames/04)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::ReservesUpTo64Kib),
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "no-early-allocation",
            says: &[
                "before any byte of the body arrived",
                "however it is capped",
            ],
        },
        Decoy {
            name: "refuses values over 16 MiB in write_frame (round 16, frames/06)",
            class: Class::RuleSkipped,
            subject: Frames {
                write: refuses_over_16_mib,
                read_all: REFERENCE_READ,
            },
            caught_by: "messages_round_trip_in_order",
            breaks: "round-trip",
            says: &["too large to send", "fits a frame"],
        },
        Decoy {
            name: "takes a second interruption in a row for a refusal (round 16, frames/07)",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::OneInterruptionInARow),
            },
            caught_by: "short_reads_are_not_the_end",
            breaks: "short-reads",
            says: &["a hundred reads in a row", "however many times in a row"],
        },
        Decoy {
            name: "gives up after 16 interrupted reads of a prefix in a row (round 20, frames/05)",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::SixteenInterruptionsInARow),
            },
            caught_by: "short_reads_are_not_the_end",
            breaks: "short-reads",
            says: &["a hundred reads in a row", "however many times in a row"],
        },
        Decoy {
            name: "reserves an eighth of the declared length, capped at 60 KiB (round 23, frames/01)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::ReservesAnEighthUpTo60Kib),
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "no-early-allocation",
            says: &[
                "the largest block allocated",
                "a part of it, or all of it, capped",
            ],
        },
        Decoy {
            name: "reserves half the declared length, capped at 60 KiB (round 20, frames/03)",
            class: Class::RuleSkipped,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::ReservesHalfUpTo60Kib),
            },
            caught_by: "the_body_is_not_allocated_before_it_arrives",
            breaks: "no-early-allocation",
            says: &[
                "the largest block allocated",
                "a part of it, or all of it, capped",
            ],
        },
        Decoy {
            name: "a malformed body's length counted with its prefix (round 16, frames/08)",
            class: Class::MadeUp,
            subject: Frames {
                write,
                read_all: |i, l| slipping(i, l, Slip::MalformedLengthWithPrefix),
            },
            caught_by: "a_malformed_body_says_where",
            breaks: "says-where",
            says: &["must name the body's length", "as its prefix"],
        },
        Decoy {
            name: "a write loop of its own that gives up when interrupted (round 16, frames/09)",
            class: Class::RuleSkipped,
            subject: Frames {
                write: own_write_loop,
                read_all: REFERENCE_READ,
            },
            caught_by: "write_frame_flushes",
            breaks: "one-write",
            says: &["interrupted by a signal", "tried again"],
        },
        Decoy {
            name: "unwraps a failed read",
            class: Class::Panics,
            subject: Frames {
                write,
                read_all: read_error_unwrapped,
            },
            caught_by: "a_failed_read_says_where",
            breaks: "never-panics",
            says: &["panicked", "never a panic"],
        },
    ]
}

//! Holds the copies of a witness script until all of them have started.
//!
//! A check that wants to see `n` updaters run at once cannot simply
//! sample: fast updaters started one after the other never overlap, and
//! updaters started in batches overlap within each batch. So every copy of
//! the script says it started (a byte on the `arrived` FIFO), then waits
//! for a byte of its own on the `gate` FIFO. The keeper, a thread of the
//! test, counts the arrivals and opens the gate (`n` bytes) once all `n`
//! copies have arrived, or once `within` has passed since the first did:
//! started all at once, every copy runs at the same moment; started a few
//! at a time, the first few wait for nothing, once, and the overlap shows
//! how many ran together.
//!
//! The copies block in `read`, asleep: no copy polls (a hundred copies of
//! a script that polled with `grep` and `sleep` took longer to give up
//! than a check may run). The test holds both FIFOs open for reading and
//! writing, so no `open` blocks, and if the test dies the copies read
//! end-of-file and go on.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// The shell lines a copy runs before the program: say it started, then
/// wait for its byte. `ARRIVED` and `GATE` name the FIFOs.
pub const WAIT_AT_GATE: &str =
    "printf x > ARRIVED\ndd if=GATE of=/dev/null bs=1 count=1 2>/dev/null\n";

/// The keeper of one gate (see the module's doc).
pub struct Gate {
    /// The `arrived` FIFO, written on drop so that the keeper stops.
    arrived: File,
    keeper: Option<JoinHandle<()>>,
}

impl Gate {
    /// Makes the two FIFOs and starts the keeper of `n` copies.
    pub fn open(arrived: &Path, gate: &Path, n: usize, within: Duration) -> Gate {
        let fifo = |path: &Path| {
            let _ = std::fs::remove_file(path);
            nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600))
                .unwrap_or_else(|e| panic!("making the FIFO {}: {e}", path.display()));
            OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
                .unwrap_or_else(|e| panic!("opening the FIFO {}: {e}", path.display()))
        };
        let mut arrivals = fifo(arrived);
        let mut gate = fifo(gate);
        let arrived = arrivals.try_clone().expect("a second handle on the FIFO");
        let keeper = std::thread::spawn(move || {
            let (mut seen, mut stop) = (0, false);
            let mut until: Option<Instant> = None;
            let mut bytes = [0u8; 256];
            // Counts `x`s, one per copy, until `n` or the time is up; an `s`
            // is the test dropping the gate.
            let count = |got: &[u8], seen: &mut usize, stop: &mut bool| {
                for &b in got {
                    if b == STOP {
                        *stop = true;
                    } else {
                        *seen += 1;
                    }
                }
            };
            while seen < n && !stop {
                let left = until.map(|u| u.saturating_duration_since(Instant::now()));
                if left == Some(Duration::ZERO) {
                    break;
                }
                let timeout = left.map_or(PollTimeout::NONE, |l| {
                    PollTimeout::try_from(l.max(Duration::from_millis(1)))
                        .unwrap_or(PollTimeout::MAX)
                });
                let mut fds = [PollFd::new(arrivals.as_fd(), PollFlags::POLLIN)];
                match poll(&mut fds, timeout) {
                    Ok(0) | Err(nix::errno::Errno::EINTR) => continue,
                    Ok(_) => {}
                    Err(_) => break,
                }
                match arrivals.read(&mut bytes) {
                    Ok(got) if got > 0 => {
                        count(&bytes[..got], &mut seen, &mut stop);
                        until.get_or_insert_with(|| Instant::now() + within);
                    }
                    _ => break,
                }
            }
            // One byte per copy, those that wait now and those still to come.
            let _ = gate.write_all(&vec![b'x'; n]);
            // Holds the gate open until the test drops it: a copy still to
            // come then finds its byte, and never blocks in `open`.
            while !stop {
                match arrivals.read(&mut bytes) {
                    Ok(got) if got > 0 => count(&bytes[..got], &mut seen, &mut stop),
                    _ => break,
                }
            }
            drop(gate);
        });
        Gate {
            arrived,
            keeper: Some(keeper),
        }
    }
}

/// The byte [`Gate`]'s drop writes: the keeper stops.
const STOP: u8 = b's';

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = self.arrived.write_all(&[STOP]);
        if let Some(keeper) = self.keeper.take() {
            let _ = keeper.join();
        }
    }
}

//! The course's measurement harness.
//!
//! Every number the course shows or judges comes from here: the suites use it
//! to decide whether a student's code really overlaps or parallelises, the
//! book's live output uses it to fill its tables, and the grader reads the
//! outcomes it records. Keeping one implementation means the book and the
//! tests can never disagree about how something was measured.
//!
//! The rules it follows, because the machines it runs on are small and noisy:
//! compare against a reference measured in the same run, interleave the
//! contenders, keep the best of several rounds, judge ratios rather than
//! absolute times, scale expectations to the cores actually available, and
//! answer "inconclusive" when the machine could not show parallelism even for
//! the reference.

pub mod aftermath;
pub mod census;
pub mod children;
pub mod clock;
pub mod cores;
pub mod deadline;
pub mod exclusive;
pub mod explain;
pub mod fault;
pub mod heap;
pub mod io;
pub mod memory;
pub mod pause;
pub mod pipes;
pub mod quiet;
pub mod record;
pub mod rounds;
pub mod shim;
pub mod spawned;
pub mod speedup;
pub mod threads;
pub mod verdict;
pub mod watched;
pub mod workload;

pub use clock::{Sample, human, measure};
pub use cores::available_cores;
pub use deadline::within;
pub use exclusive::exclusive;
pub use speedup::{CpuCheck, Outcome, WaitCheck};
pub use verdict::{Reason, Requirement, Verdict};

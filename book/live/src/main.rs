//! `live <topic>`: prints one live block of the book. See the crate docs.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Measure the project's own code and print a Markdown block for the book")]
struct Cli {
    #[command(subcommand)]
    topic: Topic,
}

#[derive(Subcommand)]
enum Topic {
    /// The machine the book is being built on, and how busy it is.
    Machine,
    /// Chapter 2: the GIL analogue beside CPython.
    Gil {
        #[command(subcommand)]
        block: GilBlock,
    },
    /// Chapter 1: threads.
    Threads {
        #[command(subcommand)]
        block: ThreadsBlock,
    },
    /// Chapter 3: processes.
    Processes {
        #[command(subcommand)]
        table: ProcessesTable,
    },
    /// Chapter 4: the tutorial's four mistakes.
    PitfallsTutorial {
        #[command(subcommand)]
        table: PitfallsTutorialTable,
    },
    /// Chapter 4: locks that compile and still fail.
    Pitfalls {
        #[command(subcommand)]
        block: PitfallsBlock,
    },
}

#[derive(Subcommand)]
enum PitfallsTutorialTable {
    /// Five programs' clocks, read by `diagnose`.
    Diagnose,
    /// Results pushed into a list by threads, by processes, or returned.
    Combine,
    /// The program with and without its role check, under a census.
    Guard,
    /// The same work on pools of several sizes: time and peak memory.
    Workers,
}

#[derive(Subcommand)]
enum PitfallsBlock {
    /// Transfers in opposite orders, under watched locks.
    LockOrder,
    /// Counters on one cache line against CachePadded ones.
    FalseSharing,
    /// A page cache that holds its lock across the fetch, and one that does not.
    PageCache,
    /// What each way of handling a poisoned mutex leaves behind.
    Poison,
    /// What the compiler says about a compile-fail exercise's stub, and the fix.
    Compiler {
        /// The exercise, e.g. `total-words`.
        exercise: String,
    },
}

#[derive(Subcommand)]
enum ProcessesTable {
    /// The same CPU job in threads, rayon, the reference pool and CPython.
    Cpu,
    /// What a pool costs, beside the machine's floor.
    Costs,
    /// One update through a manager process beside `Arc<Mutex<_>>`.
    Manager,
    /// Plot: speedup against workers, with the process pool.
    ScalingPlot,
    /// Timeline: the pool's worker processes on the CPUs.
    Timeline,
}

#[derive(Subcommand)]
enum GilBlock {
    /// The tutorial's two examples as it states them.
    Tutorial,
    /// Threads against one thread, CPython and the analogue.
    Fidelity,
    /// Plot: speedup against workers, with threads under the analogue.
    ScalingPlot,
    /// Timeline: the reference GIL's hand-overs, thread by thread.
    Timeline,
}

#[derive(Subcommand)]
enum ThreadsBlock {
    /// Waiting work: HTTP requests to a local latency server.
    Waiting,
    /// Plot: wall time against K for `fetch_bounded`.
    WaitingPlot,
    /// Timeline: requests in flight at the server.
    Timeline,
    /// CPU work: integer arithmetic.
    Cpu,
    /// Plot: speedup against workers.
    CpuPlot,
}

fn main() -> ExitCode {
    // The Pitfalls chapter runs this binary as the guard exercise's program,
    // right and with its mistakes, under a census.
    guard_solution::arrive();
    if let Some(code) = guard_solution::mistakes::play() {
        return code;
    }
    // The Processes chapter's pool starts this binary again as its workers:
    // a worker serves, and never reaches the measurements below.
    if let Some(worker) = pool_solution::worker_role() {
        return worker.serve(live::WORKER_TASKS);
    }
    if std::env::var_os(live::pitfalls_tutorial::RUN_GUARDED).is_some() {
        return guard_solution::run();
    }
    // Its manager chapter starts it as a manager (or an updater) too.
    if let Some(role) = manager_solution::role() {
        return role.run();
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:?}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let out = match Cli::parse().topic {
        Topic::Machine => live::machine(),
        Topic::Threads { block } => match block {
            ThreadsBlock::Waiting => live::threads::waiting()?,
            ThreadsBlock::WaitingPlot => live::threads::waiting_plot()?,
            ThreadsBlock::Timeline => live::threads::timeline()?,
            ThreadsBlock::Cpu => live::threads::cpu()?,
            ThreadsBlock::CpuPlot => live::threads::cpu_plot()?,
        },
        Topic::Gil { block } => match block {
            GilBlock::Tutorial => live::gil::tutorial()?,
            GilBlock::Fidelity => live::gil::fidelity()?,
            GilBlock::ScalingPlot => live::gil::scaling_plot()?,
            GilBlock::Timeline => live::gil::timeline()?,
        },
        Topic::Processes { table } => match table {
            ProcessesTable::Cpu => live::reusable("processes cpu", live::processes::cpu)?,
            ProcessesTable::Costs => live::reusable("processes costs", live::processes::costs)?,
            ProcessesTable::Manager => {
                live::reusable("processes manager", live::processes::manager)?
            }
            ProcessesTable::ScalingPlot => live::processes::scaling_plot()?,
            ProcessesTable::Timeline => live::processes::timeline()?,
        },
        Topic::PitfallsTutorial { table } => match table {
            PitfallsTutorialTable::Diagnose => live::reusable(
                "pitfalls-tutorial diagnose",
                live::pitfalls_tutorial::diagnose_table,
            )?,
            PitfallsTutorialTable::Combine => live::reusable(
                "pitfalls-tutorial combine",
                live::pitfalls_tutorial::combine_table,
            )?,
            PitfallsTutorialTable::Guard => live::reusable(
                "pitfalls-tutorial guard",
                live::pitfalls_tutorial::guard_table,
            )?,
            PitfallsTutorialTable::Workers => live::reusable(
                "pitfalls-tutorial workers",
                live::pitfalls_tutorial::workers_table,
            )?,
        },
        Topic::Pitfalls { block } => match block {
            PitfallsBlock::LockOrder => {
                live::reusable("pitfalls lock-order", live::pitfalls::lock_order)?
            }
            PitfallsBlock::FalseSharing => {
                live::reusable("pitfalls false-sharing", live::pitfalls::false_sharing)?
            }
            PitfallsBlock::PageCache => {
                live::reusable("pitfalls page-cache", live::pitfalls::page_cache)?
            }
            PitfallsBlock::Poison => live::reusable("pitfalls poison", live::pitfalls::poison)?,
            PitfallsBlock::Compiler { exercise } => live::pitfalls_compiler::compiler(&exercise)?,
        },
    };
    print!("{out}");
    Ok(())
}

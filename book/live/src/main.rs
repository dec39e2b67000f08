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
    /// Chapter 4: pitfalls.
    Pitfalls {
        #[command(subcommand)]
        block: PitfallsBlock,
    },
}

#[derive(Subcommand)]
enum PitfallsBlock {
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
    // The Processes chapter's pool starts this binary again as its workers:
    // a worker serves, and never reaches the measurements below.
    if let Some(worker) = pool_solution::worker_role() {
        return worker.serve(pool_solution::TASKS);
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
        Topic::Pitfalls { block } => match block {
            PitfallsBlock::Compiler { exercise } => live::pitfalls::compiler(&exercise)?,
        },
    };
    print!("{out}");
    Ok(())
}

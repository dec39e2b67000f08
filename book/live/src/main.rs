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
    /// The machine the book is being built on.
    Machine,
    /// Chapter 2: the GIL analogue beside CPython.
    Gil {
        #[command(subcommand)]
        table: GilTable,
    },
    /// Chapter 1: threads.
    Threads {
        #[command(subcommand)]
        work: ThreadsWork,
    },
    /// Chapter 3: processes.
    Processes {
        #[command(subcommand)]
        table: ProcessesTable,
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
}

#[derive(Subcommand)]
enum GilTable {
    /// The tutorial's two examples as it states them.
    Tutorial,
    /// Threads against one thread, CPython and the analogue.
    Fidelity,
}

#[derive(Subcommand)]
enum ThreadsWork {
    /// Waiting work: HTTP requests to a local latency server.
    Waiting,
    /// CPU work: integer arithmetic.
    Cpu,
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
        Topic::Threads {
            work: ThreadsWork::Waiting,
        } => live::threads::waiting()?,
        Topic::Threads {
            work: ThreadsWork::Cpu,
        } => live::threads::cpu(),
        Topic::Gil {
            table: GilTable::Tutorial,
        } => live::gil::tutorial()?,
        Topic::Gil {
            table: GilTable::Fidelity,
        } => live::gil::fidelity()?,
        Topic::Processes {
            table: ProcessesTable::Cpu,
        } => live::processes::cpu()?,
        Topic::Processes {
            table: ProcessesTable::Costs,
        } => live::processes::costs()?,
        Topic::Processes {
            table: ProcessesTable::Manager,
        } => live::processes::manager()?,
    };
    print!("{out}");
    Ok(())
}

//! `live <topic>`: prints one live block of the book. See the crate docs.

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

fn main() -> anyhow::Result<()> {
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
    };
    print!("{out}");
    Ok(())
}

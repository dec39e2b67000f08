//! The manager's program: the manager, an updater or a copy-changer when
//! started in one of those roles, else a small demo.

use std::process::ExitCode;

use manager_solution::{Manager, role};

// ANCHOR: main
fn main() -> ExitCode {
    // Started as the manager, an updater or a child with a copy? Play
    // that part and never reach the parent's code below.
    if let Some(role) = role() {
        return role.run();
    }
    // ANCHOR_END: main
    let program = std::env::current_exe().expect("this program's path");
    let manager = match Manager::start(&program) {
        Ok(manager) => manager,
        Err(e) => {
            eprintln!("starting the manager: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = manager.run_updaters(&program, "hits", 4, 250) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    let hits = manager.connect().and_then(|mut c| c.get("hits"));
    println!("4 updater processes × 250 increments: hits = {hits:?}");
    ExitCode::SUCCESS
}

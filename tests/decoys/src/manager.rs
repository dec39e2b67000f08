//! Wrong managers: state kept in the connection, updaters not all run, a
//! manager never waited for, and a "child" that is the parent.

use std::collections::HashMap;
use std::path::Path;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use suites::manager::{ClientHandle, ManagerApi, ManagerHandle, Started};

use crate::{Class, Decoy};

mod reference {
    suites::manager_adapter!(manager_solution, || std::env::current_exe()
        .expect("the test binary's path"));
}

const REAL: ManagerApi = reference::SUBJECT;

/// Counters in the client: each connection has its own.
#[derive(Default)]
struct LocalClient(HashMap<String, i64>);

impl ClientHandle for LocalClient {
    fn add(&mut self, key: &str, delta: i64) -> Result<i64, String> {
        let v = self.0.entry(key.to_owned()).or_insert(0);
        *v += delta;
        Ok(*v)
    }
    fn get(&mut self, key: &str) -> Result<i64, String> {
        Ok(self.0.get(key).copied().unwrap_or(0))
    }
}

/// A reference manager with one behaviour changed.
struct Wrapped {
    inner: Option<Box<dyn ManagerHandle>>,
    local_clients: bool,
    one_updater: bool,
    forget: bool,
}

impl Wrapped {
    fn inner(&self) -> &dyn ManagerHandle {
        self.inner.as_deref().expect("alive")
    }
}

impl ManagerHandle for Wrapped {
    fn pid(&self) -> u32 {
        self.inner().pid()
    }
    fn connect(&self) -> Result<Box<dyn ClientHandle>, String> {
        if self.local_clients {
            return Ok(Box::new(LocalClient::default()));
        }
        self.inner().connect()
    }
    fn run_updaters(
        &self,
        program: &Path,
        key: &str,
        workers: usize,
        times: u32,
    ) -> Result<(), String> {
        let workers = if self.one_updater { 1 } else { workers };
        self.inner().run_updaters(program, key, workers, times)
    }
}

impl Drop for Wrapped {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            if self.forget {
                let _ = kill(Pid::from_raw(inner.pid() as i32), Signal::SIGKILL);
                std::mem::forget(inner);
            }
        }
    }
}

fn wrapped(program: &Path, local_clients: bool, one_updater: bool, forget: bool) -> Started {
    Ok(Box::new(Wrapped {
        inner: Some((REAL.start)(program)?),
        local_clients,
        one_updater,
        forget,
    }))
}

/// The corpus for `manager`.
pub fn corpus() -> Vec<Decoy<ManagerApi>> {
    vec![
        Decoy {
            name: "counters kept in each connection",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| wrapped(p, true, false, false),
                ..REAL
            },
            caught_by: "the_manager_owns_the_state",
            says: &["must see the first one's"],
        },
        Decoy {
            name: "starts one updater instead of all",
            class: Class::MadeUp,
            subject: ManagerApi {
                start: |p| wrapped(p, false, true, false),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            says: &["must hold 800", "holds 200"],
        },
        Decoy {
            name: "kills the manager but never waits for it",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| wrapped(p, false, false, true),
                ..REAL
            },
            caught_by: "dropping_the_manager_leaves_no_process",
            says: &["zombie"],
        },
        Decoy {
            name: "changes the list in the parent, no child",
            class: Class::MadeUp,
            subject: ManagerApi {
                in_a_child: |_, data| {
                    let mut copy: Vec<i64> = data.iter().map(|x| x * 2).collect();
                    copy.push(i64::from(std::process::id()));
                    Ok(copy)
                },
                ..REAL
            },
            caught_by: "a_child_changes_only_its_copy",
            says: &["not the parent's"],
        },
    ]
}

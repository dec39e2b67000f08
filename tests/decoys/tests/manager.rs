//! Every wrong manager in the corpus is rejected by its check, for the
//! reason the student should read. This binary is also the decoys'
//! manager, updater and child program, so its `main` checks the role first.

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(role) = manager_solution::role() {
        if let (manager_solution::Role::Manager { address }, Some(handlers)) = (
            &role,
            std::env::var(decoys::manager::HANDLERS)
                .ok()
                .and_then(|n| n.parse().ok()),
        ) {
            // A decoy manager that serves a few connections at a time.
            return decoys::manager::serve_with_handlers(address, handlers);
        }
        if let (manager_solution::Role::Manager { address }, Some(_)) =
            (&role, std::env::var_os(decoys::manager::SHARED_REPLIES))
        {
            // A decoy manager whose connections share one reply channel.
            return decoys::manager::serve_shared_replies(address);
        }
        if std::env::var_os(decoys::manager::SIGNS_ONLY).is_some()
            && matches!(role, manager_solution::Role::Changer)
        {
            // A child that sends its copy back unchanged, with its pid.
            let mut input = frames_solution::FrameReader::new(std::io::stdin().lock(), 1 << 20);
            let Ok(Some(mut copy)) = input.read::<Vec<i64>>() else {
                return ExitCode::FAILURE;
            };
            copy.push(i64::from(std::process::id()));
            let _ = frames_solution::write_frame(&mut std::io::stdout().lock(), &copy);
            return ExitCode::SUCCESS;
        }
        if std::env::var_os(decoys::manager::DEAF).is_some()
            && matches!(role, manager_solution::Role::Manager { .. })
        {
            // A manager that never sees its stdin end: the real one runs as
            // this process's child, on a stdin this process keeps open, and
            // this process only waits.
            let mut child = std::process::Command::new(std::env::current_exe().expect("path"))
                .env_remove(decoys::manager::DEAF)
                .stdin(std::process::Stdio::piped())
                .spawn()
                .expect("starting the manager");
            let _kept_open = child.stdin.take();
            let _ = child.wait();
            return ExitCode::SUCCESS;
        }
        return role.run();
    }
    suites::pure::set_source(decoys::manager::SOURCE);
    let misses = decoys::misses(&decoys::manager::corpus(), suites::manager::CHECKS);
    // A decoy that never waits for its manager never removes its socket.
    let mine = format!("course-manager-{}-", std::process::id());
    for entry in std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with(&mine) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    if misses.is_empty() {
        println!("every manager decoy was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}

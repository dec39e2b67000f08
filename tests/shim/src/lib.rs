//! Preloaded (`LD_PRELOAD`) into a program the suites start, and so into
//! every process that program starts in turn, this shared object witnesses
//! what the program under test cannot report about itself:
//!
//! - **Which programs it started.** `posix_spawn`, `posix_spawnp` (how the
//!   standard library's `Command` starts a program) and the `exec` family
//!   (its fallback, after a `fork`) append a line to the file named by
//!   `COURSE_SHIM_LOG`: the pid of the process that asked, a tab, the
//!   program as given, a newline. A worker pool whose workers are the
//!   program itself logs its own path once per worker; a program that also
//!   runs `nproc` logs `nproc`.
//! - **More CPUs than the machine has.** With `COURSE_SHIM_CPUS=n`,
//!   `sched_getaffinity` reports CPUs 0 to n-1, which is what
//!   `std::thread::available_parallelism` counts: a default of "one worker
//!   per core" capped at 8 shows on a machine of two.
//!
//! - **A machine that cannot start processes.** With
//!   `COURSE_SHIM_REFUSE=1`, every `posix_spawn` and `exec` is logged and
//!   then refused with `EAGAIN`, as when the user's process limit is
//!   reached: a program's pool cannot start.
//!
//! Every process the shim is loaded into also logs `=loaded` for its
//! program when it starts.
//!
//! Each stand-in then calls the C library's own function, found with
//! `dlsym(RTLD_NEXT, …)`. The log is written with `open`, `write` and
//! `close` from a buffer on the stack: after a `fork`, in the child, only
//! such calls are safe. Linux only, as the course is.
//!
//! The harness's build script compiles this file with rustc alone (see
//! `tests/harness/build.rs`), so it declares the few C functions it needs
//! instead of depending on a crate.

use std::ffi::{CStr, c_char, c_int, c_void};

unsafe extern "C" {
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn getenv(name: *const c_char) -> *const c_char;
    fn getpid() -> c_int;
    fn open(path: *const c_char, flags: c_int, mode: c_int) -> c_int;
    fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    fn close(fd: c_int) -> c_int;
    fn __errno_location() -> *mut c_int;
}

/// `EAGAIN` on Linux: "resource temporarily unavailable", what `fork` and
/// `posix_spawn` say when the user's process limit is reached.
const EAGAIN: c_int = 11;

/// Whether this process must refuse to start programs (`COURSE_SHIM_REFUSE=1`).
fn refusing() -> bool {
    env(c"COURSE_SHIM_REFUSE").is_some_and(|v| v.to_bytes() == b"1")
}

/// An `exec` refused: `errno` set to `EAGAIN`, -1 returned.
fn refused_exec() -> c_int {
    // SAFETY: the calling thread's errno.
    unsafe { *__errno_location() = EAGAIN };
    -1
}

/// `RTLD_NEXT` on Linux: the next definition after this object's.
const RTLD_NEXT: *mut c_void = -1isize as *mut c_void;
/// `O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC` on Linux: one `write` per line
/// lands whole at the end, whichever process writes.
const APPEND: c_int = 0o1 | 0o2000 | 0o100 | 0o2000000;

/// The C library's definition of `name` (NUL-terminated), as a `T`.
///
/// # Safety
///
/// `T` must be the function pointer type of that definition.
unsafe fn next<T: Copy>(name: &CStr) -> T {
    // SAFETY: a NUL-terminated name; the caller names the type.
    unsafe {
        let found = dlsym(RTLD_NEXT, name.as_ptr());
        assert!(!found.is_null(), "course shim: no {name:?} after this one");
        std::mem::transmute_copy(&found)
    }
}

/// The value of environment variable `name`, if set.
fn env(name: &CStr) -> Option<&'static CStr> {
    // SAFETY: `getenv` returns NULL or a NUL-terminated string that lives
    // as long as the environment is not changed.
    unsafe {
        let value = getenv(name.as_ptr());
        (!value.is_null()).then(|| CStr::from_ptr(value))
    }
}

/// Appends "pid\tprogram\n" to the log, if one is asked for. Allocates
/// nothing: it may run in a child between `fork` and `exec`.
fn log_start(program: *const c_char) {
    let Some(log) = env(c"COURSE_SHIM_LOG") else {
        return;
    };
    let mut line = [0u8; 4096];
    let mut at = 0;
    let mut put = |bytes: &[u8], line: &mut [u8; 4096]| {
        let n = bytes.len().min(line.len() - 1 - at);
        line[at..at + n].copy_from_slice(&bytes[..n]);
        at += n;
    };
    // SAFETY: `getpid` cannot fail.
    let pid = unsafe { getpid() }.unsigned_abs();
    let mut digits = [0u8; 10];
    let mut d = digits.len();
    let mut rest = pid;
    loop {
        d -= 1;
        digits[d] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    put(&digits[d..], &mut line);
    put(b"\t", &mut line);
    if !program.is_null() {
        // SAFETY: the caller's program name, NUL-terminated as the C
        // functions it came through require.
        put(unsafe { CStr::from_ptr(program) }.to_bytes(), &mut line);
    }
    line[at] = b'\n';
    // SAFETY: a NUL-terminated path; a buffer of `at + 1` bytes.
    unsafe {
        let fd = open(log.as_ptr(), APPEND, 0o600);
        if fd >= 0 {
            let _ = write(fd, line.as_ptr().cast(), at + 1);
            close(fd);
        }
    }
}

/// Says in the log that the shim was loaded into this process, so that a
/// log without programs means "started none", not "the shim was never
/// loaded" (a path the process could not read, for one).
extern "C" fn loaded() {
    log_start(c"=loaded".as_ptr());
}

/// Run by the dynamic loader when it loads this object.
#[used]
#[unsafe(link_section = ".init_array")]
static LOADED: extern "C" fn() = loaded;

type Spawn = unsafe extern "C" fn(
    *mut c_int,
    *const c_char,
    *const c_void,
    *const c_void,
    *const *const c_char,
    *const *const c_char,
) -> c_int;

/// Logs the program, then starts it with the C library's `posix_spawn`.
///
/// # Safety
///
/// As the C library's `posix_spawn`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn(
    pid: *mut c_int,
    path: *const c_char,
    actions: *const c_void,
    attributes: *const c_void,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    log_start(path);
    if refusing() {
        return EAGAIN;
    }
    // SAFETY: the C library's function of this type; the caller's arguments.
    unsafe { next::<Spawn>(c"posix_spawn")(pid, path, actions, attributes, argv, envp) }
}

/// Logs the program, then starts it with the C library's `posix_spawnp`.
///
/// # Safety
///
/// As the C library's `posix_spawnp`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnp(
    pid: *mut c_int,
    file: *const c_char,
    actions: *const c_void,
    attributes: *const c_void,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    log_start(file);
    if refusing() {
        return EAGAIN;
    }
    // SAFETY: the C library's function of this type; the caller's arguments.
    unsafe { next::<Spawn>(c"posix_spawnp")(pid, file, actions, attributes, argv, envp) }
}

type ExecWithEnv =
    unsafe extern "C" fn(*const c_char, *const *const c_char, *const *const c_char) -> c_int;
type Exec = unsafe extern "C" fn(*const c_char, *const *const c_char) -> c_int;

/// Logs the program, then runs the C library's `execve`.
///
/// # Safety
///
/// As the C library's `execve`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn execve(
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    log_start(path);
    if refusing() {
        return refused_exec();
    }
    // SAFETY: the C library's function of this type; the caller's arguments.
    unsafe { next::<ExecWithEnv>(c"execve")(path, argv, envp) }
}

/// Logs the program, then runs the C library's `execvpe`.
///
/// # Safety
///
/// As the C library's `execvpe`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn execvpe(
    file: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    log_start(file);
    if refusing() {
        return refused_exec();
    }
    // SAFETY: the C library's function of this type; the caller's arguments.
    unsafe { next::<ExecWithEnv>(c"execvpe")(file, argv, envp) }
}

/// Logs the program, then runs the C library's `execv`.
///
/// # Safety
///
/// As the C library's `execv`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn execv(path: *const c_char, argv: *const *const c_char) -> c_int {
    log_start(path);
    if refusing() {
        return refused_exec();
    }
    // SAFETY: the C library's function of this type; the caller's arguments.
    unsafe { next::<Exec>(c"execv")(path, argv) }
}

/// Logs the program, then runs the C library's `execvp` (the standard
/// library's way after a `fork`).
///
/// # Safety
///
/// As the C library's `execvp`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn execvp(file: *const c_char, argv: *const *const c_char) -> c_int {
    log_start(file);
    if refusing() {
        return refused_exec();
    }
    // SAFETY: the C library's function of this type; the caller's arguments.
    unsafe { next::<Exec>(c"execvp")(file, argv) }
}

/// With `COURSE_SHIM_CPUS=n` (1 or more), reports CPUs 0 to n-1, as many
/// as the mask holds; otherwise the C library's `sched_getaffinity`.
///
/// # Safety
///
/// As the C library's `sched_getaffinity`: `mask` points to `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sched_getaffinity(pid: c_int, size: usize, mask: *mut u8) -> c_int {
    let pretend = env(c"COURSE_SHIM_CPUS")
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .filter(|&n| n > 0);
    if let Some(n) = pretend {
        // SAFETY: the caller's mask of `size` bytes.
        unsafe {
            std::ptr::write_bytes(mask, 0, size);
            for cpu in 0..n.min(size * 8) {
                *mask.add(cpu / 8) |= 1 << (cpu % 8);
            }
        }
        return 0;
    }
    type Affinity = unsafe extern "C" fn(c_int, usize, *mut u8) -> c_int;
    // SAFETY: the C library's function of this type; the caller's arguments.
    unsafe { next::<Affinity>(c"sched_getaffinity")(pid, size, mask) }
}

//! How many cores this process may actually use.

/// The number of threads that can run at once, as the OS reports it for this
/// process (cgroup quotas and affinity masks included). Never less than 1.
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

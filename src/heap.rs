//! The daemon's own heap, kept small for a worker that is left alone for months.
//!
//! A screenshot decodes and re-encodes megabytes of pixels and a DevTools answer
//! carries it base64-encoded. With glibc's defaults the first such buffer freed raises
//! the mmap threshold (up to 32 MiB) and the trim threshold with it, so later buffers
//! come from a thread's arena and the arena's free top is never given back: the soak
//! saw 7 MiB of free memory (250 KiB in use) stay resident in each of two tokio
//! threads' arenas, which `malloc_trim` cannot reach (it trims only the main arena's
//! top). [`tune`] fixes the thresholds, which turns the adjustment off: big buffers
//! are mapped and unmapped on their own, an arena's free top above 512 KiB goes back at
//! once, and two arenas serve every thread. [`trim`] gives back the free pages inside
//! the heaps after a screenshot and when the queue runs dry.

/// Buffers at least this big are mapped on their own and unmapped when freed.
const MMAP_THRESHOLD: i32 = 128 * 1024;
/// An arena's free top above this is given back to the system.
const TRIM_THRESHOLD: i32 = 512 * 1024;
/// Arenas shared by every thread (glibc's default is eight per core).
const ARENA_MAX: i32 = 2;

/// Sets glibc's allocator thresholds; called first thing in `main`.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning parameters
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        libc::mallopt(libc::M_ARENA_MAX, ARENA_MAX);
    }
}

/// Gives the heaps' free pages back to the system.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system
    unsafe {
        libc::malloc_trim(0);
    }
}

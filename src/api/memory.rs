//! Memory given back to the system. glibc's allocator keeps freed memory in per-thread
//! arenas: after reloads (each builds a whole snapshot on a blocking thread) and bursts
//! of connections, RSS stayed near its peak (1.1 GB after 30 reloads of a 134 MB
//! snapshot; 2.1 GB after 20,000 connections had closed). Fewer arenas and a trim after
//! each reload and once a minute keep it near what is in use. The server's own
//! allocations go to mimalloc (`src/main.rs`), which returns freed pages by itself; these
//! settings still govern what C code (the bundled SQLite that reads GeoPackages)
//! allocates through glibc. Other systems: nothing to do.

/// Before the runtime starts its threads: at most a few arenas.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before any other
    // thread of this process exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}

/// Returns free pages at the top of every arena to the system.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim is thread-safe and only releases memory glibc holds as free.
    unsafe {
        libc::malloc_trim(0);
    }
}

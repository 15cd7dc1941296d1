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

/// Whether this process's heap may sit on transparent huge pages (Linux). mimalloc
/// asks for them; they round a small heap up in 2 MB steps and keep freed 4 KB pages
/// resident (national buurten 2014 at start: 131 MB RSS with them, 112 MB without),
/// and they pay off only for large heaps read at random, such as routing graphs of a
/// gigabyte or more. To be called before the data is loaded.
pub fn huge_pages(wanted: bool) {
    #[cfg(target_os = "linux")]
    if !wanted {
        // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process; the other
        // arguments must be zero.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = wanted;
}

/// Returns freed memory to the system: mimalloc's pages freed on this thread, and free
/// pages at the top of every glibc arena. Called on the thread that did the work:
/// mimalloc purges a thread's freed pages only when that thread allocates again, and the
/// threads that built a snapshot go idle holding them (national buurten 2014: 184 MB
/// RSS after start, 123 MB when purged at once).
pub fn give_back() {
    // SAFETY: mi_collect only releases memory mimalloc holds as free; it may be called
    // from any thread at any time.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim is thread-safe and only releases memory glibc holds as free.
    unsafe {
        libc::malloc_trim(0);
    }
}

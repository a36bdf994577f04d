//! A counting global allocator, so that hostile-input tests can assert how much memory parsing
//! one input took. Counts are per thread (the parsers are single-threaded), so tests running
//! in parallel do not see each other's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Bytes allocated now by this thread (frees of memory from other threads may take it below
    /// zero), and the peak since the last `measure` began.
    static NOW: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let size = layout.size() as isize;
        // `try_with`: the thread-local may already be gone while a thread shuts down.
        let _ = NOW.try_with(|now| {
            now.set(now.get() + size);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now.get())));
        });
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let size = layout.size() as isize;
        let _ = NOW.try_with(|now| now.set(now.get() - size));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the most bytes this thread held at once during it,
/// beyond what it held before.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = NOW.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get);
    (out, (peak - base).max(0) as usize)
}

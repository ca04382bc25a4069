//! A global allocator that counts, per thread, the bytes allocated minus the
//! bytes freed. mxreg's calls are blocking and run on the caller's thread, so
//! a call that leaves this balance above zero once everything it returned has
//! been freed has leaked. Other threads (the fault server, other tests) do not
//! disturb the count. Calls that start threads of their own (the probe) are
//! measured with the process-wide balance instead, in a binary whose tests
//! run one at a time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};

pub struct CountingAllocator;

thread_local! {
    // `const` and without a destructor: usable from inside the allocator.
    static LIVE_BYTES: Cell<i64> = const { Cell::new(0) };
}

/// The same balance over every thread.
static LIVE_BYTES_EVERYWHERE: AtomicI64 = AtomicI64::new(0);

fn record(delta: i64) {
    let _ = LIVE_BYTES.try_with(|live| live.set(live.get() + delta));
    LIVE_BYTES_EVERYWHERE.fetch_add(delta, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record(layout.size() as i64);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record(layout.size() as i64);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded; `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        record(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded; `ptr` came from this allocator with `layout`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            record(new_size as i64 - layout.size() as i64);
        }
        new
    }
}

/// Bytes this thread has allocated and not freed since it started.
pub fn live_bytes() -> i64 {
    LIVE_BYTES.with(Cell::get)
}

/// Bytes every thread together has allocated and not freed.
pub fn live_bytes_everywhere() -> i64 {
    LIVE_BYTES_EVERYWHERE.load(Ordering::Relaxed)
}

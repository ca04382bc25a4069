//! A global allocator that finds secrets left in freed memory, soundly.
//!
//! Reading memory after it was freed is undefined behaviour, but an
//! allocator's `dealloc` still owns the block it is handed: it may read it
//! before passing it on. To make every byte it reads initialised, this
//! allocator zeroes every block it hands out (`alloc` is `alloc_zeroed`, and
//! `realloc` is a zeroed allocation plus a copy). While a thread watches some
//! byte strings, each block that thread frees is scanned for them; a hit
//! means a copy of the secret went back to the allocator without being
//! wiped. Only the watching thread's frees are scanned, and nothing here
//! allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

pub struct WipeCheckingAllocator;

const MAX_NEEDLES: usize = 4;
const MAX_NEEDLE_BYTES: usize = 96;

#[derive(Clone, Copy)]
struct Watch {
    needles: [[u8; MAX_NEEDLE_BYTES]; MAX_NEEDLES],
    lengths: [usize; MAX_NEEDLES],
    hits: [u32; MAX_NEEDLES],
    /// Size of the last freed block each needle was found in (a clue to
    /// which buffer it was).
    block_sizes: [usize; MAX_NEEDLES],
}

impl Watch {
    const NONE: Watch = Watch {
        needles: [[0; MAX_NEEDLE_BYTES]; MAX_NEEDLES],
        lengths: [0; MAX_NEEDLES],
        hits: [0; MAX_NEEDLES],
        block_sizes: [0; MAX_NEEDLES],
    };

    fn active(&self) -> bool {
        self.lengths.iter().any(|len| *len > 0)
    }

    fn scan(&mut self, block: &[u8]) {
        for index in 0..MAX_NEEDLES {
            let needle = &self.needles[index][..self.lengths[index]];
            if !needle.is_empty() && block.windows(needle.len()).any(|w| w == needle) {
                self.hits[index] += 1;
                self.block_sizes[index] = block.len();
            }
        }
    }
}

thread_local! {
    static WATCH: Cell<Watch> = const { Cell::new(Watch::NONE) };
}

/// Scan a block about to be freed.
///
/// # Safety
/// `ptr` is a live block of `size` bytes from this allocator (so every
/// byte is initialised: zeroed at allocation or written since).
unsafe fn scan_before_free(ptr: *mut u8, size: usize) {
    let _ = WATCH.try_with(|cell| {
        let mut watch = cell.get();
        if watch.active() {
            // SAFETY: per this function's contract.
            watch.scan(unsafe { std::slice::from_raw_parts(ptr, size) });
            cell.set(watch);
        }
    });
}

// SAFETY: allocation is forwarded to the system allocator; blocks are only
// read while this allocator still owns them.
unsafe impl GlobalAlloc for WipeCheckingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes from us.
        unsafe {
            scan_before_free(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size` is valid for the alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: forwarded; the copy stays within both blocks.
        unsafe {
            let new = System.alloc_zeroed(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                // The old block is freed here: what it held is left behind
                // exactly as a real realloc that moves the block leaves it.
                scan_before_free(ptr, layout.size());
                System.dealloc(ptr, layout);
            }
            new
        }
    }
}

/// How many freed blocks held each needle, and the size of the last one.
#[derive(Debug, PartialEq, Eq)]
pub struct Copies {
    pub hits: Vec<u32>,
    pub block_sizes: Vec<usize>,
}

impl Copies {
    pub fn none(&self) -> bool {
        self.hits.iter().all(|hits| *hits == 0)
    }
}

/// Run `body`, watching for `needles` in every block this thread frees
/// meanwhile.
pub fn freed_copies<T>(needles: &[&str], body: impl FnOnce() -> T) -> (T, Copies) {
    assert!(needles.len() <= MAX_NEEDLES, "too many needles");
    let mut watch = Watch::NONE;
    for (index, needle) in needles.iter().enumerate() {
        assert!(
            !needle.is_empty() && needle.len() <= MAX_NEEDLE_BYTES,
            "needle length"
        );
        watch.needles[index][..needle.len()].copy_from_slice(needle.as_bytes());
        watch.lengths[index] = needle.len();
    }
    WATCH.with(|cell| cell.set(watch));
    let result = body();
    let seen = WATCH.with(|cell| cell.replace(Watch::NONE));
    let copies = Copies {
        hits: seen.hits[..needles.len()].to_vec(),
        block_sizes: seen.block_sizes[..needles.len()].to_vec(),
    };
    (result, copies)
}

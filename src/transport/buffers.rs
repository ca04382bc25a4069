//! The buffers ureq writes requests from and reads answers into, one pair
//! per connection: what ureq's `LazyBuffers` does (the same interface,
//! plugged in by `ureq_adapter`), except that they are wiped before they
//! are freed.
//!
//! A pooled connection keeps its buffers as its last exchange left them: the
//! request (a password, an application-service token) in the output buffer
//! and in the input buffer's free space (ureq reads a request body through
//! it), the answer (access and refresh tokens) in the input buffer. ureq's
//! `LazyBuffers` frees them unwiped. Here a buffer is wiped when it is
//! dropped or replaced by a larger one, and at no other time: nothing is
//! added to a request.

use std::fmt;

use crate::secret::wipe;

/// Free input space ureq wants for reading a request body (as `LazyBuffers`).
const MIN_TMP_SIZE: usize = 10 * 1024;

pub(crate) struct WipedBuffers {
    input_size: usize,
    output_size: usize,
    /// `input[consumed..filled]` is received and not yet read.
    input: Vec<u8>,
    filled: usize,
    consumed: usize,
    output: Vec<u8>,
    /// Whether the latest `input_consume` consumed anything.
    progress: bool,
}

impl WipedBuffers {
    /// Nothing is allocated until a buffer is first used.
    pub(crate) fn new(input_size: usize, output_size: usize) -> Self {
        WipedBuffers {
            input_size,
            output_size,
            input: Vec::new(),
            filled: 0,
            consumed: 0,
            output: Vec::new(),
            progress: false,
        }
    }

    fn ensure_allocation(&mut self) {
        if self.output.len() < self.output_size {
            grow_wiping(&mut self.output, self.output_size);
        }
        if self.input.len() < self.input_size {
            grow_wiping(&mut self.input, self.input_size);
        }
    }

    /// The free input space, after moving unread input to the front when
    /// that frees much of it.
    fn free_input(&mut self) -> &mut [u8] {
        if self.consumed == self.filled {
            self.consumed = 0;
            self.filled = 0;
        } else if self.consumed > 0 && self.filled > self.input.len() / 2 {
            // What stays behind past `filled` is wiped with the buffer.
            self.input.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
        }
        &mut self.input[self.filled..]
    }
}

/// The interface ureq's `Buffers` asks for (`ureq_adapter` forwards it).
impl WipedBuffers {
    pub(crate) fn output(&mut self) -> &mut [u8] {
        self.ensure_allocation();
        &mut self.output
    }

    pub(crate) fn input(&self) -> &[u8] {
        &self.input[self.consumed..self.filled]
    }

    pub(crate) fn input_append_buf(&mut self) -> &mut [u8] {
        self.ensure_allocation();
        self.free_input()
    }

    pub(crate) fn input_appended(&mut self, amount: usize) {
        self.filled = (self.filled + amount).min(self.input.len());
    }

    pub(crate) fn input_consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.consumed = (self.consumed + amount).min(self.filled);
    }

    pub(crate) fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        self.ensure_allocation();
        if self.free_input().len() < MIN_TMP_SIZE {
            grow_wiping(&mut self.input, self.filled + MIN_TMP_SIZE);
        }
        (&mut self.input[self.filled..], &mut self.output)
    }

    pub(crate) fn can_use_input(&self) -> bool {
        self.consumed < self.filled && self.progress
    }
}

impl Drop for WipedBuffers {
    fn drop(&mut self) {
        wipe_written(&mut self.input);
        wipe_written(&mut self.output);
    }
}

/// Sizes only: the contents are requests and answers.
impl fmt::Debug for WipedBuffers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WipedBuffers")
            .field("input", &self.input.len())
            .field("unread", &(self.filled - self.consumed))
            .field("output", &self.output.len())
            .finish()
    }
}

/// Make `buffer` `len` bytes long, zero-filled past what it held, in a new
/// allocation of exactly that size; the old one is wiped before it is freed
/// (a `Vec` growing in place of this would free it as it is).
fn grow_wiping(buffer: &mut Vec<u8>, len: usize) {
    if buffer.is_empty() {
        *buffer = vec![0; len];
        return;
    }
    let mut bigger = Vec::with_capacity(len);
    bigger.extend_from_slice(buffer);
    bigger.resize(len, 0);
    wipe_written(buffer);
    *buffer = bigger;
}

/// Wipe every byte of `buffer` that may hold something: those up to the last
/// non-zero one. A buffer starts zeroed and never shrinks, so the rest is
/// zeros already. Finding that byte is a plain scan (2 µs for 128 KiB in a
/// release build); a volatile wipe of the whole buffer took 16 µs.
fn wipe_written(buffer: &mut [u8]) {
    let end = written_len(buffer);
    wipe(&mut buffer[..end]);
}

/// The length of `bytes` without its trailing zeros, found a block at a time
/// (a byte-by-byte search does not vectorise).
fn written_len(bytes: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let whole = bytes.len() / BLOCK * BLOCK;
    if let Some(last) = bytes[whole..].iter().rposition(|byte| *byte != 0) {
        return whole + last + 1;
    }
    let Some(block) = bytes[..whole]
        .chunks_exact(BLOCK)
        .rposition(|block| block.iter().fold(0, |any, byte| any | byte) != 0)
    else {
        return 0;
    };
    let start = block * BLOCK;
    bytes[start..start + BLOCK]
        .iter()
        .rposition(|byte| *byte != 0)
        .map_or(0, |last| start + last + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_len_ignores_trailing_zeros_only() {
        let mut bytes = vec![0u8; 300];
        assert_eq!(written_len(&bytes), 0);
        for end in [1, 63, 64, 65, 128, 255, 256, 299, 300] {
            bytes.fill(0);
            bytes[end - 1] = 7;
            assert_eq!(written_len(&bytes), end, "last byte at {}", end - 1);
            bytes[0] = 1;
            assert_eq!(written_len(&bytes), end, "with a first byte too");
        }
        assert_eq!(written_len(&[]), 0);
    }

    #[test]
    fn wipe_written_leaves_only_zeros() {
        let mut bytes = vec![0u8; 4096];
        bytes[10..20].copy_from_slice(b"password!!");
        bytes[3000] = 9;
        wipe_written(&mut bytes);
        assert!(bytes.iter().all(|byte| *byte == 0));
    }

    #[test]
    fn input_is_appended_read_and_moved_forward_as_ureq_expects() {
        let mut buffers = WipedBuffers::new(64, 32);
        assert!(buffers.input().is_empty());
        assert_eq!(buffers.output().len(), 32);
        let free = buffers.input_append_buf();
        assert_eq!(free.len(), 64);
        free[..5].copy_from_slice(b"hello");
        buffers.input_appended(5);
        assert_eq!(buffers.input(), b"hello");
        assert!(!buffers.can_use_input(), "nothing consumed yet");
        buffers.input_consume(2);
        assert_eq!(buffers.input(), b"llo");
        assert!(buffers.can_use_input());
        buffers.input_consume(0);
        assert!(!buffers.can_use_input(), "no progress: read more first");
        // Over half the buffer filled: unread input moves to the front.
        let free = buffers.input_append_buf();
        free[..30].fill(b'x');
        buffers.input_appended(30);
        buffers.input_consume(3);
        assert_eq!(buffers.input_append_buf().len(), 64 - 30);
        assert_eq!(buffers.input(), &[b'x'; 30][..]);
        // Everything read: the whole buffer is free again.
        buffers.input_consume(30);
        assert_eq!(buffers.input_append_buf().len(), 64);
    }

    #[test]
    fn a_request_body_gets_scratch_space_even_when_input_is_full() {
        let mut buffers = WipedBuffers::new(MIN_TMP_SIZE, 32);
        let free = buffers.input_append_buf();
        free[..5].copy_from_slice(b"early");
        buffers.input_appended(5);
        let (tmp, output) = buffers.tmp_and_output();
        assert!(tmp.len() >= MIN_TMP_SIZE);
        assert_eq!(output.len(), 32);
        assert_eq!(buffers.input(), b"early", "unread input is kept");
    }

    #[test]
    fn growing_keeps_the_contents_in_a_block_of_exactly_the_new_size() {
        let mut buffer = b"tok-1234".to_vec();
        grow_wiping(&mut buffer, 100);
        assert_eq!(buffer.len(), 100);
        assert_eq!(buffer.capacity(), 100, "no spare capacity left unwiped");
        assert_eq!(&buffer[..8], b"tok-1234");
        assert!(buffer[8..].iter().all(|byte| *byte == 0));
        // That the old block was wiped before being freed is checked by
        // tests/secrets.rs, through an allocator that scans freed blocks.
    }

    #[test]
    fn debug_shows_sizes_not_contents() {
        let mut buffers = WipedBuffers::new(64, 32);
        buffers.output()[..8].copy_from_slice(b"password");
        let free = buffers.input_append_buf();
        free[..5].copy_from_slice(b"token");
        buffers.input_appended(5);
        let debug = format!("{buffers:?}");
        assert!(!debug.contains("password") && !debug.contains("token"));
        assert!(debug.contains("unread: 5"), "{debug}");
    }
}

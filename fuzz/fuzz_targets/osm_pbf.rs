#![no_main]
// Placeholder: the reader's fuzz entry point is wired in with the reader itself.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = data;
});

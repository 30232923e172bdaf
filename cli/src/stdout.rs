//! Standard output that a closed pipe cannot crash.
//!
//! Rust ignores SIGPIPE, so `println!` panics when the reader has gone
//! (`subnetlab validate scenarios/*.yaml | head -1`). [`say!`] and [`say_part!`] write the same
//! text but drop it once standard output fails: the command still finishes its work (a run
//! still renames its result folder into place) and exits with its own status; only the text
//! nobody reads is lost.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to standard output has failed; later text is dropped.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` (and a newline if `newline`) to standard output, unless it has failed before.
pub fn write(text: std::fmt::Arguments, newline: bool) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(text).and_then(|()| {
        if newline {
            out.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if written.is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `println!` that never panics (see the module docs).
macro_rules! say {
    () => {
        $crate::stdout::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!($($arg)*), true)
    };
}

/// `print!` that never panics (see the module docs).
macro_rules! say_part {
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!($($arg)*), false)
    };
}

//! Standard output that a closed pipe cannot crash.
//!
//! Rust ignores SIGPIPE, so `println!` panics when the reader has gone
//! (`subnetlab validate scenarios/*.yaml | head -1`). [`say!`] and [`say_part!`] write the same
//! text but drop it once standard output fails: the command still finishes its work (a run
//! still renames its result folder into place). A reader that went away is no error; any other
//! failure (a full disk, `> /dev/full`) is kept, and [`failure`] makes the command fail at its
//! end, so that lost output is never silent.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to standard output has failed; later text is dropped.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// The first failure other than a closed pipe.
static FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// Writes `text` (and a newline if `newline`) to standard output, unless it has failed before.
pub fn write(text: std::fmt::Arguments, newline: bool) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(text)
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| out.flush());
    if let Err(e) = written {
        CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe
            && let Ok(mut failure) = FAILURE.lock()
        {
            failure.get_or_insert_with(|| e.to_string());
        }
    }
}

/// Why standard output failed, if it did for another reason than a closed pipe.
pub fn failure() -> Option<String> {
    FAILURE.lock().ok().and_then(|f| f.clone())
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

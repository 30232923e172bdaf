//! Scenario problems: each names the file, line, column and field path, and says what was
//! expected. They are collected, never thrown one at a time.

use std::fmt;

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file, or the command-line override that set the value, as written
    /// (`--set path=value`).
    pub file: String,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// 1-based column, with `line`.
    pub column: Option<usize>,
    /// Field path, e.g. `subnets[0].validators.stake.alpha` (empty for the whole document, or
    /// for the very field an override set).
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Longest message shown whole; a longer one (a parser quoting a whole 3 MB value) keeps its
/// start and end around an ellipsis.
const MAX_MESSAGE_CHARS: usize = 400;

/// `message`, or its first 300 and last 80 characters around " … ".
fn shortened(message: &str) -> std::borrow::Cow<'_, str> {
    let count = message.chars().count();
    if count <= MAX_MESSAGE_CHARS {
        return message.into();
    }
    let head: String = message.chars().take(300).collect();
    let tail: String = message.chars().skip(count - 80).collect();
    format!("{head} … ({} characters left out) … {tail}", count - 380).into()
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        let message = shortened(&self.message);
        if self.path.is_empty() {
            write!(f, ": {message}")
        } else {
            write!(f, ": {}: {message}", self.path)
        }
    }
}

/// `x` as a message shows it: as Rust prints it from 0.0001 to below 1e15 (`0.25`,
/// `257762360`), otherwise in scientific notation (`1e300`, not its 301 digits; `1.5e-12`).
pub fn compact(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e15).contains(&x.abs()) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

/// `message` with every run of 22 digits or more in [`compact`] form (`got 1e300`, not 301
/// digits). Only an `f64` prints so: a `u64` has at most 20 digits, and an `f64` that large has
/// no fraction.
pub fn compact_numbers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        match tail[..end].parse::<f64>() {
            Ok(x) if end >= 22 => out.push_str(&compact(x)),
            _ => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// serde's names of the types it expected, at the end of its messages, and what to say
/// instead: the range of each whole-number type, and what a moment is.
const EXPECTED: [(&str, &str); 9] = [
    ("u8", "a whole number from 0 to 255"),
    ("u16", "a whole number from 0 to 65535"),
    ("u32", "a whole number from 0 to 4294967295"),
    ("u64", "a whole number from 0 to 18446744073709551615"),
    ("usize", "a whole number from 0 to 18446744073709551615"),
    ("i32", "a whole number from -2147483648 to 2147483647"),
    (
        "i64",
        "a whole number from -9223372036854775808 to 9223372036854775807",
    ),
    ("f64", "a number"),
    (
        "struct At",
        "a mapping with one of block, epoch, day, e.g. {day: 3}",
    ),
];

/// A serde message in the scenario's terms: `…, expected u16` says the range
/// (`…, expected a whole number from 0 to 65535`), `…, expected struct At` what a moment is;
/// other messages are kept.
pub fn explain(message: &str) -> String {
    for (rust, said) in EXPECTED {
        if let Some(head) = message.strip_suffix(&format!("expected {rust}")) {
            return format!("{head}expected {said}");
        }
    }
    message.to_string()
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {file}: {source}")]
    Io {
        /// The path given.
        file: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The scenario has problems; all of them are listed.
    #[error("{}", format_problems(problems))]
    Invalid {
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
}

impl ScenarioError {
    /// The problems, if the file could be read.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid { problems } => problems,
            ScenarioError::Io { .. } => &[],
        }
    }
}

fn format_problems(problems: &[Problem]) -> String {
    let mut out = format!(
        "{} problem{} in scenario:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An audit: a quality of 1e300 was printed in its message as 301 digits.
    #[test]
    fn numbers_print_compactly() {
        assert_eq!(compact(1e300), "1e300");
        assert_eq!(compact(-2.5e-30), "-2.5e-30");
        assert_eq!(compact(257_762_360.0), "257762360");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(1e15), "1e15");
        assert_eq!(compact(999_999_999_999_999.0), "999999999999999");
        assert_eq!(compact(f64::INFINITY), "inf");
        let long = format!("got {}, expected at most 21,000,000", 1e300);
        assert_eq!(
            compact_numbers(&long),
            "got 1e300, expected at most 21,000,000"
        );
        // A u64 (20 digits) and short numbers are kept as written.
        let kept = "got 18446744073709551515 and -2.5 at 4.";
        assert_eq!(compact_numbers(kept), kept);
        assert_eq!(compact_numbers(&format!("-{}", 1e25)), "-1e25");
    }

    /// A second audit: a 3 MB value came back whole in its error message.
    #[test]
    fn long_messages_are_shortened_around_an_ellipsis() {
        let problem = |message: String| Problem {
            file: "x.yaml".into(),
            line: Some(2),
            column: Some(7),
            path: "name".into(),
            message,
        };
        let short = problem("expected a name".into()).to_string();
        assert_eq!(short, "x.yaml:2:7: name: expected a name");
        let long = format!(
            "invalid type: string \"{}é\", expected u64",
            "a".repeat(3_000_000)
        );
        let shown = problem(long).to_string();
        assert!(shown.chars().count() < 500, "{}", shown.len());
        assert!(shown.starts_with("x.yaml:2:7: name: invalid type: string \"aaa"));
        assert!(shown.contains("characters left out") && shown.ends_with("aé\", expected u64"));
    }
}

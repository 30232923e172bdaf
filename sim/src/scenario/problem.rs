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

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        if self.path.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.path, self.message)
        }
    }
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

//! Text → [`Scenario`], collecting every problem with its place in the file.
//!
//! serde stops at the first structural error. To report them all, the document is parsed once
//! into a YAML tree; after each failed typed read, the offending node is cut from the tree and
//! the read is tried again, so later problems surface too. Then [`super::validate`] checks
//! ranges and consistency on the typed scenario. Every problem is located in the original text
//! by its field path ([`super::locate`]).

use super::locate::{locate, parse_path};
use super::{Override, Problem, Scenario, ScenarioError, validate};
use std::path::Path;
use yaml_serde::Value;

/// Most structural problems reported for one file; past this, the rest is noise.
const MAX_STRUCTURAL: usize = 50;

/// Read, override, validate and resolve the scenario in `path`.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: file.clone(),
        source,
    })?;
    load_str(&file, &text, overrides)
}

/// Parse, override, validate and resolve scenario `text`; `file` names it in problems.
pub fn load_str(file: &str, text: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let located = |path: &str, message: String| {
        let (line, column) = parse_path(path)
            .and_then(|segments| locate(text, &segments))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Problem {
            file: file.to_string(),
            line,
            column,
            path: path.to_string(),
            message,
        }
    };

    let mut doc: Value = match yaml_serde::from_str(text) {
        Ok(Value::Null) => {
            return Err(invalid(vec![located(
                "",
                "the file is empty: expected a scenario mapping".into(),
            )]));
        }
        Ok(doc) => doc,
        Err(e) => {
            let loc = e.location();
            let message = strip_location(&e.to_string());
            return Err(invalid(vec![Problem {
                file: file.to_string(),
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
                path: String::new(),
                message: format!("not valid YAML: {message}"),
            }]));
        }
    };

    let mut problems = Vec::new();
    for o in overrides {
        if let Err(message) = o.apply(&mut doc) {
            problems.push(Problem {
                file: "--set".into(),
                line: None,
                column: None,
                path: o.path.clone(),
                message,
            });
        }
    }

    // Price tables from CSV files become inline points (relative to the scenario's folder).
    let base = Path::new(file).parent().unwrap_or(Path::new(""));
    for (path, message) in super::price_file::inline(&mut doc, base) {
        problems.push(located(&path, message));
    }

    let mut scenario = None;
    // Paths cut so far: an error they cause (the parent now misses the cut field, or a cut list
    // element reads as null) is not the user's and is not reported.
    let mut cut: Vec<String> = Vec::new();
    for _ in 0..MAX_STRUCTURAL {
        match serde_path_to_error::deserialize::<_, Scenario>(doc.clone()) {
            Ok(s) => {
                scenario = Some(s);
                break;
            }
            Err(e) => {
                let path = display_path(&e.path().to_string());
                let message = strip_location(&e.inner().to_string());
                let caused_by = match missing_field(&message) {
                    Some(field) if path.is_empty() => field.to_string(),
                    Some(field) => format!("{path}.{field}"),
                    None => path.clone(),
                };
                if !cut.contains(&caused_by) {
                    problems.push(located(&path, message));
                }
                // Cut the failing node (for a missing field, the map that misses it) and read
                // again to look further; the root, or a node already cut, ends the search.
                if path.is_empty() || cut.contains(&path) || !remove(&mut doc, &path) {
                    break;
                }
                cut.push(path);
            }
        }
    }

    if let Some(s) = &scenario {
        for (path, message) in validate::problems(s) {
            problems.push(located(&path, message));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.file != file, p.line.unwrap_or(usize::MAX), p.column));
        problems.dedup();
        return Err(invalid(problems));
    }
    let mut scenario = scenario.ok_or_else(|| invalid(Vec::new()))?;
    scenario.resolve();
    Ok(scenario)
}

fn invalid(problems: Vec<Problem>) -> ScenarioError {
    ScenarioError::Invalid { problems }
}

/// The field named by serde's "missing field `x`" message.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// serde_path_to_error prints the root as `.`; we print it as nothing.
fn display_path(path: &str) -> String {
    if path == "." {
        String::new()
    } else {
        path.to_string()
    }
}

/// yaml_serde and libyaml put ` at line L column C` into messages; the location is reported
/// separately, so it is cut out wherever it stands.
fn strip_location(message: &str) -> String {
    let Some(i) = message.find(" at line ") else {
        return message.to_string();
    };
    let rest = &message[i + " at line ".len()..];
    let skip_digits = |s: &str| s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after_line = &rest[rest.len() - skip_digits(rest)..];
    let tail = match after_line.strip_prefix(" column ") {
        Some(col) => &col[col.len() - skip_digits(col)..],
        None => after_line,
    };
    format!("{}{}", &message[..i], tail)
}

/// Cut the node at `path` out of the tree (a mapping entry or a list element).
fn remove(doc: &mut Value, path: &str) -> bool {
    let Some(segments) = parse_path(path) else {
        return false;
    };
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut node = doc;
    for segment in parents {
        node = match (segment, node) {
            (super::locate::Segment::Key(k), Value::Mapping(m)) => match m.get_mut(k.as_str()) {
                Some(v) => v,
                None => return false,
            },
            (super::locate::Segment::Index(i), Value::Sequence(s)) => match s.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, node) {
        (super::locate::Segment::Key(k), Value::Mapping(m)) => m.remove(k.as_str()).is_some(),
        (super::locate::Segment::Index(i), Value::Sequence(s)) if *i < s.len() => {
            // Replace rather than remove, so later indices keep pointing at the same element.
            s[*i] = Value::Null;
            true
        }
        _ => false,
    }
}

//! `--set path=value`: change one field of a scenario from the command line, before it is
//! typed and validated, so an override is checked exactly like the file.

use super::Problem;
use super::locate::{Segment, parse_path};
use yaml_serde::Value;

/// One `path=value` override. The value is read as YAML, so `--set seed=7`,
/// `--set subnets[0].hyperparameters.yuma3=false` and `--set 'duration={days: 2}'` all work.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The field path as written.
    pub path: String,
    /// The value as written.
    pub value: String,
}

impl std::str::FromStr for Override {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (path, value) = s
            .split_once('=')
            .ok_or_else(|| format!("expected path=value, got `{s}`"))?;
        let path = path.trim();
        if parse_path(path).is_none_or(|p| p.is_empty()) {
            return Err(format!(
                "`{path}` is not a field path (e.g. subnets[0].hyperparameters.tempo)"
            ));
        }
        Ok(Override {
            path: path.to_string(),
            value: value.trim().to_string(),
        })
    }
}

impl Override {
    /// The override as written on the command line: `--set path=value`.
    pub fn label(&self) -> String {
        format!("--set {}={}", self.path, self.value)
    }

    /// A problem with the value this override set (at `path`, the override's own path or one
    /// under it): it is named by the override as written, e.g.
    /// `--set subnets[0].hyperparameters.kappa=x: invalid type: ...`, not by a place in the
    /// file, which holds another value or none.
    pub fn problem(&self, path: &str, message: String) -> Problem {
        Problem {
            file: self.label(),
            line: None,
            column: None,
            path: if path == self.path {
                String::new()
            } else {
                path.to_string()
            },
            message,
        }
    }

    /// Apply to a parsed document. Missing mapping keys are created; indices must exist.
    pub fn apply(&self, doc: &mut Value) -> Result<(), String> {
        let value: Value =
            yaml_serde::from_str(&self.value).unwrap_or_else(|_| Value::String(self.value.clone()));
        self.apply_value(doc, value)
    }

    /// Set the field at `self.path` to `value` (`self.value` is not read).
    pub fn apply_value(&self, doc: &mut Value, value: Value) -> Result<(), String> {
        let path =
            parse_path(&self.path).ok_or_else(|| format!("`{}` is not a field path", self.path))?;
        let mut node = doc;
        for segment in &path {
            node = match segment {
                Segment::Key(key) => {
                    if node.is_null() {
                        *node = Value::Mapping(Default::default());
                    }
                    let Value::Mapping(map) = node else {
                        return Err(format!("cannot set `{key}`: its parent is not a mapping"));
                    };
                    map.entry(Value::String(key.clone())).or_insert(Value::Null)
                }
                Segment::Index(i) => {
                    let Value::Sequence(seq) = node else {
                        return Err(format!("cannot index [{i}]: not a list"));
                    };
                    let len = seq.len();
                    seq.get_mut(*i).ok_or_else(|| {
                        format!("index [{i}] is out of range (the list has {len})")
                    })?
                }
            };
        }
        *node = value;
        Ok(())
    }
}

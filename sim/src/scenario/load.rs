//! Text → [`Scenario`], collecting every problem with its place in the file.
//!
//! serde stops at the first structural error. To report them all, the document is parsed once
//! into a YAML tree; after each failed typed read, the offending node is cut from the tree and
//! the read is tried again, so later problems surface too; a required field the cut leaves
//! missing gets a made-up value, so that nothing is reported twice (see [`read_typed`]). Then
//! [`super::validate`] checks ranges and consistency on the typed scenario. Every problem is
//! located in the original text by its field path ([`super::locate`]).

use super::locate::{Segment, duplicate_key, locate, parse_path};
use super::{Override, Problem, Scenario, ScenarioError, is_under, validate};
use std::path::Path;
use yaml_serde::Value;

/// Most structural problems reported for one file; past this, the rest is noise.
const MAX_STRUCTURAL: usize = 50;

/// Most typed reads of one file while recovering from its problems (each problem takes one,
/// each stand-in value a few).
const MAX_READS: usize = 500;

/// Read, override, validate and resolve the scenario in `path`.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ScenarioError::Io {
        file: file.clone(),
        source,
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => load_str(&file, &text, overrides),
        Err(e) => Err(invalid(vec![not_utf8(&file, e.as_bytes(), e.utf8_error())])),
    }
}

/// The problem of a file that is not UTF-8, placed at its first invalid byte.
fn not_utf8(file: &str, bytes: &[u8], e: std::str::Utf8Error) -> Problem {
    let valid = &bytes[..e.valid_up_to()];
    // The prefix is valid UTF-8 by definition; columns count characters, as libyaml's do.
    let before = std::str::from_utf8(valid).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Problem {
        file: file.to_string(),
        line: Some(before.matches('\n').count() + 1),
        column: Some(before[line_start..].chars().count() + 1),
        path: String::new(),
        message: format!(
            "not valid UTF-8 (byte 0x{:02X}): expected UTF-8 text",
            bytes[e.valid_up_to()]
        ),
    }
}

/// Parse, override, validate and resolve scenario `text`; `file` names it in problems.
pub fn load_str(file: &str, text: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    // A byte-order mark is not content (some editors on Windows write one).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let located = |path: &str, message: String| {
        // A value an override set is the override's, not the file's: name it instead.
        if let Some(o) = overrides.iter().rev().find(|o| is_under(path, &o.path)) {
            return o.problem(path, message);
        }
        let (line, column) = segments_of(path)
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
            let mut place = e.location().map(|l| (l.line(), l.column()));
            let mut message = format!("not valid YAML: {}", strip_location(&e.to_string()));
            let mut path = String::new();
            if let Some((key, number)) = huge_integer(&message) {
                path = key.to_string();
                message = format!(
                    "{number} is out of range: expected a whole number from -9223372036854775808 to 18446744073709551615"
                );
            }
            // yaml_serde places a duplicate key at the start of its mapping: find the key.
            if message.starts_with("not valid YAML: duplicate entry")
                && let Some((line, column, key)) = duplicate_key(text)
            {
                place = Some((line, column));
                path = key;
            }
            return Err(invalid(vec![Problem {
                file: file.to_string(),
                line: place.map(|p| p.0),
                column: place.map(|p| p.1),
                path,
                message,
            }]));
        }
    };

    let mut problems = Vec::new();
    for o in overrides {
        if let Err(message) = o.apply(&mut doc) {
            problems.push(o.problem(&o.path, message));
        }
    }

    // Price tables from CSV files become inline points (relative to the scenario's folder).
    let base = Path::new(file).parent().unwrap_or(Path::new(""));
    for (path, message) in super::price_file::inline(&mut doc, base) {
        problems.push(located(&path, message));
    }

    let (scenario, structural, cut, made_up) = read_typed(doc);
    problems.extend(structural.into_iter().map(|(path, m)| located(&path, m)));

    // Range and consistency problems: of the scenario, or, when stand-ins had to be made up to
    // read it, those that do not follow from a made-up value.
    let semantic = |s: &Scenario| {
        let duration_varies = overrides.iter().any(|o| is_under(&o.path, "duration"))
            || s.sweep.as_ref().is_some_and(|w| w.varies("duration"));
        let late = if duration_varies {
            Vec::new()
        } else {
            validate::late_changes(s)
        };
        let mut found = validate::problems(s);
        found.extend(late);
        found
    };
    let checked = match (&scenario, made_up) {
        (Some(s), _) => semantic(s),
        (None, Some((doc, stand_ins))) => beyond_stand_ins(doc, &stand_ins, semantic),
        (None, None) => Vec::new(),
    };
    if let Some(s) = &scenario {
        // A field the sweep varies takes the sweep's values at every point: an override of it
        // would be written into the resolved scenario and never used.
        if let Some(sweep) = &s.sweep {
            for o in overrides {
                if let Some(p) = sweep.paths().find(|p| is_under(&o.path, p)) {
                    problems.push(o.problem(
                        &o.path,
                        format!("the sweep varies `{p}`, so its points replace this value; change the sweep (--set sweep...) instead"),
                    ));
                }
            }
        }
    }
    for (path, message) in checked {
        // A map that lost a field to a cut may look incomplete: that is no new problem.
        let follows_a_cut = cut.iter().any(|c| is_under(&path, c) || parent(c) == path);
        if !follows_a_cut {
            problems.push(located(&path, super::compact_numbers(&message)));
        }
    }
    if !problems.is_empty() {
        // The file's problems in file order, then the overrides' in command-line order.
        let labels: Vec<String> = overrides.iter().map(Override::label).collect();
        problems.sort_by_key(|p| {
            (
                p.file != file,
                p.line.unwrap_or(usize::MAX),
                p.column,
                labels.iter().position(|l| *l == p.file),
            )
        });
        problems.dedup();
        return Err(invalid(problems));
    }
    let mut scenario = scenario.ok_or_else(|| invalid(Vec::new()))?;
    scenario.resolve();
    scenario.drop_late_changes();
    Ok(scenario)
}

/// Read `doc` as a [`Scenario`], collecting every structural problem as (path, message); the
/// paths cut are returned too.
///
/// After each failed read the failing node is cut and the read is tried again. A cut that
/// leaves a required field missing (or a list element that must stay, to keep later indices)
/// is filled with a *stand-in*: the smallest value of the right type, found by trying
/// [`STAND_INS`] in turn. Errors caused by a cut or inside a stand-in are not the user's and
/// are not reported. The scenario is returned only if no stand-in was needed: a scenario
/// holding made-up values must not be checked further, or its made-up values would be
/// reported.
fn read_typed(mut doc: Value) -> Typed {
    let mut problems = Vec::new();
    // Paths cut so far.
    let mut cut: Vec<String> = Vec::new();
    // Paths filled with a stand-in, in the order placed, with the candidates tried there.
    let mut stand_ins: Vec<StandIn> = Vec::new();
    for _ in 0..MAX_READS {
        let e = match serde_path_to_error::deserialize::<_, Scenario>(doc.clone()) {
            Ok(s) => {
                // With stand-ins, the tree is returned instead, for [`beyond_stand_ins`].
                let made_up = (!stand_ins.is_empty())
                    .then(|| (doc, stand_ins.iter().map(|s| s.path.clone()).collect()));
                let scenario = made_up.is_none().then_some(s);
                return (scenario, problems, cut, made_up);
            }
            Err(e) => e,
        };
        let path = display_path(&e.path().to_string());
        let message = strip_location(&e.inner().to_string());
        let missing = missing_field(&message).map(|field| join(&path, field));
        let in_stand_in = stand_ins.iter().any(|s| is_under(&path, &s.path));
        let after_cut = missing.as_ref().is_some_and(|m| cut.contains(m));
        // A tagged enum names its map, not the field inside it that is wrong: with a stand-in
        // tag, the map's other errors follow from the variant tried.
        let over_stand_in = stand_ins
            .iter()
            .any(|s| is_child(&s.path, &path) && (missing.is_none() || s.is_tag()));
        if !(in_stand_in || after_cut || over_stand_in) {
            if problems.len() == MAX_STRUCTURAL {
                break;
            }
            let shown = inner_field(&doc, &path, &message).unwrap_or_else(|| path.clone());
            problems.push((shown, super::explain(&message)));
        }
        let recovered = match missing {
            // A field we cut, or one a stand-in lacks: fill it.
            Some(field) if after_cut || in_stand_in => {
                StandIn::place(&mut stand_ins, &mut doc, field)
            }
            // A stand-in that does not fit: the next candidate at the latest stand-in the error
            // concerns; once all were tried, the map holding it is cut.
            _ if in_stand_in || over_stand_in => {
                let Some(s) = stand_ins
                    .iter_mut()
                    .rev()
                    .find(|s| is_under(&path, &s.path) || is_child(&s.path, &path))
                else {
                    break;
                };
                s.next(&mut doc, &message) || {
                    let parent = parent(&s.path);
                    // A map we made up ourselves has nothing of the user's to cut.
                    if stand_ins.iter().any(|s| is_under(&parent, &s.path)) {
                        false
                    } else {
                        stand_ins.retain(|s| !is_under(&s.path, &parent));
                        cut_node(&mut doc, &parent, &mut cut, &mut stand_ins)
                    }
                }
            }
            // The user's node: cut it.
            _ => cut_node(&mut doc, &path, &mut cut, &mut stand_ins),
        };
        if !recovered {
            break;
        }
    }
    (None, problems, cut, None)
}

/// What [`read_typed`] read: the scenario (if read without stand-ins), the structural problems
/// as (path, message), the paths cut, and — if it was read only with stand-ins — the tree
/// holding them with their paths.
type Typed = (
    Option<Scenario>,
    Vec<(String, String)>,
    Vec<String>,
    Option<(Value, Vec<String>)>,
);

/// The problems `check` finds in a scenario read with stand-ins (`doc`, stand-ins at the paths
/// `stand_ins`) that do not follow from a made-up value: those away from every stand-in and
/// found both with the stand-ins' numbers at 0 and at 1 (a check that compares a made-up
/// count, such as UIDs against `max_allowed_uids`, then differs and is left out). So a bad
/// count does not hide a bad duration or tempo elsewhere.
fn beyond_stand_ins(
    doc: Value,
    stand_ins: &[String],
    check: impl Fn(&Scenario) -> Vec<(String, String)>,
) -> Vec<(String, String)> {
    let mut ones = doc.clone();
    for path in stand_ins {
        if super::value_at(&ones, path).is_some_and(Value::is_number) {
            set(&mut ones, path, Value::from(1));
        }
    }
    let (Ok(zero), Ok(one)) = (
        yaml_serde::from_value::<Scenario>(doc),
        yaml_serde::from_value::<Scenario>(ones),
    ) else {
        return Vec::new();
    };
    let with_one = check(&one);
    check(&zero)
        .into_iter()
        .filter(|p| with_one.contains(p))
        .filter(|(path, _)| {
            !stand_ins
                .iter()
                .any(|s| is_under(path, s) || is_under(s, path))
        })
        .collect()
}

/// Values tried, in order, where a stand-in is needed: a map (then filled field by field), a
/// number, a string, a list, a boolean. For an enum, the string's error names the variants,
/// which are then tried in turn (a tag's variant must also fit the rest of its map).
const STAND_INS: usize = 5;

fn stand_in(k: usize) -> Value {
    match k {
        0 => Value::Mapping(Default::default()),
        1 => Value::from(0),
        2 => Value::from("x"),
        3 => Value::Sequence(Vec::new()),
        _ => Value::Bool(false),
    }
}

/// Cut the node at `path`: a map entry goes (its default, if it has one, applies); a list
/// element is replaced by a stand-in, so that later indices still name the same elements.
/// `false` for the root, a node already cut, or a path not in the tree.
fn cut_node(
    doc: &mut Value,
    path: &str,
    cut: &mut Vec<String>,
    stand_ins: &mut Vec<StandIn>,
) -> bool {
    if path.is_empty() || cut.iter().any(|c| c == path) {
        return false;
    }
    match remove(doc, path) {
        Removed::Key => {
            cut.push(path.to_string());
            true
        }
        Removed::Element => {
            cut.push(path.to_string());
            StandIn::place(stand_ins, doc, path.to_string())
        }
        Removed::Nothing => false,
    }
}

/// The path of the map or list holding `path` (the root for a top-level field).
fn parent(path: &str) -> String {
    let end = path.rfind(['.', '[']).unwrap_or(0);
    path[..end].to_string()
}

/// A value the loader made up at `path` to read past a cut.
struct StandIn {
    path: String,
    /// Index into the candidates.
    tried: usize,
    /// An enum's variant names (from serde's "unknown variant" message), once known.
    variants: Vec<String>,
    /// How many of `variants` were tried.
    variants_tried: usize,
}

impl StandIn {
    /// Put the first candidate at `path`.
    fn place(all: &mut Vec<StandIn>, doc: &mut Value, path: String) -> bool {
        if all.iter().any(|s| s.path == path) {
            return false;
        }
        let placed = set(doc, &path, stand_in(0));
        all.push(StandIn {
            path,
            tried: 0,
            variants: Vec::new(),
            variants_tried: 0,
        });
        placed
    }

    /// It names an enum variant (a tag, or a unit enum).
    fn is_tag(&self) -> bool {
        !self.variants.is_empty()
    }

    /// Replace the value with the next candidate (each variant in turn, for an enum);
    /// `false` once all were tried.
    fn next(&mut self, doc: &mut Value, message: &str) -> bool {
        if self.variants.is_empty()
            && let Some(list) = message.strip_prefix("unknown variant ")
        {
            self.variants = variant_names(list);
        }
        if self.is_tag() {
            let Some(name) = self.variants.get(self.variants_tried) else {
                return false;
            };
            self.variants_tried += 1;
            return set(doc, &self.path, Value::from(name.as_str()));
        }
        self.tried += 1;
        self.tried < STAND_INS && set(doc, &self.path, stand_in(self.tried))
    }
}

/// The names listed in the rest of serde's "unknown variant `v`, expected one of `a`, `b`"
/// (or "expected `a` or `b`").
fn variant_names(message: &str) -> Vec<String> {
    let Some(i) = message.find("expected ") else {
        return Vec::new();
    };
    message[i..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// `child` is a field or element of `parent` itself.
fn is_child(child: &str, parent: &str) -> bool {
    let rest = if parent.is_empty() {
        Some(child)
    } else {
        child.strip_prefix(parent).and_then(|r| {
            r.strip_prefix('.')
                .or_else(|| r.strip_prefix('[').map(|_| r))
        })
    };
    rest.and_then(parse_path)
        .is_some_and(|segments| segments.len() == 1)
}

/// Maps whose keys are themselves field paths: a key under one stays one segment.
const PATH_KEYED: [&str; 4] = ["sweep.grid.", "sweep.zip.", "sweep.random.ranges.", ".set."];

/// The segments of `path`, where a key of a map keyed by field paths ([`PATH_KEYED`]: the
/// sweep's sections, a timeline change's `set`) stays whole: `sweep.grid.subnets[0].x` is the
/// key `subnets[0].x` of `sweep.grid`. A key not found (a nested `set`) is located at its map.
fn segments_of(path: &str) -> Option<Vec<Segment>> {
    for marker in PATH_KEYED {
        let Some(at) = path.find(marker) else {
            continue;
        };
        let map = &path[..at + marker.len() - 1];
        // `.set.` only as a timeline change's: `timeline[i].set.`.
        if marker == ".set." && !(map.starts_with("timeline[") && map.matches('.').count() == 1) {
            continue;
        }
        let mut segments = parse_path(map)?;
        segments.push(Segment::Key(path[at + marker.len()..].to_string()));
        return Some(segments);
    }
    parse_path(path)
}

/// A tagged enum (a strategy, a distribution) reports a wrong field at its map. Where exactly
/// one field of that map holds the value the message quotes (`invalid type: integer `5000``),
/// that field is the one meant: its path, so that the problem is placed on its line.
fn inner_field(doc: &Value, path: &str, message: &str) -> Option<String> {
    let map = super::value_at(doc, path)?.as_mapping()?;
    let quoted = quoted_value(message)?;
    let mut keys = map
        .iter()
        .filter(|(_, v)| scalar_text(v).as_deref() == Some(quoted))
        .filter_map(|(k, _)| k.as_str());
    let key = keys.next()?;
    keys.next().is_none().then(|| join(path, key))
}

/// The value serde quotes in `invalid type: integer `5000`, expected …` (or a string's
/// `"x"`).
fn quoted_value(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    if let Some((_, tail)) = rest.split_once('`') {
        return tail.split_once('`').map(|(v, _)| v);
    }
    let (_, tail) = rest.split_once('"')?;
    tail.rsplit_once("\", expected").map(|(v, _)| v)
}

/// A scalar as serde quotes it.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `field` of the map at `path`.
fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// Set the node at `path` (its parents must exist).
fn set(doc: &mut Value, path: &str, value: Value) -> bool {
    let o = Override {
        path: path.to_string(),
        value: String::new(),
    };
    o.apply_value(doc, value).is_ok()
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

/// The key path and digits of an integer too large for the YAML reader (it reads whole numbers
/// as 64-bit, and reports a longer one as `KEY: invalid type: integer `N` as u128, …`).
fn huge_integer(message: &str) -> Option<(&str, &str)> {
    let message = message.strip_prefix("not valid YAML: ")?;
    let (key, rest) = message.split_once(": invalid type: integer `")?;
    let (number, tail) = rest.split_once('`')?;
    (tail.starts_with(" as u128") || tail.starts_with(" as i128")).then_some((key, number))
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

/// What [`remove`] cut.
enum Removed {
    /// A mapping entry.
    Key,
    /// A list element (replaced by null, so that later indices keep their elements).
    Element,
    /// Nothing: the path is not in the tree.
    Nothing,
}

/// Cut the node at `path` out of the tree (a mapping entry or a list element).
fn remove(doc: &mut Value, path: &str) -> Removed {
    let Some(segments) = parse_path(path) else {
        return Removed::Nothing;
    };
    let Some((last, parents)) = segments.split_last() else {
        return Removed::Nothing;
    };
    let mut node = doc;
    for segment in parents {
        node = match (segment, node) {
            (super::locate::Segment::Key(k), Value::Mapping(m)) => match m.get_mut(k.as_str()) {
                Some(v) => v,
                None => return Removed::Nothing,
            },
            (super::locate::Segment::Index(i), Value::Sequence(s)) => match s.get_mut(*i) {
                Some(v) => v,
                None => return Removed::Nothing,
            },
            _ => return Removed::Nothing,
        };
    }
    match (last, node) {
        (super::locate::Segment::Key(k), Value::Mapping(m)) => match m.shift_remove(k.as_str()) {
            Some(_) => Removed::Key,
            None => Removed::Nothing,
        },
        (super::locate::Segment::Index(i), Value::Sequence(s)) if *i < s.len() => {
            s[*i] = Value::Null;
            Removed::Element
        }
        _ => Removed::Nothing,
    }
}

//! TAO price tables from CSV files: `network.tao_price: { path: table, file: prices.csv }`.
//!
//! The loader inlines each file's points into the scenario document before it is read, so the
//! resolved scenario (and every result folder) holds the prices themselves, not a path that may
//! move. A timeline change that sets `network.tao_price` may name a file too.

use std::path::Path;
use yaml_serde::{Mapping, Value};

/// One CSV row.
#[derive(serde::Deserialize)]
struct Row {
    day: f64,
    usd: f64,
}

/// Problems reported per file before the rest are summed up in one line.
const MAX_PROBLEMS: usize = 20;

/// Read `path`: a header naming `day` and `usd`, then one point per row with days ascending
/// and prices finite and positive. Every bad row is reported (up to [`MAX_PROBLEMS`]), each
/// with the file's line.
pub fn read_points(path: &Path) -> Result<Vec<(f64, f64)>, Vec<String>> {
    let file = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| vec![format!("cannot read {file}: {}", io_message(&e))])?;
    let headers = reader
        .headers()
        .cloned()
        .map_err(|e| vec![format!("cannot read {file}: {}", io_message(&e))])?;
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(String::new(), |p| format!(" line {}", p.line()));
                problems.push(format!("{file}{line}: {}", strip_position(&e.to_string())));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let row: Row = match record.deserialize(Some(&headers)) {
            Ok(row) => row,
            Err(e) => {
                problems.push(format!(
                    "{file} line {line}: expected columns day,usd with numbers ({})",
                    strip_position(&e.to_string())
                ));
                continue;
            }
        };
        if !(row.usd.is_finite() && row.usd > 0.0) {
            problems.push(format!(
                "{file} line {line}: expected a finite price > 0, got {}",
                row.usd
            ));
        }
        if !row.day.is_finite() {
            problems.push(format!(
                "{file} line {line}: expected a finite day, got {}",
                row.day
            ));
            continue;
        }
        if row.day < 0.0 {
            problems.push(format!(
                "{file} line {line}: expected a day >= 0 (days count from the run's start), got {}",
                row.day
            ));
        }
        if let Some(&(before, _)) = points.last()
            && row.day.partial_cmp(&before) != Some(std::cmp::Ordering::Greater)
        {
            problems.push(format!(
                "{file} line {line}: expected days in increasing order, got {} after {before}",
                row.day
            ));
        }
        points.push((row.day, row.usd));
    }
    if points.is_empty() && problems.is_empty() {
        problems.push(format!("{file}: expected at least one point"));
    }
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("{file}: … and {more} more bad rows"));
    }
    if problems.is_empty() {
        Ok(points)
    } else {
        Err(problems)
    }
}

/// The message of an open error without csv's wrapping.
fn io_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

/// csv's messages carry their own position ("CSV deserialize error: record 2 (line: 3, …)");
/// the line is reported already.
fn strip_position(message: &str) -> String {
    match (message.find("record "), message.find("): ")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{}", &message[..start], &message[end + 3..])
        }
        _ => message.to_string(),
    }
}

/// Replace every price table `file` in `doc` by its points, relative to `base`. Returns the
/// problems as (field path, message); a file that fails is left in place (validation then
/// skips its table).
pub fn inline(doc: &mut Value, base: &Path) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if let Some(price) = doc.get_mut("network").and_then(|n| n.get_mut("tao_price")) {
        inline_one(price, base, "network.tao_price", &mut problems);
    }
    if let Some(Value::Sequence(changes)) = doc.get_mut("timeline") {
        for (i, change) in changes.iter_mut().enumerate() {
            if let Some(Value::Mapping(set)) = change.get_mut("set") {
                for (key, value) in set.iter_mut() {
                    if key.as_str() == Some("network.tao_price") {
                        inline_one(value, base, &format!("timeline[{i}].set"), &mut problems);
                    } else if key.as_str() == Some("network")
                        && let Some(price) = value.get_mut("tao_price")
                    {
                        let at = format!("timeline[{i}].set.network.tao_price");
                        inline_one(price, base, &at, &mut problems);
                    }
                }
            }
        }
    }
    problems
}

fn inline_one(price: &mut Value, base: &Path, at: &str, problems: &mut Vec<(String, String)>) {
    let Value::Mapping(map) = price else {
        return;
    };
    let Some(file) = map.get("file").and_then(Value::as_str).map(str::to_string) else {
        return;
    };
    if map.get("points").is_some() {
        problems.push((
            format!("{at}.file"),
            "expected either points or file, not both".into(),
        ));
        return;
    }
    match read_points(&base.join(&file)) {
        Ok(points) => {
            map.remove("file");
            let rows = points
                .into_iter()
                .map(|(day, usd)| {
                    let mut row = Mapping::new();
                    row.insert("day".into(), day.into());
                    row.insert("usd".into(), usd.into());
                    Value::Mapping(row)
                })
                .collect();
            map.insert("points".into(), Value::Sequence(rows));
        }
        Err(messages) => {
            problems.extend(messages.into_iter().map(|m| (format!("{at}.file"), m)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("subnetlab-price-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_points_and_ignores_other_columns() {
        let path = write(
            "ok.csv",
            "date, day ,usd\n2025-01-01,0,420.5\n2025-02-01,31,380\n",
        );
        assert_eq!(
            read_points(&path).unwrap(),
            vec![(0.0, 420.5), (31.0, 380.0)]
        );
    }

    /// Every bad row of a file, each with its line (an audit found only the first reported).
    #[test]
    fn every_bad_row_is_reported() {
        let text = "day,usd\n0,400\n1,abc\n2,-5\n1,300\n4,500\nx,1\n";
        let e = read_points(&write("many.csv", text)).unwrap_err();
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].contains("line 3") && e[0].contains("day,usd"), "{e:?}");
        assert!(
            e[1].contains("line 4: expected a finite price > 0"),
            "{e:?}"
        );
        assert!(
            e[2].contains("line 5: expected days in increasing order"),
            "{e:?}"
        );
        assert!(e[3].contains("line 7"), "{e:?}");
        let rows: String = (0..50).map(|d| format!("{d},-1\n")).collect();
        let e = read_points(&write("worse.csv", &format!("day,usd\n{rows}"))).unwrap_err();
        assert_eq!(e.len(), MAX_PROBLEMS + 1);
        assert!(e[MAX_PROBLEMS].contains("and 30 more bad rows"), "{e:?}");
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = read_points(&write("text.csv", "day,usd\n0,400\n1,abc\n"))
            .unwrap_err()
            .join("\n");
        assert!(e.contains("line 3") && e.contains("day,usd"), "{e}");
        let e = read_points(&write("order.csv", "day,usd\n5,400\n2,300\n"))
            .unwrap_err()
            .join("\n");
        assert!(
            e.contains("line 3: expected days in increasing order"),
            "{e}"
        );
        let e = read_points(&write("price.csv", "day,usd\n0,-1\n"))
            .unwrap_err()
            .join("\n");
        assert!(e.contains("line 2: expected a finite price > 0"), "{e}");
        let e = read_points(&write("empty.csv", "day,usd\n"))
            .unwrap_err()
            .join("\n");
        assert!(e.contains("at least one point"), "{e}");
        let e = read_points(Path::new("/nonexistent/prices.csv"))
            .unwrap_err()
            .join("\n");
        assert!(e.contains("cannot read /nonexistent/prices.csv"), "{e}");
    }

    #[test]
    fn inlines_the_network_path_and_timeline_sets() {
        let path = write("inline.csv", "day,usd\n0,100\n10,50\n");
        let base = path.parent().unwrap();
        let mut doc: Value = yaml_serde::from_str(
            "network: { tao_price: { path: table, file: inline.csv } }
timeline:
  - at: { day: 5 }
    set: { network.tao_price: { path: table, file: inline.csv } }
  - at: { day: 6 }
    set: { network.tao_price: { path: table, file: missing.csv } }",
        )
        .unwrap();
        let problems = inline(&mut doc, base);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "timeline[1].set.file");
        let points = &doc["network"]["tao_price"]["points"];
        assert_eq!(points[1]["usd"].as_f64(), Some(50.0));
        assert!(doc["network"]["tao_price"].get("file").is_none());
        let set = &doc["timeline"][0]["set"]["network.tao_price"];
        assert_eq!(set["points"][0]["day"].as_f64(), Some(0.0));
    }
}

//! The report: what a governance proposal links to.
//!
//! [`write_report`] writes one self-contained HTML file (inline CSS, charts as inline SVG, no
//! scripts, nothing fetched from the network, so it can be mailed, attached to a forum post or
//! opened offline years later) and a Markdown twin that references the PNG charts in a folder
//! next to it (for GitHub, wikis and pull requests). Both hold, per study: what was run, the
//! headline metrics with confidence intervals per arm, the paired differences from the first
//! arm when there are several, every chart, the command that reproduces the study and the
//! resolved scenario.
//!
//! Nothing time- or machine-dependent is written beyond what the study's own files say, so the
//! same folders give byte-identical reports.

use crate::charts::{self, Chart};
use crate::metrics::{self, describe};
use crate::stats::{self, SummaryOptions};
use crate::{AnalysisError, Study, columns};
use polars::prelude::DataFrame;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The files a report wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFiles {
    /// The HTML file.
    pub html: PathBuf,
    /// The Markdown file.
    pub md: PathBuf,
    /// Every chart, PNG and SVG, in the folder next to the Markdown file.
    pub charts: Vec<Chart>,
}

/// What one study contributes to the report.
struct Section {
    title: String,
    anchor: String,
    facts: Vec<(String, String)>,
    description: String,
    arms: Vec<(u32, String)>,
    /// metric → arm → (n, mean, ci_low, ci_high)
    summary: Vec<(String, Vec<Cell>)>,
    differences: Vec<Difference>,
    baseline: String,
    charts: Vec<(Chart, String, String)>,
    command: String,
    /// (heading, resolved scenario): the study's, or each arm's for a comparison.
    yamls: Vec<(String, String)>,
}

/// One row of the differences table.
struct Difference {
    metric: String,
    arm: String,
    n: u32,
    mean: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    n: u32,
    mean: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

/// Write the HTML report to `html_path` and its Markdown twin to `md_path`, with the charts
/// (PNG and SVG) in a folder next to the Markdown file ([`charts_folder`];
/// `<folder>/<k>-<name>/` per study when there are several). Parent folders are created.
///
/// One section per study, in order. An empty `studies` gives a report that says so.
pub fn write_report(
    studies: &[Study],
    html_path: &Path,
    md_path: &Path,
) -> Result<ReportFiles, AnalysisError> {
    write_report_with(studies, html_path, md_path, &SummaryOptions::default())
}

/// The charts folder of the report whose Markdown file is `md_path`: `charts` for `report.md`
/// (a result folder's own report), else `<stem>-charts`, so that a second report written into
/// a result folder never replaces that folder's charts.
pub fn charts_folder(md_path: &Path) -> String {
    match md_path.file_stem().and_then(|s| s.to_str()) {
        None | Some("report") => "charts".to_string(),
        Some(stem) => format!("{stem}-charts"),
    }
}

/// [`write_report`] with the interval method and level of `options` (e.g. bootstrap).
pub fn write_report_with(
    studies: &[Study],
    html_path: &Path,
    md_path: &Path,
    options: &SummaryOptions,
) -> Result<ReportFiles, AnalysisError> {
    let md_dir = md_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    for dir in [
        &md_dir,
        &html_path.parent().unwrap_or(Path::new(".")).to_path_buf(),
    ] {
        std::fs::create_dir_all(dir).map_err(AnalysisError::io(dir))?;
    }
    let mut sections = Vec::new();
    let mut all_charts = Vec::new();
    let folder = charts_folder(md_path);
    for (k, study) in studies.iter().enumerate() {
        let rel = if studies.len() == 1 {
            folder.clone()
        } else {
            format!("{folder}/{}-{}", k + 1, slug(&study.name()))
        };
        let section = section(study, k, &md_dir, &rel, options)?;
        all_charts.extend(section.charts.iter().map(|c| c.0.clone()));
        sections.push(section);
    }
    let title = match sections.as_slice() {
        [] => "subnetlab report".to_string(),
        [one] => format!("subnetlab report: {}", one.title),
        many => format!("subnetlab report: {} studies", many.len()),
    };
    let html = html(&title, &sections);
    std::fs::write(html_path, html).map_err(AnalysisError::io(html_path))?;
    let md = markdown(&title, &sections);
    std::fs::write(md_path, md).map_err(AnalysisError::io(md_path))?;
    Ok(ReportFiles {
        html: html_path.to_path_buf(),
        md: md_path.to_path_buf(),
        charts: all_charts,
    })
}

/// A name as a file or anchor part: lower-case ASCII letters, digits and `-`.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "study".to_string() } else { s }
}

/// The metrics the headline table shows: all fixed metrics, the adversary metrics, plus the
/// strategy shares of a role when that role has more than one strategy (with one, the strategy
/// share is the role share).
fn headline_metrics(per_run: &DataFrame) -> Vec<String> {
    let all = metrics::metric_columns(per_run);
    let strategy_cols: Vec<&String> = all
        .iter()
        .filter(|m| !metrics::METRICS.contains(&m.as_str()))
        .collect();
    let count = |role: &str| {
        strategy_cols
            .iter()
            .filter(|m| m.starts_with(&format!("share_{role}_")))
            .count()
    };
    all.iter()
        .filter(|m| {
            if metrics::METRICS.contains(&m.as_str()) || metrics::is_adversary_metric(m) {
                return true;
            }
            let role = m
                .strip_prefix("share_")
                .and_then(|r| r.split('_').next())
                .unwrap_or("");
            count(role) > 1
        })
        .cloned()
        .collect()
}

fn section(
    study: &Study,
    k: usize,
    md_dir: &Path,
    rel: &str,
    options: &SummaryOptions,
) -> Result<Section, AnalysisError> {
    let per_run = metrics::per_run(study)?;
    let metrics = headline_metrics(&per_run);
    let arms = study.arms()?;
    let summary_df = stats::summarize(&per_run, options)?;
    let t = "summary";
    let s_arm = columns::u32s(&summary_df, t, "arm")?;
    let s_metric = columns::strs(&summary_df, t, "metric")?;
    let s_n = columns::u32s(&summary_df, t, "n")?;
    let s_mean = columns::f64s(&summary_df, t, "mean")?;
    let s_low = columns::f64s(&summary_df, t, "ci_low")?;
    let s_high = columns::f64s(&summary_df, t, "ci_high")?;
    let summary = metrics
        .iter()
        .map(|m| {
            let cells = arms
                .iter()
                .map(|(a, _)| {
                    (0..summary_df.height())
                        .find(|&i| s_arm[i] == *a && &s_metric[i] == m)
                        .map_or_else(Cell::default, |i| Cell {
                            n: s_n[i],
                            mean: s_mean[i],
                            low: s_low[i],
                            high: s_high[i],
                        })
                })
                .collect();
            (m.clone(), cells)
        })
        .collect();

    let mut differences = Vec::new();
    let mut baseline = String::new();
    if let Some((base, base_name)) = arms.first()
        && arms.len() > 1
    {
        baseline = base_name.clone();
        let c = stats::compare(&per_run, *base, options)?;
        let t = "comparison";
        let names = columns::strs(&c, t, "arm_name")?;
        let metric = columns::strs(&c, t, "metric")?;
        let n = columns::u32s(&c, t, "n")?;
        let d = columns::f64s(&c, t, "mean_diff")?;
        let lo = columns::f64s(&c, t, "ci_low")?;
        let hi = columns::f64s(&c, t, "ci_high")?;
        for i in 0..c.height() {
            if metrics.contains(&metric[i]) {
                differences.push(Difference {
                    metric: metric[i].clone(),
                    arm: names[i].clone(),
                    n: n[i],
                    mean: d[i],
                    low: lo[i],
                    high: hi[i],
                });
            }
        }
    }

    let chart_dir = md_dir.join(rel);
    let charts = charts::render_all(study, &chart_dir)?
        .into_iter()
        .map(|c| {
            let svg = std::fs::read_to_string(&c.svg).map_err(AnalysisError::io(&c.svg))?;
            let png_rel = format!("{rel}/{}.png", c.name);
            Ok((c, svg, png_rel))
        })
        .collect::<Result<Vec<_>, AnalysisError>>()?;

    let loaded =
        subnetlab_sim::scenario::load_str("scenario.resolved.yaml", &study.scenario_yaml, &[]);
    // A folder written by another version may not load; the report still goes out, and says so.
    let scenario_problem = loaded.as_ref().err().map(|e| {
        format!("scenario.resolved.yaml does not load with this version of subnetlab: {e}")
    });
    let scenario = loaded.ok();
    let description = scenario
        .as_ref()
        .map(|s| s.description.trim().to_string())
        .unwrap_or_default();
    let mut facts = vec![
        ("folder".to_string(), study.dir.display().to_string()),
        ("scenario".to_string(), study.name()),
        (
            "seed".to_string(),
            study
                .seed()
                .map_or_else(|| "?".to_string(), |s| s.to_string()),
        ),
        (
            "runs".to_string(),
            format!(
                "{} ({} arm{})",
                study.run_count(),
                arms.len(),
                if arms.len() == 1 { "" } else { "s" }
            ),
        ),
    ];
    if let Some(s) = &scenario {
        facts.push((
            "duration".to_string(),
            format!(
                "{} blocks ({:.2} days)",
                s.duration_blocks(),
                s.duration_blocks() as f64 / subnetlab_sim::scenario::BLOCKS_PER_DAY as f64
            ),
        ));
        facts.push(("subnets".to_string(), s.subnets.len().to_string()));
    }
    if let Some(problem) = scenario_problem {
        facts.push(("warning".to_string(), problem));
    }
    let params = study.sweep_params();
    if !params.is_empty() {
        facts.push(("sweep parameters".to_string(), params.join(", ")));
    }
    if let Some(v) = study.version() {
        facts.push(("subnetlab version".to_string(), v));
    }
    if let Some(h) = study
        .run_json
        .get("scenario_sha256")
        .and_then(|v| v.as_str())
    {
        facts.push(("scenario SHA-256".to_string(), h.to_string()));
    }
    // A comparison shows every arm's scenario and is named after all of them.
    let arm_name = |n: u32| {
        arms.iter()
            .find(|(a, _)| *a == n)
            .map(|(_, name)| name.as_str())
    };
    let (title, yamls) = if study.arm_yamls.len() > 1 {
        let names: Vec<&str> = study
            .arm_yamls
            .iter()
            .filter_map(|(n, _)| arm_name(*n))
            .collect();
        let yamls = study
            .arm_yamls
            .iter()
            .map(|(n, yaml)| {
                let heading = match arm_name(*n) {
                    Some(name) => format!("Resolved scenario of arm {n}: {name}"),
                    None => format!("Resolved scenario of arm {n}"),
                };
                (heading, yaml.clone())
            })
            .collect();
        (names.join(" vs "), yamls)
    } else {
        let yamls = vec![("Resolved scenario".to_string(), study.scenario_yaml.clone())];
        (study.name(), yamls)
    };
    Ok(Section {
        anchor: format!("study-{}-{}", k + 1, slug(&title)),
        title,
        facts,
        description,
        arms,
        summary,
        differences,
        baseline,
        charts,
        command: reproduce(study),
        yamls,
    })
}

/// The command line that reproduces the study: run.json's `command` when the CLI recorded
/// one, else a `subnetlab run` of the resolved scenario with its seed.
fn reproduce(study: &Study) -> String {
    if let Some(cmd) = study.run_json.get("command").and_then(|v| v.as_str()) {
        return cmd.to_string();
    }
    let dir = study.dir.display().to_string();
    let file = shell_quote(&format!("{dir}/scenario.resolved.yaml"));
    let mut cmd = format!("subnetlab run {file}");
    if let Some(seed) = study.seed() {
        let _ = write!(cmd, " --seed {seed}");
    }
    let _ = write!(cmd, " --out {}", shell_quote(&format!("{dir}-again")));
    if study.run_count() > 1 {
        cmd.push_str(&format!(
            "\n# this study holds {} runs; its run.json does not record the command that made them,\n# so this reruns the resolved scenario once",
            study.run_count()
        ));
    }
    cmd
}

/// Quote for a POSIX shell when needed.
fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `x` with `digits` significant digits (at most 6 decimals), thousands separated.
fn sig(x: f64, digits: i32) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).clamp(0, 6) as usize;
    with_decimals(x, decimals)
}

fn decimals_for(x: f64, digits: i32) -> usize {
    if !x.is_finite() || x == 0.0 {
        return 0;
    }
    let magnitude = x.abs().log10().floor() as i32;
    (digits - 1 - magnitude).clamp(0, 6) as usize
}

fn with_decimals(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 && int.len() > 4 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// "mean ± half-width" (or just the mean for one run). Decimals: four significant digits of
/// the mean, more if the half-width needs them for two of its own; a half-width that is
/// floating-point noise next to the mean prints as 0.
fn cell_text(c: &Cell) -> String {
    let Some(mean) = c.mean else {
        return "–".to_string();
    };
    match (c.low, c.high) {
        (Some(lo), Some(hi)) => {
            let half = (hi - lo) / 2.0;
            let d = decimals_for(mean, 4);
            if half.abs() <= 1e-9 * mean.abs().max(1.0) {
                return format!("{} ± 0", with_decimals(mean, d));
            }
            let d = d.max(decimals_for(half, 2));
            format!("{} ± {}", with_decimals(mean, d), with_decimals(half, d))
        }
        _ => sig(mean, 4),
    }
}

fn diff_text(mean: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> (String, String) {
    let Some(m) = mean else {
        return ("–".to_string(), "–".to_string());
    };
    let d = decimals_for(m, 3).max(
        lo.zip(hi)
            .map_or(0, |(l, h)| decimals_for((h - l) / 2.0, 2)),
    );
    let sign = if m > 0.0 { "+" } else { "" };
    let ci = match (lo, hi) {
        (Some(l), Some(h)) => format!("[{}, {}]", with_decimals(l, d), with_decimals(h, d)),
        _ => "–".to_string(),
    };
    (format!("{sign}{}", with_decimals(m, d)), ci)
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
:root { color-scheme: light; }
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; margin: 0; background: #f6f6f4; color: #222; line-height: 1.45; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.4em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #4e79a7; padding-bottom: 4px; margin-top: 2em; }
h3 { font-size: 1.1em; margin-top: 1.6em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; font-size: 0.92em; }
dl.facts dt { color: #666; }
dl.facts dd { margin: 0; font-family: 'DejaVu Sans Mono', monospace; word-break: break-all; }
table { border-collapse: collapse; font-size: 0.9em; margin: 8px 0 4px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; vertical-align: top; }
th { background: #f0f0ee; }
td.metric, th.metric { text-align: left; font-family: 'DejaVu Sans Mono', monospace; }
td.what { text-align: left; color: #555; max-width: 360px; }
div.wide { overflow-x: auto; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 20px 0 28px; }
figure svg { width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { font-size: 0.88em; color: #555; margin-top: 4px; }
pre { background: #f4f4f2; border: 1px solid #e2e2e0; padding: 10px 12px; overflow-x: auto; font-size: 0.85em; }
p.note { font-size: 0.88em; color: #555; }
nav ul { padding-left: 20px; }
footer { margin-top: 40px; font-size: 0.8em; color: #888; }
";

fn html(title: &str, sections: &[Section]) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    );
    let _ = writeln!(
        h,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    );
    let _ = writeln!(
        h,
        "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>",
        esc(title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(title));
    if sections.is_empty() {
        let _ = writeln!(h, "<p>No studies were given.</p>");
    }
    if sections.len() > 1 {
        let _ = writeln!(h, "<nav><ul>");
        for s in sections {
            let _ = writeln!(
                h,
                "<li><a href=\"#{}\">{}</a></li>",
                s.anchor,
                esc(&s.title)
            );
        }
        let _ = writeln!(h, "</ul></nav>");
    }
    for s in sections {
        let _ = writeln!(h, "<section id=\"{}\">", s.anchor);
        let _ = writeln!(h, "<h2>Study: {}</h2>", esc(&s.title));
        if !s.description.is_empty() {
            let _ = writeln!(
                h,
                "<p><i>Scenario description:</i> {}</p>",
                esc(&s.description)
            );
        }
        let _ = writeln!(h, "<dl class=\"facts\">");
        for (k, v) in &s.facts {
            let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
        }
        let _ = writeln!(h, "</dl>");

        let _ = writeln!(h, "<h3>Headline metrics</h3>");
        let _ = writeln!(
            h,
            "<p class=\"note\">Mean over runs ± half-width of the 95 % Student-t confidence interval of the mean (the mean alone for a single run); n = runs.</p>"
        );
        let _ = writeln!(
            h,
            "<div class=\"wide\"><table class=\"headline\">\n<thead><tr><th class=\"metric\">metric</th><th class=\"metric\">meaning</th>"
        );
        for (k, (_, name)) in s.arms.iter().enumerate() {
            let n = s.summary.first().map_or(0, |(_, cells)| cells[k].n);
            let _ = write!(
                h,
                "<th>{} <span class=\"n\">(n = {n})</span></th>",
                esc(name)
            );
        }
        let _ = writeln!(h, "</tr></thead>\n<tbody>");
        for (metric, cells) in &s.summary {
            let _ = write!(
                h,
                "<tr><td class=\"metric\">{}</td><td class=\"what\">{}</td>",
                esc(metric),
                esc(&describe(metric))
            );
            for c in cells {
                let _ = write!(h, "<td class=\"num\">{}</td>", esc(&cell_text(c)));
            }
            let _ = writeln!(h, "</tr>");
        }
        let _ = writeln!(h, "</tbody>\n</table>\n</div>");

        if !s.differences.is_empty() {
            let _ = writeln!(h, "<h3>Differences from {}</h3>", esc(&s.baseline));
            let _ = writeln!(
                h,
                "<p class=\"note\">Arm minus baseline over runs with the same run index (common random numbers): mean difference and its 95 % t interval; n = pairs.</p>"
            );
            let _ = writeln!(
                h,
                "<table class=\"differences\">\n<thead><tr><th class=\"metric\">metric</th><th class=\"metric\">arm</th><th>difference</th><th>95 % CI</th><th>n</th></tr></thead>\n<tbody>"
            );
            for d in &s.differences {
                let (dt, ci) = diff_text(d.mean, d.low, d.high);
                let (metric, arm, n) = (&d.metric, &d.arm, d.n);
                let _ = writeln!(
                    h,
                    "<tr><td class=\"metric\">{}</td><td class=\"metric\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{n}</td></tr>",
                    esc(metric),
                    esc(arm),
                    esc(&dt),
                    esc(&ci)
                );
            }
            let _ = writeln!(h, "</tbody>\n</table>");
        }

        let _ = writeln!(h, "<h3>Charts</h3>");
        if s.charts.is_empty() {
            let _ = writeln!(h, "<p>No chart has data in this study.</p>");
        }
        for (chart, svg, _) in &s.charts {
            let _ = writeln!(h, "<figure id=\"{}-{}\">", s.anchor, chart.name);
            h.push_str(strip_xml_prolog(svg));
            let _ = writeln!(
                h,
                "\n<figcaption><b>{}.</b> {}</figcaption>\n</figure>",
                esc(&chart.title),
                esc(&chart.caption)
            );
        }

        let _ = writeln!(
            h,
            "<h3>Reproduce this</h3>\n<pre><code>{}</code></pre>",
            esc(&s.command)
        );
        for (heading, yaml) in &s.yamls {
            let _ = writeln!(
                h,
                "<h3>{}</h3>\n<pre><code>{}</code></pre>",
                esc(heading),
                esc(yaml)
            );
        }
        let _ = writeln!(h, "</section>");
    }
    let _ = writeln!(
        h,
        "<footer>Written by subnetlab-analysis {}. Self-contained: no scripts, no network.</footer>\n</main>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    h
}

/// An SVG document without any `<?xml …?>` prolog, for inlining.
fn strip_xml_prolog(svg: &str) -> &str {
    let s = svg.trim_start();
    if s.starts_with("<?xml")
        && let Some(end) = s.find("?>")
    {
        return s[end + 2..].trim_start();
    }
    s
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(title: &str, sections: &[Section]) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# {title}\n");
    if sections.is_empty() {
        let _ = writeln!(m, "No studies were given.");
    }
    for s in sections {
        let _ = writeln!(m, "## Study: {}\n", s.title);
        if !s.description.is_empty() {
            let _ = writeln!(m, "*Scenario description:* {}\n", s.description);
        }
        for (k, v) in &s.facts {
            let _ = writeln!(m, "- **{k}**: `{}`", v.replace('`', "'"));
        }
        let _ = writeln!(m, "\n### Headline metrics\n");
        let _ = writeln!(
            m,
            "Mean over runs ± half-width of the 95 % Student-t confidence interval of the mean (the mean alone for a single run); n = runs.\n"
        );
        let _ = write!(m, "| metric | meaning |");
        for (k, (_, name)) in s.arms.iter().enumerate() {
            let n = s.summary.first().map_or(0, |(_, cells)| cells[k].n);
            let _ = write!(m, " {} (n = {n}) |", md_cell(name));
        }
        let _ = write!(m, "\n|---|---|");
        for _ in &s.arms {
            let _ = write!(m, "---:|");
        }
        let _ = writeln!(m);
        for (metric, cells) in &s.summary {
            let _ = write!(m, "| `{metric}` | {} |", md_cell(&describe(metric)));
            for c in cells {
                let _ = write!(m, " {} |", cell_text(c));
            }
            let _ = writeln!(m);
        }
        if !s.differences.is_empty() {
            let _ = writeln!(m, "\n### Differences from {}\n", s.baseline);
            let _ = writeln!(
                m,
                "Arm minus baseline over runs with the same run index (common random numbers): mean difference and its 95 % t interval; n = pairs.\n"
            );
            let _ = writeln!(
                m,
                "| metric | arm | difference | 95 % CI | n |\n|---|---|---:|---:|---:|"
            );
            for d in &s.differences {
                let (dt, ci) = diff_text(d.mean, d.low, d.high);
                let (metric, arm, n) = (&d.metric, &d.arm, d.n);
                let _ = writeln!(m, "| `{metric}` | {} | {dt} | {ci} | {n} |", md_cell(arm));
            }
        }
        let _ = writeln!(m, "\n### Charts\n");
        if s.charts.is_empty() {
            let _ = writeln!(m, "No chart has data in this study.\n");
        }
        for (chart, _, png) in &s.charts {
            let _ = writeln!(m, "![{}]({png})\n\n*{}*\n", chart.title, chart.caption);
        }
        let _ = writeln!(m, "### Reproduce this\n\n```sh\n{}\n```\n", s.command);
        for (heading, yaml) in &s.yamls {
            let _ = writeln!(m, "### {heading}\n\n```yaml\n{}\n```\n", yaml.trim_end());
        }
    }
    let _ = writeln!(
        m,
        "---\nWritten by subnetlab-analysis {}.",
        env!("CARGO_PKG_VERSION")
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(sig(0.410_234, 4), "0.4102");
        assert_eq!(sig(10_392_000.0, 4), "10,392,000");
        assert_eq!(sig(1234.5, 4), "1234");
        assert_eq!(sig(-0.000_012_34, 3), "-0.000012");
        assert_eq!(sig(f64::NAN, 3), "–");
        let c = Cell {
            n: 3,
            mean: Some(0.41),
            low: Some(0.40),
            high: Some(0.42),
        };
        assert_eq!(cell_text(&c), "0.4100 ± 0.0100");
        let noise = Cell {
            n: 3,
            mean: Some(0.410_002),
            low: Some(0.410_002 - 1e-12),
            high: Some(0.410_002 + 1e-12),
        };
        assert_eq!(cell_text(&noise), "0.4100 ± 0");
        assert_eq!(diff_text(Some(0.5), Some(0.25), Some(0.75)).0, "+0.500");
    }

    #[test]
    fn html_is_escaped_and_commands_quoted() {
        assert_eq!(esc("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
        assert_eq!(shell_quote("out/default"), "out/default");
        assert_eq!(shell_quote("my dir/x"), "'my dir/x'");
        assert_eq!(slug("Two Subnets!"), "two-subnets");
        assert_eq!(
            strip_xml_prolog("<?xml version=\"1.0\"?>\n<svg/>"),
            "<svg/>"
        );
    }
}

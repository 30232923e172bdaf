//! `subnetlab report RUN_DIR...`: one self-contained HTML report (and a Markdown twin with PNG
//! charts) for one or more result folders.

use anyhow::Context;
use std::path::PathBuf;
use subnetlab_analysis::Study;

/// Arguments of `subnetlab report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Result folders written by `run`, `compare` or `merge`.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The HTML file (default: `report.html` in the folder, or `out/report.html` for several);
    /// the Markdown twin goes next to it with the extension `.md`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Percentile-bootstrap confidence intervals with this many resamples (default: Student t).
    #[arg(long, value_name = "RESAMPLES", value_parser = crate::args::resamples)]
    pub bootstrap: Option<usize>,
    /// Replace an existing report (the HTML file, its Markdown twin and its charts).
    #[arg(long)]
    pub force: bool,
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let studies = args
        .dirs
        .iter()
        .map(|d| {
            Study::load(d).with_context(|| format!("reading the result folder {}", d.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let html = args
        .out
        .clone()
        .unwrap_or_else(|| match args.dirs.as_slice() {
            [one] => one.join("report.html"),
            _ => PathBuf::from("out").join("report.html"),
        });
    // The report, its Markdown twin and its charts go where the HTML file names; a path that
    // is not an `.html` file (a table, run.json) would be overwritten by HTML.
    if html.extension().and_then(|e| e.to_str()) != Some("html") || html.is_dir() {
        anyhow::bail!(
            "--out {} must name an .html file (the Markdown twin and its charts go next to it)",
            html.display()
        );
    }
    let md = html.with_extension("md");
    let charts = html.with_file_name(subnetlab_analysis::report::charts_folder(&md));
    if let Some(existing) = [&html, &md].into_iter().find(|p| p.exists()) {
        if !args.force {
            anyhow::bail!(
                "{} already exists; pass --force to replace the report (and {}), or --out to write elsewhere",
                existing.display(),
                charts.display()
            );
        }
        // A replaced report's charts go with it: a chart no longer drawn must not linger.
        if charts.is_dir() {
            std::fs::remove_dir_all(&charts)
                .with_context(|| format!("removing the old charts in {}", charts.display()))?;
        }
    }
    let seed = studies.first().and_then(|s| s.seed()).unwrap_or(0);
    let options = crate::study::stats_options(args.bootstrap, seed);
    let files = subnetlab_analysis::report::write_report_with(&studies, &html, &md, &options)?;
    say!(
        "Wrote {} and {} ({} charts)",
        files.html.display(),
        files.md.display(),
        files.charts.len()
    );
    Ok(())
}

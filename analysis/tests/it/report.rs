//! The report, opened in a real browser.

use std::path::Path;
use std::process::Command;
use subnetlab_analysis::{Study, report};

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|bin| {
        Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn headless(bin: &str, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn the_report_renders_in_headless_chromium() {
    let dir = crate::temp_dir("report");
    let study_dir = dir.join("study");
    crate::replicates(&study_dir, 2.0);
    let study = Study::load(&study_dir).unwrap();
    let html = study_dir.join("report.html");
    let md = study_dir.join("report.md");
    let files = report::write_report(std::slice::from_ref(&study), &html, &md).unwrap();
    assert!(files.charts.len() >= 4);

    // Same input, same bytes.
    let first = std::fs::read(&html).unwrap();
    let first_md = std::fs::read(&md).unwrap();
    report::write_report(&[study], &html, &md).unwrap();
    assert_eq!(
        first,
        std::fs::read(&html).unwrap(),
        "the HTML report is deterministic"
    );
    assert_eq!(
        first_md,
        std::fs::read(&md).unwrap(),
        "the Markdown report is deterministic"
    );

    let text = String::from_utf8(first).unwrap();
    assert!(!text.contains("<script"), "no scripts");
    // Nothing fetched: no external sources, links, imports or CSS urls (the SVG namespace
    // `xmlns="http://www.w3.org/2000/svg"` is a name, not a fetch).
    for fetch in ["src=", "href=\"http", "@import", "url("] {
        assert!(!text.contains(fetch), "the report references `{fetch}`");
    }
    let md_text = std::fs::read_to_string(&md).unwrap();
    assert!(md_text.contains("![TAO supply and block emission](charts/supply.png)"));
    assert!(md_text.contains("subnetlab run"));
    assert!(study_dir.join("charts/supply.png").is_file());

    let Some(bin) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "chromium is not on PATH and CI is set: install it (apt-get install -y chromium)"
            );
        }
        eprintln!("\n*** SKIPPED the browser part of the report test: chromium is not on PATH ***");
        eprintln!("*** install it with `apt-get update && apt-get install -y chromium`   ***\n");
        return;
    };
    let url = format!("file://{}", html.canonicalize().unwrap().display());
    let dom = headless(bin, &dir.join("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<title>subnetlab report: default</title>"),
        "title"
    );
    assert!(dom.contains("<table class=\"headline\">"), "headline table");
    assert!(dom.contains("stake_gini"), "metrics in the table");
    assert!(
        dom.matches("<svg").count() >= 4,
        "at least four inline SVG charts"
    );

    let shot = dir.join("screenshot.png");
    let out = headless(bin, &dir.join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2400")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    // A blank page compresses to a few KB; text, tables and charts do not.
    assert!(png.len() > 50_000, "screenshot is only {} bytes", png.len());
}

//! Charts: written, non-trivial, deterministic; sweep charts for sweep studies.

use subnetlab_analysis::{ParamValue, Study, charts};

#[test]
fn sweep_studies_get_line_and_heatmap_charts() {
    let dir = crate::temp_dir("sweep");
    let mut runs = Vec::new();
    let mut arm = 0;
    for kappa in [16384.0, 32767.0] {
        for penalty in [0.0, 65535.0] {
            let s = crate::small_default(
                0.3,
                &[
                    &format!("subnets[0].hyperparameters.kappa={kappa}"),
                    &format!("subnets[0].hyperparameters.bonds_penalty={penalty}"),
                ],
            );
            for run in 0..2 {
                runs.push((
                    crate::run(&s, arm, run),
                    format!("kappa {kappa} penalty {penalty}"),
                    vec![
                        (
                            "subnets[0].hyperparameters.kappa".to_string(),
                            ParamValue::Number(kappa),
                        ),
                        (
                            "subnets[0].hyperparameters.bonds_penalty".to_string(),
                            ParamValue::Number(penalty),
                        ),
                    ],
                ));
            }
            arm += 1;
        }
    }
    let s = crate::small_default(0.3, &[]);
    crate::write_study(&dir, &s, &runs);
    let study = Study::load(&dir).unwrap();
    assert_eq!(study.sweep_params().len(), 2);
    let out = dir.join("charts");
    let charts = charts::render_all(&study, &out).unwrap();
    let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    for want in [
        "supply",
        "role_shares",
        "validator_dividends",
        "lorenz",
        "concentration",
        "miner_quality",
        "sweep_line_emission_gini",
        "sweep_heatmap_emission_gini",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    for c in &charts {
        assert!(
            std::fs::metadata(&c.png).unwrap().len() > 10_000,
            "{}",
            c.name
        );
        assert!(std::fs::read_to_string(&c.svg).unwrap().contains("<svg"));
        assert!(c.caption.contains("seed 42"), "{}", c.caption);
    }
}

#[test]
fn charts_are_byte_identical_across_renders() {
    let dir = crate::temp_dir("determinism");
    crate::replicates(&dir, 0.5);
    let study = Study::load(&dir).unwrap();
    let a = charts::render_all(&study, &dir.join("a")).unwrap();
    let b = charts::render_all(&study, &dir.join("b")).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            std::fs::read(&x.png).unwrap(),
            std::fs::read(&y.png).unwrap(),
            "{}",
            x.name
        );
        assert_eq!(
            std::fs::read(&x.svg).unwrap(),
            std::fs::read(&y.svg).unwrap(),
            "{}",
            x.name
        );
    }
}

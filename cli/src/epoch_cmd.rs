//! `subnetlab epoch FILE`: run epochs on an explicit metagraph (JSON or YAML, chain units) and
//! print the outputs as JSON on stdout: fractions in `"numeric": "f64"`, the chain's u16 and
//! rao values in `"numeric": "chain"`.

use anyhow::Context;
use std::path::Path;
use subnetlab_sim::replay::{MetagraphFile, replay};

pub fn epoch(file: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    // JSON is YAML, so one parser reads both and reports line and column (of the file as
    // written: a top-level `"_comment"` is a field of the format, not stripped beforehand).
    let input: MetagraphFile = yaml_serde::from_str(&text).map_err(|e| {
        // The reader reports a repeated field without a place; find where it stands.
        match subnetlab_sim::scenario::duplicate_key(&text) {
            Some((line, column, key)) if e.to_string().contains("duplicate") => anyhow::anyhow!(
                "{}:{line}:{column}: `{key}` is given twice; expected each field once",
                file.display()
            ),
            _ => anyhow::anyhow!("{}: {e}", file.display()),
        }
    })?;
    let reports = replay(&input).with_context(|| format!("replaying {}", file.display()))?;
    say!("{}", serde_json::to_string_pretty(&reports)?);
    Ok(())
}

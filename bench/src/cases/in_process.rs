//! Measured in this process: rendering a plan against planning it, and the two ways of
//! planning a streamed export.

use crate::{label, mib, PolicySet};
use auditform::files::policy_dir::load_dir;
use auditform::plan::document::Layout;
use auditform::plan::Planner;
use auditform::render::{render_json, render_markdown, render_text, TextOptions};
use auditform::state::snapshot::SnapshotFile;
use auditform::state::ReadOptions;
use auditform_bench::measure::median;
use std::path::PathBuf;
use std::time::Instant;

fn policies_dir() -> PathBuf {
    PolicySet::bench().dir
}

/// Rendering against planning, in this process: the plan is built once per run and rendered to
/// memory, so that neither includes a terminal or a disk.
pub fn render_table(tenants: &[(usize, PathBuf)], runs: usize) -> Result<(), String> {
    let loaded = load_dir(&policies_dir()).map_err(|e| e.to_string())?;
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    println!("### rendering vs planning, in process (medians of {runs} runs)\n");
    println!("| mailboxes | changes | plan s | text s | text / plan | json s | json / plan | markdown s | markdown / plan | text MiB | json MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (size, path) in tenants {
        let (mut plan_s, mut text_s, mut ratios) = (vec![], vec![], vec![]);
        let (mut json_s, mut json_ratios, mut markdown_s, mut markdown_ratios) =
            (vec![], vec![], vec![], vec![]);
        let (mut changes, mut text_bytes, mut json_bytes) = (0, 0, 0);
        for _ in 0..runs {
            let started = Instant::now();
            let source = SnapshotFile::new(path);
            let mut planner = Planner::new(&loaded.policies, &source.describe());
            source
                .read_split(&mut planner, &options)
                .map_err(|e| e.to_string())?;
            let plan = planner.finish().map_err(|e| e.to_string())?;
            let planned = started.elapsed().as_secs_f64();
            changes = plan.to_change();
            let mut out = Vec::new();
            let started = Instant::now();
            render_text(
                &plan,
                &TextOptions {
                    color: false,
                    expand: false,
                },
                &mut out,
            )
            .map_err(|e| e.to_string())?;
            let rendered = started.elapsed().as_secs_f64();
            text_bytes = out.len();
            plan_s.push(planned);
            text_s.push(rendered);
            ratios.push(rendered / planned);

            let mut out = Vec::new();
            let started = Instant::now();
            render_json(&plan, Layout::Compact, &mut out).map_err(|e| e.to_string())?;
            let rendered = started.elapsed().as_secs_f64();
            json_bytes = out.len();
            json_s.push(rendered);
            json_ratios.push(rendered / planned);

            let mut out = Vec::new();
            let started = Instant::now();
            render_markdown(&plan, &mut out).map_err(|e| e.to_string())?;
            let rendered = started.elapsed().as_secs_f64();
            markdown_s.push(rendered);
            markdown_ratios.push(rendered / planned);
        }
        println!(
            "| {} | {} | {:.3} | {:.4} | {:.3} | {:.4} | {:.3} | {:.4} | {:.3} | {:.2} | {:.0} |",
            label(*size),
            changes,
            median(&mut plan_s),
            median(&mut text_s),
            median(&mut ratios),
            median(&mut json_s),
            median(&mut json_ratios),
            median(&mut markdown_s),
            median(&mut markdown_ratios),
            mib(text_bytes as u64),
            mib(json_bytes as u64),
        );
    }
    println!();
    Ok(())
}

/// The two ways of planning a streamed export, side by side in this process: workers parse and
/// send mailboxes to one planner (`SnapshotFile::read`), or workers plan their blocks with
/// planner parts merged in order (`SnapshotFile::read_split`, what `plan` uses).
pub fn split_table(tenants: &[(usize, PathBuf)], runs: usize) -> Result<(), String> {
    let loaded = load_dir(&policies_dir()).map_err(|e| e.to_string())?;
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    println!("### one planner fed by parsing workers vs planner parts on every worker (medians of {runs} runs)\n");
    println!("| mailboxes | one planner s | planner parts s | parts / one |");
    println!("|---|---|---|---|");
    for (size, path) in tenants {
        let (mut one, mut parts, mut ratios) = (vec![], vec![], vec![]);
        for _ in 0..runs {
            let source = SnapshotFile::new(path);
            let started = Instant::now();
            let mut planner = Planner::new(&loaded.policies, &source.describe());
            source
                .read(&mut planner, &options)
                .map_err(|e| e.to_string())?;
            let single = planner.finish().map_err(|e| e.to_string())?;
            let one_s = started.elapsed().as_secs_f64();
            drop(single);
            let started = Instant::now();
            let mut planner = Planner::new(&loaded.policies, &source.describe());
            source
                .read_split(&mut planner, &options)
                .map_err(|e| e.to_string())?;
            let split = planner.finish().map_err(|e| e.to_string())?;
            let parts_s = started.elapsed().as_secs_f64();
            drop(split);
            one.push(one_s);
            parts.push(parts_s);
            ratios.push(parts_s / one_s);
        }
        println!(
            "| {} | {:.3} | {:.3} | {:.2} |",
            label(*size),
            median(&mut one),
            median(&mut parts),
            median(&mut ratios),
        );
    }
    println!();
    Ok(())
}

//! The JSON plan document read back into a plan, without a digest to get past: any bytes that
//! deserialize as a document, turned into a plan or refused; a plan that is accepted writes and
//! reads back as the same plan, and renders as text, markdown and PowerShell without a panic.
#![no_main]

use auditform::plan::document::PlanDocument;
use auditform::plan::planfile::{decode, encode, PlanFileInfo};
use auditform::render::markdown::render_markdown;
use auditform::render::powershell::render_powershell;
use auditform::render::text::render_text;
use auditform::render::TextOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(document) = serde_json::from_slice::<PlanDocument>(data) else {
        return;
    };
    let Ok(plan) = document.into_plan() else {
        return;
    };
    let mut written = Vec::new();
    encode(&plan, PlanFileInfo::new(None), &mut written).expect("writes to memory");
    let saved =
        decode(&written).unwrap_or_else(|error| panic!("a plan read back is refused: {error}"));
    assert_eq!(saved.plan, plan, "the plan changed on its way back");
    for (color, expand) in [(false, false), (true, true)] {
        let mut out = Vec::new();
        render_text(&plan, &TextOptions { color, expand }, &mut out).expect("writes to memory");
    }
    render_markdown(&plan, &mut Vec::new()).expect("writes to memory");
    let _ = render_powershell(&plan, "plan.json");
    let _ = plan.weakening_count();
    let _ = plan.to_change();
});

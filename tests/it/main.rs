//! The integration tests, as one binary: each module is a former test file, and `support` holds
//! what they share. One binary links once, which keeps the suite fast to build.

mod support;

mod apply_properties;
mod architecture;
mod ci_examples;
mod cli_annotations;
mod cli_apply;
mod cli_apply_plan_file;
mod cli_catalog;
mod cli_explain;
mod cli_import;
mod cli_injection;
mod cli_injection_formats;
mod cli_plan;
mod cli_plan_file;
mod cli_plan_junit;
mod cli_schema;
mod cli_script;
mod cli_test;
mod declared_actions;
mod docs;
mod explain_agrees;
mod import_properties;
mod install_script;
mod live_apply;
mod live_device_code;
mod live_errors;
mod live_github_oidc;
mod live_headers;
mod live_hostile;
mod live_many;
mod live_next_link;
mod live_plan;
mod live_secrets;
mod live_trace;
mod plan_format_doc;
mod plan_properties;
mod policy_encodings;
mod release_links;
mod service_facts;
mod snapshot_round_trip;
mod state_encodings;
mod windows_output;

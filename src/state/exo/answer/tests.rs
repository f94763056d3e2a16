use super::*;
use serde_json::json;

/// A cmdlet's error as the endpoint writes it (the shape of a Remove-Mailbox failure quoted in
/// public code): the text in `details`, the generic exception inside.
fn cmdlet_error(exception: &str, text: &str) -> Vec<u8> {
    json!({"error": {
        "code": "BadRequest",
        "message": "Error executing cmdlet",
        "details": [{"code": "Client", "target": "", "message": format!("Ex6F9304|{exception}|{text}")}],
        "innererror": {
            "message": "Error executing cmdlet",
            "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
            "internalexception": {
                "message": "Exception of type 'Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException' was thrown.",
                "type": "Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException"
            }
        }
    }, "adminapi.warnings@odata.type": "#Collection(String)", "@adminapi.warnings": []})
    .to_string()
    .into_bytes()
}

#[test]
fn a_cmdlets_error_is_read_from_details_not_from_the_generic_inner_exception() {
    let body = cmdlet_error(
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
        "The operation couldn't be performed because object 'x' couldn't be found.",
    );
    assert_eq!(
        classify(404, None, &body, "r1"),
        Failure::Permanent {
            status: 404,
            message: "The operation couldn't be performed because object 'x' couldn't be found."
                .into(),
            request_id: "r1".into(),
        }
    );
}

#[test]
fn already_being_audited_is_recognised_from_details() {
    let body = cmdlet_error(
        "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
        "The input operation(s) is/are already being audited",
    );
    let failure = classify(400, None, &body, "r");
    assert!(is_already_audited(failure.message()), "{failure:?}");
}

#[test]
fn details_may_come_without_an_exception_id_or_in_another_form() {
    assert_eq!(
        cmdlet_error_text("|System.ArgumentException|SentTo predicate does not allow groups."),
        "SentTo predicate does not allow groups."
    );
    assert_eq!(
        cmdlet_error_text("plain words | with a bar"),
        "plain words | with a bar"
    );
}

#[test]
fn a_binding_error_is_read_from_the_inner_exception_then_the_outer_messages() {
    let binding = json!({"error": {"code": "BadRequest", "message": "Error executing cmdlet",
        "innererror": {"message": "outer", "internalexception": {"message": "A parameter cannot be found that matches parameter name 'X'."}}}});
    assert_eq!(
        service_text(binding.to_string().as_bytes()).unwrap(),
        "A parameter cannot be found that matches parameter name 'X'."
    );
    let inner_only = json!({"error": {"message": "outer", "innererror": {"message": "inner"}}});
    assert_eq!(
        service_text(inner_only.to_string().as_bytes()).unwrap(),
        "inner"
    );
    let outer_only =
        json!({"error": {"code": "Unauthorized", "message": "The access token is missing."}});
    assert_eq!(
        service_text(outer_only.to_string().as_bytes()).unwrap(),
        "The access token is missing."
    );
}

#[test]
fn a_plain_text_concurrency_answer_is_throttling_whatever_its_status() {
    let text = b"You have reached the maximum number of concurrent requests per tenant. Please wait and try again.";
    for status in [400, 403, 500] {
        let failure = classify(status, None, text, "r");
        assert!(
            matches!(failure, Failure::Transient { .. }),
            "{status}: {failure:?}"
        );
        assert!(
            failure.message().contains("Please wait and try again"),
            "{failure:?}"
        );
    }
}

#[test]
fn a_body_that_is_not_json_is_read_as_one_line_of_text() {
    let failure = classify(
        400,
        None,
        b"Bad request:\r\n\x1b[31mno such\ttenant\x1b[0m\n",
        "r",
    );
    assert_eq!(failure.message(), "Bad request: [31mno such tenant [0m");
    assert_eq!(
        classify(400, None, b"", "r").message(),
        "HTTP 400 without an error message"
    );
}

#[test]
fn throttling_server_errors_and_known_transient_codes_are_transient() {
    for status in [408, 429, 500, 502, 503, 504] {
        assert!(
            matches!(classify(status, None, b"", "r"), Failure::Transient { .. }),
            "{status}"
        );
    }
    let busy = cmdlet_error(
        "Microsoft.Exchange.Data.Storage.ServerBusyException",
        "busy",
    );
    assert!(matches!(
        classify(400, None, &busy, "r"),
        Failure::Transient { .. }
    ));
}

#[test]
fn an_expired_token_is_told_apart_from_a_refusal() {
    let body = json!({"error": {"code": "Unauthorized", "message": "The access token is missing, expired or invalid."}});
    assert_eq!(
        classify(401, None, body.to_string().as_bytes(), "r9"),
        Failure::Unauthorized {
            message: "The access token is missing, expired or invalid.".into(),
            request_id: "r9".into()
        }
    );
}

#[test]
fn every_failure_quotes_its_request_id() {
    let failure = classify(400, None, b"nope", "0f1e2d3c");
    assert_eq!(failure.describe(), "nope (client-request-id 0f1e2d3c)");
}

#[test]
fn warnings_and_errors_of_a_successful_answer_are_read_as_text() {
    let body = json!({
        "value": [],
        "@adminapi.warnings": ["The command completed successfully but no settings of 'x' have been modified.", null],
        "@adminapi.errors": [
            "Ex1|Microsoft.Exchange.Management.Tasks.RecipientTaskException|Couldn't write.",
            {"message": "second\nerror"}
        ]
    });
    let annotations = Annotations::of(&body);
    assert_eq!(
        annotations.warnings,
        ["The command completed successfully but no settings of 'x' have been modified."]
    );
    assert_eq!(annotations.errors, ["Couldn't write.", "second error"]);
    assert_eq!(
        Annotations::of(&json!({"value": []})),
        Annotations::default()
    );
}

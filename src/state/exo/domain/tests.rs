use super::*;

fn domain(endpoint: &str) -> ServiceDomain {
    ServiceDomain::of(&Url::parse(endpoint).unwrap())
}

fn admits(endpoint: &str, link: &str) -> bool {
    domain(endpoint).admits(&Url::parse(link).unwrap()).is_ok()
}

#[test]
fn another_host_of_the_service_domain_is_admitted() {
    let endpoint = "https://outlook.office365.com";
    for link in [
        "https://outlook.office365.com/adminapi/beta/t/InvokeCommand?$skiptoken=1",
        "https://nam12b.outlook.office365.com/adminapi/beta/t/InvokeCommand",
        "https://office365.com/x",
        "https://OUTLOOK.Office365.com./x",
        "https://outlook.office365.com:443/x",
    ] {
        assert!(admits(endpoint, link), "{link}");
    }
    assert!(admits(
        "https://outlook.office365.us",
        "https://gcc1.outlook.office365.us/x"
    ));
    assert!(admits(
        "https://partner.outlook.cn",
        "https://cn1.outlook.cn/x"
    ));
}

#[test]
fn hosts_outside_the_domain_or_that_only_look_alike_are_refused() {
    let endpoint = "https://outlook.office365.com";
    for link in [
        "https://evil.com/x",
        "https://office365.com.evil.com/x",
        "https://evil-office365.com/x",
        "https://xoffice365.com/x",
        "http://outlook.office365.com/x",
        "https://outlook.office365.com:8443/x",
        "https://user@outlook.office365.com/x",
        "https://outlook.office365.us/x",
    ] {
        assert!(!admits(endpoint, link), "{link}");
    }
}

#[test]
fn the_refusal_names_the_host_and_the_domain() {
    let refusal = domain("https://outlook.office365.com")
        .admits(&Url::parse("https://office365.com.evil.com/next").unwrap())
        .unwrap_err();
    assert_eq!(
        refusal,
        "office365.com.evil.com is outside the service's domain office365.com"
    );
}

#[test]
fn an_address_or_a_single_label_host_admits_only_itself() {
    assert!(admits("http://127.0.0.1:8080", "http://127.0.0.1:8080/x"));
    assert!(!admits("http://127.0.0.1:8080", "http://127.0.0.2:8080/x"));
    assert!(!admits("http://127.0.0.1:8080", "http://127.0.0.1:9090/x"));
    assert!(!admits(
        "http://localhost:8080",
        "http://evil.localhost:8080/x"
    ));
}

#[test]
fn the_domain_is_never_widened_to_a_public_suffix() {
    assert!(!admits("https://contoso.co.uk", "https://evil.co.uk/x"));
    assert!(admits(
        "https://mail.contoso.co.uk",
        "https://eu.contoso.co.uk/x"
    ));
    assert!(!admits("https://contoso.com", "https://evil.com/x"));
    assert!(admits("https://contoso.com", "https://eu.contoso.com/x"));
}

#[test]
fn a_host_with_an_empty_label_is_refused_with_its_reason() {
    let endpoint = "https://mail.contoso.co.uk";
    let current = Url::parse("https://mail.contoso.co.uk/adminapi/beta/t/InvokeCommand").unwrap();
    let next = current.join(r"\\\....contoso.co.uk").unwrap();
    assert_eq!(next.host_str(), Some("....contoso.co.uk"));
    assert_eq!(
        domain(endpoint).admits(&next),
        Err("....contoso.co.uk has an empty label".to_string())
    );
    assert!(!admits(endpoint, "https://eu..contoso.co.uk/x"));
    assert!(
        admits(endpoint, "https://eu.contoso.co.uk./x"),
        "a trailing dot is no label"
    );
}

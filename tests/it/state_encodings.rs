//! State files as admins make them on Windows: Windows PowerShell 5.1's `>` writes UTF-16LE with
//! a byte-order mark, `Set-Content -Encoding UTF8` writes UTF-8 with one, PowerShell 7 writes
//! UTF-8 without. Each reads as the same tenant; anything else is refused with how to fix it.

use crate::support::cli::*;

use std::path::Path;

const PS51_EXPORT: &str = "tests/fixtures/tenants/windows-powershell-5.1.json";

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

/// `plan` of the bundled policies against `state`, without the first line, which names it.
fn plan_text(state: &Path) -> (Option<i32>, String, String) {
    let output = auditform()
        .args(["plan", "--state"])
        .arg(state)
        .output()
        .unwrap();
    let text = stdout_of(&output);
    let body = text.lines().skip(1).collect::<Vec<_>>().join("\n");
    (output.status.code(), body, stderr_of(&output))
}

#[test]
fn a_tenant_reads_the_same_in_utf8_with_or_without_a_bom_and_in_utf16_either_way() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("examples/tenant.json")).unwrap();
    let (code, expected, stderr) = plan_text(Path::new("examples/tenant.json"));
    assert_eq!(code, Some(0), "{stderr}");
    let crlf = text.replace('\n', "\r\n");
    let encodings: [(&str, Vec<u8>); 5] = [
        (
            "utf8-bom.json",
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ),
        ("utf8-crlf.json", crlf.clone().into_bytes()),
        ("utf16le.json", utf16(&crlf, false)),
        ("utf16be.json", utf16(&text, true)),
        (
            "utf16le-no-final-newline.json",
            utf16(text.trim_end(), false),
        ),
    ];
    for (name, bytes) in encodings {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (code, plan, stderr) = plan_text(&path);
        assert_eq!(code, Some(0), "{name}: {stderr}");
        assert_eq!(plan, expected, "{name}");
    }
}

#[test]
fn the_windows_powershell_5_1_export_is_utf16le_with_a_bom_crlf_and_its_own_layout() {
    let bytes = std::fs::read(repo().join(PS51_EXPORT)).unwrap();
    // The fixture is what `ConvertTo-Json ... > tenant.json` writes in Windows PowerShell 5.1.
    assert_eq!(&bytes[..4], b"\xFF\xFE{\x00");
    let units: Vec<u16> = bytes[2..]
        .chunks(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    assert!(text.ends_with("}\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
    assert!(text.starts_with(
        "{\r\n    \"organization\":  {\r\n                         \"AuditDisabled\":  false\r\n"
    ));
    assert!(text.contains("\"DisplayName\":  \"José Núñez\""));

    // It reads as the same tenant as its text in UTF-8.
    let dir = tempfile::tempdir().unwrap();
    let utf8 = dir.path().join("utf8.json");
    std::fs::write(&utf8, &text).unwrap();
    let (code, from_utf16, stderr) = plan_text(Path::new(PS51_EXPORT));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(from_utf16, plan_text(&utf8).1);

    let shown = auditform()
        .args(["show", "--state", PS51_EXPORT])
        .output()
        .unwrap();
    assert_eq!(shown.status.code(), Some(0), "{}", stderr_of(&shown));
    let shown = stdout_of(&shown);
    assert!(shown.starts_with("Mailboxes (3)\n"), "{shown}");
    assert!(shown.contains("Licence              : E5"), "{shown}");
    assert!(shown.contains("Audit bypass associations (2)"), "{shown}");
}

#[test]
fn apply_writes_a_utf16_state_file_back_in_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    std::fs::copy(repo().join(PS51_EXPORT), &state).unwrap();
    let output = auditform()
        .args(["apply", "--auto-approve", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let bytes = std::fs::read(&state).unwrap();
    assert_eq!(&bytes[..4], b"\xFF\xFE{\x00", "still UTF-16LE with its BOM");
    let again = auditform()
        .args(["plan", "--detailed-exitcode", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", stdout_of(&again));
    assert!(stdout_of(&again).contains("No changes."));
}

fn refusal(name: &str, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let output = auditform()
        .args(["plan", "--state"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{name}");
    assert!(output.stdout.is_empty(), "{name}");
    stderr_of(&output).replace(&path.display().to_string(), name)
}

#[test]
fn a_file_that_is_neither_utf8_nor_utf16_with_a_bom_is_refused_with_how_to_save_it() {
    let text = std::fs::read_to_string(repo().join("examples/tenant.json")).unwrap();
    let mut no_bom = utf16(&text, false);
    no_bom.drain(..2);
    let stderr = refusal("no-bom.json", &no_bom);
    assert!(
        stderr.starts_with(
            "error: state file no-bom.json is not UTF-8 or UTF-16 text: byte 1 is NUL: the file \
             looks like UTF-16 or UTF-32 without a byte-order mark"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint: save the file as UTF-8"), "{stderr}");

    let ansi = text.replace("Pilar Pinilla", "Pilar Pi\u{f1}illa");
    let ansi: Vec<u8> = ansi
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let stderr = refusal("ansi.json", &ansi);
    assert!(
        stderr.contains("is not UTF-8 or UTF-16 text: line ")
            && stderr.contains("byte 0xF1 is not UTF-8"),
        "{stderr}"
    );

    let utf32 = [0xFF, 0xFE, 0, 0, b'[', 0, 0, 0];
    assert!(refusal("utf32.json", &utf32).contains("the file is UTF-32"));

    let mut broken = utf16("[{\"Name\": \"", false);
    broken.extend([0x00, 0xDC]);
    let stderr = refusal("broken.json", &broken);
    assert_eq!(
        stderr.lines().next().unwrap(),
        "error: can't read state file broken.json: invalid UTF-16 at byte 24: a surrogate without its pair"
    );
}

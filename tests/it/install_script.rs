//! The Action's install script (action/install.sh) against a release served on 127.0.0.1: a
//! good release installs and verifies, a tampered archive is refused, an unknown version is a
//! clear error. The archives hold a stand-in `auditform` that answers `--version` as the real
//! one does; `.ci/run` installs the real packaged binary the same way.
//!
//! The script is bash, which the Action runs on every runner (Git Bash on Windows); these tests
//! run it where bash is at home.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/action/install.sh");
const VERSION: &str = "0.1.0";
const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// Serves the files under `root` over HTTP/1.0 on 127.0.0.1 until the test process ends; any
/// other path is a 404.
fn serve(root: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            if BufReader::new(&stream).read_line(&mut request).is_err() {
                continue;
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let file = (!path.contains(".."))
                .then(|| root.join(path.trim_start_matches('/')))
                .filter(|file| file.is_file());
            let _ = match file {
                Some(file) => {
                    let body = std::fs::read(file).unwrap();
                    write!(
                        stream,
                        "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    )
                    .and_then(|()| stream.write_all(&body))
                }
                None => stream
                    .write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found"),
            };
        }
    });
    format!("http://{address}/download")
}

/// A stand-in for the binary that reports `reported_version`, as `auditform --version` does.
fn stand_in(path: &Path, reported_version: &str) {
    std::fs::write(
        path,
        format!("#!/bin/sh\necho 'auditform {reported_version}'\n"),
    )
    .unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A release in dist's layout: `auditform-TARGET.tar.gz` holding `auditform-TARGET/auditform`,
/// `auditform-TARGET.zip` holding `auditform.exe` at its root, and `sha256.sum`.
fn release(root: &Path, tag: &str, reported_version: &str) -> PathBuf {
    let dir = root.join("download").join(tag);
    std::fs::create_dir_all(&dir).unwrap();
    let mut sums = String::new();
    for target in TARGETS {
        let archive = if target.contains("windows") {
            let binary = dir.join("auditform.exe");
            stand_in(&binary, reported_version);
            let name = format!("auditform-{target}.zip");
            std::fs::write(
                dir.join(&name),
                stored_zip("auditform.exe", &std::fs::read(&binary).unwrap()),
            )
            .unwrap();
            std::fs::remove_file(binary).unwrap();
            name
        } else {
            let folder = format!("auditform-{target}");
            std::fs::create_dir(dir.join(&folder)).unwrap();
            stand_in(&dir.join(&folder).join("auditform"), reported_version);
            let name = format!("{folder}.tar.gz");
            let status = Command::new("tar")
                .args(["-czf", &name, &folder])
                .current_dir(&dir)
                .status()
                .unwrap();
            assert!(status.success());
            std::fs::remove_dir_all(dir.join(&folder)).unwrap();
            name
        };
        let digest = sha256_hex(&std::fs::read(dir.join(&archive)).unwrap());
        sums.push_str(&format!("{digest} *{archive}\n"));
    }
    std::fs::write(dir.join("sha256.sum"), sums).unwrap();
    dir
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A zip archive holding one file, stored uncompressed, as unzip and Expand-Archive read it.
fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32(data);
    let size = u32::try_from(data.len()).unwrap();
    let name_len = u16::try_from(name.len()).unwrap();
    let mut zip = Vec::new();
    let header = |zip: &mut Vec<u8>, central: bool| {
        zip.extend_from_slice(if central {
            b"PK\x01\x02"
        } else {
            b"PK\x03\x04"
        });
        if central {
            zip.extend_from_slice(&0x031e_u16.to_le_bytes()); // made by: Unix, 3.0
        }
        zip.extend_from_slice(&10_u16.to_le_bytes()); // version needed
        zip.extend_from_slice(&0_u16.to_le_bytes()); // flags
        zip.extend_from_slice(&0_u16.to_le_bytes()); // stored
        zip.extend_from_slice(&0_u32.to_le_bytes()); // time and date
        zip.extend_from_slice(&crc.to_le_bytes());
        zip.extend_from_slice(&size.to_le_bytes());
        zip.extend_from_slice(&size.to_le_bytes());
        zip.extend_from_slice(&name_len.to_le_bytes());
        zip.extend_from_slice(&0_u16.to_le_bytes()); // extra
        if central {
            zip.extend_from_slice(&0_u16.to_le_bytes()); // comment
            zip.extend_from_slice(&0_u16.to_le_bytes()); // disk
            zip.extend_from_slice(&0_u16.to_le_bytes()); // internal attributes
            zip.extend_from_slice(&(0o100_755_u32 << 16).to_le_bytes());
            zip.extend_from_slice(&0_u32.to_le_bytes()); // offset of the local header
        }
        zip.extend_from_slice(name.as_bytes());
    };
    header(&mut zip, false);
    zip.extend_from_slice(data);
    let central_start = u32::try_from(zip.len()).unwrap();
    header(&mut zip, true);
    let central_size = u32::try_from(zip.len()).unwrap() - central_start;
    zip.extend_from_slice(b"PK\x05\x06");
    zip.extend_from_slice(&[0; 4]); // disk numbers
    zip.extend_from_slice(&1_u16.to_le_bytes());
    zip.extend_from_slice(&1_u16.to_le_bytes());
    zip.extend_from_slice(&central_size.to_le_bytes());
    zip.extend_from_slice(&central_start.to_le_bytes());
    zip.extend_from_slice(&0_u16.to_le_bytes());
    zip
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

struct Run {
    output: Output,
    install_dir: PathBuf,
    github_path: PathBuf,
    github_output: PathBuf,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
}

/// Runs the script as the Action does, in GitHub Actions' environment, with `env` on top.
fn install(home: &Path, releases: &str, env: &[(&str, &str)]) -> Run {
    let runner_temp = home.join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let github_path = home.join("github-path");
    let github_output = home.join("github-output");
    let mut command = Command::new("bash");
    command
        .arg(SCRIPT)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", home)
        .env("RUNNER_TEMP", &runner_temp)
        .env("GITHUB_PATH", &github_path)
        .env("GITHUB_OUTPUT", &github_output)
        .env("AUDITFORM_RELEASES", releases)
        .env("AUDITFORM_VERSION", VERSION);
    for (name, value) in env {
        command.env(name, value);
    }
    Run {
        output: command.output().unwrap(),
        install_dir: runner_temp.join("auditform/bin"),
        github_path,
        github_output,
    }
}

#[test]
fn a_good_release_is_verified_installed_and_put_on_path() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), "v0.1.0", VERSION);
    let releases = serve(root.path());
    let home = tempfile::tempdir().unwrap();
    let run = install(home.path(), &releases, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let binary = run.install_dir.join("auditform");
    let version = Command::new(&binary).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        "auditform 0.1.0\n"
    );
    assert!(
        run.stdout().starts_with("auditform 0.1.0 (")
            && run.stdout().contains(") verified, SHA-256 "),
        "{}",
        run.stdout()
    );
    assert_eq!(
        std::fs::read_to_string(&run.github_path).unwrap(),
        format!("{}\n", run.install_dir.display())
    );
    assert_eq!(
        std::fs::read_to_string(&run.github_output).unwrap(),
        format!("path={}\n", binary.display())
    );
}

#[test]
fn the_windows_zip_is_installed_as_auditform_exe_and_a_v_prefix_is_accepted() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), "v0.1.0", VERSION);
    let releases = serve(root.path());
    let home = tempfile::tempdir().unwrap();
    let run = install(
        home.path(),
        &releases,
        &[
            ("AUDITFORM_TARGET", "x86_64-pc-windows-msvc"),
            ("AUDITFORM_VERSION", "v0.1.0"),
        ],
    );
    assert!(run.output.status.success(), "{}", run.stderr());
    assert!(run.install_dir.join("auditform.exe").is_file());
    assert!(run.stdout().contains("(x86_64-pc-windows-msvc) verified"));
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed() {
    let root = tempfile::tempdir().unwrap();
    let dir = release(root.path(), "v0.1.0", VERSION);
    for target in TARGETS {
        let extension = if target.contains("windows") {
            "zip"
        } else {
            "tar.gz"
        };
        let archive = dir.join(format!("auditform-{target}.{extension}"));
        let mut bytes = std::fs::read(&archive).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        std::fs::write(&archive, bytes).unwrap();
    }
    let releases = serve(root.path());
    let home = tempfile::tempdir().unwrap();
    let run = install(home.path(), &releases, &[]);
    assert_eq!(run.output.status.code(), Some(1));
    let stderr = run.stderr();
    assert!(
        stderr.starts_with("error: checksum mismatch for auditform-")
            && stderr.contains(" of auditform 0.1.0: expected ")
            && stderr.trim_end().ends_with("refusing to install it"),
        "{stderr}"
    );
    assert!(!run.install_dir.exists(), "nothing was installed");
    assert!(!run.github_path.exists(), "nothing was put on PATH");
}

#[test]
fn an_unknown_version_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), "v0.1.0", VERSION);
    let releases = serve(root.path());
    let home = tempfile::tempdir().unwrap();
    let run = install(home.path(), &releases, &[("AUDITFORM_VERSION", "9.9.9")]);
    assert_eq!(run.output.status.code(), Some(1));
    let stderr = run.stderr();
    assert!(
        stderr.starts_with("error: auditform 9.9.9 has no release archive auditform-")
            && stderr.contains(&format!(" at {releases}/v9.9.9/ (is the version right? see https://github.com/auditform/auditform/releases)")),
        "{stderr}"
    );
    assert!(!run.install_dir.exists());
}

#[test]
fn the_checksum_override_is_checked_instead_of_the_checksum_file() {
    let root = tempfile::tempdir().unwrap();
    let dir = release(root.path(), "v0.1.0", VERSION);
    let archive = dir.join("auditform-x86_64-unknown-linux-musl.tar.gz");
    let digest = sha256_hex(&std::fs::read(&archive).unwrap());
    std::fs::remove_file(dir.join("sha256.sum")).unwrap();
    let releases = serve(root.path());
    let target = ("AUDITFORM_TARGET", "x86_64-unknown-linux-musl");

    let home = tempfile::tempdir().unwrap();
    let pinned = install(
        home.path(),
        &releases,
        &[target, ("AUDITFORM_SHA256", &digest.to_uppercase())],
    );
    assert!(pinned.output.status.success(), "{}", pinned.stderr());

    let other = "0".repeat(64);
    let home = tempfile::tempdir().unwrap();
    let wrong = install(
        home.path(),
        &releases,
        &[target, ("AUDITFORM_SHA256", &other)],
    );
    assert_eq!(wrong.output.status.code(), Some(1));
    assert!(
        wrong.stderr().contains(&format!(
            "expected {other}, got {digest}; refusing to install it"
        )),
        "{}",
        wrong.stderr()
    );

    let home = tempfile::tempdir().unwrap();
    let without = install(home.path(), &releases, &[target]);
    assert_eq!(without.output.status.code(), Some(1));
    assert!(
        without.stderr().contains("has no checksum file at")
            && without
                .stderr()
                .contains("pass the archive's SHA-256 as the checksum input"),
        "{}",
        without.stderr()
    );
}

#[test]
fn an_archive_that_holds_another_version_is_refused() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), "v0.1.0", "0.0.9");
    let releases = serve(root.path());
    let home = tempfile::tempdir().unwrap();
    let run = install(home.path(), &releases, &[]);
    assert_eq!(run.output.status.code(), Some(1));
    assert!(
        run.stderr()
            .contains("holds auditform 0.0.9, not auditform 0.1.0"),
        "{}",
        run.stderr()
    );
}

#[test]
fn bad_inputs_are_refused_before_anything_is_downloaded() {
    let home = tempfile::tempdir().unwrap();
    let nowhere = "http://127.0.0.1:9/download";
    for (env, message) in [
        (("AUDITFORM_VERSION", ""), "error: no version given"),
        (
            ("AUDITFORM_VERSION", "1.0; curl evil"),
            "is not a release version; write it as 0.1.0",
        ),
        (
            ("AUDITFORM_VERSION", "::set-env name=X::1"),
            "is not a release version",
        ),
        (
            ("AUDITFORM_SHA256", "abc"),
            "the checksum override is not a SHA-256",
        ),
        (
            ("AUDITFORM_RELEASES", "http://example.com/download"),
            "the release URL must use https",
        ),
        (("AUDITFORM_REPOSITORY", "a/b/c"), "is not OWNER/NAME"),
    ] {
        let releases = if env.0 == "AUDITFORM_RELEASES" {
            env.1
        } else {
            nowhere
        };
        let run = install(home.path(), releases, &[env]);
        assert_eq!(run.output.status.code(), Some(1), "{env:?}");
        assert!(run.stderr().contains(message), "{env:?}: {}", run.stderr());
        assert!(
            !run.stderr().contains("::set-env"),
            "no workflow command is echoed"
        );
    }
}

/// The install step of the Azure DevOps and GitLab templates: the same verified download as the
/// Action, written out in the pipeline, found by its `sha256sum -c`.
#[cfg(target_os = "linux")]
fn template_install_steps() -> Vec<(&'static str, String)> {
    let read = |path: &str| -> serde_yaml::Value {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
        serde_yaml::from_str(&text).unwrap()
    };
    let azure = read("examples/ci/azure-devops/install-auditform.yml");
    let gitlab = read("examples/ci/gitlab/.gitlab-ci.yml");
    let azure_step = azure["steps"][0]["bash"].as_str().unwrap().to_string();
    let gitlab_step = gitlab["default"]["before_script"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|line| line.as_str())
        .find(|line| line.contains("sha256sum -c"))
        .unwrap()
        .to_string();
    vec![("azure-devops", azure_step), ("gitlab", gitlab_step)]
}

/// Runs a template's install step with `sh`, as the pipeline's shell would, in `dir`.
#[cfg(target_os = "linux")]
fn run_template_step(step: &str, dir: &Path, releases: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(step)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("AUDITFORM_VERSION", VERSION)
        .env("AUDITFORM_SHA256", "")
        .env("AUDITFORM_RELEASES", releases)
        .env("AUDITFORM_BIN", dir.join("bin"));
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// Linux only: the templates' steps run on Linux agents (ubuntu-latest, alpine), with GNU or
/// BusyBox `sha256sum`.
#[cfg(target_os = "linux")]
#[test]
fn the_azure_devops_and_gitlab_install_steps_verify_the_download_as_the_action_does() {
    let root = tempfile::tempdir().unwrap();
    let good = release(root.path(), "v0.1.0", VERSION);
    let tampered = release(root.path(), "v0.2.0", "0.2.0");
    let archive = "auditform-x86_64-unknown-linux-musl.tar.gz";
    let digest = sha256_hex(&std::fs::read(good.join(archive)).unwrap());
    let mut bytes = std::fs::read(tampered.join(archive)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(tampered.join(archive), bytes).unwrap();
    let releases = serve(root.path());

    for (template, step) in template_install_steps() {
        let dir = tempfile::tempdir().unwrap();
        let output = run_template_step(&step, dir.path(), &releases, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{template}: {stderr}");
        let installed = Command::new(dir.path().join("bin/auditform"))
            .arg("--version")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&installed.stdout),
            "auditform 0.1.0\n"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(left, ["bin"], "{template} cleans up after itself");

        let dir = tempfile::tempdir().unwrap();
        let pinned = run_template_step(
            &step,
            dir.path(),
            &releases,
            &[("AUDITFORM_SHA256", &digest)],
        );
        assert!(
            pinned.status.success(),
            "{template}: {}",
            String::from_utf8_lossy(&pinned.stderr)
        );

        let dir = tempfile::tempdir().unwrap();
        let wrong_pin = "0".repeat(64);
        let refused = run_template_step(
            &step,
            dir.path(),
            &releases,
            &[("AUDITFORM_SHA256", &wrong_pin)],
        );
        assert!(
            !refused.status.success(),
            "{template} refuses a pinned mismatch"
        );
        assert!(!dir.path().join("bin/auditform").exists());

        let dir = tempfile::tempdir().unwrap();
        let refused = run_template_step(
            &step,
            dir.path(),
            &releases,
            &[("AUDITFORM_VERSION", "0.2.0")],
        );
        assert!(
            !refused.status.success(),
            "{template} refuses a tampered archive"
        );
        assert!(!dir.path().join("bin/auditform").exists(), "{template}");

        let dir = tempfile::tempdir().unwrap();
        let unknown = run_template_step(
            &step,
            dir.path(),
            &releases,
            &[("AUDITFORM_VERSION", "9.9.9")],
        );
        assert!(!unknown.status.success());
        let stderr = String::from_utf8_lossy(&unknown.stderr);
        assert!(
            stderr.contains(&format!("error: no release archive {releases}/v9.9.9/{archive} (is AUDITFORM_VERSION right?)")),
            "{template}: {stderr}"
        );
    }
}

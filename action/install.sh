#!/usr/bin/env bash
# Installs a released auditform binary, verified, for the machine it runs on: Linux (x86_64,
# aarch64; static musl builds), macOS (x86_64, arm64) and Windows (x86_64, in Git Bash).
#
# The GitHub Action (action.yml) runs it; any other CI can run it the same way. It downloads the
# release archive for this platform and the release's checksum file, sha256.sum, and refuses to
# install when the archive's SHA-256 differs from the one listed (or from AUDITFORM_SHA256, when
# it is given). Nothing is installed from an archive that was not verified.
#
# Environment:
#   AUDITFORM_VERSION      required: the release, such as 0.1.0 or v0.1.0
#   AUDITFORM_SHA256       optional: the archive's expected SHA-256; the checksum file is then
#                          not needed (pin it in your pipeline to trust no file of the release)
#   AUDITFORM_REPOSITORY   optional: OWNER/NAME on GitHub [default: auditform/auditform]
#   AUDITFORM_RELEASES     optional: the base URL of the releases, for a mirror
#                          [default: https://github.com/$AUDITFORM_REPOSITORY/releases/download]
#   AUDITFORM_TARGET       optional: the Rust target triple of the archive [default: this machine]
#   AUDITFORM_INSTALL_DIR  optional: where the binary goes [default: $RUNNER_TEMP/auditform/bin
#                          in GitHub Actions, else $HOME/.auditform/bin]
# In GitHub Actions the directory is added to GITHUB_PATH and written as the `path` output.
set -euo pipefail

fail() {
    echo "error: $*" >&2
    exit 1
}

version="${AUDITFORM_VERSION:-}"
[ -n "$version" ] || fail "no version given: set the action's \`version\` input (or AUDITFORM_VERSION), such as 0.1.0"
version="${version#v}"
# Checked before it is used in a URL, a path or a log line.
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
    fail "\`${AUDITFORM_VERSION//[^0-9A-Za-z._ -]/?}\` is not a release version; write it as 0.1.0"

expected="${AUDITFORM_SHA256:-}"
expected="$(printf '%s' "$expected" | tr 'A-F' 'a-f')"
if [ -n "$expected" ] && ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    fail "the checksum override is not a SHA-256 (64 hexadecimal digits)"
fi

repository="${AUDITFORM_REPOSITORY:-}"
[ -n "$repository" ] || repository="auditform/auditform"
[[ "$repository" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$ ]] || fail "\`AUDITFORM_REPOSITORY\` is not OWNER/NAME"
releases="${AUDITFORM_RELEASES:-https://github.com/$repository/releases/download}"
releases="${releases%/}"
case "$releases" in
    https://*) ;;
    # Plain HTTP only to this machine: a mirror on loopback, or a test.
    http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/*) ;;
    *) fail "the release URL must use https: $releases" ;;
esac

target="${AUDITFORM_TARGET:-}"
if [ -z "$target" ]; then
    os="$(uname -s)"
    machine="$(uname -m)"
    case "$os/$machine" in
        Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
        Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
        Darwin/x86_64) target=x86_64-apple-darwin ;;
        Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
        # Windows on Arm runs the x86_64 build under emulation.
        MINGW* | MSYS* | CYGWIN* | Windows_NT*) target=x86_64-pc-windows-msvc ;;
        *) fail "no auditform release is built for $os $machine; install it with \`cargo install --locked auditform\`" ;;
    esac
fi
case "$target" in
    *-windows-*) archive="auditform-$target.zip" binary=auditform.exe ;;
    *) archive="auditform-$target.tar.gz" binary=auditform ;;
esac

if [ -z "${AUDITFORM_INSTALL_DIR:-}" ]; then
    if [ -n "${RUNNER_TEMP:-}" ]; then
        AUDITFORM_INSTALL_DIR="$RUNNER_TEMP/auditform/bin"
    else
        AUDITFORM_INSTALL_DIR="$HOME/.auditform/bin"
    fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Downloads $1 into $2. A release or asset that does not exist is an error that says so.
download() {
    local url="$1" out="$2" status
    status="$(curl --silent --show-error --location --retry 3 --retry-delay 2 \
        --output "$out" --write-out '%{http_code}' "$url")" ||
        fail "could not download $url"
    case "$status" in
        200) ;;
        404) return 44 ;;
        *) fail "could not download $url: HTTP $status" ;;
    esac
}

release_page="https://github.com/$repository/releases"
base="$releases/v$version"
download "$base/$archive" "$work/$archive" ||
    fail "auditform $version has no release archive $archive at $base/ (is the version right? see $release_page)"

if [ -z "$expected" ]; then
    download "$base/sha256.sum" "$work/sha256.sum" ||
        fail "auditform $version has no checksum file at $base/sha256.sum, so $archive can't be verified; pass the archive's SHA-256 as the checksum input"
    # Lines are `HEX *NAME` (binary mode) or `HEX  NAME`, as sha256sum writes them.
    expected="$(awk -v name="$archive" '
        { file = $2; sub(/^\*/, "", file) }
        file == name && NF == 2 { print tolower($1); found++ }
        END { if (found != 1) exit 1 }' "$work/sha256.sum")" ||
        fail "the checksum file of auditform $version does not list $archive exactly once"
    [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || fail "the checksum file of auditform $version lists no SHA-256 for $archive"
fi

if command -v sha256sum >/dev/null 2>&1; then
    actual="$(sha256sum "$work/$archive" | awk '{print $1}')"
elif command -v shasum >/dev/null 2>&1; then
    actual="$(shasum -a 256 "$work/$archive" | awk '{print $1}')"
else
    actual="$(openssl dgst -sha256 -r "$work/$archive" | awk '{print $1}')"
fi
actual="$(printf '%s' "$actual" | tr 'A-F' 'a-f')"
if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for $archive of auditform $version: expected $expected, got $actual; refusing to install it"
fi

mkdir "$work/unpacked"
case "$archive" in
    *.zip)
        if command -v unzip >/dev/null 2>&1; then
            unzip -q "$work/$archive" -d "$work/unpacked"
        else
            powershell.exe -NoProfile -NonInteractive -Command \
                "Expand-Archive -LiteralPath '$(cygpath -w "$work/$archive")' -DestinationPath '$(cygpath -w "$work/unpacked")'"
        fi
        ;;
    *) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
esac
# dist's zip archives are flat; its tarballs hold one directory named after the archive.
found="$(find "$work/unpacked" -maxdepth 2 -type f -name "$binary" | head -n 1)"
[ -n "$found" ] || fail "$archive holds no $binary"

mkdir -p "$AUDITFORM_INSTALL_DIR"
cp "$found" "$AUDITFORM_INSTALL_DIR/$binary"
chmod +x "$AUDITFORM_INSTALL_DIR/$binary"

reported="$("$AUDITFORM_INSTALL_DIR/$binary" --version)" || fail "the installed $binary does not run on this machine"
[ "$reported" = "auditform $version" ] ||
    fail "$archive holds ${reported//[^0-9A-Za-z._ -]/?}, not auditform $version"

echo "auditform $version ($target) verified, SHA-256 $actual, installed in $AUDITFORM_INSTALL_DIR"
if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$AUDITFORM_INSTALL_DIR" >>"$GITHUB_PATH"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "path=$AUDITFORM_INSTALL_DIR/$binary" >>"$GITHUB_OUTPUT"
fi

#!/usr/bin/env bash
# System packages the project needs, installed with apt when missing (root or passwordless sudo).
#
#   bash scripts/system_deps.sh            # `make test`: run time + Chromium for the browser tests
#   bash scripts/system_deps.sh --runtime  # `make run`: run time only
#
# Run time: gettext (msgfmt, for compilemessages), libpango-1.0-0, libpangoft2-1.0-0 and
# libharfbuzz-subset0 (WeasyPrint's PDF rendering and font subsetting), fonts-noto-cjk (Chinese
# glyphs in the PDFs), postgresql-client (pg_dump/pg_restore: the backups, SEC-1). Tests add
# chromium (browser tests) and openssh-server (the suite starts its own sshd on localhost as the
# remote backup location; the package's own service is not started).
# Idempotent, and silent when everything is there. The Dockerfile installs the same packages.
set -euo pipefail

mode=test
case "${1:-}" in
    "") ;;
    --runtime) mode=runtime ;;
    *)
        echo "usage: $0 [--runtime]" >&2
        exit 2
        ;;
esac

packages=(gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk postgresql-client)
if [[ $mode == test ]]; then
    packages+=(chromium openssh-server)
fi

if ! command -v dpkg >/dev/null 2>&1; then
    # Not Debian-like: say what is needed; only a missing browser stops the tests here.
    echo "note: no dpkg, so system packages are not checked. The project needs gettext (msgfmt)," \
        "Pango >= 1.44 with its FreeType backend (WeasyPrint) and Noto Sans CJK fonts (Chinese PDFs)" \
        "from your package manager." >&2
    if [[ $mode == runtime ]]; then
        exit 0
    fi
    chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
    if [[ -x $chromium ]]; then
        exit 0
    fi
    echo "!! Chromium not found at $chromium: install it and set CHROMIUM_PATH to its executable." >&2
    exit 1
fi

installed() {
    # dpkg -s also knows removed packages whose config files remain: read the status line.
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $EUID -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "!! Missing system packages: ${missing[*]}" >&2
    echo "!! Install them as root, then run make again:" >&2
    echo "!!   sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "-- installing system packages: ${missing[*]}"
if ! "${as_root[@]}" apt-get update -qq \
    || ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
    echo "!! apt-get could not install: ${missing[*]}. Install them by hand, then run make again." >&2
    exit 1
fi

still_missing=()
for package in "${missing[@]}"; do
    installed "$package" || still_missing+=("$package")
done
if [[ ${#still_missing[@]} -gt 0 ]]; then
    echo "!! Still missing after apt-get install: ${still_missing[*]}" >&2
    exit 1
fi

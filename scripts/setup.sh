#!/usr/bin/env bash
# Installs what building the lab needs on a fresh Debian machine, only when missing:
# libuv and Node's http_parser (headers and libraries), and pkg-config to find them.
set -euo pipefail

missing=()
for pkg in libuv1-dev libhttp-parser-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null; then
    echo "setup: swift is not on PATH; install the Swift 6 toolchain first (https://www.swift.org/install/linux/)" >&2
    exit 1
fi

#!/usr/bin/env bash
# Browser tests and static figures need Debian's chromium + chromedriver and a CJK font; the
# visit sheet's browser test reads its PDF with poppler's pdftotext.
# Installed from Debian's packages when missing; nothing downloads a browser build.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fonts="$(fc-list 2>/dev/null || true)"  # not piped into grep -q: pipefail would see SIGPIPE
grep -qiE "noto sans cjk|wqy|droid sans fallback" <<<"$fonts" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing ${need[*]} (Debian packages)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null

#!/usr/bin/env bash
# Install the programs the build needs from Debian's packages: LibreOffice
# (headless Writer), Poppler, the fonts the templates use and Chromium (the
# web site's tests open it in a real browser, headless). As root it
# installs them; otherwise it prints the exact command and fails.
set -euo pipefail

PACKAGES=(libreoffice-writer-nogui poppler-utils fonts-liberation2 fontconfig chromium)

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
  && command -v pdfinfo >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 || missing+=(poppler-utils)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ! command -v npm >/dev/null 2>&1; then  # npm installs axe-core for the web site's tests (make setup)
  missing+=(npm)
  PACKAGES+=(npm)
fi
if ! { command -v fc-list >/dev/null 2>&1 && fc-list | grep -q "LiberationSans-Regular"; }; then
  missing+=(fonts-liberation2)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

command="apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Det här saknas på datorn: ${missing[*]}" >&2
  echo "Installera det med (kräver administratörsbehörighet):" >&2
  echo "  sudo sh -c '$command'" >&2
  exit 1
fi

echo "Installerar ${missing[*]} med apt-get …" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "Klart." >&2

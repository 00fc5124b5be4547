#!/usr/bin/env bash
# Brings a Debian machine to a working 创文: system packages (CJK fonts, Pango, HarfBuzz subsetting,
# poppler), the virtual environment in .venv and the package with its test tools. Idempotent: a second
# run checks and returns in a second or two.
#   --test   also the real clients the tests drive: LibreOffice Calc with its Python bridge (python3-uno),
#            which makes returns the way counties make them, and LibreOffice Writer, which opens and prints
#            the Word bulletin and feedback sheets, and Chromium with its WebDriver, which uses the
#            报送平台 as a county clerk does. The run command does not need them.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(fonts-noto-cjk fonts-arphic-gkai00mp libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils)
if [ "${1:-}" = "--test" ]; then
  packages+=(libreoffice-calc libreoffice-writer python3-uno chromium chromium-driver)
fi
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
"$python" -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "安装系统软件包：${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.chuangwen-installed
want=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "安装 Python 依赖（首次约需一分钟）……"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  echo "$want" > "$stamp"
fi

#!/usr/bin/env bash
# Renders the sample reports as people see them and writes docs/images/*.png:
# the weekly summary and a daily bulletin on a 390 px phone and a 1280 px screen, the top of the
# monthly assessment and of the year's roll-up on a phone, the first pages of the weekly summary
# printed to A4, and the first page of the monthly and the yearly. Needs chromium, chromium-headless-shell,
# fonts-wqy-zenhei and poppler-utils (pdftoppm).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build -q
bin=.build/debug/fivehours
now=2019-08-09T18:00:00+08:00
$bin weekly --config samples/campaign.yaml --week-ending 2019-08-09 --now $now --out "$out" --format html --quiet >/dev/null
$bin daily --config samples/campaign.yaml --date 2019-08-07 --now $now --out "$out" --format html --quiet >/dev/null
$bin monthly --config samples/campaign.yaml --month 2019-08 --now 2019-08-24T12:00:00+08:00 --out "$out" --format html --quiet >/dev/null
$bin yearly --config samples/campaign.yaml --year 2019 --now 2019-08-24T12:00:00+08:00 --out "$out" --format html --quiet >/dev/null

# The page's full height at a width, measured by the old headless shell on a probe copy.
height() {
  local html=$1 width=$2 probe
  probe="$(dirname "$html")/probe.html"
  sed -e 's/http-equiv="Content-Security-Policy"/name="csp-off"/' \
      -e 's#</body>#<script>addEventListener("load",function(){document.body.setAttribute("data-h",document.documentElement.scrollHeight)})</script></body>#' \
      "$html" > "$probe"
  chromium-headless-shell --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=2000 \
    --window-size="$width,900" --dump-dom "$probe" 2>/dev/null | grep -o 'data-h="[0-9]*"' | grep -o '[0-9]*'
  rm -f "$probe"
}

shot() {  # html width name [height: the top of the page only]
  local html=$1 width=$2 name=$3 h=${4:-}
  [ -n "$h" ] || h=$(height "$html" "$width")
  chromium-headless-shell --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=2000 \
    --window-size="$width,$h" --screenshot="docs/images/$name.png" "$html" >/dev/null 2>&1
  echo "docs/images/$name.png (${width}x$h)"
}

weekly="$out/weekly-2019-08-09/weekly-summary.html"
daily="$out/daily-2019-08-07/daily-bulletin.html"
shot "$weekly" 390 weekly-phone
shot "$weekly" 1280 weekly-desktop
shot "$daily" 390 daily-phone
# The month's cards, unit scores and how each is made: the widest tables on a phone.
monthly="$out/monthly-2019-08/monthly-assessment.html"
yearly="$out/yearly-2019/yearly-summary.html"
shot "$monthly" 390 monthly-phone 2200
# The year's cards, trend chart and units × weeks grid.
shot "$yearly" 390 yearly-phone 2200

# The first pages of a report printed to A4, as docs/images/NAME-a4-01.png, -02 ...
a4() {  # html name pages
  local html=$1 name=$2 pages=$3 f n
  chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$out/$name.pdf" "$html" >/dev/null 2>&1
  # pdftoppm numbers pages with as many digits as the last page has: name them 01, 02 whatever the count.
  pdftoppm -png -r 60 -f 1 -l "$pages" "$out/$name.pdf" "$out/$name-a4"
  for f in "$out/$name"-a4-*.png; do
    n=${f##*-}; n=${n%.png}
    cp "$f" "docs/images/$name-a4-$(printf %02d "$((10#$n))").png"
  done
  ls docs/images/"$name"-a4*
}
a4 "$weekly" weekly 2
a4 "$monthly" monthly 1
a4 "$yearly" yearly 1

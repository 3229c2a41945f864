#!/bin/sh
# Whole-process timings and peak memory of `pagerproof build` and `pagerproof package` next to
# Hugo's for as many comparable pages (README "Performance"). Median of 3 runs, same machine, same
# run. Not run in CI.
#
#   benches/compare.sh              # 10k and 100k incidents
#   benches/compare.sh 10000        # one size
#
# Needs GNU time (/usr/bin/time) and Hugo; Debian's is 0.111:
#   apt-get install -y hugo time
#
# Nothing is deleted until every run is measured: each run's output is moved aside into
# $work/graveyard and the graveyard removed at the end. On ext4 without a journal (this
# development machine's disk) the inode allocator skips every inode freed in the last 5 to 10
# minutes, reading the inode table for each: 100,000 files created right after deleting
# 100,000 took 15 to 55 s of system time instead of 4 (kernel `recently_deleted`), which
# measured the previous run's `rm -rf`, not the tool. For the same reason, start the next
# benchmark at least 10 minutes after the last one ended.
set -eu
cd "$(dirname "$0")/.."
sizes=${*:-10000 100000}
work=${BENCH_DIR:-/tmp/pagerproof-bench}
cargo build --release --quiet --bin pagerproof --example generate
bin=$PWD/target/release/pagerproof
gen=$PWD/target/release/examples/generate
command -v hugo >/dev/null || { echo "hugo not installed: apt-get install -y hugo" >&2; exit 1; }
mkdir -p "$work/graveyard"
echo "load: $(uptime)"

# moves $1 (if present) into the graveyard, to be deleted once everything is measured
bury() {
    if [ -e "$1" ]; then mv "$1" "$(mktemp -d "$work/graveyard/XXXXXX")/"; fi
}

# median of 3 runs of "$@" after `$prepare`: prints "<seconds> s <peak MiB> MiB". Each run
# starts with no dirty pages (`sync`): a run must not pay for writing back the previous run's
# output (2 GB at 100k incidents), which the kernel's flusher otherwise does beside it, on the
# same two cores, for whichever tool is timed next. A failed run stops the benchmark: called as
# `r=$(measure ...)`, its `exit` fails the assignment, which `set -e` turns into the script's.
measure() {
    : >"$work/times"
    for i in 1 2 3; do
        eval "$prepare"
        sync
        if ! /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
            echo "compare.sh: run $i of \`$*\` failed:" >&2
            cat "$work/stderr" "$work/time" >&2
            exit 1
        fi
        cat "$work/time" >>"$work/times"
    done
    sort -n "$work/times" | sed -n 2p | awk '{ printf "%.2f s %4.0f MiB\n", $1, $2 / 1024 }'
}

# Every run's output is kept until the end (see above): at 100k incidents about 17 GB (inputs,
# three builds, six packages, the reused build, the Hugo site and its three outputs). A full
# disk fails the tools with errors that cannot even be written, so it is checked first.
check_space() {
    need_kib=$(($1 * 200))
    free_kib=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
    if [ "$free_kib" -lt "$need_kib" ]; then
        echo "compare.sh: $1 incidents need about $((need_kib / 1048576 + 1)) GiB free under $work" \
            "(every run's output is kept until the end); $((free_kib / 1048576)) GiB free" >&2
        exit 1
    fi
}

for n in $sizes; do
    check_space "$n"
    site=$work/s$n
    bury "$site"
    "$gen" --out "$site" --incidents "$n" --seed 7 --quiet
    fresh="bury '$site/public'; bury '$site/.public.pagerproof-build'; bury '$site/dist'"
    prepare=$fresh
    r=$(measure "$bin" build --quiet --site "$site")
    echo "$n incidents, build:            $r"
    r=$(measure "$bin" package --quiet --site "$site")
    echo "$n incidents, package:          $r"
    prepare=": # public/ from a build of the same inputs is reused"
    "$bin" build --quiet --site "$site" >/dev/null
    r=$(measure "$bin" package --quiet --site "$site")
    echo "$n incidents, package after build: $r"
    hugo_dir=$work/hugo$n
    bury "$hugo_dir"
    python3 benches/hugo_site.py "$hugo_dir" "$n"
    prepare="bury '$hugo_dir/public'"
    r=$(measure hugo --quiet --source "$hugo_dir")
    echo "$n pages, hugo $(hugo version | cut -d' ' -f2):    $r"
done
echo "removing the runs' outputs ($work/graveyard)"
rm -rf "$work/graveyard"

#!/bin/sh
# Whole-process timings and peak memory of `pagerproof build` and `pagerproof package` next to
# Hugo's for as many comparable pages (README "Performance"), same machine, same run. Not run in
# CI.
#
#   benches/compare.sh              # 10k and 100k incidents
#   benches/compare.sh 10000        # one size
#
# Three rounds, each timing every command once in turn: `package` from scratch, `build`,
# `package` right after that `build` (which bags it), then Hugo. Each figure is the median of its
# three runs, and each ratio to Hugo the median of the three rounds' ratios: this machine's
# speed drifts by 10-20 % over minutes, and three runs of one command followed by three of the
# next compared a fast spell with a slow one (Hugo took 17.5 to 23.9 s in the day's runs).
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

# One run of "$@" after `$prepare`, its seconds and peak KiB appended to the file "$work/$label".
# Each run starts with no dirty pages (`sync`): a run must not pay for writing back the previous
# run's output (2 GB at 100k incidents), which the kernel's flusher otherwise does beside it, on
# the same two cores, for whichever tool is timed next. A failed run stops the benchmark.
run() {
    label=$1
    shift
    eval "$prepare"
    sync
    if ! /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
        echo "compare.sh: \`$*\` failed:" >&2
        cat "$work/stderr" "$work/time" >&2
        exit 1
    fi
    cat "$work/time" >>"$work/$label"
}

# The median of the three runs in "$work/$1": "<seconds> s <peak MiB> MiB".
median() {
    sort -n "$work/$1" | sed -n 2p | awk '{ printf "%.2f s %4.0f MiB\n", $1, $2 / 1024 }'
}

# The median, over the rounds, of the ratio of each of "$work/$1"'s runs to Hugo's run of the
# same round.
ratio() {
    paste -d' ' "$work/$1" "$work/hugo" | awk '{ printf "%.3f\n", $1 / $3 }' | sort -n | sed -n 2p
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
    hugo_dir=$work/hugo$n
    bury "$hugo_dir"
    python3 benches/hugo_site.py "$hugo_dir" "$n"
    fresh="bury '$site/public'; bury '$site/.public.pagerproof-build'; bury '$site/dist'"
    for label in package build after hugo; do : >"$work/$label"; done
    for round in 1 2 3; do
        prepare=$fresh
        run package "$bin" package --quiet --site "$site"
        run build "$bin" build --quiet --site "$site"
        prepare="bury '$site/dist' # public/ from the build just timed is reused"
        run after "$bin" package --quiet --site "$site"
        prepare="bury '$hugo_dir/public'"
        run hugo hugo --quiet --source "$hugo_dir"
    done
    echo "$n incidents, build:            $(median build), $(ratio build)x Hugo's"
    echo "$n incidents, package:          $(median package), $(ratio package)x Hugo's"
    echo "$n incidents, package after build: $(median after), $(ratio after)x Hugo's"
    echo "$n pages, hugo $(hugo version | cut -d' ' -f2):    $(median hugo)"
done
echo "removing the runs' outputs ($work/graveyard)"
rm -rf "$work/graveyard"

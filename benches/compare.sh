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
# development machine's disk) the inode allocator skips every inode freed in the last 5
# minutes whose inode table block is cached, reading it for each: 100,000 files created right
# after deleting 100,000 took 15 to 55 s of system time instead of 4 (kernel
# `recently_deleted`), which measured the previous run's `rm -rf`, not the tool.
#
# Run as root, every run starts from the same memory state: written back (`sync`), the page
# cache dropped (`vm.drop_caches`), then the run's own inputs read back in (its binary and its
# site's sources). Otherwise the outputs kept from the runs before fill memory, about 4 GB a
# round at 100k, and each tool runs with less free memory than the one before it. Not root, the
# script says so and keeps the cache. Settled or not, the later rounds of a run have been slower
# than its first, ours more than Hugo's (`build` 6.1, 7.0 and 8.2 s kept; 6.5, 6.7 and 7.9 s,
# and 7.1, 7.9 and 9.3 s, settled), for reasons not found: hence ratios taken round by round.
# Either way, start the script at least 10 minutes after the last deletion of many files (a
# benchmark's end included): a settled run begun right after deleting 15 GB of sites still had
# half as much system time again in its first `build`.
set -eu
cd "$(dirname "$0")/.."
sizes=${*:-10000 100000}
work=${BENCH_DIR:-/tmp/pagerproof-bench}
cargo build --release --quiet --bin pagerproof --example generate
bin=$PWD/target/release/pagerproof
gen=$PWD/target/release/examples/generate
hugo=$(command -v hugo) || { echo "hugo not installed: apt-get install -y hugo" >&2; exit 1; }
mkdir -p "$work/graveyard"
echo "load: $(uptime)"
if [ -w /proc/sys/vm/drop_caches ]; then
    drop=yes
else
    drop=no
    echo "not root: the page cache is kept between runs (see the top of $0)"
fi

# moves $1 (if present) into the graveyard, to be deleted once everything is measured
bury() {
    if [ -e "$1" ]; then mv "$1" "$(mktemp -d "$work/graveyard/XXXXXX")/"; fi
}

# Brings the machine to the state every run starts from, the files and directories named (the
# run's inputs) read into the page cache. First no dirty pages (`sync`): a run must not pay for
# writing back the previous run's output (2 GB at 100k incidents), which the kernel's flusher
# otherwise does beside it, on the same two cores, for whichever tool is timed next. Then, as
# root, nothing else cached (see the top).
settle() {
    sync
    if [ "$drop" = yes ]; then
        echo 1 >/proc/sys/vm/drop_caches
        for input in "$@"; do
            if [ -e "$input" ]; then find "$input" -type f -exec cat {} + >/dev/null; fi
        done
    fi
}

# One run of "$@" after `$prepare`, settled with `$inputs` cached, its wall seconds, peak KiB,
# user and system seconds appended to the file "$work/$label". A failed run stops the
# benchmark.
run() {
    label=$1
    shift
    eval "$prepare"
    # shellcheck disable=SC2086 # $inputs is a list of paths without spaces
    settle $inputs
    if ! /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
        echo "compare.sh: \`$*\` failed:" >&2
        cat "$work/stderr" "$work/time" >&2
        exit 1
    fi
    cat "$work/time" >>"$work/$label"
}

# The median of the three runs in "$work/$1": "<seconds> s <peak MiB> MiB", then the median CPU
# time (user + system) of the three: a slow spell of this machine shows as wall and CPU time
# growing together, a run waiting on something as wall time alone.
median() {
    wall=$(sort -n "$work/$1" | sed -n 2p | awk '{ printf "%.2f s %4.0f MiB", $1, $2 / 1024 }')
    cpu=$(awk '{ print $3 + $4 }' "$work/$1" | sort -n | sed -n 2p)
    echo "$wall, CPU $cpu s"
}

# The median, over the rounds, of the ratio of each of "$work/$1"'s runs to Hugo's run of the
# same round, then each round's ratio in turn.
ratio() {
    paste -d' ' "$work/$1" "$work/hugo" | awk '{ printf "%.3f\n", $1 / $5 }' >"$work/ratios"
    echo "$(sort -n "$work/ratios" | sed -n 2p)x Hugo's (rounds: $(paste -sd' ' "$work/ratios"))"
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
        inputs="$bin $site/content $site/site.toml"
        prepare=$fresh
        run package "$bin" package --quiet --site "$site"
        run build "$bin" build --quiet --site "$site"
        # public/ from the build just timed is reused, so it is an input too
        inputs="$inputs $site/public $site/.public.pagerproof-build"
        prepare="bury '$site/dist'"
        run after "$bin" package --quiet --site "$site"
        inputs="$hugo $hugo_dir/content $hugo_dir/layouts $hugo_dir/hugo.toml"
        prepare="bury '$hugo_dir/public'"
        run hugo "$hugo" --quiet --source "$hugo_dir"
    done
    echo "$n incidents, build:            $(median build), $(ratio build)"
    echo "$n incidents, package:          $(median package), $(ratio package)"
    echo "$n incidents, package after build: $(median after), $(ratio after)"
    echo "$n pages, hugo $("$hugo" version | cut -d' ' -f2):    $(median hugo)"
done
echo "removing the runs' outputs ($work/graveyard)"
rm -rf "$work/graveyard"

#!/usr/bin/env bash
# Runs a red team's wrong solutions against this checkout, as a student
# runs them: `cargo test` in the exercise's folder.
#
#   course/red-teams/rerun.sh round-4 gil        # every solution of gil
#   course/red-teams/rerun.sh round-4 gil 03     # one of them
#
# Each solution is a patch against the reference solution's src/ at the
# commit the round was written against (the exercise folder's BASE file);
# it is applied to the reference as it is now, or if it no longer applies
# there, to the files it touches as they were at that commit; put in the
# exercise's folder, which is restored to its stub afterwards. Prints one line per solution: passed
# (a hole) or rejected, with the first failing test.
set -uo pipefail
cd "$(dirname "$0")/../.."
round=$1 ex=$2 only=${3:-}
ch=$(awk -v ex="$ex" '$1=="name" && $3=="\""ex"\"" {f=1} f && $1=="chapter" {gsub(/"/,"",$3); print $3; exit}' exercises/info.toml)
dir=exercises/$ch/$ex
restore() { git checkout -q -- "$dir" && git clean -fdq "$dir/src"; }
trap restore EXIT
for patch in course/red-teams/$round/$ex/${only:-*}.patch; do
    n=$(basename "$patch" .patch)
    restore
    # The reference as it is now (files the course gives, such as the pool's
    # tasks, may have changed since the round). If the patch no longer
    # applies there, the files it touches are taken as they were at the
    # round's base, the others as they are now.
    base=$(cat "course/red-teams/$round/$ex/BASE")
    rm -rf "$dir/src" && mkdir -p "$dir/src"
    git archive HEAD "solutions/$ch/$ex/src" | tar -x --strip-components=4 -C "$dir/src"
    applied=HEAD
    krate=${ex//-/_}
    # Later rounds' patches are against the reference with its crate already
    # named `<name>` (their tools renamed it before the change): try that too.
    renamed() { grep -rlw "${krate}_solution" "$dir/src" | xargs -r sed -i "s/\b${krate}_solution\b/${krate}/g"; }
    if ! git apply -p1 --directory="$dir" "$patch" 2>/dev/null \
        && ! { renamed && git apply -p1 --directory="$dir" "$patch" 2>/dev/null; }; then
        applied="$base for the files it touches"
        for f in $(git apply -p1 --numstat "$patch" | cut -f3); do
            git show "$base:solutions/$ch/$ex/$f" >"$dir/$f" 2>/dev/null || rm -f "$dir/$f"
        done
        if ! git apply -p1 --directory="$dir" "$patch" 2>/dev/null; then
            echo "$ex/$n: the patch applies neither to the reference now nor at $base"
            continue
        fi
    fi
    # The reference's binary names its library crate `<name>_solution`; the
    # exercise's crate is `<name>`.
    renamed
    if out=$(cd "$dir" && timeout 300 cargo test --quiet 2>&1); then
        echo "$ex/$n: PASSED (a hole) [on the reference at $applied]"
    else
        # The failing tests, as libtest lists them at the end.
        failed=$(printf '%s\n' "$out" | awk '/^failures:$/ {n++} n == 2 && /^    / {printf "%s ", $1}')
        echo "$ex/$n: rejected ${failed:-(did not compile, or no test ran)} [on the reference at $applied]"
    fi
done

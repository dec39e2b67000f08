#!/usr/bin/env bash
# Gradescope autograder set-up: runs once, when Gradescope builds the image.
# The autograder zip (made by make-zip.sh) holds the whole course at its root,
# so /autograder/source is the instructor's copy of the course: the grader,
# the suites and the manifest come from there, never from a submission.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
# The sandbox's tools (unshare, setpriv, prlimit: util-linux; ip: iproute2),
# a C linker, and curl for rustup.
apt-get install -y --no-install-recommends ca-certificates curl build-essential \
    util-linux iproute2 git
if ! command -v cargo >/dev/null 2>&1; then
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
        | sh -s -- -y --profile minimal --component rustfmt,clippy
fi
source "$HOME/.cargo/env"
cd /autograder/source
# The course copy must be a git checkout: the grader copies its tracked files.
if [ ! -d .git ]; then
    git init -q && git add -A && git -c user.name=autograder -c user.email=autograder@localhost commit -qm course
fi
# Warm the grader's own build and every dependency once, in the image, so a
# submission costs only its own crates: grade the course's stubs once.
cargo xtask grade /autograder/source --out /tmp/warm-grade --student warm-up >/dev/null || true
rm -rf /tmp/warm-grade

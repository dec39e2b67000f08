#!/usr/bin/env bash
# Makes autograder.zip for Gradescope from the course's last commit: the whole
# course at the zip's root, with setup.sh and run_autograder beside it (where
# Gradescope looks for them).
#   bash grading/gradescope/make-zip.sh [OUT.zip]
set -euo pipefail
top=$(git rev-parse --show-toplevel)
out=${1:-$top/target/autograder.zip}
mkdir -p "$(dirname "$out")"
cd "$top"
git archive --format=zip --output="$out" \
    --add-file=grading/gradescope/setup.sh \
    --add-file=grading/gradescope/run_autograder \
    HEAD
echo "wrote $out"

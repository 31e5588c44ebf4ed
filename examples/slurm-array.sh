#!/bin/bash
# Brief an archive on a Slurm cluster: 8 copies of one command, each its own slice.
#   sbatch examples/slurm-array.sh
# Each copy writes briefs.K-of-8.jsonl beside the others; rerunning a copy (or the whole array)
# resumes it. Merge when all are done:  cat out/briefs.*-of-8.jsonl > briefs.jsonl
#SBATCH --job-name=summarizer
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --time=04:00:00
#SBATCH --output=out/summarizer-%A_%a.log
set -euo pipefail
mkdir -p out
# --shard auto reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN).
# Add --batch-api to send each slice through the provider's Batch API instead of live requests.
summarizer batch archive/ --out out/briefs.jsonl --shard auto --quiet \
    --base-url "${OPENAI_BASE_URL:-https://api.openai.com/v1}" --model "${SUMMARIZER_MODEL:-gpt-4o-mini}"

#!/bin/sh
# Replays instructlab-training's outputs over time, as a real training process
# writes them, for the external-engine adapter tests.
#   fake_instructlab.sh jsonl DIR  - metrics JSONL in DIR (v0.10 `total_loss`
#                                    records, a `val_loss` record, a v0.12
#                                    `avg_loss` record), console noise on stdout
#   fake_instructlab.sh console    - console loss lines only
#   fake_instructlab.sh slow       - console lines forever (until SIGTERM)
#   fake_instructlab.sh fail       - one console line, then exit 3
set -eu
mode=$1
case "$mode" in
jsonl)
  dir=$2
  mkdir -p "$dir"
  out="$dir/training_params_and_metrics_global0.jsonl"
  echo '{"script_params": {"learning_rate": 2e-05, "num_epochs": 1}, "timestamp": "2024-12-08T14:10:30.000000"}' >> "$out"
  echo "Epoch 0:   0%| | 0/3 [00:00<?, ?it/s]"
  for step in 1 2 3; do
    sleep 0.4
    loss=$(echo "$step" | awk '{ printf "%.4f", 2.0 - 0.25 * $1 }')
    echo "{\"epoch\": 0, \"step\": $step, \"rank\": 0, \"overall_throughput\": 1.96, \"lr\": 2e-05, \"cuda_mem_allocated\": 26.8, \"cuda_malloc_retries\": 0, \"num_loss_counted_tokens\": 26639, \"batch_size\": 22, \"total_loss\": $loss, \"samples_seen\": $((step * 22)), \"gradnorm\": null, \"total_samples\": 66, \"timestamp\": \"2024-12-08T14:10:3$step.778697\"}" >> "$out"
    echo "Epoch: 0, Step: $step, Rank: 0, loss = $loss"
  done
  sleep 0.4
  echo '{"val_loss": 1.4, "val_num_tokens": 512, "step": 3, "timestamp": "2024-12-08T14:10:40.000000"}' >> "$out"
  sleep 0.4
  echo '{"epoch": 1, "step": 4, "rank": 0, "avg_loss": 1.1, "num_minibatches": 2, "lr": 1e-05, "timestamp": "2024-12-08T14:10:41.000000"}' >> "$out"
  ;;
console)
  for step in 1 2; do
    sleep 0.3
    echo "Epoch: 0, Step: $step, Rank: 0, loss = 1.$((9 - step)), grad_accum_steps = 4"
  done
  echo "Validation loss: 1.650000"
  ;;
slow)
  trap 'echo "terminated"; exit 143' TERM
  step=0
  while :; do
    step=$((step + 1))
    echo "Epoch: 0, Step: $step, Rank: 0, loss = 2.0"
    sleep 0.2
  done
  ;;
fail)
  echo "Epoch: 0, Step: 1, Rank: 0, loss = 2.5"
  echo "RuntimeError: CUDA out of memory" >&2
  exit 3
  ;;
esac

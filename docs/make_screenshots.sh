#!/usr/bin/env bash
# Regenerate the TensorBoard screenshots, the training curve and the trace-viewer
# screenshots under docs/, by hand:
#
#   bash docs/make_screenshots.sh [path/to/cifar-10-python.tar.gz]
#
# Needs the tensorboard and plot extras, Chromium (apt-get install chromium) and npm (for
# the speedscope trace viewer, fetched with `npm pack` into a temporary directory). Trains
# both examples (the two-layer one for 1000 steps), starts TensorBoard on 127.0.0.1, takes
# headless Chromium screenshots of its graph and scalars tabs, and stops it. Then traces one
# training step of the article's model (docs/make_tour.py --trace), serves speedscope and
# the trace JSON on 127.0.0.1 and screenshots its timeline and its per-op table. Look at the
# PNGs before committing them.
set -euo pipefail
docs="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$docs")"
data="${1:-$root/../shared/data/cifar-10-python-subset.tar.gz}"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
            rm -rf "$work"; }
trap cleanup EXIT
export PYTHONPATH="$root"
python "$root/examples/cifar_softmax.py" --data-dir "$data" --seed 0 \
  --logdir "$work/logs/softmax"
python "$root/examples/cifar_two_layer.py" --data_dir "$data" --seed 0 --max_steps 1000 \
  --train_dir "$work/checkpoints" --logdir "$work/logs/two_layer" \
  --plot "$docs/two_layer_curve.png"

serve() {  # serve LOGDIR PORT: a TensorBoard on 127.0.0.1:PORT, stopped on exit
  setsid python -m tensorboard.main --logdir "$1" --host 127.0.0.1 --port "$2" \
    >"$work/tensorboard-$2.txt" 2>&1 &
  pids+=("$!")
  for _ in $(seq 120); do
    grep -q "http://127.0.0.1:$2/" "$work/tensorboard-$2.txt" && break
    sleep 0.5
  done
  sleep 3  # it reads the logs in the background
}
shoot() {  # shoot URL OUTPUT HEIGHT
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="1400,$3" --virtual-time-budget=20000 --screenshot="$2" "$1"
}
serve "$work/logs" 6123
shoot "http://127.0.0.1:6123/#graphs" "$docs/tensorboard_graph.png" 900   # softmax: the article
shoot "http://127.0.0.1:6123/#scalars" "$docs/tensorboard_scalars.png" 1000
serve "$work/logs/two_layer" 6124
shoot "http://127.0.0.1:6124/#graphs" "$docs/tensorboard_graph_two_layer.png" 900

# The Timeline's trace JSON in a real trace viewer: speedscope, a static web app from npm.
(cd "$work" && npm pack --silent speedscope@1.25.0 >/dev/null && tar xzf speedscope-1.25.0.tgz)
viewer="$work/package/dist/release"
python "$docs/make_tour.py" --trace "$viewer/trace.json"
setsid python -m http.server 6125 --bind 127.0.0.1 --directory "$viewer" \
  >"$work/http.txt" 2>&1 &
pids+=("$!")
sleep 2
profile="http://127.0.0.1:6125/index.html#profileURL=http://127.0.0.1:6125/trace.json"
shoot "$profile&title=one%20traced%20training%20step" "$docs/trace_timeline.png" 260
shoot "$profile&title=one%20traced%20training%20step&view=sandwich" \
  "$docs/trace_ops.png" 440

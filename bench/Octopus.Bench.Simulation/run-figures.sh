#!/usr/bin/env bash
# Reproduces every figure in src/Octopus.Simulation/README.md (Release build, one process per run).
# Usage: bash bench/Octopus.Bench.Simulation/run-figures.sh [DATA_DIR]   (default ../shared/data/planetlab)
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/data/planetlab}
dotnet build bench/Octopus.Bench.Simulation -c Release -nologo -v:q >/dev/null
sim() { dotnet run -c Release --no-build --project bench/Octopus.Bench.Simulation -- "$@"; }

echo "== 1. Fidelity: 20110303, memory cloudsim =="
sim --trace "$data/20110303" --policy npa,dvfs,thr-mmt-0.8,iqr-mmt-1.5,mad-mmt-2.5,lr-mmt-1.2 --memory cloudsim

echo "== 2. Quality: every day, lr-mmt-1.2 vs octopus =="
for mem in cloudsim enforced; do  # section 2
  for day in "$data"/*/; do
    sim --trace "$day" --policy lr-mmt-1.2,octopus --memory "$mem"
  done
done

echo "== 2b. Robustness: 20110303, perturbed =="
for p in scale:1.3 shift:6h noise:10:1; do sim --trace "$data/20110303" --policy lr-mmt-1.2,octopus --memory cloudsim --perturb "$p"; done

echo "== 2c. Fidelity over VM orders =="
for o in sorted shuffle:1 shuffle:2 shuffle:3; do sim --trace "$data/20110303" --policy lr-mmt-1.2 --memory cloudsim --order "$o"; done

echo "== 3. Speed: octopus and lr-mmt-1.2 at --scale 1, 10, 100 (load average: $(cut -d" " -f1-3 /proc/loadavg)) =="
for s in 1 10 100; do for p in octopus lr-mmt-1.2; do
  /usr/bin/time -f "$p scale $s: process %U user + %S sys CPU s, %e wall s, %M KB" dotnet run -c Release --no-build \
    --project bench/Octopus.Bench.Simulation -- --trace "$data/20110303" --policy "$p" --memory cloudsim --scale "$s"
done; done

echo "== Plot =="
sim --trace "$data/20110303" --policy dvfs,thr-mmt-0.8,lr-mmt-1.2,octopus --memory cloudsim --plot src/Octopus.Simulation/docs/20110303-cloudsim.svg >/dev/null
echo "wrote src/Octopus.Simulation/docs/20110303-cloudsim.svg"

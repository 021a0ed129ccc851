// Reports running VMs whose CPU load is below a threshold (default 5 %), longest-running first.
// Usage: octopus script examples/csharp/idle-report.csx [THRESHOLD]
using System.Globalization;
var threshold = Args.Count > 0 ? double.Parse(Args[0], CultureInfo.InvariantCulture) : 0.05;
var running = await octopus.Vms.AllAsync(new VmQuery(State: VmStates.Running));
var idle = running.Where(v => v.CpuLoad < threshold).OrderBy(v => v.StateChangedAt).ToList();
Print($"{"VM",-20} {"OWNER",-12} {"HOST",-10} {"LOAD",6}  SINCE");
foreach (var v in idle)
    Print($"{v.Name,-20} {v.Owner,-12} {v.Host ?? "-",-10} {v.CpuLoad * 100,5:0.0}%  {v.StateChangedAt:u}");
Print($"{idle.Count} idle of {running.Count} running (load below {threshold * 100:0}%)");

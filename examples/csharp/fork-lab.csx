// Forks COUNT lab VMs (default 30) from a template VM, the forks requested concurrently.
// Usage: octopus script examples/csharp/fork-lab.csx -- TEMPLATE [COUNT] [PREFIX]
if (Args.Count == 0) throw new ArgumentException("usage: fork-lab.csx TEMPLATE [COUNT] [PREFIX]");
var count = Args.Count > 1 ? int.Parse(Args[1]) : 30;
var prefix = Args.Count > 2 ? Args[2] : "lab";
var template = await octopus.Vms.HandleAsync(Args[0]);
var forks = await Task.WhenAll(Enumerable.Range(1, count).Select(i => template.ForkAsync($"{prefix}-{i:00}")));
await Task.WhenAll(forks.Select(v => v.WaitForAsync(VmStates.Running)));
Print($"forked {forks.Length} VMs from {template.Name}; {forks.Count(v => v.State == VmStates.Running)} running");

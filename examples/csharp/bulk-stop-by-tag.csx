// Stops every VM that carries a tag (already stopped ones count as done), in one bulk request (POST /api/v1/vm-actions).
// Usage: octopus script examples/csharp/bulk-stop-by-tag.csx TAG
if (Args.Count != 1) throw new ArgumentException("usage: bulk-stop-by-tag.csx TAG");
var tag = Args[0];
var result = await octopus.Vms.BulkAsync("stop", new VmSelector(Tag: tag));
foreach (var r in result.Results.Where(r => !r.Ok)) Print($"{r.Vm}: {r.Message}");
foreach (var r in result.Results.Where(r => r.Ok)) await octopus.Vms.WaitUntilSettledAsync(r.Result!, TimeSpan.FromMinutes(2));
Print($"stopped {result.Succeeded} VMs tagged {tag} ({result.Failed} refused)");

// Puts a host into maintenance and waits until the server has live-migrated every running VM off it (admin).
// Stopped VMs keep their place until they are next started, when they start elsewhere.
// Usage: octopus script examples/csharp/evacuate-host.csx HOST
if (Args.Count != 1) throw new ArgumentException("usage: evacuate-host.csx HOST");
var host = Args[0];
async Task<List<VmHandle>> LiveAsync() =>
    (await octopus.Vms.AllAsync(new VmQuery(Host: host)))
        .Where(v => v.State is VmStates.Running or VmStates.Migrating or VmStates.Starting).ToList();
var moving = await LiveAsync();
await octopus.Hosts.SetMaintenanceAsync(host, true);
Print($"{host} is in maintenance; {moving.Count} running VMs to move");
var deadline = DateTime.UtcNow.AddMinutes(5);
while ((await LiveAsync()).Count > 0)
{
    if (DateTime.UtcNow > deadline) throw new TimeoutException($"{host} still has running VMs after 5 minutes");
    await Task.Delay(250);
}
foreach (var v in moving)
{
    await v.RefreshAsync();
    Print($"{v.Name,-20} now on {v.Host ?? "-"}");
}
Print($"{host} evacuated: no running VMs left on it");

using System.Diagnostics;
using System.Globalization;
using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Language;
using Octopus.Policies.Snapshots;

// Benchmark: evaluate 100 policies over 10,000 VMs (aim: under 50 ms per evaluation).
// Usage: dotnet run -c Release --project bench/Octopus.Bench.Policies [-- --vms N --policies N --runs N]
var vmsCount = Arg("--vms", 10_000);
var policyCount = Arg("--policies", 100);
var runs = Arg("--runs", 30);
var now = new DateTimeOffset(2026, 11, 25, 14, 30, 0, TimeSpan.Zero);
var rng = new Random(42); // fixed seed: the same world every run

// ---- the world: 400 hosts, 200 users, 10,000 VMs, each with two hours of per-minute CPU samples --------------------
var hosts = Enumerable.Range(0, 400).Select(i => new HostFacts(HostId.New(), $"node-{i:D3}", i % 97 == 0 ? HostPowerState.Failed : HostPowerState.On,
    false, History(now, 121, i % 50 == 0 ? 95 : 40, 10, rng))).ToList();
var users = Enumerable.Range(0, 200).Select(i => new UserFacts(UserName.Parse($"user{i:D3}"), i == 0 ? UserRole.Admin : UserRole.User)).ToList();
string[] tagPool = ["nightly", "student", "web", "db", "gpu", "ci", "lab", "protected"];
string[] images = ["ubuntu-24.04", "debian-13", "fedora-41", "windows-2025"];
var vms = Enumerable.Range(0, vmsCount).Select(i =>
{
    var tags = tagPool.Where(_ => rng.NextDouble() < 0.15).ToList();
    var state = rng.NextDouble() < 0.8 ? VmState.Running : VmState.Stopped;
    DateTimeOffset? lease = rng.NextDouble() < 0.3 ? now.AddHours(rng.Next(-48, 24 * 30)) : null;
    return new VmFacts(VmId.New(), $"vm-{i:D5}", users[i % users.Count].Name, state, tags, images[i % images.Length], hosts[i % hosts.Count].Id,
        now.AddDays(-rng.Next(0, 90)), now.AddHours(-rng.Next(0, 48)), lease, History(now, 121, rng.NextDouble() < 0.1 ? 2 : 30, 25, rng),
        1 + i % 8, (1L + i % 16) << 30);
}).ToList();
var snapshot = new PolicySnapshot(now, vms, hosts, users);

// ---- 100 policies: the templates' conditions and variants, every one an admin policy over ALL VMs (the worst case:
// 100 × 10,000 = 1,000,000 condition evaluations; user and tag policies only look at their own or tagged VMs) -------
string[] conditions =
[
    "vm.state == \"Running\" && vm.cpu.max(2h) < {0}",
    "vm.state == \"Running\" && vm.cpu.avg(2h) < {0}",
    "\"nightly\" in vm.tags && vm.state in [\"Running\", \"Stopped\"] && now.hour == {1}",
    "has(vm.lease) && vm.lease.expiresIn < -{1}h",
    "\"student\" in vm.tags && vm.state == \"Running\" && (now.weekday in [\"Sat\", \"Sun\"] || now.hour < 8 || now.hour >= {2})",
    "vm.state == \"Running\" && host.state == \"On\" && host.cpu.min(10m) > 9{1}",
    "host.state == \"Failed\" && vm.state != \"Stopped\" && vm.cores > {1}",
    "vm.age > {1}d && vm.idleFor > 1h && !(\"protected\" in vm.tags)",
    "vm.image == \"windows-2025\" && vm.memoryGiB >= {1}.0 && vm.owner.startsWith(\"user0\")",
    "size(vm.tags) > 3 && vm.stateFor > {1}h || user.role == \"admin\" && vm.cores * 2 > 14",
];
var policies = Enumerable.Range(0, policyCount).Select(i => CompiledPolicy.Compile(new PolicyDocument
{
    Name = $"bench-{i:D3}",
    Owner = users[0].Name,
    Scope = PolicyScope.Admin,
    Priority = i % 100,
    Condition = string.Format(CultureInfo.InvariantCulture, conditions[i % conditions.Length], 1 + i % 5, i % 9, 20 + i % 3),
    Trigger = new IntervalTrigger(TimeSpan.FromMinutes(5)),
    Actions = [(i % 4) switch { 0 => new ShutdownAction(), 1 => new NotifyAction(null), 2 => new CheckpointAction(7, null), _ => new SuspendAction() }],
})).ToList();

var engine = new PolicyEngine();
Console.WriteLine($"Policy evaluation benchmark: {policies.Count} policies x {vms.Count:N0} VMs ({hosts.Count} hosts, {users.Count} users, " +
    $"{vms.Sum(v => v.Cpu.Count):N0} CPU samples), {Environment.ProcessorCount} cores, .NET {Environment.Version}");

// ---- 1. the whole engine: selection, conditions, explanations of matches, safety rules, conflict resolution ----------
PolicyEvaluation result = null!;
for (var i = 0; i < 3; i++) result = engine.Evaluate(snapshot, policies); // warm-up (JIT)
var times = new List<double>();
var cpuTimes = new List<double>();
long allocated = 0;
var process = Process.GetCurrentProcess();
for (var i = 0; i < runs; i++)
{
    var before = GC.GetAllocatedBytesForCurrentThread();
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    result = engine.Evaluate(snapshot, policies);
    sw.Stop();
    process.Refresh();
    cpuTimes.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    times.Add(sw.Elapsed.TotalMilliseconds);
}
times.Sort();
cpuTimes.Sort();
var evaluations = result.Policies.Sum(p => p.Considered);
var matches = result.Policies.Sum(p => p.Matched);
Console.WriteLine($"engine.Evaluate:  min {times[0]:F1} ms, median {Median(times):F1} ms, p95 {times[(int)(times.Count * 0.95)]:F1} ms " +
    $"over {runs} runs; {evaluations:N0} condition evaluations, {matches:N0} matches, {result.Actions.Count:N0} actions after conflicts, " +
    $"{result.Suppressed.Count:N0} suppressed; {allocated / 1024.0 / 1024.0:F1} MiB allocated (the result; reasons are rendered when read)");
Console.WriteLine($"                  CPU time (process, all threads, less affected by other load on the machine): min {cpuTimes[0]:F1} ms, " +
    $"median {Median(cpuTimes):F1} ms; load average now {LoadAverage()}");

// ---- 1a. the same, then reading every reason: each action's, each suppressed action's and its sentence (what a preview
// shows; the server's audit log reads only the taken actions' reasons). Reasons are rendered on first read. -------------
var readTimes = new List<double>();
long reasonChars = 0;
for (var i = 0; i < runs + 3; i++)
{
    var sw = Stopwatch.StartNew();
    var e = engine.Evaluate(snapshot, policies);
    reasonChars = 0;
    foreach (var a in e.Actions) reasonChars += a.Reason.Length;
    foreach (var s in e.Suppressed) reasonChars += s.Why.Length + s.Action.Reason.Length;
    sw.Stop();
    if (i >= 3) readTimes.Add(sw.Elapsed.TotalMilliseconds);
}
readTimes.Sort();
Console.WriteLine($"  + every reason read: min {readTimes[0]:F1} ms, median {Median(readTimes):F1} ms ({result.Actions.Count + result.Suppressed.Count:N0} " +
    $"reasons and {result.Suppressed.Count:N0} sentences, {reasonChars / 1024.0 / 1024.0:F1} M characters)");

// ---- 1b. the same with Parallelism = all cores (identical result; contiguous VM ranges merged in order) --------------
var parallelEngine = new PolicyEngine(new PolicyEngineOptions { Parallelism = Environment.ProcessorCount });
for (var i = 0; i < 3; i++) parallelEngine.Evaluate(snapshot, policies);
var parallelTimes = new List<double>();
for (var i = 0; i < runs; i++)
{
    var sw = Stopwatch.StartNew();
    parallelEngine.Evaluate(snapshot, policies);
    parallelTimes.Add(sw.Elapsed.TotalMilliseconds);
}
parallelTimes.Sort();
Console.WriteLine($"parallel ({Environment.ProcessorCount} threads): min {parallelTimes[0]:F1} ms, median {Median(parallelTimes):F1} ms");

// ---- 2. the hot loop alone, as the engine runs it (VM by VM, every policy): no matches explained --------------------
var ctx = new EvalContext();
var entries = snapshot.Entries;
var loopTimes = new List<double>();
long loopAllocated = 0;
var holds = 0;
var clocks = policies.Select(p => LocalClock.At(now, p.Zone)).ToArray();
for (var r = 0; r < runs + 3; r++)
{
    var before = GC.GetAllocatedBytesForCurrentThread();
    var sw = Stopwatch.StartNew();
    holds = 0;
    for (var i = 0; i < entries.Count; i++)
    {
        ctx.SetVm(entries[i]);
        for (var p = 0; p < policies.Count; p++)
        {
            clocks[p].ApplyTo(ctx);
            if (policies[p].Condition.Evaluate(ctx)) holds++;
        }
    }
    sw.Stop();
    if (r < 3) continue;
    loopTimes.Add(sw.Elapsed.TotalMilliseconds);
    loopAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
}
loopTimes.Sort();
var n = policies.Count * entries.Count;
Console.WriteLine($"conditions only:  min {loopTimes[0]:F1} ms, median {Median(loopTimes):F1} ms for {n:N0} evaluations " +
    $"({Median(loopTimes) * 1e6 / n:F0} ns each), {holds:N0} hold; {loopAllocated:N0} bytes allocated in the loop");

// ---- 3. cost per condition shape, each alone over all VMs (no cache sharing between policies) -----------------------
Console.WriteLine("per condition shape, alone over every VM (best of 5):");
for (var k = 0; k < Math.Min(conditions.Length, policies.Count); k++)
{
    var p = policies[k];
    var best = double.MaxValue;
    for (var r = 0; r < 5; r++)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < entries.Count; i++)
        {
            ctx.SetVm(entries[i]);
            clocks[k].ApplyTo(ctx);
            p.Condition.Evaluate(ctx);
        }
        best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
    }
    Console.WriteLine($"  {best * 1e6 / entries.Count,6:F0} ns/VM  {p.Condition.Text}");
}
Console.WriteLine($"target under 50 ms: conditions over every VM {(Median(loopTimes) < 50 ? "meet" : "miss")} it (median {Median(loopTimes):F1} ms); " +
    $"the whole engine ({matches:N0} matches) {(Median(times) < 50 ? "meets" : "misses")} it (median {Median(times):F1} ms, min {times[0]:F1} ms); " +
    $"with every reason read {(Median(readTimes) < 50 ? "meets" : "misses")} it (median {Median(readTimes):F1} ms, min {readTimes[0]:F1} ms)");
return 0;

static double Median(List<double> sorted) => sorted[sorted.Count / 2];

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
}

static CpuHistory History(DateTimeOffset end, int samples, double mean, double spread, Random rng) =>
    CpuHistory.From(Enumerable.Range(0, samples).Select(i =>
        new CpuSample(end.AddMinutes(i - samples + 1), Math.Max(0, mean + (rng.NextDouble() - 0.5) * spread))));

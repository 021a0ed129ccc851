// Placement throughput: places VMs one by one (reserving after each) with the fast path, on clusters of mixed host
// geometries, and prints decisions per second per cluster size and strategy. Also checks, untimed, that the fast path
// chooses what explain mode chooses on a sample, and times explain mode for reference.
//
//   dotnet run -c Release --project bench/Octopus.Bench.Placement [-- --vms 50000 --hosts 1000,10000,100000 --seed 42]
using System.Diagnostics;
using System.Globalization;
using Octopus.Bench.Placement;
using Octopus.Scheduling.Placement;

BenchArgs options;
try
{
    options = BenchArgs.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchArgs.Usage);
    return 2;
}

var strategies = new[] { PlacementStrategy.Pack, PlacementStrategy.Spread };
Console.WriteLine($"placement benchmark: {options.Vms:N0} VMs per run, seed {options.Seed}, {Environment.ProcessorCount} cores visible, " +
                  $"load average {LoadAverage()}, " +
                  $"{(Debugger.IsAttached ? "debugger attached" : "no debugger")}, {(IsOptimized() ? "Release" : "Debug build: figures will be low")}");

// Warm-up so the JIT has tiered up before anything is timed.
foreach (var strategy in strategies)
    RunFast(Cluster.Hosts(2_000, options.Seed), Cluster.Requests(20_000, options.Seed), strategy);

Console.WriteLine();
Console.WriteLine("decisions/s is wall clock; per CPU-s divides by the process's CPU time, which stays fair when other work shares the cores.");
Console.WriteLine($"{"hosts",8} {"strategy",-8} {"decisions/s",12} {"per CPU-s",10} {"placed",8} {"unplaced",9} {"examined/decision",18} {"index build",12} {"total",9}");
foreach (var hostCount in options.HostCounts)
{
    var hosts = Cluster.Hosts(hostCount, options.Seed);
    var requests = Cluster.Requests(options.Vms, options.Seed + 1);
    foreach (var strategy in strategies)
    {
        var r = RunFast(hosts, requests, strategy);
        Console.WriteLine($"{hostCount,8:N0} {strategy,-8} {r.DecisionsPerSecond,12:N0} {r.DecisionsPerCpuSecond,10:N0} {r.Placed,8:N0} {r.Unplaced,9:N0} " +
                          $"{r.ExaminedPerDecision,18:N1} {r.IndexBuild.TotalMilliseconds,10:N1}ms {r.Elapsed.TotalSeconds,8:N2}s");
    }
}

// Untimed cross-check: on the smallest cluster, every 10th decision is also made in explain mode and must agree.
Console.WriteLine();
foreach (var strategy in strategies)
{
    var (checkedCount, mismatches) = Verify(Cluster.Hosts(options.HostCounts[0], options.Seed), Cluster.Requests(Math.Min(options.Vms, 20_000), options.Seed + 1), strategy);
    Console.WriteLine($"verify {strategy,-6} on {options.HostCounts[0]:N0} hosts: {checkedCount:N0} decisions compared with explain mode, {mismatches} mismatches");
    if (mismatches > 0) return 1;
}

// Explain mode for reference: it evaluates every host and records each one's rejections and scores.
Console.WriteLine();
foreach (var hostCount in options.HostCounts.Where(h => h <= 10_000))
{
    var hosts = Cluster.Hosts(hostCount, options.Seed);
    var requests = Cluster.Requests(500, options.Seed + 1);
    var state = PlacementState.From(hosts);
    var placer = Placer.Create(new PlacementOptions());
    var watch = Stopwatch.StartNew();
    foreach (var request in requests)
        if (placer.Place(request, state, explain: true).ChosenHost is { } host) state.Reserve(host, request);
    Console.WriteLine($"explain mode, pack, {hostCount:N0} hosts: {requests.Count / watch.Elapsed.TotalSeconds:N0} decisions/s");
}
return 0;

static RunResult RunFast(IReadOnlyList<HostView> hosts, IReadOnlyList<PlacementRequest> requests, PlacementStrategy strategy)
{
    var state = PlacementState.From(hosts);
    var placer = Placer.Create(new PlacementOptions { Strategy = strategy });

    // The first fast decision builds the index; timed apart so the per-decision figure is the steady state.
    var build = Stopwatch.StartNew();
    var first = placer.Place(requests[0], state, explain: false);
    build.Stop();
    long examined = first.HostsExamined;
    var placed = 0;
    if (first.ChosenHost is { } firstHost) { state.Reserve(firstHost, requests[0]); placed++; }

    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    for (var i = 1; i < requests.Count; i++)
    {
        var decision = placer.Place(requests[i], state, explain: false);
        examined += decision.HostsExamined;
        if (decision.ChosenHost is { } host)
        {
            state.Reserve(host, requests[i]);
            placed++;
        }
    }
    watch.Stop();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    var decisions = requests.Count - 1;
    return new RunResult(decisions / watch.Elapsed.TotalSeconds, decisions / cpu.TotalSeconds, placed, requests.Count - placed,
        examined / (double)requests.Count, build.Elapsed, watch.Elapsed);
}

static (int Checked, int Mismatches) Verify(IReadOnlyList<HostView> hosts, IReadOnlyList<PlacementRequest> requests, PlacementStrategy strategy)
{
    var state = PlacementState.From(hosts);
    var placer = Placer.Create(new PlacementOptions { Strategy = strategy });
    int compared = 0, mismatches = 0;
    for (var i = 0; i < requests.Count; i++)
    {
        var fast = placer.Place(requests[i], state, explain: false);
        if (i % 10 == 0)
        {
            compared++;
            var explained = placer.Place(requests[i], state, explain: true);
            if (explained.ChosenHost != fast.ChosenHost)
            {
                mismatches++;
                Console.WriteLine($"  mismatch at VM {i}: fast {fast.Summary}; explain {explained.Summary}");
            }
        }
        if (fast.ChosenHost is { } host) state.Reserve(host, requests[i]);
    }
    return (compared, mismatches);
}

// Other work on the machine skews wall-clock figures; print the load so a reader can judge them.
static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

static bool IsOptimized() =>
    !typeof(Placer).Assembly.GetCustomAttributes(false).OfType<DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);

internal sealed record RunResult(double DecisionsPerSecond, double DecisionsPerCpuSecond, int Placed, int Unplaced, double ExaminedPerDecision,
    TimeSpan IndexBuild, TimeSpan Elapsed);

namespace Octopus.Bench.Placement
{
    internal sealed record BenchArgs(int Vms, IReadOnlyList<int> HostCounts, int Seed)
    {
        public const string Usage = "usage: Octopus.Bench.Placement [--vms N] [--hosts N,N,...] [--seed N]";

        public static BenchArgs Parse(string[] argv)
        {
            var result = new BenchArgs(50_000, [1_000, 10_000, 100_000], 42);
            for (var i = 0; i < argv.Length; i++)
            {
                var value = i + 1 < argv.Length ? argv[i + 1] : throw new ArgumentException($"{argv[i]} needs a value.");
                result = argv[i] switch
                {
                    "--vms" => result with { Vms = Positive("--vms", value) },
                    "--hosts" => result with { HostCounts = [.. value.Split(',').Select(v => Positive("--hosts", v))] },
                    "--seed" => result with { Seed = int.TryParse(value, CultureInfo.InvariantCulture, out var s) ? s : throw new ArgumentException($"--seed must be a whole number; got '{value}'.") },
                    _ => throw new ArgumentException($"unknown option '{argv[i]}'."),
                };
                i++;
            }
            return result;
        }

        private static int Positive(string option, string text) =>
            int.TryParse(text, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{option} takes positive whole numbers; got '{text}'.");
    }
}

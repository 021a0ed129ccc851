using System.Collections.Concurrent;
using System.Net.Http.Json;
using Octopus.Contracts;

/// <summary>What a client sees while a leader dies: on every replica, <c>workersPerReplica</c> loops alternate a read
/// (<c>GET /api/v1/vms?limit=20</c>) and a create, each with a 5 s bound, 50 ms apart. Every answer is counted per
/// replica and per phase (answered before the signal, after it); a non-2xx status, a refused or broken connection and a
/// request not answered within 5 s are errors. Stopping lets the requests in flight finish (or time out): a request
/// that hangs on a frozen replica is an error the client really sees.</summary>
internal sealed class ClientLoad
{
    public static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(string Replica, bool AfterSignal), Tally> _tallies = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private volatile bool _signalled;

    private ClientLoad(IReadOnlyList<ReplicaProcess> replicas, string prefix, int workersPerReplica)
    {
        var n = 0;
        _workers = [.. replicas.SelectMany(r => Enumerable.Range(0, workersPerReplica).Select(w => Task.Run(() => LoopAsync(r, prefix, () => Interlocked.Increment(ref n)))))];
    }

    public static ClientLoad Start(IReadOnlyList<ReplicaProcess> replicas, string prefix, int workersPerReplica = 2) => new(replicas, prefix, workersPerReplica);

    /// <summary>From now on answers count as "after the signal".</summary>
    public void MarkSignal() => _signalled = true;

    /// <summary>Stops the loops (requests in flight run to their answer or their bound) and returns the tallies.</summary>
    public async Task<IReadOnlyDictionary<(string Replica, bool AfterSignal), Tally>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
        return _tallies;
    }

    private async Task LoopAsync(ReplicaProcess replica, string prefix, Func<int> next)
    {
        var read = true;
        while (!_stop.IsCancellationRequested)
        {
            var outcome = await OneAsync(replica, read ? null : $"{prefix}-{next():00000}");
            var after = _signalled; // a request answered after the signal saw the takeover, even if sent before it
            _tallies.GetOrAdd((replica.Name, after), _ => new Tally()).Add(outcome);
            read = !read;
            try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { return; }
        }
    }

    private static async Task<string?> OneAsync(ReplicaProcess replica, string? createName)
    {
        using var bound = new CancellationTokenSource(RequestBound);
        try
        {
            using var response = createName is null
                ? await replica.Http.GetAsync(new Uri(ApiRoutes.Vms + "?limit=20", UriKind.Relative), bound.Token)
                : await replica.Http.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest(createName, 1, 256L << 20, 1L << 30, "debian-12"), bound.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException)
        {
            return "no answer within 5 s";
        }
        catch (HttpRequestException e)
        {
            return e.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused or reset" : "connection error: " + e.HttpRequestError;
        }
    }

    /// <summary>Requests answered and failed (by reason).</summary>
    public sealed class Tally
    {
        private int _requests;
        private readonly ConcurrentDictionary<string, int> _errors = new();

        public int Requests => _requests;
        public int Errors => _errors.Values.Sum();
        public IReadOnlyDictionary<string, int> ErrorsByReason => _errors;

        public void Add(string? error)
        {
            Interlocked.Increment(ref _requests);
            if (error is not null) _errors.AddOrUpdate(error, 1, (_, n) => n + 1);
        }

        public void AddAll(Tally other)
        {
            Interlocked.Add(ref _requests, other._requests);
            foreach (var (reason, n) in other._errors) _errors.AddOrUpdate(reason, n, (_, m) => m + n);
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Server.Queries;

namespace Octopus.Server.Web;

/// <summary>One change seen by <see cref="VmChangeFeed"/>: a VM that appeared or changed (<see cref="Vm"/> set), or one
/// that is gone (<see cref="Deleted"/> set).</summary>
public sealed record VmChange(string Owner, VmDto? Vm, VmDeletedEvent? Deleted);

/// <summary>Feeds the web UI's live updates: while anyone listens, it reads the VMs as the API shows them every
/// <see cref="Interval"/> and publishes those whose observable fields changed (state, spec, host, reason, lease,
/// CPU to the percent). Reading the store, rather than hooking each writer, catches every change whatever made it
/// (API, control loop, policies), at the cost of up to one interval of delay. Idle when no one listens.</summary>
public sealed partial class VmChangeFeed(IServiceScopeFactory scopes, TimeProvider time, ILogger<VmChangeFeed> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<long, Subscriber> _subscribers = new();
    private readonly SemaphoreSlim _wake = new(0);
    private long _nextId;
    private Dictionary<string, (string Fingerprint, VmDto Vm)> _last = new(StringComparer.Ordinal);

    /// <summary>Subscribes a caller: users get their own VMs' changes, admins everyone's. Dispose to stop.</summary>
    public Subscription Subscribe(Caller caller)
    {
        var channel = Channel.CreateBounded<VmChange>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        var id = Interlocked.Increment(ref _nextId);
        _subscribers[id] = new Subscriber(caller, channel);
        _wake.Release();
        return new Subscription(channel.Reader, () => { _subscribers.TryRemove(id, out _); channel.Writer.TryComplete(); });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_subscribers.IsEmpty)
                {
                    _last.Clear(); // the next listener starts from a fresh page load anyway
                    await _wake.WaitAsync(stoppingToken);
                    continue;
                }
                await PollAsync(stoppingToken);
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPollFailed(logger, e);
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<VmQueries>();
        var now = new Dictionary<string, (string, VmDto)>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await queries.ListAsync(Caller.System, null, null, null, null, cursor, Paging.MaxLimit, ct);
            foreach (var vm in page.Items) now[vm.Id] = (Fingerprint(vm), vm);
            cursor = page.NextCursor;
        } while (cursor is not null);

        var changes = new List<VmChange>();
        foreach (var (id, (print, vm)) in now)
            if (!_last.TryGetValue(id, out var before) || before.Fingerprint != print) changes.Add(new VmChange(vm.Owner, vm, null));
        foreach (var (id, (_, vm)) in _last)
            if (!now.ContainsKey(id)) changes.Add(new VmChange(vm.Owner, null, new VmDeletedEvent(id, vm.Name, vm.Owner)));
        _last = now;

        foreach (var change in changes)
            foreach (var s in _subscribers.Values)
                if (s.Caller.IsAdmin || s.Caller.Name == change.Owner) s.Channel.Writer.TryWrite(change);
    }

    private static string Fingerprint(VmDto vm) =>
        JsonSerializer.Serialize(vm with { CpuLoad = Math.Round(vm.CpuLoad, 2) }, Json);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live VM feed: reading the VMs failed; retrying")]
    private static partial void LogPollFailed(ILogger logger, Exception e);

    private sealed record Subscriber(Caller Caller, Channel<VmChange> Channel);

    /// <summary>A listener's queue of changes; dispose it when the connection ends.</summary>
    public sealed class Subscription(ChannelReader<VmChange> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<VmChange> Reader { get; } = reader;
        public void Dispose() => unsubscribe();
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
